"""Parsing and validating store files: every problem with its file, line, event and field.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores. The
format is documented in docs/store-format.md. Loading collects every problem in every file and
fails once with all of them (`DataError`); nothing that is wrong is silently skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

from ..errors import Problem
from ..links import GOOD_URL, check_url
from ..model import (
    ALL_DESTINATIONS,
    CATEGORIES,
    CONFIDENCES,
    RESTRICTION_CATEGORIES,
    Event,
    Origin,
    PartialDate,
    Source,
)
from ..validate import REFERENCE_FIELDS
from ..vocab import COUNTRIES_VOCAB, MINERALS, Vocabulary, did_you_mean, hint
from .files import StoreBytes, read_store_bytes

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
EVENT_FIELDS = (
    "id", "date", "title", "summary", "category", "minerals", "countries", "tags", "effective",
    "expires", "suspends", "related", "confidence", "sources", "issuer", "applies_to",
    "extends", "ends",
)  # fmt: skip
SOURCE_FIELDS = ("title", "url", "publisher", "accessed")
_EVENT_FIELD_SET = frozenset(EVENT_FIELDS)
_SOURCE_FIELD_SET = frozenset(SOURCE_FIELDS)
TOP_LEVEL_KEYS = ("events", "schema", "current_to")
NEW_STORE_HEADER = (
    "# reetimeline store: your own events, merged with the curated ones.\n"
    "# One [[events]] table per event; the format is in docs/store-format.md.\n"
    "# `reetimeline add` and `reetimeline import` append here and keep every byte above.\n"
)


class SourceRecord(TypedDict, total=False):
    title: str
    url: str
    publisher: str
    accessed: dt.date | str


class EventRecord(TypedDict, total=False):
    """The on-disk shape of one `[[events]]` table."""

    id: str
    date: dt.date | str
    title: str
    summary: str
    category: str
    minerals: list[str]
    countries: list[str]
    tags: list[str]
    effective: dt.date | str
    expires: dt.date | str
    suspends: list[str]
    related: list[str]
    confidence: str
    sources: list[SourceRecord]
    issuer: str
    applies_to: list[str]
    extends: list[str]
    ends: list[str]


class FileInfo(NamedTuple):
    """What the cache and the writer need to know about a parsed store file besides its events.

    `appendable`: `[[events]]` tables appended to the text read back as more events (the events
    are absent or all written as `[[events]]` tables, never as an inline `events = [...]`).
    `newline`: the file's line ending, for appended text. `current_to`: the store's top-level
    `current_to` date as written (YYYY-MM-DD), when it declares a valid one. `unparsed_ids`:
    the id and line of each event that has problems but a well-formed id, so that checks across
    events still see that id (a duplicate of it is reported, a reference to it is not).
    """

    appendable: bool
    newline: str
    current_to: str | None = None
    unparsed_ids: tuple[tuple[str, int | None], ...] = ()


class ParsedFile(NamedTuple):
    events: list[Event]
    problems: list[Problem]
    source: StoreBytes | None
    info: FileInfo | None


def read_file(path: Path, *, keep: list[object] | None = None) -> ParsedFile:
    """Parse and validate one store file on its own (across files: `validate`). A regular file
    or a pipe, read once; anything else is a problem. With `keep`, the parsed TOML of a large
    file is appended to it rather than freed (`store.Deferred.documents`)."""
    name = str(path)
    source, problem = read_store_bytes(path)
    if problem or source is None:
        return ParsedFile([], [problem] if problem else [], None, None)
    text, problem = decode(name, source.data)
    if problem:
        return ParsedFile([], [problem], source, None)
    document, problem = parse_toml(name, text)
    if problem:
        return ParsedFile([], [problem], source, None)
    events, problems, info = read_document(name, text, document)
    if keep is not None and len(text) >= KEEP_DOCUMENTS_FROM:
        keep.append(document)
    return ParsedFile(events, problems, source, info)


# Where a process keeps them (`Deferred.documents`), the parsed TOML of a large file is kept
# rather than freed at once: freeing a million small objects one by one costs a tenth of a
# second per 100,000 events.
KEEP_DOCUMENTS_FROM = 1 << 20


def decode(name: str, data: bytes) -> tuple[str, Problem | None]:
    """Decode a store's bytes as UTF-8 (a BOM is allowed); name the line of a bad byte."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return "", Problem(
            name, f"not UTF-8 text (byte 0x{byte}); is this a store file?", line, column
        )


