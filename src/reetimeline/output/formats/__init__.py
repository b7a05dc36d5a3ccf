"""Export formats, each written and read in one module, and the registry that picks them.

    cells.py        an event as table cells (CSV and xlsx), the bounds of an import
    csvfile.py      CSV: to_csv, csv_rows, sheet_to_csv
    jsonfile.py     JSON and JSON Lines: to_json, to_jsonl, json_rows, jsonl_rows, sheet_to_json
    xlsx.py         Excel workbooks: to_xlsx, xlsx_rows (streaming, bounded), sheet_to_xlsx
    ics.py, markdown.py, timelinejs.py   written only

`EXPORTERS` write events (`export`); `SHEET_WRITERS` write an answer (`status`, `status
--matrix`, `changes`, `countdown` with `-o`) given as a `cells.Sheet`, whose columns are the
fields of the answer's `--json` records.

Format modules import `cells` and nothing else of this package; this registry loads a format's
module only when it is used (openpyxl and icalendar are slow to import).

`read` is the one way an import file becomes events: every row is validated by the store's
validator (`store.parse.parse_event`), problems name the file and the row (for CSV and xlsx the
spreadsheet row: the header is row 1; for JSON the position in the list; for JSON Lines the
line), and nothing is returned unless every row is valid. The bounds of `cells` are checked as
the rows arrive: the file's size, each cell, the number of rows and the text of all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, NamedTuple

from ...errors import DataError, Problem
from ...model import Event

# --- writing ---------------------------------------------------------------------------------


def _writer(module: str, function: str) -> Callable[..., str | bytes]:
    def write(events: Sequence[Event], **options: Any) -> str | bytes:
        return getattr(import_module(f"{__name__}.{module}"), function)(events, **options)

    write.__name__ = function
    write.__doc__ = f"`{module}.{function}`, loaded when first used."
    return write


class Exporter(NamedTuple):
    write: Callable[..., str | bytes]
    suffix: str
    description: str
    binary: bool = False  # `write` returns bytes, not text


EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter(_writer("csvfile", "to_csv"), ".csv",
                    "RFC 4180 CSV, one row per event, formulas neutralised"),
    "json": Exporter(_writer("jsonfile", "to_json"), ".json", "the `list --json` schema"),
    "jsonl": Exporter(_writer("jsonfile", "to_jsonl"), ".jsonl",
                      "one `list --json` object per line"),
    "ics": Exporter(_writer("ics", "to_ics"), ".ics",
                    "iCalendar: an all-day event per date, effective, expiry"),
    "md": Exporter(_writer("markdown", "to_md"), ".md",
                   "a Markdown briefing by year with footnoted sources"),
    "timelinejs": Exporter(_writer("timelinejs", "to_timelinejs"), ".json",
                           "TimelineJS3 JSON, suspensions as eras"),
    "xlsx": Exporter(_writer("xlsx", "to_xlsx"), ".xlsx",
                     "an Excel workbook: dates as dates, sources as links", binary=True),
}  # fmt: skip


# the answers (status, status --matrix, changes, countdown) written with -o: a `cells.Sheet` in,
# text or bytes out
def _sheet_writer(module: str, function: str) -> Callable[..., str | bytes]:
    def write(sheet: Any, **options: Any) -> str | bytes:
        return getattr(import_module(f"{__name__}.{module}"), function)(sheet, **options)

    write.__name__ = function
    write.__doc__ = f"`{module}.{function}`, loaded when first used."
    return write


SHEET_WRITERS: dict[str, Exporter] = {
    "csv": Exporter(_sheet_writer("csvfile", "sheet_to_csv"), ".csv",
                    "one header row (the --json fields), one row per record"),
    "xlsx": Exporter(_sheet_writer("xlsx", "sheet_to_xlsx"), ".xlsx",
                     "the table with typed cells and an about sheet", binary=True),
    "json": Exporter(_sheet_writer("jsonfile", "sheet_to_json"), ".json", "what --json prints"),
}  # fmt: skip


def with_bom(text: str | bytes) -> str | bytes:
    """CSV text that Excel reads as UTF-8: it does only when the text starts with a byte-order
    mark (bytes are left as they are)."""
    return "\ufeff" + text if isinstance(text, str) else text


def write_text_atomically(path: Path, text: str | bytes) -> None:
    """Write a whole output file (text as UTF-8) atomically (no half-written file on failure); a
    character device or FIFO (`/dev/null`, a named pipe) is written into and stays what it is."""
    from ...safefile import write_bytes

    write_bytes(path, text.encode("utf-8") if isinstance(text, str) else text, streams=True)


# --- reading ---------------------------------------------------------------------------------

FORMATS = ("csv", "json", "jsonl", "xlsx")
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
    # where each event stands in the file (parallel to `events`): its number and the unit
    # (`row` for CSV and xlsx, `item` for JSON, `line` for JSON Lines), as problems name it
    numbers: tuple[int, ...] = ()
    unit: str = "row"


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
    from ...store.parse import parse_event
    from .cells import comma_hint

    name = str(path)
    problems: list[Problem] = []
    rows, unit, how = _rows(path, fmt, text, problems, dayfirst)
    parsed = _bounded(name, rows, problems, unit)
    events: list[Event] = []
    numbers: list[int] = []
    ids: set[str] = set()  # the ids of the rows so far: a derived id already there gets `-2`
    total = len(parsed)
    for index in range(total):
        number, raw = parsed[index]
        parsed[index] = None  # type: ignore[call-overload]  # each record freed once validated
        raw = with_id(raw, ids)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            ids.add(raw["id"])
        if progress is not None:
            progress(index + 1, total)
        event, event_problems = parse_event(
            raw, path=name, line=number, label=f"#{number}", unit=unit
        )
        hint = comma_hint if unit == "row" else _as_is  # a cell holds a list as text
        problems.extend(
            Problem(
                p.path,
                hint(p.message, p.field, _value(raw, p.field)),
                p.line,
                None,
                p.event_id,
                p.field,
                unit,
            )
            for p in event_problems
        )
        if event is not None:
            events.append(event)
            numbers.append(number)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line or 0))
    return Imported(events, how, tuple(numbers), unit)


def _as_is(message: str, *_context: Any) -> str:
    return message


def _value(raw: Any, field: str | None) -> Any:
    return raw.get(field) if isinstance(raw, dict) and field else None


def with_id(raw: Any, taken: Container[str] = ()) -> Any:
    """A record without an id (no id column, an empty cell, no `id` key) under the id `add`
    derives from its date and title (`ids.derive_id`), made unique among `taken` (the ids of the
    file's earlier rows) the way `add` does, with `-2`, `-3`, ...; one without a date or title
    is left for the validator to name what is missing."""
    if not isinstance(raw, dict) or raw.get("id") not in (None, ""):
        return raw
    date, title = raw.get("date"), raw.get("title")
    if not (isinstance(date, str) and isinstance(title, str) and date.strip() and title.strip()):
        return raw
    from ...ids import derive_id, next_free_id

    return {**raw, "id": next_free_id(derive_id(date, title), taken)}


def _rows(path: Path, fmt: str, text: str | None, problems: list[Problem], dayfirst: bool):
    """The rows of the file (an iterator of `(number, record)`), their unit, and `how`."""
    name = str(path)
    suffix = ", day-first dates" if dayfirst and fmt in ("csv", "xlsx") else ""
    if fmt == "xlsx":
        from .xlsx import xlsx_rows

        return xlsx_rows(path, problems, dayfirst), "row", ("xlsx" + suffix if dayfirst else "")
    if text is None:
        text = _read_text(path, fmt)
    if fmt == "csv":
        from .csvfile import SEPARATORS, csv_rows, sniff_separator

        separator = sniff_separator(text)
        how = f"CSV separated by {SEPARATORS[separator]}{suffix}"
        return csv_rows(name, text, problems, separator, dayfirst), "row", how
    from .jsonfile import json_rows, jsonl_rows

    if fmt == "json":
        return json_rows(name, text, problems), "item", ""
    return jsonl_rows(name, text, problems), "line", ""


def _bounded(name: str, rows, problems: list[Problem], unit: str) -> list[tuple[int, dict]]:
    """The rows, checked against the bounds as they arrive: no string longer than MAX_CELL (a
    spreadsheet's cells are checked as they are read), at most MAX_ROWS rows, at most MAX_TEXT
    characters of text in all of them; reading stops at the first bound passed."""
    from .cells import MAX_CELL, MAX_ROWS, MAX_TEXT

    kept: list[tuple[int, dict]] = []
    total = 0
    for number, record in rows:
        if len(kept) >= MAX_ROWS:
            problems.append(Problem(name, f"has more than {MAX_ROWS:,} {unit}s, the most one "
                                    "import reads", number, unit=unit))  # fmt: skip
            break
        size, longest = _text_size(record)
        if longest > MAX_CELL:
            problems.append(Problem(name, f"a value is longer than {MAX_CELL:,} characters, the "
                                    "most a field may hold", number, unit=unit))  # fmt: skip
            break
        total += size
        if total > MAX_TEXT:
            problems.append(Problem(name, f"the {unit}s up to here hold more than {MAX_TEXT:,} "
                                    "characters of text, more than a store may hold", number,
                                    unit=unit))  # fmt: skip
            break
        kept.append((number, record))
    return kept


def _text_size(value: Any, depth: int = 0) -> tuple[int, int]:
    """(characters of all strings in `value`, the longest of them)."""
    if isinstance(value, str):
        return len(value), len(value)
    if depth > 8:  # deeper than any store field: the validator refuses it
        return 0, 0
    items = value.items() if isinstance(value, dict) else value if isinstance(value, list) else ()
    total = longest = 0
    for item in items:
        pairs = item if isinstance(value, dict) else (item,)
        for part in pairs:
            size, long = _text_size(part, depth + 1)
            total, longest = total + size, max(longest, long)
    return total, longest


def _read_text(path: Path, fmt: str) -> str:
    from ...store.files import read_store_bytes
    from ...store.parse import decode

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
