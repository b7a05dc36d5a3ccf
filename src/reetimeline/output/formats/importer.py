"""Reading what `export` writes (CSV, JSON, JSON Lines, xlsx) back into events.

Every row is validated like a store event; problems name the file and the row (for CSV and xlsx
the spreadsheet row: the header is row 1; for JSON the position in the list; for JSON Lines the
line). Nothing is returned unless every row is valid.

CSV as spreadsheets save it: a UTF-8 byte-order mark and CRLF line ends are fine, and the
separator (`,`, `;` or tab) is the one that makes the header row a header of known columns.
Dates are ISO (`2026-11-25`, `2026-11`, `2026`); a date written with dots (`25.11.2026`) is
day-first, as on the command line; one with slashes or hyphens (`25/11/2026`, `25-11-2026`) is
read day-first only when the caller says the file is (`dayfirst`) and is otherwise a row error:
day and month are never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ...errors import DataError, Problem
from ...model import Event, PartialDate
from ...store.files import read_store_bytes
from ...store.parse import decode, parse_event
from .export import CSV_COLUMNS, LIST_SEPARATOR, restore, split_items

FORMATS = ("csv", "json", "jsonl", "xlsx")
# the separators a CSV header is tried with, and how the import message names them
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
# the fields that hold dates (sources' `accessed` too, in `source_accessed`)
_DATE_FIELDS = ("date", "effective", "expires")
_WRITTEN_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_SOURCE = re.compile(r"(?P<title>.*) <(?P<url>[^<>\s]*)>")
_LIST_FIELDS = (
    "minerals",
    "countries",
    "tags",
    "suspends",
    "related",
    "applies_to",
    "extends",
    "ends",
)


_ALIASES = {"ndjson": "jsonl", "tsv": "csv"}


def guess_format(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    suffix = _ALIASES.get(suffix, suffix)
    return suffix if suffix in FORMATS else None


class Imported(NamedTuple):
    events: list[Event]
    # how the file was read, when a person may want to know: "CSV separated by semicolons",
    # "xlsx, day-first dates"; "" for JSON
    how: str


def read_events(
    path: Path, fmt: str, *, text: str | None = None, progress=None, dayfirst: bool = False
) -> list[Event]:
    """Parse and validate every row of an export file; raise DataError listing all problems."""
    return read(path, fmt, text=text, progress=progress, dayfirst=dayfirst).events


def read(
    path: Path, fmt: str, *, text: str | None = None, progress=None, dayfirst: bool = False
) -> Imported:
    """Parse and validate every row of an export file; raise DataError listing all problems.

    `progress(done, total)`, if given, is called as rows are validated. `dayfirst`: dates with
    slashes or hyphens in CSV and xlsx text are day-first (`25/11/2026`).
    """
    name = str(path)
    how = "xlsx" if fmt == "xlsx" and dayfirst else ""
    if fmt == "xlsx":
        from .xlsx import xlsx_rows

        rows, unit = (lambda n, _t, problems: xlsx_rows(path, problems, dayfirst)), "row"
        text = ""
    else:
        if text is None:
            text = _read_text(path, fmt)
        if fmt == "csv":
            separator = sniff_separator(text)
            how = f"CSV separated by {SEPARATORS[separator]}"
            rows, unit = (lambda n, t, problems: _csv_rows(n, t, problems, separator,
                                                           dayfirst)), "row"  # fmt: skip
        else:
            rows, unit = {"json": (_json_rows, "item"), "jsonl": (_jsonl_rows, "line")}[fmt]
    if dayfirst and fmt in ("csv", "xlsx"):
        how += ", day-first dates"
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
    return Imported(events, how)


def _read_text(path: Path, fmt: str) -> str:
    name = str(path)
    # a regular file or a pipe, up to the documented size; anything else is one problem
    source, problem = read_store_bytes(path, what="import")
    if problem or source is None:
        raise DataError([problem] if problem else [])
    text, problem = decode(name, source.data)
    if problem:
        if fmt == "csv":
            # Excel's plain "CSV" is the Windows code page; "CSV UTF-8" is what reads back
            problem = problem._replace(
                message=problem.message.split(";")[0]
                + '; save it from the spreadsheet as "CSV UTF-8"'
            )
        raise DataError([problem])
    return text


def written_date(text: str, dayfirst: bool) -> str:
    """A date cell as the store writes it: ISO text is kept (the store checks it); a date with
    dots is day-first; one with slashes or hyphens only with `dayfirst`. Raise ValueError."""
    match = _WRITTEN_DATE.fullmatch(text.strip())
    if match is None:
        return text
    first, separator, second, year = match.groups()
    if separator != "." and not dayfirst:
        raise ValueError(f"'{text}': is the day or the month first? Write {year}-MM-DD, or "
                         "import with --dayfirst if the file writes the day first "
                         "(25/11/2026)")  # fmt: skip
    try:
        return str(PartialDate(int(year), int(second), int(first)))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a day-first date: {exc}") from None


def sniff_separator(text: str) -> str:
    """The separator that makes the first line a header of known columns (most of them; a tie
    goes to the comma), whatever the rest of the file holds."""
    import csv

    line = text.split("\n", 1)[0].rstrip("\r")

    def known(separator: str) -> int:
        cells = next(csv.reader([line], delimiter=separator), [])
        return sum(cell.strip() in CSV_COLUMNS for cell in cells)

    return max(SEPARATORS, key=known)


# --- CSV -------------------------------------------------------------------------------------


def _csv_rows(
    name: str, text: str, problems: list[Problem], separator: str = ",", dayfirst: bool = False
) -> Iterator[tuple[int, dict]]:
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
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
        read_as = f"read as separated by {SEPARATORS[separator]}; " if separator != "," else ""
        problems.append(
            Problem(
                name,
                f"header: {'; '.join(what)} ({read_as}columns: {', '.join(CSV_COLUMNS)})",
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
        row = dict(zip(header, map(restore, cells), strict=True))
        try:
            yield row_number, csv_record(row, dayfirst)
        except CellError as exc:
            problems.append(Problem(name, exc.message, row_number, None, row.get("id") or None,
                                    exc.field, unit="row"))  # fmt: skip


class CellError(ValueError):
    """A cell that cannot become a field, with the field's name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def csv_record(row: dict[str, str], dayfirst: bool = False) -> dict[str, Any]:
    """A row of CSV cells (as `export` writes them) as a store record; raise CellError."""
    record: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith("source") or value == "":
            continue
        if key in _LIST_FIELDS:
            record[key] = value.split(LIST_SEPARATOR)
        elif key in _DATE_FIELDS:
            try:
                record[key] = written_date(value, dayfirst)
            except ValueError as exc:
                raise CellError(key, str(exc)) from None
        else:
            record[key] = value
    if row.get("sources"):
        try:
            record["sources"] = _csv_sources(row["sources"], row.get("source_publishers", ""),
                                             row.get("source_accessed", ""), dayfirst)  # fmt: skip
        except ValueError as exc:
            raise CellError("sources", str(exc)) from None
    return record


def _csv_sources(
    cell: str, publishers: str, accessed: str, dayfirst: bool = False
) -> list[dict[str, str]]:
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
            source["accessed"] = written_date(date, dayfirst)
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
