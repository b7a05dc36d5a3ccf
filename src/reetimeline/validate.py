"""The rules of the data, each written once.

- What one event may hold: `parse_event`, the one validator of an event, used by the store's
  parser, `add` and `import` (the common case made cheap inside it, see below).
- Which dates are accepted: `parse_date_value` here, and the range in `model.PartialDate`.
- The rules between events: ids are unique, references name events that exist, `extends` names a
  suspension or a truce, `ends` a measure, a suspension or a truce, `part_of` a package of the
  same category (`reference_problems`, used by `check_references` for one file,
  `cross_file_problems` across files, parsed or cached, and by `add` and `import`).

A store of 100,000 events is validated on every cold read, so the common case is cheap: each field
is checked by one rule that returns the value to keep, without collecting anything; problems are
gathered only when a rule fails. There is no second, quicker copy of the rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from .errors import Problem
from .links import GOOD_URL, check_url
from .model import (
    ALL_DESTINATIONS,
    CATEGORIES,
    CONFIDENCES,
    KINDS,
    LATEST,
    MEASURE_CATEGORIES,
    RESTRICTION_CATEGORIES,
    Dated,
    DateRangeError,
    Event,
    Origin,
    PartialDate,
    Source,
)
from .vocab import COUNTRIES_VOCAB, MINERALS, Vocabulary, did_you_mean, hint

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
EVENT_FIELDS = (
    "id", "date", "title", "summary", "category", "minerals", "countries", "tags", "effective",
    "expires", "suspends", "related", "confidence", "sources", "issuer", "applies_to",
    "extends", "ends", "kind", "partial", "part_of", "confirms", "current_to",
)  # fmt: skip
SOURCE_FIELDS = ("title", "url", "publisher", "accessed")
# Every field of Event that holds ids of other events; each is checked, cached and looked up the
# same way (store/cache.py keeps them in one `refs` table). `part_of` holds one id, the others a
# tuple: `refs_of` reads any of them as a tuple.
REFERENCE_FIELDS: tuple[str, ...] = ("suspends", "extends", "ends", "confirms", "related",
                                     "part_of")  # fmt: skip
# What `extends` may name: an event with an end that an extension moves (an extension is itself
# one of them, so extensions chain).
EXTENDABLE_CATEGORIES: tuple[str, ...] = ("suspension", "truce")
# What `ends` may name: a measure, or a suspension or truce (an early end, or a reported lapse).
ENDABLE_CATEGORIES: tuple[str, ...] = (*MEASURE_CATEGORIES, *EXTENDABLE_CATEGORIES)
# The references whose rule reads the event they name (its category, its dates, its kind).
_READS_TARGET = frozenset(("extends", "ends", "part_of"))
# What a package (an event that another names in `part_of`) must not have: its parts have them.
_PACKAGE_LEAVES = ("effective", "expires", "kind")


def refs_of(event: object, name: str) -> tuple[str, ...]:
    """The ids that reference field `name` of `event` holds (`part_of` holds one or none)."""
    value = getattr(event, name)
    if value is None:
        return ()
    return (value,) if type(value) is str else value


_SOURCE_FIELD_SET = frozenset(SOURCE_FIELDS)
_CATEGORY_SET = frozenset(CATEGORIES)
_CONFIDENCE_SET = frozenset(CONFIDENCES)
_ID_MATCH = ID_PATTERN.fullmatch
_new = tuple.__new__  # what a NamedTuple's constructor calls, without its argument handling


class _Invalid(Exception):
    """A field breaks its rule: the messages say how (a list of names can break it twice)."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = messages


# --- dates -----------------------------------------------------------------------------------

# Dates and vocabulary lists repeat across a store's events: each distinct one is validated
# once per process (PartialDate is immutable, so one object may stand in many events).
_DATES: dict[Any, PartialDate] = {}
_DATE_TYPES = (dt.date, str)


