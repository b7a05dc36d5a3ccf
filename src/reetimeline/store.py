"""The only module that reads or writes store files: load, validate, append.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores. The
format is documented in docs/store-format.md. Loading collects every problem in every file and
fails once with all of them (`DataError`); nothing that is wrong is silently skipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from .errors import DataError, Problem, WriteError
from .model import CATEGORIES, CONFIDENCES, Event, Origin, PartialDate, Source
from .vocab import COUNTRIES_VOCAB, MINERALS, Vocabulary, closest

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
EVENT_FIELDS = (
    "id", "date", "title", "summary", "category", "minerals", "countries", "tags", "effective",
    "expires", "suspends", "related", "confidence", "sources",
)  # fmt: skip
SOURCE_FIELDS = ("title", "url", "publisher", "accessed")
TOP_LEVEL_KEYS = ("events", "schema")
NEW_STORE_HEADER = (
    "# reetimeline store: your own events, merged with the curated ones.\n"
    "# One [[events]] table per event; the format is in docs/store-format.md.\n"
    "# `reetimeline add` and `reetimeline import` append here and keep every byte above.\n"
)

_HEADER = re.compile(r"\s*\[\[\s*events\s*\]\]\s*(?:#.*)?")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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


@dataclass(frozen=True)
class Store:
    """Events merged from one or more store files, sorted by date."""

    events: tuple[Event, ...]
    files: tuple[Path, ...] = ()
    _index: dict[str, Event] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update((e.id, e) for e in self.events)

    def get(self, event_id: str) -> Event | None:
        return self._index.get(event_id)

    def ids(self) -> list[str]:
        return list(self._index)


# --- where stores are ------------------------------------------------------------------------


def curated_store_path() -> Path:
    """The curated store shipped in the package, or the repository's when run from a checkout."""
    packaged = Path(__file__).with_name("events.toml")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "events.toml"


def expand_store_paths(paths: Iterable[Path]) -> list[Path]:
    """Store files behind `paths`: a folder stands for the `*.toml` files directly in it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.toml") if p.is_file()))
        else:
            files.append(path)
    return files


# --- reading ---------------------------------------------------------------------------------


def load(paths: Sequence[Path]) -> Store:
    """Load and validate every store file behind `paths`; raise DataError listing every problem."""
    store, problems = read(paths)
    if problems:
        raise DataError(problems)
    return store


def read(paths: Sequence[Path]) -> tuple[Store, list[Problem]]:
    """Load every store file behind `paths`, returning the valid events and every problem found."""
    files = expand_store_paths(paths)
    events: list[Event] = []
    problems: list[Problem] = []
    for path in files:
        file_events, file_problems = read_file(path)
        events.extend(file_events)
        problems.extend(file_problems)
    problems.extend(check_references(events))
    events.sort(key=Event.sort_key)
    return Store(tuple(_first_of_each_id(events)), tuple(files)), problems


def read_file(path: Path) -> tuple[list[Event], list[Problem]]:
    """Parse and validate one store file on its own (cross-file checks are `check_references`)."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], [Problem(name, "no such store file")]
    except OSError as exc:
        return [], [Problem(name, f"cannot read: {exc.strerror or exc}")]
    text, problem = decode(name, data)
    if problem:
        return [], [problem]
    document, problem = parse_toml(name, text)
    if problem:
        return [], [problem]
    return events_from_document(name, text, document)


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
        starts = [i for i, line in enumerate(self.lines) if _HEADER.fullmatch(line)]
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
            hint = _did_you_mean(key, TOP_LEVEL_KEYS)
            problems.append(
                Problem(
                    name,
                    f"unknown top-level key '{key}'{hint}: a store holds only [[events]] tables "
                    "(and an optional schema number); is this a store file?",
                    _key_line(text, key),
                )
            )
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


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""