def parse_toml(name: str, text: str) -> tuple[dict[str, Any], Problem | None]:
    import tomli

    try:
        return tomli.loads(text), None
    except tomli.TOMLDecodeError as exc:
        message = getattr(exc, "msg", str(exc))
        if getattr(exc, "pos", 0) >= len(text):
            return {}, Problem(name, f"TOML syntax error: {message} at the end of the file",
                               text.count("\n") + 1)  # fmt: skip
        return {}, Problem(name, f"TOML syntax error: {message}", exc.lineno, exc.colno)
    except RecursionError:
        return {}, Problem(name, "TOML nests too deeply to be a store")


# A table header `[[events]]` alone on its line (a comment may follow): found by its brackets
# (a search the regex engine does at C speed from their literal "[["), then its line checked.
_HEADER = re.compile(r"\[\[[ \t]*events[ \t]*\]\]")
_HEADER_REST = re.compile(r"[ \t]*(?:#[^\n]*)?\r?(?=\n|\Z)")
# What can hide a header line: multi-line strings, and what may hold their quotes.
_TOKEN = re.compile(r'"""|\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')
_BASIC_END = re.compile(r'(?:[^"\\]+|\\[\s\S]|"(?!""))*"""(?:"{0,2})')
_LITERAL_END = re.compile(r"(?:[^']+|'(?!''))*'''(?:'{0,2})")


def _string_spans(text: str) -> list[tuple[int, int]]:
    """Where the multi-line strings of a valid TOML text are (start and end offsets)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while match := _TOKEN.search(text, pos):
        token = match.group()
        if token in ('"""', "'''"):
            end = (_BASIC_END if token == '"""' else _LITERAL_END).match(text, match.end())
            stop = end.end() if end else len(text)
            spans.append((match.start(), stop))
            pos = stop
        else:
            pos = match.end()
    return spans


def header_offsets(text: str) -> list[int]:
    """Offsets of the real `[[events]]` header lines of a valid TOML text, in order: a line
    that only looks like one inside a multi-line string is left out, exactly."""
    offsets = []
    rest = _HEADER_REST.match
    for match in _HEADER.finditer(text):
        begin, end = match.span()
        # the common header, "[[events]]" alone on its line, is seen at once
        if begin and text[begin - 1] == "\n" and text[end : end + 1] == "\n":
            offsets.append(begin)
            continue
        start = text.rfind("\n", 0, begin) + 1
        if not text[start:begin].strip(" \t") and rest(text, end):
            offsets.append(start)
    if offsets and ('"""' in text or "'''" in text):
        spans = _string_spans(text)
        import bisect

        starts = [s for s, _e in spans]
        kept = []
        for offset in offsets:
            i = bisect.bisect_right(starts, offset) - 1
            if i < 0 or offset >= spans[i][1]:
                kept.append(offset)
        offsets = kept
    return offsets