def parse_date_value(value: Any) -> PartialDate:
    """A store date: a TOML local date, or a string YYYY-MM-DD, YYYY-MM or YYYY, from
    `model.EARLIEST` to `model.LATEST` (ValueError, a DateRangeError out of that range)."""
    kind = type(value)
    if kind in _DATE_TYPES:  # exactly a date or text: hashable, and known by type and value
        known = _DATES.get((kind, value))
        if known is not None:
            return known
        date = _parse_date_value(value)
        if len(_DATES) < 100_000:
            _DATES[(kind, value)] = date
        return date
    return _parse_date_value(value)


def _parse_date_value(value: Any) -> PartialDate:
    if isinstance(value, dt.datetime):
        raise ValueError(f"{value.isoformat()} is a date-time; write a date (YYYY-MM-DD)")
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, dt.time):
        raise ValueError(f"{value.isoformat()} is a time; write a date (YYYY-MM-DD)")
    if isinstance(value, str):
        return PartialDate.parse(value)
    raise ValueError(f"must be a date (YYYY-MM-DD, YYYY-MM or YYYY), not {_type_name(value)}")


def _date(value: Any) -> PartialDate:
    try:
        return parse_date_value(value)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _expires(value: Any) -> PartialDate:
    try:
        return parse_date_value(value)
    except DateRangeError as exc:
        if exc.year > LATEST.year:  # 9999-12-31, a common way of writing "no end"
            raise _Invalid(f"{exc}; for a measure with no end date, leave `expires` out") from None
        raise _Invalid(str(exc)) from None
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


# --- text ------------------------------------------------------------------------------------


