"""Parsing and validating store files: every problem with its file, line, event and field.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores. The
format is documented in docs/store-format.md. Loading collects every problem in every file and
fails once with all of them (`DataError`); nothing that is wrong is silently skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

from ..errors import Problem
from ..model import Event, PartialDate
from ..validate import (  # the rules of an event; parse_event is used here by the importer too
    EVENT_FIELDS,
    ID_PATTERN,
    SOURCE_FIELDS,
    parse_date_value,
    parse_event,
)
from ..vocab import did_you_mean
from .files import StoreBytes, read_store_bytes

__all__ = ["EVENT_FIELDS", "ID_PATTERN", "SOURCE_FIELDS", "parse_date_value", "parse_event"]

SCHEMA_VERSION = 1
TOP_LEVEL_KEYS = ("events", "schema", "current_to")
NEW_STORE_HEADER = (
    "# reetimeline store: your own events. reetimeline reads them beside the curated store,\n"
    "# unless --store (or REETIMELINE_STORE) names the stores to read instead.\n"
    "# One [[events]] table per event; the format is in docs/store-format.md.\n"
    "# `reetimeline add` and `reetimeline import` append here and keep every byte above.\n"
)


class SourceRecord(TypedDict, total=False):
    title: str
    url: str  # absent: a reference by its title
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
    kind: str
    partial: bool
    part_of: str
    confirms: list[str]
    current_to: dt.date | str


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


def string_spans(text: str) -> list[tuple[int, int]]:
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
        spans = string_spans(text)
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
        event, event_problems = parse_event(
            raw,
            path=name,
            line=lines.event(index),
            label=f"#{index + 1}",
            field_line=partial(lines.field, index),
            current_to=current_to,
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
