"""Parsing and validating store files: every problem with its file, line, event and field.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores. The
format is documented in docs/store-format.md. Loading collects every problem in every file and
fails once with all of them (`DataError`); nothing that is wrong is silently skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from ..errors import Problem
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
from ..vocab import COUNTRIES_VOCAB, MINERALS, Vocabulary, did_you_mean

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
EVENT_FIELDS = (
    "id", "date", "title", "summary", "category", "minerals", "countries", "tags", "effective",
    "expires", "suspends", "related", "confidence", "sources", "issuer", "applies_to",
    "extends", "ends",
)  # fmt: skip
SOURCE_FIELDS = ("title", "url", "publisher", "accessed")
# Fields that hold ids of other events (checked to exist, across every store loaded).
REFERENCE_FIELDS = ("suspends", "extends", "ends", "related")
_EVENT_FIELD_SET = frozenset(EVENT_FIELDS)
_SOURCE_FIELD_SET = frozenset(SOURCE_FIELDS)
TOP_LEVEL_KEYS = ("events", "schema", "current_to")
NEW_STORE_HEADER = (
    "# reetimeline store: your own events, merged with the curated ones.\n"
    "# One [[events]] table per event; the format is in docs/store-format.md.\n"
    "# `reetimeline add` and `reetimeline import` append here and keep every byte above.\n"
)

_HEADER = re.compile(r"\s*\[\[\s*events\s*\]\]\s*(?:#.*)?")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL_CHAR = r"[^\s<>\"\\^`{|}\x00-\x1f\x7f"
_GOOD_URL = re.compile(rf"(?i:https?)://{_URL_CHAR}/?#]+(?:[/?#]{_URL_CHAR}]*)?")


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


def read_file(path: Path) -> tuple[list[Event], list[Problem], PartialDate | None]:
    """Parse and validate one store file on its own (cross-file checks are `check_references`):
    its events, its problems and its `current_to`."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], [Problem(name, "no such store file")], None
    except OSError as exc:
        return [], [Problem(name, f"cannot read: {exc.strerror or exc}")], None
    text, problem = decode(name, data)
    if problem:
        return [], [problem], None
    if len(text) >= PARALLEL_MIN_CHARS and hasattr(os, "fork"):
        halves = _read_in_two(name, text)
        if halves is not None:
            return halves
    return _read_text(name, text)


def _read_text(name: str, text: str) -> tuple[list[Event], list[Problem], PartialDate | None]:
    document, problem = parse_toml(name, text)
    if problem:
        return [], [problem], None
    events, problems = events_from_document(name, text, document)
    current_to, _problem = current_to_of(name, text, document)
    return events, problems, current_to


# Parsing TOML is the slow part of a first run (tomllib reads a few MB a second), so a large
# store is parsed and validated in two halves at once, one in a forked child, on two cores.
PARALLEL_MIN_CHARS = 4_000_000
_SPLIT = re.compile(r"^[ \t]*\[\[[ \t]*events[ \t]*\]\]", flags=re.M)


def _read_in_two(
    name: str, text: str
) -> tuple[list[Event], list[Problem], PartialDate | None] | None:
    """Parse and validate the two halves of `text`, split at an `[[events]]` header near the
    middle, in parallel; None when that cannot be done exactly like a whole parse.

    The split is sound when the first half parses: then no string is open at the split, so the
    line is a real table header, and the second half's `[[events]]` tables continue the same
    array. The second half is padded with the first half's newlines, so every line number it
    reports is the file's. Any doubt (a problem in either half, a key that is not `events` in
    the second) falls back to the whole parse, which then says exactly what is wrong.
    """
    import pickle

    match = _SPLIT.search(text, len(text) // 2)
    if match is None:
        return None
    first, second = text[: match.start()], "\n" * text.count("\n", 0, match.start())
    second += text[match.start() :]
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: the second half
        os.close(read_end)
        try:
            document, problem = parse_toml(name, second)
            result = None
            if problem is None and set(document) <= {"events"}:
                result = (*events_from_document(name, second, document), None)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)
    os.close(write_end)
    head = _read_text(name, first)
    with os.fdopen(read_end, "rb") as incoming:
        try:
            tail = pickle.load(incoming)
        except Exception:  # the child died: parse the whole file instead
            tail = None
    os.waitpid(pid, 0)
    if tail is None or head[1] or tail[1]:
        return None
    return head[0] + tail[0], [], head[2]


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
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if match := _TOML_POSITION.search(message):
            line, column = int(match.group(1)), int(match.group(2))
            message = message[: match.start()]
        else:
            line = text.count("\n") + 1
            column = None
            message = _TOML_AT_END.sub(" at the end of the file", message)
        return {}, Problem(name, f"TOML syntax error: {message}", line, column)
    except RecursionError:
        return {}, Problem(name, "TOML nests too deeply to be a store")