class _EventProblems:
    """Collects the problems of one event, each with the line of its field."""

    def __init__(self, path: str, event_id: str, field_line):
        self.path = path
        self.event_id = event_id
        self.field_line = field_line
        self.items: list[Problem] = []

    def add(self, field_name: str, message: str, unit_line: int | None = None) -> None:
        line = unit_line if unit_line is not None else self.field_line(field_name)
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
    lookup = field_line or (lambda _name: line)
    report = _EventProblems(path, event_id, lambda name: lookup(name) or line)

    for key in raw:
        if key not in EVENT_FIELDS:
            report.add(key, f"unknown field{_did_you_mean(key, EVENT_FIELDS)}")

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
        hint = _did_you_mean(str(value), CATEGORIES) if isinstance(value, str) else ""
        report.add("category", f"unknown category {value!r}{hint}")
    else:
        values["category"] = raw["category"]

    for name, vocabulary in (("minerals", MINERALS), ("countries", COUNTRIES_VOCAB)):
        if name in raw:
            names = _string_list(raw[name], name, report)
            if names is not None:
                values[name] = _resolve_all(names, vocabulary, name, report)

    for name in ("tags", "suspends", "related"):
        if name in raw:
            items = _string_list(raw[name], name, report)
            if items is None:
                continue
            if name != "tags":
                bad = [i for i in items if not ID_PATTERN.fullmatch(i)]
                if bad:
                    report.add(name, f"{bad[0]!r} is not an id")
                    continue
            elif any(not t.strip() or _CONTROL.search(t) or ";" in t for t in items):
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

    date, expires = values.get("date"), values.get("expires")
    if date is not None and expires is not None and expires.last() < date.first():
        report.add("expires", f"{expires} is before the event's date {date}")

    if report.items:
        return None, report.items
    origin = Origin(path, line) if unit == "line" else Origin(path, None)
    return Event(**values, origin=origin), []


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
            if key not in SOURCE_FIELDS:
                report.add("sources", f"{where}: unknown field '{key}'"
                           f"{_did_you_mean(key, SOURCE_FIELDS)}")  # fmt: skip
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


def check_references(events: Sequence[Event]) -> list[Problem]:
    """Problems across all loaded events: duplicate ids, `suspends`/`related` ids not found."""
    problems: list[Problem] = []
    first: dict[str, Event] = {}
    for event in events:
        if event.id in first:
            other = first[event.id].origin
            where = f"{other.path}:{other.line}" if other and other.line else (other and other.path)
            problems.append(_problem(event, "id", f"duplicate id, also at {where}"))
        else:
            first[event.id] = event
    for event in events:
        for name in ("suspends", "related"):
            for ref in getattr(event, name):
                if ref == event.id:
                    problems.append(_problem(event, name, f"'{ref}' is this event itself"))
                elif ref not in first:
                    hint = _did_you_mean(ref, first)
                    problems.append(_problem(event, name, f"no event '{ref}' in the stores{hint}"))
    return problems


def _problem(event: Event, field_name: str, message: str) -> Problem:
    origin = event.origin or Origin("<unknown>")
    return Problem(origin.path, message, origin.line, None, event.id, field_name)


