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

(The CSV columns end with `state` and `runs_until`, as of the export's as-of date;
`runs_until` is a date cell when it is a full day, as in the answers' sheets, else its text.)
An answer written with `-o` (`sheet_to_xlsx`) is a table of its `--json` records and an `about`
sheet; see that function.

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

A workbook is a zip of XML parts, and a hostile one can unpack to far more than it weighs. So
import reads it with its own streaming reader (openpyxl only tells which number formats are
dates): only a regular file is opened (a FIFO would hang the zip reader); an archive listing
more than `MAX_PARTS` parts is refused before zipfile reads its directory, and a part whose
declared size is over `MAX_PART` before it is read;
each part is decompressed in chunks and fed to expat, and every cell's text is counted as it
arrives (more than Excel's 32,767 characters is refused at once), so memory holds one row and
the shared strings, never the expanded sheet. A document type declaration (the way to entity
bombs and external entities) is refused, as is malformed XML: one line, nothing imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ...errors import DataError, Problem
from ...model import Event, PartialDate
from ..linking import writable
from .cells import (
    CSV_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_ROWS,
    MAX_TEXT,
    MAX_XLSX_CELL,
    REQUIRED_COLUMNS,
    CellError,
    Sheet,
    csv_record,
    csv_row,
    sheet_cell,
    written_date,
)

SHEET = "events"
# the written date each date column stands beside
DAY_COLUMNS = {"date": "date (day)", "effective": "effective (day)", "expires": "expires (day)"}
_LINK_COLUMN = re.compile(r"source (\d+)")
# Excel's first unambiguous day: serial numbers before it disagree between Excel and the rest
FIRST_DATE_CELL = dt.date(1900, 3, 1)
# the derived columns that hold a date: a full day is a date cell, a month or a year its text
DERIVED_DAYS = ("runs_until",)
MAX_CELL = MAX_XLSX_CELL  # characters a cell holds in Excel
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
    events: Sequence[Event],
    *,
    stamp: dt.datetime,
    data_note: str = "",
    derived: dict[str, dict[str, str]] | None = None,
    sources: Callable[[Event], str] | None = None,
    **_options,
) -> bytes:
    """The workbook as bytes (see the module's docstring for the layout); `derived` the
    `cells.DERIVED_COLUMNS` of the events that have them, by id; `sources` says where an event
    comes from (the `from` column)."""
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
    derived = derived or {}
    for event in events:
        texts = csv_row(event, derived.get(event.id), sources(event) if sources else "")
        for name, value in texts.items():
            if len(value) > MAX_CELL:
                problems.append(Problem("--format xlsx", f"{len(value)} characters; a spreadsheet "
                                        f"cell holds at most {MAX_CELL:,} (export csv or json)",
                                        event_id=event.id, field=name))  # fmt: skip
        row: list[Any] = []
        for name in header:
            if name in DERIVED_DAYS and texts[name]:
                row.append(_typed(texts[name], date=True))  # a full day as a date cell
            elif name in texts:
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
                if writable(url):
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


# --- an answer (status, the matrix, changes, countdown) ----------------------------------------


def sheet_to_xlsx(sheet: Sheet, *, stamp: dt.datetime | None = None, **_options) -> bytes:
    """An answer as a workbook, written by openpyxl's streaming (write-only) writer: a sheet
    named for the answer with the `--json` field names as its header row and one row per
    record, then a sheet `about` (the sheet's (label, value) facts). A date column's full days
    (and the about sheet's) are date cells shown as YYYY-MM-DD; a month or a year stays text
    as written; numbers and true/false are typed; lists and a matrix cell's controls are text
    as in CSV; every text cell is text (never a formula)."""
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from ... import __version__

    book = Workbook(write_only=True)
    table = book.create_sheet(sheet.name)
    widths = [_display_width(name) for name in sheet.columns]
    rows = []
    problems = []
    for record in sheet.records:
        values = [_typed(record[c], c in sheet.dates) for c in sheet.columns]
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > MAX_CELL:
                problems.append(Problem("--format xlsx", f"{len(value)} characters; a spreadsheet "
                                        f"cell holds at most {MAX_CELL:,} (write csv or json)",
                                        event_id=record.get("id"),
                                        field=sheet.columns[index]))  # fmt: skip
            width = 10 if isinstance(value, dt.date) else _display_width(str(value or ""))
            widths[index] = max(widths[index], width)
        rows.append(values)
    if problems:
        raise DataError(problems)
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, 1):
        cap = _WIDEST.get(sheet.columns[index - 1], 40)
        table.column_dimensions[get_column_letter(index)].width = min(width, cap) + 2
    table.freeze_panes = "A2"
    if sheet.columns:
        last = get_column_letter(len(sheet.columns))
        table.auto_filter.ref = f"A1:{last}{len(rows) + 1}"

    def cell(target, value: Any, bold: bool = False):
        made = WriteOnlyCell(target, value=escape(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            made.data_type = "s"  # a string that starts with "=" would be written as a formula
        elif isinstance(value, dt.date):
            made.number_format = "yyyy-mm-dd"
        if bold:
            made.font = Font(bold=True)
        return made

    table.append([cell(table, name, bold=True) for name in sheet.columns])
    for values in rows:
        table.append([cell(table, value) for value in values])
    about = book.create_sheet("about")
    about.column_dimensions["A"].width = 12
    for label, value in sheet.about:
        about.append([cell(about, label, bold=True), cell(about, _typed(value, True))])
    book.properties.creator = f"reetimeline {__version__}"
    if stamp is not None:
        book.properties.created = stamp.replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(value: Any, date: bool) -> Any:
    """A `--json` value as a typed cell value: a full day of a date column (from 1900-03-01,
    Excel's first unambiguous day) as a date; numbers, true/false and dates as themselves;
    the rest as the text of its CSV cell; None as an empty cell."""
    if isinstance(value, dt.date):
        return value if value >= FIRST_DATE_CELL else value.isoformat()
    if date and isinstance(value, str):
        try:
            parsed = PartialDate.parse(value)
        except ValueError:
            return value
        if parsed.precision == "day" and parsed.first() >= FIRST_DATE_CELL:
            return parsed.first()
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    return sheet_cell(value) or None


# --- reading ---------------------------------------------------------------------------------

MAX_PART = 1 << 30  # declared uncompressed bytes of one part of the workbook
MAX_PARTS = 10_000  # parts (files) in the archive; Excel writes about a dozen
MAX_COLUMNS = 16_384  # Excel's last column, XFD
_CHUNK = 1 << 16
# bytes of XML fed without expat reporting anything: one tag, comment or name that long is
# hostile (text is reported as it arrives, so a long cell is not a stall)
_MAX_STALL = 1 << 22
_WORKBOOK = "xl/workbook.xml"


class XlsxError(Exception):
    """Why a workbook is refused as a whole; `row` when one row is to blame."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message, self.row = message, row


class Cell(NamedTuple):
    """A cell as read: its value (text, number, bool, datetime or None), and whether it holds a
    formula (then `value` is the formula, `=1+1`)."""

    value: Any
    formula: bool = False


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _column(ref: str | None, after: int) -> int:
    """The 1-based column of a reference like `AB12`; the next column when there is none."""
    if not ref:
        return after + 1
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
    return number or after + 1


class _Part:
    """One XML part of the workbook, decompressed in chunks and fed to expat with no DTD; the
    subclass's `start`, `end` and `text` receive local names, attributes and text."""

    def __init__(self, book, member: str):
        from xml.parsers import expat

        self.book, self.member = book, member
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = False
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.CommentHandler = self._other
        self.parser.ProcessingInstructionHandler = self._other
        self.events = 0

    def _doctype(self, *_args) -> None:
        raise XlsxError(f"{self.member} holds a document type declaration, which no workbook "
                        "has (entities are not expanded)")  # fmt: skip

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.events += 1
        self.start(_local(name), attributes)

    def _end(self, name: str) -> None:
        self.events += 1
        self.end(_local(name))

    def _text(self, data: str) -> None:
        self.events += 1
        self.text(data)

    def _other(self, *_args) -> None:
        self.events += 1

    def start(self, name: str, attributes: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...

    def chunks(self) -> Iterator[None]:
        """Feed the part to the parser, a chunk at a time (yielding after each)."""
        import zipfile
        import zlib
        from xml.parsers import expat

        try:
            info = self.book.getinfo(self.member)
        except KeyError:
            raise XlsxError(f"has no {self.member}") from None
        if info.file_size > MAX_PART:
            raise XlsxError(f"{self.member} would unpack to {info.file_size:,} bytes, more than "
                            f"the {MAX_PART:,} a part of a workbook may")  # fmt: skip
        stalled = 0
        try:
            with self.book.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    before = self.events
                    self.parser.Parse(chunk, False)
                    stalled = stalled + len(chunk) if self.events == before else 0
                    if stalled > _MAX_STALL:
                        raise XlsxError(f"{self.member}: an XML tag or comment longer than "
                                        f"{_MAX_STALL:,} bytes")  # fmt: skip
                    yield
            self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise XlsxError(f"{self.member}: not well-formed XML: {expat.ErrorString(exc.code)} "
                            f"(line {exc.lineno}, column {exc.offset + 1})") from None  # fmt: skip
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise XlsxError(f"{self.member}: cannot unpack: {exc}") from None
        yield

    def read(self) -> None:
        for _ in self.chunks():
            pass


class _Relations(_Part):
    def __init__(self, book, member: str):
        super().__init__(book, member)
        self.targets: dict[str, tuple[str, str]] = {}  # id: (type, target)

    def start(self, name, attributes):
        if name == "Relationship" and len(self.targets) < 10_000:
            self.targets[attributes.get("Id", "")] = (attributes.get("Type", ""),
                                                      attributes.get("Target", ""))  # fmt: skip


class _Book(_Part):
    def __init__(self, book, member: str):
        super().__init__(book, member)
        self.sheets: list[tuple[str, str]] = []  # (name, relationship id)
        self.date1904 = False

    def start(self, name, attributes):
        if name == "sheet" and len(self.sheets) < 10_000:
            rid = next((v for k, v in attributes.items() if _local(k) == "id"), "")
            self.sheets.append((attributes.get("name", ""), rid))
        elif name == "workbookPr":
            self.date1904 = attributes.get("date1904", "0").lower() in ("1", "true")


class _Styles(_Part):
    """Which cell styles show a number as a date."""

    def __init__(self, book, member: str):
        super().__init__(book, member)
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.depth = 0  # inside cellXfs

    def start(self, name, attributes):
        if name == "numFmt":
            with contextlib.suppress(ValueError):
                self.formats[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
        elif name == "cellXfs":
            self.depth += 1
        elif name == "xf" and self.depth:
            try:
                self.cell_formats.append(int(attributes.get("numFmtId", "0")))
            except ValueError:
                self.cell_formats.append(0)

    def end(self, name):
        if name == "cellXfs":
            self.depth -= 1

    def date_styles(self) -> frozenset[int]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        dates = set()
        for index, number in enumerate(self.cell_formats):
            code = self.formats.get(number, BUILTIN_FORMATS.get(number))
            if code and is_date_format(code):
                dates.add(index)
        return frozenset(dates)


class _Strings(_Part):
    """The shared strings, each counted as it arrives."""

    def __init__(self, book, member: str):
        super().__init__(book, member)
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.length = self.total = 0
        self.in_text = self.phonetic = False

    def start(self, name, attributes):
        if name == "si":
            self.parts, self.length = [], 0
        elif name == "t" and not self.phonetic:
            self.in_text = True
        elif name == "rPh":
            self.phonetic = True

    def end(self, name):
        if name == "si":
            self.strings.append("".join(self.parts))
        elif name == "t":
            self.in_text = False
        elif name == "rPh":
            self.phonetic = False

    def text(self, data):
        if not self.in_text:
            return
        self.length += len(data)
        self.total += len(data)
        if self.length > MAX_XLSX_CELL:
            raise XlsxError(f"{self.member}: string {len(self.strings) + 1} is longer than "
                            f"{MAX_XLSX_CELL:,} characters, the most a cell holds")  # fmt: skip
        if self.total > MAX_TEXT:
            raise XlsxError(f"{self.member}: the strings hold more than {MAX_TEXT:,} characters, "
                            "more than a store may hold")  # fmt: skip
        self.parts.append(data)


class _Sheet(_Part):
    """The rows of a worksheet as `(row number, {column: Cell})`, a few at a time."""

    def __init__(self, book, member: str, strings: list[str], dates: frozenset[int], epoch):
        super().__init__(book, member)
        self.strings, self.dates, self.epoch = strings, dates, epoch
        self.ready: list[tuple[int, dict[int, Cell]]] = []
        self.row = self.rows = self.column = 0
        self.cells: dict[int, Cell] = {}
        self.kind = self.style = ""
        self.parts: list[str] = []
        self.formula: list[str] | None = None
        self.length = 0
        self.into: list[str] | None = None  # where text goes: a value, a formula, or nowhere
        self.phonetic = False

    def start(self, name, attributes):
        if name == "row":
            self.rows += 1
            if self.rows > MAX_ROWS + 1:
                raise XlsxError(f"has more than {MAX_ROWS:,} rows, the most one import reads",
                                self.row)  # fmt: skip
            try:
                self.row = int(attributes.get("r", ""))
            except ValueError:
                self.row += 1
            self.cells, self.column = {}, 0
        elif name == "c":
            self.column = _column(attributes.get("r"), self.column)
            if self.column > MAX_COLUMNS or len(self.cells) >= MAX_COLUMNS:
                raise XlsxError(f"a cell beyond column {MAX_COLUMNS:,}, the last a sheet has",
                                self.row)  # fmt: skip
            self.kind, self.style = attributes.get("t", "n"), attributes.get("s", "0")
            self.parts, self.formula, self.length = [], None, 0
        elif name in ("v", "t") and not self.phonetic:
            self.into = self.parts
        elif name == "f":
            self.formula = []
            self.into = self.formula
        elif name == "rPh":
            self.phonetic = True

    def end(self, name):
        if name in ("v", "t", "f"):
            self.into = None
        elif name == "rPh":
            self.phonetic = False
        elif name == "c":
            cell = self._cell()
            if cell.value is not None:
                self.cells[self.column] = cell
        elif name == "row":
            self.ready.append((self.row, self.cells))
            self.cells = {}

    def text(self, data):
        if self.into is None:
            return
        self.length += len(data)
        if self.length > MAX_XLSX_CELL:
            raise XlsxError(f"a cell is longer than {MAX_XLSX_CELL:,} characters, the most a "
                            "cell holds", self.row)  # fmt: skip
        self.into.append(data)

    def _cell(self) -> Cell:
        text = "".join(self.parts)
        if self.formula is not None:
            return Cell("=" + "".join(self.formula), formula=True)
        kind = self.kind
        if kind == "s":
            try:
                return Cell(self.strings[int(text)])
            except (ValueError, IndexError):
                raise XlsxError(f"a cell refers to shared string {text!r}, which the workbook "
                                "does not have", self.row) from None  # fmt: skip
        if kind in ("inlineStr", "str", "e"):
            return Cell(text)
        if text == "":
            return Cell(None)
        if kind == "b":
            return Cell(text.strip() in ("1", "true"))
        if kind == "d":
            try:
                return Cell(dt.datetime.fromisoformat(text))
            except ValueError:
                return Cell(text)
        try:
            number: int | float = int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return Cell(text)
        if self.style.isdigit() and int(self.style) in self.dates:
            from openpyxl.utils.datetime import from_excel

            try:
                return Cell(from_excel(number, self.epoch))
            except (ValueError, OverflowError, TypeError):
                pass
        return Cell(number)

    def __iter__(self) -> Iterator[tuple[int, dict[int, Cell]]]:
        for _ in self.chunks():
            yield from self.ready
            self.ready.clear()


def _open_book(path: Path):
    """The workbook as a zip archive: a regular file of at most MAX_IMPORT_BYTES."""
    import stat
    import zipfile

    from ...store.files import kind_of

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise XlsxError("no such import file") from None
    except OSError as exc:
        raise XlsxError(f"cannot read: {exc.strerror or exc}") from None
    handle = os.fdopen(fd, "rb")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else kind_of(info.st_mode)
            raise XlsxError(f"is {kind}; a workbook must be a regular file")
        if info.st_size > MAX_IMPORT_BYTES:
            raise XlsxError(f"is larger than {MAX_IMPORT_BYTES // (1 << 20)} MiB, the most an "
                            "import file may hold")  # fmt: skip
        os.set_blocking(fd, True)
        _check_directory(handle, info.st_size)
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        handle.close()
        raise XlsxError(f"not an xlsx workbook ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        handle.close()
        raise XlsxError(f"cannot read: {exc.strerror or exc}") from None
    except BaseException:
        handle.close()
        raise


def _check_directory(handle, size: int) -> None:
    """Refuse an archive whose directory lists more than MAX_PARTS parts, before zipfile reads
    it (a ZipInfo per entry: a 256 MiB directory would take gigabytes). The counts are read
    from the end record (and the zip64 one it points to); what is not found there is left to
    zipfile to refuse."""
    import struct

    tail_size = min(size, 22 + 65_535 + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    if (entries == 0xFFFF or directory == 0xFFFF_FFFF) and at >= 20 and (
        tail[at - 20 : at - 16] == b"PK\x06\x07"
    ):
        (record,) = struct.unpack_from("<Q", tail, at - 12)
        if record + 56 <= size:
            handle.seek(record)
            head = handle.read(56)
            if head[:4] == b"PK\x06\x06":
                entries, directory = struct.unpack_from("<QQ", head, 32)
    handle.seek(0)
    if entries > MAX_PARTS or directory > MAX_PARTS * 1024:
        raise XlsxError(f"lists {entries:,} parts in {directory:,} bytes; a workbook has a few "
                        f"dozen (at most {MAX_PARTS:,} are read)")  # fmt: skip


def _sheet_of(book) -> _Sheet:
    """The `events` sheet (else the first), with the shared strings and date styles it uses."""
    import posixpath

    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    if _WORKBOOK not in book.namelist():
        raise XlsxError(f"not an xlsx workbook (it has no {_WORKBOOK})")
    workbook = _Book(book, _WORKBOOK)
    workbook.read()
    relations = _Relations(book, "xl/_rels/workbook.xml.rels")
    relations.read()

    def part(target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join("xl", target))

    def of_type(suffix: str) -> str | None:
        found = [t for kind, t in relations.targets.values() if kind.endswith(suffix)]
        return part(found[0]) if found else None

    if not workbook.sheets:
        raise XlsxError("not an xlsx workbook (it has no sheet)")
    chosen = next((s for s in workbook.sheets if s[0] == SHEET), workbook.sheets[0])
    _kind, target = relations.targets.get(chosen[1], ("", ""))
    if not target:
        raise XlsxError(f"not an xlsx workbook (sheet {chosen[0]!r} has no part)")
    strings: list[str] = []
    if (member := of_type("/sharedStrings")) and member in book.namelist():
        shared = _Strings(book, member)
        shared.read()
        strings = shared.strings
    dates: frozenset[int] = frozenset()
    if (member := of_type("/styles")) and member in book.namelist():
        styles = _Styles(book, member)
        styles.read()
        dates = styles.date_styles()
    epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
    return _Sheet(book, part(target), strings, dates, epoch)


def xlsx_rows(
    path: Path, problems: list[Problem], dayfirst: bool = False
) -> Iterator[tuple[int, dict]]:
    """The events of the `events` sheet (else the first sheet) as store records, numbered by
    their spreadsheet row; problems are appended to `problems`."""
    name = str(path)
    try:
        book = _open_book(path)
    except XlsxError as exc:
        problems.append(Problem(name, exc.message))
        return
    try:
        yield from _rows_of(name, _sheet_of(book), problems, dayfirst)
    except XlsxError as exc:
        problems.append(Problem(name, exc.message, exc.row, unit="row"))
    finally:
        book.close()


def _rows_of(name: str, sheet: _Sheet, problems: list[Problem], dayfirst: bool):
    rows = iter(sheet)
    first = next(rows, None)
    if first is None:
        return
    header_row, header_cells = first
    header = {column: _text(cell.value).strip() for column, cell in header_cells.items()}
    header = {column: text for column, text in header.items() if text}
    known = set(CSV_COLUMNS) | set(DAY_COLUMNS.values())
    names = list(header.values())
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [c for c in names if c not in known and not _LINK_COLUMN.fullmatch(c)]
    if missing or unknown:
        what = (["missing " + ", ".join(missing)] if missing else []) + (
            ["unknown " + ", ".join(repr(c) for c in unknown)] if unknown else []
        )
        problems.append(Problem(name, f"header: {'; '.join(what)} (columns: "
                                f"{', '.join(columns([]))}, source 1, ...)", header_row,
                                unit="row"))  # fmt: skip
        return
    for number, cells in rows:
        values = {header[c]: cell for c, cell in cells.items() if c in header}
        if all(c.value is None or c.value == "" for c in values.values()):
            continue
        try:
            yield number, _record(values, dayfirst)
        except CellError as exc:
            event_id = values.get("id")
            problems.append(Problem(name, exc.message, number, None,
                                    _text(event_id.value) if event_id and event_id.value
                                    else None, exc.field, unit="row"))  # fmt: skip


def _text(value: Any) -> str:
    if isinstance(value, str):
        return unescape(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record(cells: dict[str, Cell], dayfirst: bool) -> dict[str, Any]:
    row: dict[str, str] = {}
    for name, cell in cells.items():
        if _LINK_COLUMN.fullmatch(name) or name in DAY_COLUMNS.values():
            continue
        if cell.formula:
            raise CellError(name, f"is a formula ({cell.value}); import reads the values people "
                            "typed: type the text instead")  # fmt: skip
        row[name] = "" if cell.value is None else _text(cell.value)
    for written, day_name in DAY_COLUMNS.items():
        day_cell = cells.get(day_name)
        if day_cell is None or day_cell.value in (None, ""):
            continue
        if not isinstance(day_cell.value, dt.datetime | dt.date):
            raise CellError(day_name, f"{_text(day_cell.value)!r} is not a date cell (format the "
                            "cell as a date, or clear it)")  # fmt: skip
        day = PartialDate.from_date(day_cell.value)
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
