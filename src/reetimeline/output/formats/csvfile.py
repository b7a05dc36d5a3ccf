"""CSV, both ways: RFC 4180 as `export --format csv` writes it, and as spreadsheets save it.

Writing: a header row and one row per event (the cells of `cells.csv_row`), CRLF line ends; a
cell a spreadsheet would run as a formula gets a leading apostrophe.

Reading: a UTF-8 byte-order mark and CRLF line ends are fine, and the separator (`,`, `;` or
tab) is the one that makes the header row a header of known columns. Dates are ISO (`2026-11-25`,
`2026-11`, `2026`); a date written with dots (`25.11.2026`) is day-first, as on the command line;
one with slashes or hyphens (`25/11/2026`) is read day-first only when the caller says the file
is (`dayfirst`) and is otherwise a row error: day and month are never guessed. A cell longer
than `MAX_CELL` characters is a row error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from ...errors import Problem
from ...model import Event
from .cells import (
    CSV_COLUMNS,
    MAX_CELL,
    REQUIRED_COLUMNS,
    CellError,
    Sheet,
    csv_record,
    csv_row,
    sheet_cell,
)

# the separators a CSV header is tried with, and how the import message names them
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
# A cell that a spreadsheet would run as a formula starts with one of these; it gets a leading
# apostrophe. Cells that already start with apostrophes before such a character get one more,
# so that import can always remove exactly one.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """Make a cell inert in spreadsheets (`=1+1` becomes `'=1+1`); `restore` undoes it."""
    return "'" + cell if _FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell[1:]) else cell


def to_csv(
    events: Sequence[Event],
    *,
    derived: dict[str, dict[str, str]] | None = None,
    sources: Callable[[Event], str] | None = None,
    **_options,
) -> str:
    """RFC 4180 CSV (CRLF line ends) with a header row and one row per event; `derived` the
    `cells.DERIVED_COLUMNS` of the events that have them, by id; `sources` says where an event
    comes from (the `from` column)."""
    import csv
    import io

    derived = derived or {}
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for event in events:
        cells = csv_row(event, derived.get(event.id), sources(event) if sources else "")
        writer.writerow({k: neutralise(v) for k, v in cells.items()})
    return out.getvalue()


def sheet_to_csv(sheet: Sheet, **_options) -> str:
    """An answer as RFC 4180 CSV: one header row (the `--json` field names), one row per record
    (`cells.sheet_cell`), text neutralised against formulas (numbers stay numbers: `-101` days);
    a plain table (the about facts are xlsx's)."""
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.columns)
    for record in sheet.records:
        writer.writerow([_inert(record[c]) for c in sheet.columns])
    return out.getvalue()


def _inert(value: object) -> str:
    """A value's cell: text (a list's too) neutralised; a number, true/false or nothing as is."""
    cell = sheet_cell(value)
    return cell if value is None or isinstance(value, bool | int | float) else neutralise(cell)


def sniff_separator(text: str) -> str:
    """The separator that makes the first line a header of known columns (most of them; a tie
    goes to the comma), whatever the rest of the file holds."""
    import csv

    line = text.split("\n", 1)[0].rstrip("\r")[: 100 * len(",".join(CSV_COLUMNS))]

    def known(separator: str) -> int:
        try:
            cells = next(csv.reader([line], delimiter=separator), [])
        except csv.Error:
            return 0
        return sum(cell.strip() in CSV_COLUMNS for cell in cells)

    return max(SEPARATORS, key=known)


def csv_rows(
    name: str, text: str, problems: list[Problem], separator: str = ",", dayfirst: bool = False
) -> Iterator[tuple[int, dict]]:
    """The rows of CSV `text` as store records, numbered by their row (the header is row 1);
    problems are appended to `problems`."""
    import csv

    reader = csv.reader(_lines(text), delimiter=separator, strict=True)
    limit = csv.field_size_limit(MAX_CELL)
    try:
        yield from _rows(name, reader, problems, separator, dayfirst)
    finally:
        csv.field_size_limit(limit)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, as `io.StringIO(text, newline="")` reads them, one
    at a time (a StringIO would copy the whole text, at four bytes a character)."""
    return (match.group() for match in _LINE.finditer(text))


def _not_csv(name: str, exc: Exception, line: int) -> Problem:
    if "field larger than field limit" in str(exc):
        return Problem(name, f"a cell is longer than {MAX_CELL:,} characters, the most a cell "
                       "may hold", line, unit="row")  # fmt: skip
    return Problem(name, f"not CSV: {exc}", line, unit="row")


def _rows(name, reader, problems, separator, dayfirst) -> Iterator[tuple[int, dict]]:
    import csv

    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(_not_csv(name, exc, 1))
        return
    if header is None:
        return
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        what = []
        if missing:
            what.append("missing " + ", ".join(missing))
        if unknown:
            what.append("unknown " + ", ".join(unknown))
        read_as = f"read as separated by {SEPARATORS[separator]}; " if separator != "," else ""
        problems.append(Problem(name, f"header: {'; '.join(what)} ({read_as}columns: "
                                f"{', '.join(CSV_COLUMNS)})", 1, unit="row"))  # fmt: skip
        return
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(_not_csv(name, exc, reader.line_num))
            return
        row_number += 1
        if not any(cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(name, f"has {len(cells)} cells, the header has "
                                    f"{len(header)}", row_number, unit="row"))  # fmt: skip
            continue
        row = dict(zip(header, map(restore, cells), strict=True))
        try:
            yield row_number, csv_record(row, dayfirst)
        except CellError as exc:
            problems.append(Problem(name, exc.message, row_number, None, row.get("id") or None,
                                    exc.field, unit="row"))  # fmt: skip