def _first_of_each_id(events: Iterable[Event]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            out.append(event)
    return out


# --- writing ---------------------------------------------------------------------------------


def event_to_toml_record(event: Event) -> EventRecord:
    """The event as a store table: day-precision dates as TOML dates, unset fields left out."""

    def date_value(value: PartialDate) -> dt.date | str:
        return value.first() if value.precision == "day" else str(value)

    record: dict[str, Any] = {"id": event.id, "date": date_value(event.date), "title": event.title}
    if event.summary is not None:
        record["summary"] = event.summary
    record["category"] = event.category
    for name in ("minerals", "countries", "tags"):
        if getattr(event, name):
            record[name] = list(getattr(event, name))
    for name in ("effective", "expires"):
        if getattr(event, name) is not None:
            record[name] = date_value(getattr(event, name))
    for name in ("suspends", "related"):
        if getattr(event, name):
            record[name] = list(getattr(event, name))
    if event.confidence != "confirmed":
        record["confidence"] = event.confidence
    if event.sources:
        record["sources"] = [
            {
                k: v
                for k, v in (
                    ("title", s.title),
                    ("url", s.url),
                    ("publisher", s.publisher),
                    ("accessed", date_value(s.accessed) if s.accessed else None),
                )
                if v is not None
            }
            for s in event.sources
        ]
    return record  # type: ignore[return-value]


def render_events_toml(events: Sequence[Event]) -> str:
    """`[[events]]` tables for `events`, to append to a store's text.

    tomli-w may write a short array of tables inline (`events = [...]`), which appended after a
    table would silently become a key of the previous event; so the header is checked and, if
    needed, written by hand before the record's own keys.
    """
    import tomli_w

    chunks = []
    for event in events:
        record = event_to_toml_record(event)
        text = tomli_w.dumps({"events": [record]}, multiline_strings=False)
        if not text.startswith("[[events]]\n"):
            text = "[[events]]\n" + tomli_w.dumps(record)
        chunks.append(text)
    return "\n".join(chunks)


def append_events(
    path: Path, events: Sequence[Event], *, other_ids: Iterable[str] = (), rename=None
) -> list[Event]:
    """Append `events` to the store file at `path`, atomically, under an exclusive lock.

    Every byte already in the file is kept; the new text is re-parsed and must read back as
    exactly the old events plus the new ones before it replaces the file. The file is replaced in
    one `os.replace` of a fsynced temporary file in the same folder, keeping its permissions, and
    a path that is a symlink is written through to its target.

    `other_ids` are the ids of the other stores loaded. An id already taken (the file may have
    grown since the caller read it) is an error, unless `rename(event, taken)` is given: then it
    returns the event under a free id (used for ids the tool derived itself).
    Returns the events as written.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{path}: cannot create the folder {folder}: {exc.strerror}") from exc
    with _locked(target):
        _remove_stale_temporaries(target)
        try:
            old_bytes = target.read_bytes()
        except FileNotFoundError:
            old_bytes = b""
        except OSError as exc:
            raise WriteError(f"{path}: cannot read: {exc.strerror}") from exc
        old_text, problem = decode(str(path), old_bytes)
        if problem:
            raise DataError([problem])
        if not old_text.strip() and not old_bytes:
            old_text = NEW_STORE_HEADER
        old_doc, problem = parse_toml(str(path), old_text)
        if problem:
            raise DataError([problem])
        old_events, problems = events_from_document(str(path), old_text, old_doc)
        if problems:
            raise DataError(problems)

        taken = set(other_ids) | {e.id for e in old_events}
        final: list[Event] = []
        for event in events:
            if event.id in taken:
                if rename is None:
                    raise DataError(
                        [
                            Problem(
                                str(path),
                                "id already exists in the store",
                                None,
                                None,
                                event.id,
                                "id",
                            )
                        ]
                    )
                event = rename(event, taken)
            taken.add(event.id)
            final.append(event)

        addition = render_events_toml(final)
        separator = "" if not old_text or old_text.endswith("\n\n") else (
            "\n" if old_text.endswith("\n") else "\n\n"
        )  # fmt: skip
        new_text = old_text + separator + addition
        _verify_append(str(path), old_doc, new_text, final)
        if old_bytes.startswith(b"\xef\xbb\xbf"):
            new_bytes = b"\xef\xbb\xbf" + new_text.encode("utf-8")
        else:
            new_bytes = new_text.encode("utf-8")
        replace_file(target, new_bytes, expected_old=old_bytes, display=str(path))
    return final


def _verify_append(name: str, old_doc: Mapping[str, Any], new_text: str, added: Sequence[Event]):
    new_doc, problem = parse_toml(name, new_text)
    if problem:
        raise WriteError(f"{name}: refusing to write text that does not parse: {problem}")
    old_events = old_doc.get("events", [])
    new_events = new_doc.get("events", [])
    expected = [event_to_toml_record(e) for e in added]
    if (
        new_events[: len(old_events)] != old_events
        or new_events[len(old_events) :] != expected
        or {k: v for k, v in new_doc.items() if k != "events"}
        != {k: v for k, v in old_doc.items() if k != "events"}
    ):
        raise WriteError(f"{name}: the appended text did not read back as exactly the new events")
    events, problems = events_from_document(name, new_text, new_doc)
    if problems:
        raise DataError(problems)
    if list(events[len(old_events) :]) != list(added):
        raise WriteError(f"{name}: the appended events did not read back equal")


def _lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


class _locked:
    """An exclusive lock on a lock file beside the store (kept, so it is never raced on)."""

    def __init__(self, target: Path):
        self.path = _lock_path(target)
        self.fd = -1

    def __enter__(self):
        import fcntl

        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot create the lock file: {exc.strerror}") from exc
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info):
        os.close(self.fd)  # closing releases the lock


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_stale_temporaries(target: Path) -> None:
    """Remove temporary files left by a killed writer; we hold the lock, so none is live."""
    prefix = _temporary_prefix(target)
    for leftover in target.parent.glob(f"{glob_escape(prefix)}*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def replace_file(
    path: Path, data: bytes, *, expected_old: bytes | None = None, display: str | None = None
) -> None:
    """Replace the file at `path` with `data` atomically: a temporary file in the same folder,
    flushed and fsynced, then `os.replace`. The file's permissions are kept; a symlink is written
    through to its target. With `expected_old`, the file must still hold exactly those bytes
    just before the replace (else nothing is written). On any failure the old file is intact and
    the temporary file is removed.
    """
    import tempfile

    target = Path(os.path.realpath(path))
    display = display or str(path)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise WriteError(f"{display}: cannot write: {exc.strerror or exc}") from exc
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        if expected_old is not None:
            try:
                current = target.read_bytes()
            except FileNotFoundError:
                current = b""
            if current != expected_old:
                raise WriteError(
                    f"{display}: the store changed on disk while it was being written (edited by "
                    "something that does not take the lock); nothing was written, try again"
                )
        os.replace(tmp_name, target)
        tmp_name = None
        _fsync_folder(target.parent)
    except OSError as exc:
        raise WriteError(
            f"{display}: cannot write: {exc.strerror or exc}; the file is unchanged"
        ) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
