"""Reading what `export` writes (CSV, JSON, JSON Lines) back into events.

Every row is validated like a store event; problems name the file and the row (for CSV the
spreadsheet row: the header is row 1; for JSON the position in the list; for JSON Lines the
line). Nothing is returned unless every row is valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .export import CSV_COLUMNS, LIST_SEPARATOR, restore, split_items
from .model import Event
from .store.files import read_store_bytes
from .store.parse import decode, parse_event

FORMATS = ("csv", "json", "jsonl")
_SOURCE = re.compile(r"(?P<title>.*) <(?P<url>[^<>\s]*)>")
_LIST_FIELDS = ("minerals", "countries", "tags", "suspends", "related")


def guess_format(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    return {"ndjson": "jsonl"}.get(suffix, suffix) if suffix in (*FORMATS, "ndjson") else None


def read_events(path: Path, fmt: str, *, text: str | None = None, progress=None) -> list[Event]:
    """Parse and validate every row of an export file; raise DataError listing all problems.

    `progress(done, total)`, if given, is called as rows are validated.
    """
    name = str(path)
    if text is None:
        source, problem = read_store_bytes(path, what="import")
        if problem or source is None:
            raise DataError([problem] if problem else [])
        text, problem = decode(name, source.data)
        if problem:
            raise DataError([problem])
    rows, unit = {
        "csv": (_csv_rows, "row"),
        "json": (_json_rows, "item"),
        "jsonl": (_jsonl_rows, "line"),
    }[fmt]
    events: list[Event] = []
    problems: list[Problem] = []
    parsed = list(rows(name, text, problems))
    for done, (number, raw) in enumerate(parsed, 1):
        if progress is not None:
            progress(done, len(parsed))
        event, event_problems = parse_event(
            raw, path=name, line=number, label=f"#{number}", unit=unit
        )
        problems.extend(
            Problem(p.path, p.message, p.line, None, p.event_id, p.field, unit)
            for p in event_problems
        )
        if event is not None:
            events.append(event)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line or 0))
    return events


# --- CSV -------------------------------------------------------------------------------------


def _csv_rows(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, dict]]:
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(Problem(name, f"not CSV: {exc}", 1, unit="row"))
        return
    if header is None:
        return
    missing = [c for c in ("id", "date", "title", "category") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        what = []
        if missing:
            what.append("missing " + ", ".join(missing))
        if unknown:
            what.append("unknown " + ", ".join(unknown))
        problems.append(
            Problem(
                name,
                f"header: {'; '.join(what)} (columns: {', '.join(CSV_COLUMNS)})",
                1,
                unit="row",
            )
        )
        return
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(name, f"not CSV: {exc}", reader.line_num, unit="row"))
            return
        row_number += 1
        if not any(cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name,
                    f"has {len(cells)} cells, the header has {len(header)}",
                    row_number,
                    unit="row",
                )
            )
            continue
        try:
            yield row_number, _csv_record(dict(zip(header, map(restore, cells), strict=True)))
        except ValueError as exc:
            problems.append(Problem(name, str(exc), row_number, unit="row", field="sources"))


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith("source") or value == "":
            continue
        if key in _LIST_FIELDS:
            record[key] = value.split(LIST_SEPARATOR)
        else:
            record[key] = value
    if row.get("sources"):
        record["sources"] = _csv_sources(
            row["sources"], row.get("source_publishers", ""), row.get("source_accessed", "")
        )
    return record


def _csv_sources(cell: str, publishers: str, accessed: str) -> list[dict[str, str]]:
    items = split_items(cell)
    pubs = split_items(publishers) if publishers else [""] * len(items)
    dates = split_items(accessed) if accessed else [""] * len(items)
    if not len(items) == len(pubs) == len(dates):
        raise ValueError("sources, source_publishers and source_accessed differ in length")
    sources = []
    for item, publisher, date in zip(items, pubs, dates, strict=True):
        match = _SOURCE.fullmatch(item)
        if not match:
            raise ValueError(f"source {item!r} is not 'title <url>'")
        source = {"title": match["title"], "url": match["url"]}
        if publisher:
            source["publisher"] = publisher
        if date:
            source["accessed"] = date
        sources.append(source)
    return sources


# --- JSON ------------------------------------------------------------------------------------


def _json_record(value: Any) -> Any:
    """A `list --json` object as a store record: nulls and empty lists are absent, the derived
    `precision` is dropped."""
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items() if k != "precision" and v is not None and v != []}


def _json_rows(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        problems.append(Problem(name, f"not JSON: {getattr(exc, 'msg', exc)}", line))
        return
    if not isinstance(data, list):
        problems.append(Problem(name, "must be a list of events, as `export --format json` writes"))
        return
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            problems.append(Problem(name, "must be an object", number, unit="item"))
            continue
        yield number, _json_record(item)


def _jsonl_rows(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, dict]]:
    # JSON escapes "\n" inside strings; other line separators (U+2028, ...) may stand raw in them
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            problems.append(
                Problem(name, f"not JSON: {getattr(exc, 'msg', exc)}", number, unit="line")
            )
            continue
        if not isinstance(item, dict):
            problems.append(Problem(name, "must be an object", number, unit="line"))
            continue
        yield number, _json_record(item)
