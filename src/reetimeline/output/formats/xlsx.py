"""Excel workbooks (.xlsx), both ways, through openpyxl (imported only here, only when used).

The workbook has a sheet `events`, one row per event, and a sheet `about` saying what the export
holds and how current the data is. The `events` sheet has every column of the CSV export, with
the same names and the same text (lists joined with `; `, sources as `title <url>` joined with
` | `), and, for people:

- `date (day)`, `effective (day)`, `expires (day)` beside the written dates: real date cells
  (shown as YYYY-MM-DD) where the written date is a day, for sorting and filtering; empty for a
  month or a year, and for days before 1 March 1900 (Excel's calendar starts in 1900 and counts a
  29 February 1900 that never was);
- `source 1`, `source 2`, ... after the CSV columns: each source's title, linked to its URL.

The header row is frozen with the id column, filters are on, and columns have widths from their
content. Every text cell is a text cell: text starting with `=` is never a formula. Characters
that XML cannot hold (control characters, a carriage return) are written `_x000D_`, as Excel
writes them, and a literal `_x000D_` as `_x005F_x000D_`; Excel shows the text as it is.

Import reads the CSV columns, exactly as CSV import does (without the apostrophes CSV puts before
formula-like cells: a cell here is already text). The link cells are a copy for clicking and are
not read. A `(day)` cell is read when its written date is empty; when both are filled they must
agree, so that an edit of one of them is never lost silently. Dates typed into a written-date
column become date cells in a spreadsheet: they are read as that day. A formula cell is a row
error: import reads values people typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ...errors import DataError, Problem
from ...links import check_url
from ...model import Event, PartialDate
from .export import CSV_COLUMNS, csv_row
from .importer import CellError, csv_record, written_date

SHEET = "events"
# the written date each date column stands beside
DAY_COLUMNS = {"date": "date (day)", "effective": "effective (day)", "expires": "expires (day)"}
_LINK_COLUMN = re.compile(r"source (\d+)")
# Excel's first unambiguous day: serial numbers before it disagree between Excel and the rest
FIRST_DATE_CELL = dt.date(1900, 3, 1)
MAX_CELL = 32_767  # characters a cell holds in Excel
_WIDEST = {"title": 60, "summary": 60, "sources": 50}
# characters an XML file cannot hold, a carriage return (XML turns it into a line feed), and a
# literal escape, which would otherwise be read as one
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def escape(text: str) -> str:
    """Text as an OOXML string holds it (ST_Xstring): `\\r` becomes `_x000D_`."""
    return _UNSAFE.sub(
        lambda m: "_x005F" + m.group() if len(m.group()) > 1 else f"_x{ord(m.group()):04X}_", text
    )


def unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def columns(events: Sequence[Event]) -> list[str]:
    """The header row: the CSV columns with a date column beside each written date, then a link
    column per source of the event with the most sources."""
    names: list[str] = []
    for name in CSV_COLUMNS:
        names.append(name)
        if name in DAY_COLUMNS:
            names.append(DAY_COLUMNS[name])
    most = max((len(e.sources) for e in events), default=0)
    return names + [f"source {n}" for n in range(1, most + 1)]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def to_xlsx(
    events: Sequence[Event], *, stamp: dt.datetime, data_note: str = "", **_options
) -> bytes:
    """The workbook as bytes (see the module's docstring for the layout)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    from ... import __version__

    header = columns(events)
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    sheet.append(header)
    widths = [_display_width(name) for name in header]
    problems = []
    for event in events:
        texts = csv_row(event)
        for name, value in texts.items():
            if len(value) > MAX_CELL:
                problems.append(Problem("--format xlsx", f"{len(value)} characters; a spreadsheet "
                                        f"cell holds at most {MAX_CELL:,} (export csv or json)",
                                        event_id=event.id, field=name))  # fmt: skip
        row: list[Any] = []
        for name in header:
            if name in texts:
                row.append(escape(texts[name]) or None)  # an empty cell, not an empty text
            elif name in DAY_COLUMNS.values():
                date = getattr(event, name.split()[0])
                day = date is not None and date.precision == "day" and date.first()
                row.append(day if day and day >= FIRST_DATE_CELL else None)
            else:
                match = _LINK_COLUMN.fullmatch(name)
                assert match is not None
                number = int(match.group(1))
                source = event.sources[number - 1] if number <= len(event.sources) else None
                row.append(escape(source.title) if source else None)
        sheet.append(row)
        line = sheet.max_row
        for index, (name, value) in enumerate(zip(header, row, strict=True), 1):
            cell = sheet.cell(line, index)
            if isinstance(value, str):
                # a string that starts with "=" would be written as a formula
                cell.data_type = "s"
                widths[index - 1] = max(widths[index - 1], _display_width(value))
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
                widths[index - 1] = max(widths[index - 1], 10)
            if (match := _LINK_COLUMN.fullmatch(name)) and value is not None:
                url = event.sources[int(match.group(1)) - 1].url
                if check_url(url) is None:
                    cell.hyperlink = url
                    cell.style = "Hyperlink"
    if problems:
        raise DataError(problems)
    for index, name in enumerate(header, 1):
        cap = _WIDEST.get(name, 40 if name.startswith("source ") else 30)
        sheet.column_dimensions[get_column_letter(index)].width = min(widths[index - 1], cap) + 2
        sheet.cell(1, index).font = Font(bold=True)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(vertical="top")
    sheet.freeze_panes = "B2"  # the header row and the id column stay in view
    sheet.auto_filter.ref = sheet.dimensions
    _about(book.create_sheet("about"), len(events), stamp, data_note)
    book.properties.creator = f"reetimeline {__version__}"
    book.properties.created = stamp.replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(sheet, count: int, stamp: dt.datetime, data_note: str) -> None:
    from openpyxl.styles import Font

    rows = [
        ("reetimeline export",),
        ("events", count),
        ("exported", stamp.strftime("%Y-%m-%d %H:%M UTC")),
        ("data", data_note or "no store says up to when its facts were checked"),
        (),
        ("The events sheet has the columns of `reetimeline export --format csv`, with the same "
         "text. The (day) columns are date cells for sorting and filtering, filled where the "
         "written date is a day. The source columns link to each source.",),
        ("`reetimeline import` reads this workbook back: it reads the text columns; a (day) cell "
         "is read when its written date is empty, and must agree with it otherwise.",),
    ]  # fmt: skip
    for row in rows:
        sheet.append([escape(v) if isinstance(v, str) else v for v in row])
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 12


# --- reading ---------------------------------------------------------------------------------


def xlsx_rows(
    path: Path, problems: list[Problem], dayfirst: bool = False
) -> Iterator[tuple[int, dict]]:
    """The events of the `events` sheet (else the first sheet) as store records, numbered by
    their spreadsheet row; problems are appended to `problems`."""
    name = str(path)
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=False)
    except OSError as exc:
        problems.append(Problem(name, f"cannot read: {exc.strerror or exc}"))
        return
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        problems.append(Problem(name, f"not an xlsx workbook ({type(exc).__name__}: {exc})"))
        return
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows()
        header_cells = next(rows, None)
        if header_cells is None:
            return
        header = [_text(c.value).strip() if c.value is not None else "" for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        known = set(CSV_COLUMNS) | set(DAY_COLUMNS.values())
        missing = [c for c in ("id", "date", "title", "category") if c not in header]
        unknown = [c for c in header if c not in known and not _LINK_COLUMN.fullmatch(c)]
        if missing or unknown:
            what = (["missing " + ", ".join(missing)] if missing else []) + (
                ["unknown " + ", ".join(repr(c) for c in unknown)] if unknown else []
            )
            problems.append(Problem(name, f"header: {'; '.join(what)} (columns: "
                                    f"{', '.join(columns([]))}, source 1, ...)", 1,
                                    unit="row"))  # fmt: skip
            return
        for number, cells in enumerate(rows, 2):
            values = {h: c for h, c in zip(header, cells, strict=False) if h}
            if all(c.value is None or c.value == "" for c in values.values()):
                continue
            try:
                yield number, _record(values, dayfirst)
            except CellError as exc:
                event_id = values.get("id")
                problems.append(Problem(name, exc.message, number, None,
                                        _text(event_id.value) if event_id and event_id.value
                                        else None, exc.field, unit="row"))  # fmt: skip
    finally:
        book.close()


def _text(value: Any) -> str:
    if isinstance(value, str):
        return unescape(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record(cells: dict[str, Any], dayfirst: bool) -> dict[str, Any]:
    row: dict[str, str] = {}
    for name, cell in cells.items():
        if _LINK_COLUMN.fullmatch(name) or name in DAY_COLUMNS.values():
            continue
        if cell.data_type == "f":
            raise CellError(name, f"is a formula ({cell.value}); import reads the values people "
                            "typed: type the text instead")  # fmt: skip
        row[name] = "" if cell.value is None else _text(cell.value)
    for written, day_name in DAY_COLUMNS.items():
        cell = cells.get(day_name)
        if cell is None or cell.value in (None, ""):
            continue
        if not isinstance(cell.value, dt.datetime | dt.date):
            raise CellError(day_name, f"{_text(cell.value)!r} is not a date cell (format the "
                            "cell as a date, or clear it)")  # fmt: skip
        day = PartialDate.from_date(cell.value)
        text = row.get(written, "")
        if not text:
            row[written] = str(day)
            continue
        try:
            same = PartialDate.parse(written_date(text, dayfirst)) == day
        except ValueError:
            continue  # the written date's own problem is reported with its field
        if not same:
            raise CellError(day_name, f"{day} disagrees with {written} {text!r}: change both, "
                            f"or clear {day_name}")  # fmt: skip
    return csv_record(row, dayfirst)