def newline_of(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


class _Lines:
    """The line of each event's `[[events]]` header and of each field in it. Lines are counted
    at "\n" only, as TOML does (U+2028 or U+0085 inside a string start no line). When the events
    are not all `[[events]]` tables (an inline `events = [...]`), only the file is named."""

    def __init__(self, text: str, count: int):
        self.text = text
        offsets = header_offsets(text) if count else []
        self.offsets = offsets if len(offsets) == count else None
        self.lines: list[int] = []
        if self.offsets:
            line, previous = 1, 0
            for offset in self.offsets:
                line += text.count("\n", previous, offset)
                previous = offset
                self.lines.append(line)

    def event(self, index: int) -> int | None:
        return self.lines[index] if self.offsets else None

    def field(self, index: int, name: str) -> int | None:
        if not self.offsets:
            return None
        begin = self.offsets[index]
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else len(self.text)
        pattern = re.compile(rf"[ \t]*(?:{re.escape(name)}|\"{re.escape(name)}\")[ \t]*=")
        for number, line in enumerate(self.text[begin:end].split("\n")):
            if number and pattern.match(line):
                return self.lines[index] + number
        return self.lines[index]


def events_from_document(
    name: str, text: str, document: Mapping[str, Any]
) -> tuple[list[Event], list[Problem]]:
    events, problems, _info = read_document(name, text, document)
    return events, problems


def read_document(
    name: str, text: str, document: Mapping[str, Any]
) -> tuple[list[Event], list[Problem], FileInfo]:
    """The events of a parsed store text, every problem, and what appending needs to know."""
    problems: list[Problem] = []
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            hint = did_you_mean(key, TOP_LEVEL_KEYS)
            problems.append(
                Problem(
                    name,
                    f"unknown top-level key '{key}'{hint}: a store holds only [[events]] tables "
                    "(and an optional schema number and current_to date); is this a store file?",
                    _key_line(text, key),
                )
            )
    current_to, problem = current_to_of(name, text, document)
    if problem:
        problems.append(problem)
    current = str(current_to) if current_to is not None else None
    schema = document.get("schema", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION or isinstance(schema, bool):
        problems.append(
            Problem(
                name, f"schema {schema!r} is not supported (this version reads {SCHEMA_VERSION})"
            )
        )
    raw_events = document.get("events", [])
    if not isinstance(raw_events, list) or not all(isinstance(e, dict) for e in raw_events):
        problems.append(
            Problem(
                name,
                "'events' must be an array of tables ([[events]])",
                _key_line(text, "events"),
            )
        )
        return [], problems, FileInfo(False, newline_of(text), current)
    lines = _Lines(text, len(raw_events))
    # Appending `[[events]]` tables extends the array only when every event already is one
    # (a header after an inline `events = [...]` does not parse).
    appendable = "events" not in document or (bool(raw_events) and lines.offsets is not None)
    events: list[Event] = []
    unparsed: list[tuple[str, int | None]] = []
    for index, raw in enumerate(raw_events):
        fast = _valid_event(raw, name, lines.event(index))
        if fast is not None:
            events.append(fast)
            continue
        event, event_problems = parse_event(
            raw,
            path=name,
            line=lines.event(index),
            label=f"#{index + 1}",
            field_line=lambda field, i=index: lines.field(i, field),
        )
        problems.extend(event_problems)
        if event is not None:
            events.append(event)
        elif isinstance(raw_id := raw.get("id"), str) and ID_PATTERN.fullmatch(raw_id):
            unparsed.append((raw_id, lines.event(index)))
    info = FileInfo(appendable, newline_of(text), current, tuple(unparsed))
    return events, problems, info


def _key_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"[ \t]*(?:\[+[ \t]*)?{re.escape(key)}\b")
    for number, line in enumerate(text.split("\n"), 1):
        if pattern.match(line):
            return number
    return None


_CATEGORY_SET = frozenset(CATEGORIES)
_LIST_FIELDS = ("tags", *REFERENCE_FIELDS)
_new = tuple.__new__  # what a NamedTuple's constructor calls, without its argument handling
_CONFIDENCE_SET = frozenset(CONFIDENCES)
_ID_MATCH = ID_PATTERN.fullmatch


def _valid_event(raw: Mapping[str, Any], path: str, line: int | None) -> Event | None:
    """The event of a raw table that breaks no rule, built in one quick pass; None for any
    doubt, and `parse_event` then says exactly what is wrong (or builds the same event: tests
    check that both agree)."""
    try:
        event_id, title, category, written = raw["id"], raw["title"], raw["category"], raw["date"]
        # a date seen before is known by its type and value (an unhashable value: TypeError)
        date = _DATES.get((type(written), written)) or parse_date_value(written)
    except (KeyError, ValueError, TypeError):
        return None
    if (
        type(event_id) is not str or not _ID_MATCH(event_id) or type(title) is not str
        or not title.strip() or "\n" in title or "\r" in title
        or type(category) is not str or category not in _CATEGORY_SET
        or not _EVENT_FIELD_SET.issuperset(raw)
    ):  # fmt: skip
        return None
    values: dict[str, Any] = {"id": event_id, "date": date, "title": title,
                              "category": category,
                              "origin": _new(Origin, (path, line))}  # fmt: skip
    for name in ("effective", "expires"):
        if name in raw:
            written = raw[name]
            try:
                values[name] = _DATES.get((type(written), written)) or parse_date_value(written)
            except (ValueError, TypeError):
                return None
    if "summary" in raw:
        if type(raw["summary"]) is not str:
            return None
        values["summary"] = raw["summary"]
    for name, vocabulary in (("minerals", MINERALS), ("countries", COUNTRIES_VOCAB)):
        if name in raw:
            items = raw[name]
            if type(items) is not list:
                return None
            key = (id(vocabulary), tuple(items))
            known = _RESOLVED.get(key)
            if known is None:
                if not all(type(i) is str for i in items):
                    return None
                resolved = [_resolved(vocabulary, i) for i in items]
                if None in resolved:
                    return None
                known = tuple(dict.fromkeys(r for r in resolved if r is not None))
                if len(_RESOLVED) < 100_000:
                    _RESOLVED[key] = known
            values[name] = known
    if "issuer" in raw or "applies_to" in raw or ("extends" in raw and "expires" not in raw):
        return None  # the full check resolves and places them
    for name in _LIST_FIELDS:
        if name in raw:
            items = raw[name]
            if type(items) is not list or not all(type(i) is str for i in items):
                return None
            if name == "tags":
                if any(not t.strip() or "\n" in t or "\r" in t or ";" in t for t in items):
                    return None
            elif not all(_ID_MATCH(i) for i in items):
                return None
            values[name] = tuple(dict.fromkeys(items))
    if "confidence" in raw:
        if raw["confidence"] not in _CONFIDENCE_SET or type(raw["confidence"]) is not str:
            return None
        values["confidence"] = raw["confidence"]
    if "sources" in raw:
        items = raw["sources"]
        if type(items) is not list:
            return None
        sources = []
        for source in items:
            if type(source) is not dict or "accessed" in source:
                return None
            s_title, url, publisher = (
                source.get("title"),
                source.get("url"),
                source.get("publisher"),
            )
            if (
                type(s_title) is not str or type(url) is not str or not s_title.strip()
                or not GOOD_URL.fullmatch(url) or not (publisher is None or type(publisher) is str)
                or not _SOURCE_FIELD_SET.issuperset(source)
            ):  # fmt: skip
                return None
            sources.append(_new(Source, (s_title, url, publisher, None)))
        values["sources"] = tuple(sources)
    expires = values.get("expires")
    if expires is not None and expires.last() < date.first():
        return None
    return Event.trusted_from(values)


class _EventProblems:
    """Collects the problems of one event, each with the line of its field."""

    __slots__ = ("event_id", "field_line", "items", "line", "path")

    def __init__(self, path: str, event_id: str, line: int | None, field_line):
        self.path = path
        self.event_id = event_id
        self.line = line
        self.field_line = field_line
        self.items: list[Problem] = []

    def add(self, field_name: str, message: str) -> None:
        line = (self.field_line(field_name) if self.field_line else None) or self.line
        self.items.append(Problem(self.path, message, line, None, self.event_id, field_name))


def parse_event(
    raw: Mapping[str, Any],
    *,
    path: str,
    line: int | None,
    label: str,
    field_line=None,
    unit: str = "line",
) -> tuple[Event | None, list[Problem]]:
    """Validate one raw event table and build the Event; all problems are returned, none raised.

    `field_line(name)` gives the line of a field (None: use `line`); `unit` is "line" for stores
    and "row" for imports, where `line` is the row number.
    """
    raw_id = raw.get("id")
    event_id = raw_id if isinstance(raw_id, str) and raw_id else label
    report = _EventProblems(path, event_id, line, field_line)

    if not _EVENT_FIELD_SET.issuperset(raw):
        for key in raw:
            if key not in _EVENT_FIELD_SET:
                report.add(key, f"unknown field{did_you_mean(key, EVENT_FIELDS)}")

    values: dict[str, Any] = {}
    if "id" not in raw:
        report.add("id", "missing (every event needs an id)")
    elif not isinstance(raw_id, str) or not ID_PATTERN.fullmatch(raw_id):
        report.add("id", f"{raw_id!r} is not an id: use lowercase letters, digits and hyphens")
    else:
        values["id"] = raw_id

    for name in ("date", "effective", "expires"):
        if name in raw:
            try:
                values[name] = parse_date_value(raw[name])
            except ValueError as exc:
                report.add(name, str(exc))
        elif name == "date":
            report.add("date", "missing (every event needs a date)")

    for name, required in (("title", True), ("summary", False)):
        if name not in raw:
            if required:
                report.add(name, "missing (every event needs a title)")
            continue
        value = raw[name]
        if not isinstance(value, str):
            report.add(name, f"must be text, not {_type_name(value)}")
        elif name == "title" and not value.strip():
            report.add(name, "is empty")
        elif name == "title" and ("\n" in value or "\r" in value):
            report.add(name, "must be one line")
        else:
            values[name] = value

    if "category" not in raw:
        report.add("category", f"missing (one of: {', '.join(CATEGORIES)})")
    elif raw["category"] not in CATEGORIES:
        value = raw["category"]
        hint = did_you_mean(str(value), CATEGORIES) if isinstance(value, str) else ""
        report.add("category", f"unknown category {value!r}{hint}")
    else:
        values["category"] = raw["category"]

    for name, vocabulary in (("minerals", MINERALS), ("countries", COUNTRIES_VOCAB)):
        if name in raw:
            names = _string_list(raw[name], name, report)
            if names is not None:
                values[name] = _resolve_all(names, vocabulary, name, report)

    for name in ("tags", *REFERENCE_FIELDS):
        if name in raw:
            items = _string_list(raw[name], name, report)
            if items is None:
                continue
            if name != "tags":
                bad = [i for i in items if not ID_PATTERN.fullmatch(i)]
                if bad:
                    report.add(name, f"{bad[0]!r} is not an id")
                    continue
            elif any(not t.strip() or "\n" in t or "\r" in t or ";" in t for t in items):
                report.add(name, "tags must be non-empty single-line text without ';'")
                continue
            values[name] = tuple(dict.fromkeys(items))

    if "confidence" in raw:
        if raw["confidence"] in CONFIDENCES:
            values["confidence"] = raw["confidence"]
        else:
            report.add(
                "confidence", f"{raw['confidence']!r} is not one of: {', '.join(CONFIDENCES)}"
            )

    if "sources" in raw:
        sources = _parse_sources(raw["sources"], report)
        if sources is not None:
            values["sources"] = sources

    _parse_parties(raw, values, report)

    date, expires = values.get("date"), values.get("expires")
    if date is not None and expires is not None and expires.last() < date.first():
        report.add("expires", f"{expires} is before the event's date {date}")
    if values.get("extends") and "expires" not in raw:
        report.add("extends", "an extension needs its own `expires`: the new end")
    for field_name, value in values.items():
        if _has_surrogate(value):
            report.add(field_name, "holds text that is not Unicode (a lone surrogate, as from "
                       "bytes that were not UTF-8)")  # fmt: skip

    if report.items:
        return None, report.items
    origin = Origin(path, line) if unit == "line" else Origin(path, None)
    return Event.trusted(**values, origin=origin), []


def _has_surrogate(value: Any) -> bool:
    """Whether text (in a string, a tuple of strings or sources) cannot be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, tuple):
        return any(_has_surrogate(v) for v in value)
    return False


def _parse_parties(raw: Mapping[str, Any], values: dict[str, Any], report: _EventProblems) -> None:
    """`issuer` (one country or group) and `applies_to` (destinations, or ["all"])."""
    category = raw.get("category")
    for name in ("issuer", "applies_to"):
        if name in raw and category not in RESTRICTION_CATEGORIES:
            report.add(name, f"only {', '.join(RESTRICTION_CATEGORIES)} events have {name}")
    if "issuer" in raw:
        issuer = raw["issuer"]
        if not isinstance(issuer, str):
            report.add("issuer", f'must be one country or group as text, like "CN", not '
                       f"{_type_name(issuer)}")  # fmt: skip
        else:
            resolved = _resolve_all([issuer], COUNTRIES_VOCAB, "issuer", report)
            if resolved:
                values["issuer"] = resolved[0]
    if "applies_to" in raw:
        names = _string_list(raw["applies_to"], "applies_to", report)
        if names is None:
            return
        if ALL_DESTINATIONS in names:
            if len(names) > 1:
                report.add("applies_to", '"all" stands alone: it already means every destination')
                return
            values["applies_to"] = (ALL_DESTINATIONS,)
        elif not names:
            report.add("applies_to", 'is empty: list the destinations, or ["all"]')
        else:
            values["applies_to"] = _resolve_all(names, COUNTRIES_VOCAB, "applies_to", report)


def current_to_of(
    name: str, text: str, document: Mapping[str, Any]
) -> tuple[PartialDate | None, Problem | None]:
    """The store's `current_to`: the day up to which its facts were checked against sources."""
    if "current_to" not in document:
        return None, None
    value = document["current_to"]
    try:
        date = parse_date_value(value)
    except ValueError as exc:
        return None, Problem(name, f"current_to: {exc}", _key_line(text, "current_to"))
    if date.precision != "day":
        return None, Problem(name, f"current_to: {date} is a {date.precision}; give the day "
                             "(YYYY-MM-DD) up to which the facts were checked",
                             _key_line(text, "current_to"))  # fmt: skip
    return date, None


# Dates and vocabulary lists repeat across a store's events: each distinct one is validated
# once per process (PartialDate is immutable, so one object may stand in many events).
_DATES: dict[Any, PartialDate] = {}
_RESOLVED: dict[tuple[int, tuple[str, ...]], tuple[str, ...]] = {}
_NAMES: dict[tuple[int, str], str | None] = {}  # (vocabulary, name as written) -> resolved


def _resolved(vocabulary: Vocabulary, name: str) -> str | None:
    key = (id(vocabulary), name)
    if key in _NAMES:
        return _NAMES[key]
    found = vocabulary.resolve(name)
    if len(_NAMES) < 100_000:
        _NAMES[key] = found
    return found


def parse_date_value(value: Any) -> PartialDate:
    """A store date: a TOML local date, or a string YYYY-MM-DD, YYYY-MM or YYYY."""
    key = (type(value), value) if isinstance(value, dt.date | str) else None
    if key is not None and (known := _DATES.get(key)) is not None:
        return known
    date = _parse_date_value(value)
    if key is not None and len(_DATES) < 100_000:
        _DATES[key] = date
    return date


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


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list"}
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.date):
        return "a date"
    return names.get(type(value), type(value).__name__)