def _is_unicode(text: str) -> bool:
    """Whether text can be written as UTF-8: no lone surrogate (as from bytes that were not
    UTF-8, read with surrogateescape, or a JSON escape). ASCII is known at once."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_NOT_UNICODE = ("holds text that is not Unicode (a lone surrogate, as from bytes that were not "
                "UTF-8)")  # fmt: skip


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list"}
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.date):
        return "a date"
    return names.get(type(value), type(value).__name__)


def _id(value: Any) -> str:
    if isinstance(value, str) and _ID_MATCH(value):
        return value
    raise _Invalid(f"{value!r} is not an id: use lowercase letters, digits and hyphens")


def _title(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be text, not {_type_name(value)}")
    if not value.strip():
        raise _Invalid("is empty")
    if "\n" in value or "\r" in value:
        raise _Invalid("must be one line")
    if not value.isascii() and not _is_unicode(value):
        raise _Invalid(_NOT_UNICODE)
    return value


def _summary(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be text, not {_type_name(value)}")
    if not value.isascii() and not _is_unicode(value):
        raise _Invalid(_NOT_UNICODE)
    return value


def _category(value: Any) -> str:
    if isinstance(value, str) and value in _CATEGORY_SET:
        return value
    suggestion = did_you_mean(value, CATEGORIES) if isinstance(value, str) else ""
    raise _Invalid(f"unknown category {value!r}{suggestion}")


_KIND_SET = frozenset(KINDS)


def _kind(value: Any) -> str:
    if isinstance(value, str) and value in _KIND_SET:
        return value
    suggestion = did_you_mean(value, KINDS) if isinstance(value, str) else ""
    raise _Invalid(f"unknown kind {value!r}{suggestion}; one of: {', '.join(KINDS)}")


def _partial(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise _Invalid(f"must be true or false, not {_type_name(value)}")


def _confidence(value: Any) -> str:
    if isinstance(value, str) and value in _CONFIDENCE_SET:
        return value
    raise _Invalid(f"{value!r} is not one of: {', '.join(CONFIDENCES)}")


# --- lists -----------------------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    """A list of text (each item exactly text)."""
    if type(value) is list:
        for item in value:
            if not isinstance(item, str):
                break
        else:
            return value
    if isinstance(value, str):  # the example splits the text where a list was meant: "Ga, Ge"
        items = [item.strip() for item in re.split("[,;]", value) if item.strip()] or [value]
        import json

        raise _Invalid(f"must be a list of text, like {json.dumps(items, ensure_ascii=False)}")
    if type(value) is list:
        number, item = next((n, v) for n, v in enumerate(value, 1) if not isinstance(v, str))
        raise _Invalid(f"must be a list of text; item {number} is {_type_name(item)}")
    raise _Invalid(f"must be a list of text, not {_type_name(value)}")


_RESOLVED: dict[tuple[int, tuple[str, ...]], tuple[str, ...]] = {}


def _names(vocabulary: Vocabulary) -> Callable[[Any], tuple[str, ...]]:
    """The rule of a list of names in `vocabulary` (minerals, countries): their canonical names,
    each once; every unknown name is a problem of its own, with a did-you-mean."""
    tag = id(vocabulary)

    def rule(value: Any) -> tuple[str, ...]:
        if type(value) is list:  # a list seen before is known at once (only text is kept)
            try:
                known = _RESOLVED.get((tag, tuple(value)))
            except TypeError:  # an item that is a list or a table
                known = None
            if known is not None:
                return known
        names = _strings(value)
        key = (tag, tuple(names))
        resolved: list[str] = []
        unknown: list[str] = []
        for name in names:
            canonical = vocabulary.resolve(name)
            if canonical is None:
                suggestion = hint(vocabulary.suggest(name))
                unknown.append(f"unknown {vocabulary.kind} '{name}'{suggestion}")
            else:
                resolved.append(canonical)
        if unknown:
            raise _Invalid(*unknown)
        result = tuple(dict.fromkeys(resolved))
        if len(_RESOLVED) < 100_000:
            _RESOLVED[key] = result
        return result

    return rule


def _tags(value: Any) -> tuple[str, ...]:
    items = _strings(value)
    for tag in items:
        if not tag.strip() or "\n" in tag or "\r" in tag or ";" in tag:
            raise _Invalid("tags must be non-empty single-line text without ';'")
        if not _is_unicode(tag):
            raise _Invalid(_NOT_UNICODE)
    return tuple(dict.fromkeys(items))


def _ids(value: Any) -> tuple[str, ...]:
    items = _strings(value)
    for item in items:
        if not _ID_MATCH(item):
            raise _Invalid(f"{item!r} is not an id")
    return tuple(dict.fromkeys(items))


_NOT_SOURCES = "must be a list of tables like { title = ..., url = ... }"


def _one_id(value: Any) -> str:
    if isinstance(value, str):
        return _id(value)
    raise _Invalid(f'must be one id as text, like "some-package", not {_type_name(value)}')


def _current_to(value: Any) -> PartialDate:
    date = _date(value)
    if date.precision != "day":
        raise _Invalid(f"{date} is a {date.precision}; give the day (YYYY-MM-DD) up to which "
                       "this event's facts were checked")  # fmt: skip
    return date


def _sources(value: Any) -> tuple[Source, ...]:
    if type(value) is not list:
        raise _Invalid(_NOT_SOURCES)
    sources: list[Source] = []
    good_url = GOOD_URL.fullmatch
    problems: list[str] = []
    for number, raw in enumerate(value, 1):
        if not isinstance(raw, dict):
            raise _Invalid(_NOT_SOURCES)
        # the common case in one test: known keys, text title and url, a plain http(s) link
        title, url, publisher = raw.get("title"), raw.get("url"), raw.get("publisher")
        if (
            type(title) is str and type(url) is str and title.strip() and good_url(url)
            and (publisher is None or type(publisher) is str) and "accessed" not in raw
            and _SOURCE_FIELD_SET.issuperset(raw) and title.isascii() and url.isascii()
            and (publisher is None or publisher.isascii())
        ):  # fmt: skip
            sources.append(_new(Source, (title, url, publisher, None)))
            continue
        source = _source(raw, f"sources[{number}]", problems)
        if source is not None:
            sources.append(source)
    if problems:
        raise _Invalid(*problems)
    return tuple(sources)


def _source(raw: Mapping[str, Any], where: str, problems: list[str]) -> Source | None:
    """One source table checked field by field; each problem is added to `problems`."""
    before = len(problems)
    for key in raw:
        if key not in _SOURCE_FIELD_SET:
            problems.append(f"{where}: unknown field '{key}'{did_you_mean(key, SOURCE_FIELDS)}")
    title, url, publisher = raw.get("title"), raw.get("url"), raw.get("publisher")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{where}: title is missing or not text")
    if url is not None and not isinstance(url, str):  # absent: a reference by its title
        problems.append(f"{where}: url must be text")
    elif url is not None and (reason := check_url(url)):
        problems.append(f"{where}: url: {reason}")
    if publisher is not None and not isinstance(publisher, str):
        problems.append(f"{where}: publisher must be text")
    texts = [t for t in (title, url, publisher) if isinstance(t, str)]
    if not all(_is_unicode(t) for t in texts):
        problems.append(f"{where}: {_NOT_UNICODE}")
    accessed = None
    if "accessed" in raw:
        try:
            accessed = parse_date_value(raw["accessed"])
        except ValueError as exc:
            problems.append(f"{where}: accessed: {exc}")
    if len(problems) > before:
        return None
    return Source(title, url, publisher, accessed)  # type: ignore[arg-type]  # checked above


def _issuer(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f'must be one country or group as text, like "CN", not '
                       f"{_type_name(value)}")  # fmt: skip
    return _countries([value])[0]


def _applies_to(value: Any) -> tuple[str, ...]:
    names = _strings(value)
    if ALL_DESTINATIONS in names:
        if len(names) > 1:
            raise _Invalid('"all" stands alone: it already means every destination')
        return (ALL_DESTINATIONS,)
    if not names:
        raise _Invalid('is empty: list the destinations, or ["all"]')
    return _countries(names)


_countries = _names(COUNTRIES_VOCAB)

# The rule of each field: its value as written -> its value in the Event, or _Invalid.
_RULES: dict[str, Callable[[Any], Any]] = {
    "id": _id,
    "date": _date,
    "effective": _date,
    "expires": _expires,
    "title": _title,
    "summary": _summary,
    "category": _category,
    "minerals": _names(MINERALS),
    "countries": _countries,
    "tags": _tags,
    **dict.fromkeys(REFERENCE_FIELDS, _ids),  # part_of: one id, below
    "confidence": _confidence,
    "sources": _sources,
    "issuer": _issuer,
    "applies_to": _applies_to,
    "kind": _kind,
    "partial": _partial,
    "part_of": _one_id,
    "current_to": _current_to,
}
assert set(_RULES) == set(EVENT_FIELDS)
_REQUIRED = (
    ("id", "missing (every event needs an id)"),
    ("date", "missing (every event needs a date)"),
    ("title", "missing (every event needs a title)"),
    ("category", f"missing (one of: {', '.join(CATEGORIES)})"),
)
_REQUIRED_SET = frozenset(name for name, _message in _REQUIRED)
# rules that join other fields
_JOINED_SET = frozenset(("issuer", "applies_to", "extends", "kind", "partial"))
# Problems are listed in this order of fields (unknown fields first), whatever the order written.
_ORDER = ("id", "date", "effective", "expires", "title", "summary", "category", "minerals",
          "countries", "tags", *REFERENCE_FIELDS, "confidence", "sources", "issuer",
          "applies_to", "kind", "partial", "current_to")  # fmt: skip
_RANK = {name: rank for rank, name in enumerate(_ORDER, 1)}
_PARTIES_RANK = _RANK["issuer"] - 0.5  # "only ... events have issuer" before the issuer's own
_LAST_RANK = len(_RANK) + 1  # rules between fields


def parse_event(
    raw: Mapping[str, Any],
    *,
    path: str,
    line: int | None,
    label: str,
    field_line: Callable[[str], int | None] | None = None,
    unit: str = "line",
    current_to: PartialDate | None = None,
) -> tuple[Event | None, list[Problem]]:
    """Validate one raw event table and build the Event; all problems are returned, none raised.

    The one validator of an event (stores, `add`, `import`). `field_line(name)` gives the line
    of a field (None: use `line`); `unit` is "line" for stores and "row" for imports, where
    `line` is the row number (the event's origin then has no line). `current_to` is the
    store file's: the event's own `current_to` when it has none.
    """
    values: dict[str, Any] = {"origin": _new(Origin, (path, line if unit == "line" else None))}
    if current_to is not None:
        values["current_to"] = current_to
    found: list[tuple[float, str, str]] | None = None  # (rank, field, message): only on failure
    rules = _RULES
    for name, value in raw.items():
        rule = rules.get(name)
        if rule is None:
            found = found or []
            found.append((0, name, f"unknown field{did_you_mean(name, EVENT_FIELDS)}"))
            continue
        try:
            values[name] = rule(value)
        except _Invalid as exc:
            found = found or []
            found.extend((_RANK[name], name, message) for message in exc.messages)
    if found is None and values.keys() >= _REQUIRED_SET and _JOINED_SET.isdisjoint(raw):
        # the rules between fields below are then only the order of date and expires
        expires = values.get("expires")
        if expires is None or expires.last() >= values["date"].first():
            if values["category"] == "tariff":  # a tariff's kind, written or not
                values["kind"] = "tariff"
            return Event.trusted_from(values), []
    found = _between_fields(raw, values, found or [])
    if found:
        return None, _problems(found, raw, path, line, label, field_line)
    return Event.trusted_from(values), []


def _between_fields(
    raw: Mapping[str, Any], values: dict[str, Any], found: list[tuple[float, str, str]]
) -> list[tuple[float, str, str]]:
    """The rules that join fields: the required ones, who may have an issuer, an expiry after
    the date, an extension with its own expiry."""
    for name, message in _REQUIRED:
        if name not in raw:
            found.append((_RANK[name], name, message))
    category = raw.get("category")
    for name in ("issuer", "applies_to"):
        if name in raw and category not in RESTRICTION_CATEGORIES:
            message = f"only {', '.join(RESTRICTION_CATEGORIES)} events have {name}"
            found.append((_PARTIES_RANK, name, message))
    date, expires = values.get("date"), values.get("expires")
    if date is not None and expires is not None and expires.last() < date.first():
        found.append((_LAST_RANK, "expires", f"{expires} is before the event's date {date}"))
    if values.get("extends") and "expires" not in raw:
        message = "an extension needs its own `expires`: the new end"
        found.append((_LAST_RANK, "extends", message))
    if "kind" in raw and category not in MEASURE_CATEGORIES:
        message = f"only {' and '.join(MEASURE_CATEGORIES)} events (measures) have a kind"
        found.append((_RANK["kind"], "kind", message))
    elif category == "tariff":
        if values.get("kind", "tariff") != "tariff":
            message = f'a tariff\'s kind is "tariff", not {values["kind"]!r} (or leave it out)'
            found.append((_RANK["kind"], "kind", message))
        values["kind"] = "tariff"
    if values.get("partial") and not values.get("suspends"):
        message = ("only an event that `suspends` measures can suspend them in part; add "
                   "`suspends`, or leave `partial` out")  # fmt: skip
        found.append((_RANK["partial"], "partial", message))
    return found


def _problems(
    found: list[tuple[float, str, str]],
    raw: Mapping[str, Any],
    path: str,
    line: int | None,
    label: str,
    field_line: Callable[[str], int | None] | None,
) -> list[Problem]:
    raw_id = raw.get("id")
    event_id = raw_id if isinstance(raw_id, str) and raw_id else label
    found.sort(key=lambda item: item[0])  # stable: the order found within a field
    problems = []
    for _rank, name, message in found:
        at = (field_line(name) if field_line else None) or line
        problems.append(Problem(path, message, at, None, event_id, name))
    return problems


# --- between events --------------------------------------------------------------------------


def reference_problem(
    event_id: str,
    name: str,
    ref: str,
    target: Dated | None,
    exists: bool,
    category: str | None = None,
) -> str | None:
    """The one rule of a reference: what is wrong with `name = [ref]` in event `event_id` (of
    `category`, None: unknown), given whether an event `ref` exists and that event (`target`,
    read for `extends`, `ends` and `part_of`; None: unknown here), or None if nothing."""
    if ref == event_id:
        return f"'{ref}' is this event itself"
    if not exists:
        return f"no event '{ref}' in the stores"
    if target is None or name not in _READS_TARGET:
        return None
    named = target.category
    article = "an" if named[0] in "aeiou" else "a"
    if name == "extends" and named not in EXTENDABLE_CATEGORIES:
        hint = " (a measure is ended with `ends`)" if named in MEASURE_CATEGORIES else ""
        return (f"'{ref}' is {article} {named} event; only a suspension or a truce can be "
                f"extended{hint}")  # fmt: skip
    if name == "ends" and named not in ENDABLE_CATEGORIES:
        return (f"'{ref}' is {article} {named} event; `ends` names a measure (export-control, "
                "tariff), a suspension or a truce")  # fmt: skip
    if name == "part_of":
        if category is not None and named != category:
            return (f"'{ref}' is {article} {named} event; a part belongs to a package of its "
                    f"own category ({category})")  # fmt: skip
        # a tariff's kind is always "tariff" (the parser fills it in): not a kind of its own
        held = [f"`{leaf}`" for leaf in _PACKAGE_LEAVES if getattr(target, leaf) is not None
                and not (leaf == "kind" and named == "tariff")]  # fmt: skip
        if held:
            return (f"'{ref}' has {' and '.join(held)}; a package has no dates or kind of its "
                    "own (its parts have them)")  # fmt: skip
    return None


def reference_problems(
    events: Iterable[Event],
    exists: Callable[[str], bool],
    candidates: Callable[[], Iterable[str]],
    *,
    where: str = "<unknown>",
    itself: bool = True,
    event_of: Callable[[str], Dated | None] = lambda _ref: None,
) -> list[Problem]:
    """The references of `events` that break `reference_problem`: to the event itself (unless
    not `itself`), to an id for which `exists` is false (with the closest of `candidates()` as a
    did-you-mean), `extends`, `ends` or `part_of` to an event (`event_of`, None when unknown)
    that it may not name. `where` names events without an origin."""
    problems: list[Problem] = []
    fields = attrgetter(*REFERENCE_FIELDS)
    for event in events:
        named = fields(event)
        if not any(named):  # most events refer to nothing
            continue
        for name, refs in zip(REFERENCE_FIELDS, named, strict=True):
            for ref in (refs,) if type(refs) is str else refs or ():
                if ref == event.id and not itself:
                    continue
                found = exists(ref)
                target = event_of(ref) if found and name in _READS_TARGET else None
                message = reference_problem(event.id, name, ref, target, found, event.category)
                if message is not None:
                    if not found and ref != event.id:
                        message += did_you_mean(ref, candidates())
                    problems.append(_problem(event, name, message, where))
    return problems


def check_references(
    events: Sequence[Event],
    *,
    external_ok: bool = False,
    unparsed: Sequence[tuple[str, int | None]] = (),
    path: str = "?",
) -> list[Problem]:
    """Duplicate ids among `events` (one file), and their references (unless `external_ok`:
    references to ids outside these events, and what they name, are then left for the check
    across files).

    `unparsed` are the (id, line) of the file's events that have problems of their own: their
    ids still count, so a duplicate of one is reported and a reference to one is not (the
    event's own problems say what is wrong with it)."""
    problems: list[Problem] = []
    first: dict[str, Event] = {}
    for event in events:
        if event.id in first:
            also = where_of(first[event.id])
            problems.append(_problem(event, "id", f"duplicate id, also at {also}"))
        else:
            first[event.id] = event
    known: Mapping[str, object] = first
    if unparsed:
        problems = _duplicates_with_unparsed(events, unparsed, path)
        known = dict.fromkeys([*first, *(i for i, _line in unparsed)])
    if external_ok:
        return problems + reference_problems(events, lambda _ref: True, lambda: known)

    return problems + reference_problems(
        events, known.__contains__, lambda: known, event_of=first.get
    )


def _duplicates_with_unparsed(
    events: Sequence[Event], unparsed: Sequence[tuple[str, int | None]], path: str
) -> list[Problem]:
    """Duplicate ids in one file among its events and the ids of its unparsed events, each
    reported at the later of the two, in file order."""
    claims: list[tuple[int, str, Event | None, int | None]] = [
        (e.origin.line if e.origin and e.origin.line else 0, e.id, e, None) for e in events
    ]
    claims += [(line or 0, i, None, line) for i, line in unparsed]
    claims.sort(key=lambda claim: claim[0])  # stable: ties keep the order above
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for _order, event_id, event, line in claims:
        if event_id in first:
            message = f"duplicate id, also at {first[event_id]}"
            if event is not None:
                problems.append(_problem(event, "id", message))
            else:
                problems.append(Problem(path, message, line, None, event_id, "id"))
        elif event is not None:
            first[event_id] = where_of(event)
        else:
            first[event_id] = f"{path}:{line}" if line else path
    return problems


def cross_file_problems(
    owners: Iterable[tuple[str, str, int | None]],
    parsed: Sequence[Event],
    external: Iterable[tuple[str, str, str, str, int | None]],
    event_of: Callable[[str], Dated | None] = lambda _ref: None,
) -> list[Problem]:
    """Problems only visible across files: an id in two files, and references between files.

    `owners`: (id, file, line) of every event in every file, in file order; `parsed`: the events
    parsed now; `external`: (file, event id, field, referenced id, line) of each cached file's
    references to ids outside it; `event_of(id)`: an event of any file (None when unknown: an
    event with problems of its own), asked only for what `extends`, `ends` and `part_of` name,
    and for the event that names it."""
    problems: list[Problem] = []
    where: dict[str, str] = {}
    first_path: dict[str, str] = {}
    for event_id, path, line in owners:
        here = f"{path}:{line}" if line else path
        if event_id in where and first_path[event_id] != path:
            problems.append(Problem(path, f"duplicate id, also at {where[event_id]}", line, None,
                                    event_id, "id"))  # fmt: skip
        where.setdefault(event_id, here)
        first_path.setdefault(event_id, path)
    # references to the event itself were reported with the event's own file
    problems += reference_problems(parsed, where.__contains__, lambda: where, itself=False,
                                   event_of=event_of)  # fmt: skip
    for path, event_id, name, ref, line in external:
        found = ref in where
        target = event_of(ref) if found and name in _READS_TARGET else None
        referring = event_of(event_id) if target is not None and name == "part_of" else None
        category = referring.category if referring is not None else None
        message = reference_problem(event_id, name, ref, target, found, category)
        if message is not None:
            if not found:
                message += did_you_mean(ref, where)
            problems.append(Problem(path, message, line, None, event_id, name))
    return problems


def where_of(event: Event) -> str:
    origin = event.origin
    if origin is None:
        return "?"
    return f"{origin.path}:{origin.line}" if origin.line else origin.path


def _problem(event: Event, field_name: str, message: str, where: str = "<unknown>") -> Problem:
    origin = event.origin or Origin(where)
    return Problem(origin.path, message, origin.line, None, event.id, field_name)