class _Lines:
    """Finds the line of each `[[events]]` table and of each field in it.

    tomllib gives positions only for syntax errors, so the store maps headers to lines itself.
    When the `[[events]]` headers cannot be matched one-to-one with the parsed events (for example
    an inline `events = [...]` array), only the file is named.
    """

    def __init__(self, text: str, count: int):
        self.lines = text.splitlines()
        starts = [
            i for i, line in enumerate(self.lines) if "[[" in line and _HEADER.fullmatch(line)
        ]
        self.starts = starts if len(starts) == count else None

    def event(self, index: int) -> int | None:
        return self.starts[index] + 1 if self.starts else None

    def field(self, index: int, name: str) -> int | None:
        if not self.starts:
            return None
        begin = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.lines)
        pattern = re.compile(rf"\s*(?:{re.escape(name)}|\"{re.escape(name)}\")\s*=")
        for i in range(begin + 1, end):
            if pattern.match(self.lines[i]):
                return i + 1
        return begin + 1


def events_from_document(
    name: str, text: str, document: Mapping[str, Any]
) -> tuple[list[Event], list[Problem]]:
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
    _current_to, problem = current_to_of(name, text, document)
    if problem:
        problems.append(problem)
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
        return [], problems
    lines = _Lines(text, len(raw_events))
    events: list[Event] = []
    for index, raw in enumerate(raw_events):
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
    return events, problems


def _key_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"\s*(?:\[+\s*)?{re.escape(key)}\b")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


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

    if report.items:
        return None, report.items
    origin = Origin(path, line) if unit == "line" else Origin(path, None)
    return Event.trusted(**values, origin=origin), []


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


def current_to_of(name: str, text: str, document: Mapping[str, Any]) -> tuple[PartialDate | None,
                                                                            Problem | None]:
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


def parse_date_value(value: Any) -> PartialDate:
    """A store date: a TOML local date, or a string YYYY-MM-DD, YYYY-MM or YYYY."""
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
    resolved: list[str] = []
    for name in names:
        canonical = vocabulary.resolve(name)
        if canonical is None:
            suggestion = vocabulary.suggest(name)
            hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
            report.add(field_name, f"unknown {vocabulary.kind} '{name}'{hint}")
        else:
            resolved.append(canonical)
    return tuple(dict.fromkeys(resolved))


def check_url(url: str) -> str | None:
    """Why `url` is not an acceptable source link, or None when it is (http and https only)."""
    if _GOOD_URL.fullmatch(url):  # the common case, in one regex
        return None
    if _CONTROL.search(url) or any(c.isspace() or c in '<>"\\^`{|}' for c in url):
        return 'a link may not hold spaces, control characters or any of < > " \\ ^ ` { | }'
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{url!r} is not an http or https link"
    if not parts.netloc:
        return f"{url!r} has no host"
    return None


def _parse_sources(value: Any, report: _EventProblems) -> tuple[Source, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        report.add("sources", "must be a list of tables like { title = ..., url = ... }")
        return None
    sources: list[Source] = []
    for number, raw in enumerate(value, 1):
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