def _string_list(value: Any, name: str, report: _EventProblems) -> list[str] | None:
    if isinstance(value, str):
        report.add(name, f'must be a list of text, like ["{value}"]')
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.add(name, f"must be a list of text, not {_type_name(value)}")
        return None
    return value


def _resolve_all(
    names: list[str], vocabulary: Vocabulary, field_name: str, report: _EventProblems
) -> tuple[str, ...]:
    key = (id(vocabulary), tuple(names))
    if (known := _RESOLVED.get(key)) is not None:
        return known
    problems = len(report.items)
    result = _resolve_names(names, vocabulary, field_name, report)
    if len(report.items) == problems and len(_RESOLVED) < 100_000:
        _RESOLVED[key] = result
    return result


def _resolve_names(
    names: list[str], vocabulary: Vocabulary, field_name: str, report: _EventProblems
) -> tuple[str, ...]:
    resolved: list[str] = []
    for name in names:
        canonical = vocabulary.resolve(name)
        if canonical is None:
            suggestion = hint(vocabulary.suggest(name))
            report.add(field_name, f"unknown {vocabulary.kind} '{name}'{suggestion}")
        else:
            resolved.append(canonical)
    return tuple(dict.fromkeys(resolved))


def _parse_sources(value: Any, report: _EventProblems) -> tuple[Source, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        report.add("sources", "must be a list of tables like { title = ..., url = ... }")
        return None
    sources: list[Source] = []
    good_url = GOOD_URL.fullmatch
    for number, raw in enumerate(value, 1):
        # the common case in one test: known keys, text title and url, a plain http(s) link
        title, url, publisher = raw.get("title"), raw.get("url"), raw.get("publisher")
        if (
            type(title) is str and type(url) is str and title.strip() and good_url(url)
            and (publisher is None or type(publisher) is str) and "accessed" not in raw
            and _SOURCE_FIELD_SET.issuperset(raw)
        ):  # fmt: skip
            sources.append(Source(title, url, publisher, None))
            continue
        where = f"sources[{number}]"
        ok = True
        for key in raw:
            if key not in _SOURCE_FIELD_SET:
                report.add("sources", f"{where}: unknown field '{key}'"
                           f"{did_you_mean(key, SOURCE_FIELDS)}")  # fmt: skip
                ok = False
        title, url = raw.get("title"), raw.get("url")
        if not isinstance(title, str) or not title.strip():
            report.add("sources", f"{where}: title is missing or not text")
            ok = False
        if not isinstance(url, str):
            report.add("sources", f"{where}: url is missing or not text")
            ok = False
        elif reason := check_url(url):
            report.add("sources", f"{where}: url: {reason}")
            ok = False
        publisher = raw.get("publisher")
        if publisher is not None and not isinstance(publisher, str):
            report.add("sources", f"{where}: publisher must be text")
            ok = False
        accessed = None
        if "accessed" in raw:
            try:
                accessed = parse_date_value(raw["accessed"])
            except ValueError as exc:
                report.add("sources", f"{where}: accessed: {exc}")
                ok = False
        if ok:
            sources.append(Source(title, url, publisher, accessed))
    return tuple(sources)
