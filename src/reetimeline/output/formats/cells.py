"""An event as the cells of a table row (CSV and the xlsx `events` sheet share them), and the
bounds on what an import may read.

A row of cells is the text `export` writes: lists joined with `; ` (read back split on `;`,
each item trimmed, empty items dropped: `Ga;Ge` and `Ga ; Ge;` are `Ga; Ge`), sources as
`title <url>` (or the title alone, for a reference without a link) joined with ` | ` (their
publishers and access dates in two parallel columns), dates as written.
`csv_row` makes the cells of an event; `csv_record` turns cells back into a store record, which
the store's one validator then checks. The `DERIVED_COLUMNS` (a measure's state, the end of any
event that has one, as of the export's as-of date) are written and never read back.

A `Sheet` is an answer (status, the matrix, changes, countdown) as one table for `-o FILE`: the
columns and records of its `--json`, and `sheet_cell`, the text of one of its values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ...model import Event, PartialDate, event_to_record
from ...store.files import MAX_STORE_BYTES

# --- bounds on an import: checked as the file is read, before anything is written ------------

MAX_IMPORT_BYTES = MAX_STORE_BYTES  # the file itself (xlsx: the compressed workbook)
MAX_CELL = 131_072  # characters in one cell or JSON string (the csv module's own field limit)
MAX_XLSX_CELL = 32_767  # characters a spreadsheet cell holds in Excel
MAX_ROWS = 1_000_000  # rows (events) in one import
MAX_TEXT = MAX_STORE_BYTES  # characters of text in all rows: more cannot fit in one store

# the columns a measure's answer fills as of `export --as-of` (empty for other events): written,
# never read back (import ignores them: they are not the store's)
DERIVED_COLUMNS = ("state", "runs_until")
CSV_COLUMNS = (
    "id", "date", "title", "summary", "category", "minerals", "countries", "tags", "effective",
    "expires", "suspends", "related", "confidence", "issuer", "applies_to", "extends", "ends",
    "kind", "partial", "part_of", "confirms", "current_to", "sources", "source_publishers",
    "source_accessed", *DERIVED_COLUMNS, "from",
)  # fmt: skip
# the columns a table must have (a row without an id gets the one `add` derives)
REQUIRED_COLUMNS = ("date", "title", "category")
# written, never read back: the derived columns, and where the event comes from (`curated`,
# `user` or `team:NAME`, the code of `store.Provenance`); an import leaves them out, and the rows
# land in the store it writes to
WRITTEN_ONLY = (*DERIVED_COLUMNS, "from")
# the columns made from `event_to_record` (the rest are the sources)
_RECORD_COLUMNS = CSV_COLUMNS[: CSV_COLUMNS.index("sources")]
LIST_SEPARATOR = "; "  # how lists are written; they are read split on `;` (`split_list`)
SOURCE_SEPARATOR = " | "
# the fields that hold dates (sources' `accessed` too, in `source_accessed`)
_DATE_FIELDS = ("date", "effective", "expires", "current_to")
_LIST_FIELDS = ("minerals", "countries", "tags", "suspends", "related", "applies_to", "extends",
                "ends", "confirms")  # fmt: skip
# true/false cells (an empty cell is false: `export` writes `true` or nothing)
_BOOL_FIELDS = ("partial",)
_BOOLS = {"true": True, "false": False}
_WRITTEN_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_SOURCE = re.compile(r"(?P<title>.*) <(?P<url>[^<>\s]*)>")


class CellError(ValueError):
    """A cell that cannot become a field, with the field's name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _escape_item(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def split_items(cell: str) -> list[str]:
    """Split a ` | `-joined cell, honouring `\\|` and `\\\\` escapes."""
    items, current, i = [], [], 0
    while i < len(cell):
        char = cell[i]
        if char == "\\" and i + 1 < len(cell):
            current.append(cell[i + 1])
            i += 2
            continue
        if cell.startswith(SOURCE_SEPARATOR, i):
            items.append("".join(current))
            current = []
            i += len(SOURCE_SEPARATOR)
            continue
        current.append(char)
        i += 1
    items.append("".join(current))
    return items


def _join_list(items: Sequence[str]) -> str:
    return LIST_SEPARATOR.join(items)


def csv_row(
    event: Event, derived: dict[str, str] | None = None, source: str = ""
) -> dict[str, str]:
    """One event as CSV cells (before formula neutralisation); `source` where it comes from
    (the `from` column: `curated`, `user` or `team:NAME`).

    Lists are joined with `; `. Sources are `title <url>` joined with ` | `; their publishers
    and access dates stand in two parallel columns joined the same way (empty where unknown).
    `|` and `\\` inside source titles and publishers are escaped with a backslash. `derived`:
    its `DERIVED_COLUMNS` (a measure's state, an event's end, as of a day; empty if absent).
    """
    record = event_to_record(event)
    row = {}
    for column in _RECORD_COLUMNS:
        value = record[column]
        if isinstance(value, list):
            row[column] = _join_list(value)
        elif isinstance(value, bool):
            row[column] = "true" if value else ""
        else:
            row[column] = "" if value is None else str(value)
    sources = event.sources
    row["sources"] = SOURCE_SEPARATOR.join(_source_cell(s.title, s.url) for s in sources)
    has_publisher = any(s.publisher for s in sources)
    has_accessed = any(s.accessed for s in sources)
    row["source_publishers"] = (
        SOURCE_SEPARATOR.join(_escape_item(s.publisher or "") for s in sources)
        if has_publisher
        else ""
    )
    row["source_accessed"] = (
        SOURCE_SEPARATOR.join(str(s.accessed or "") for s in sources) if has_accessed else ""
    )
    for column in DERIVED_COLUMNS:
        row[column] = (derived or {}).get(column) or ""
    row["from"] = source
    return row


def split_list(cell: str) -> list[str]:
    """A list cell as its items: split on `;`, each item trimmed, empty items dropped."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def comma_hint(
    message: str, field: str | None, value: Any, written: Callable[[list[str]], str] | None = None
) -> str:
    """`message`, a problem of the list field `field` whose `value` was read, with a hint for
    each item that holds commas and is named in the message (`unknown mineral 'Ga, Ge'`): two
    names where one was expected. `written(parts)` says how the items are written where they
    came from; by default a cell, separated by `;`, and the hint is the whole cell as it reads
    (`Ga,Ge;Sb`: "lists are separated by ';': 'Ga; Ge; Sb'")."""
    if field not in _LIST_FIELDS or not isinstance(value, list):
        return message
    for item in value:
        if not isinstance(item, str) or "," not in item or f"'{item}'" not in message:
            continue
        if written is not None:
            message += f" ({written(_comma_parts(item))})"
        else:
            cell = [p for i in value for p in (_comma_parts(i) if isinstance(i, str) else [])]
            message += f" (lists are separated by ';': '{LIST_SEPARATOR.join(cell)}')"
    return message


def _comma_parts(item: str) -> list[str]:
    return [part.strip() for part in item.split(",") if part.strip()]


def _source_cell(title: str, url: str | None) -> str:
    """`title <url>`, or the title alone for a reference without a link (with an empty `<>`
    when the title itself ends like a link, so that it reads back as a title)."""
    if url is not None:
        return f"{_escape_item(title)} <{url}>"
    return _escape_item(title) + (" <>" if _SOURCE.fullmatch(title) else "")


def measure_notes(event: Event) -> list[str]:
    """What the written formats (ics, md, timelinejs) say of an event's kind, its place in a
    package, what it suspends in part or confirms, and up to which day its facts were checked."""
    notes = [f"kind {event.kind}"] if event.kind else []
    if event.partial:
        notes.append("suspends in part")
    if event.part_of:
        notes.append(f"part of {event.part_of}")
    if event.confirms:
        notes.append(f"confirms {', '.join(event.confirms)}")
    if event.current_to:
        notes.append(f"facts checked to {event.current_to}")
    return notes


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


def csv_record(row: dict[str, str], dayfirst: bool = False) -> dict[str, Any]:
    """A row of cells (as `export` writes them) as a store record; raise CellError."""
    record: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith("source") or key in WRITTEN_ONLY or value == "":
            continue
        if key in _LIST_FIELDS:
            record[key] = split_list(value)
        elif key in _BOOL_FIELDS:  # anything else is left for the validator to name
            record[key] = _BOOLS.get(value.strip().casefold(), value)
        elif key in _DATE_FIELDS:
            try:
                record[key] = written_date(value, dayfirst)
            except ValueError as exc:
                raise CellError(key, str(exc)) from None
        else:
            record[key] = value
    if row.get("sources"):
        try:
            record["sources"] = _sources(row["sources"], row.get("source_publishers", ""),
                                         row.get("source_accessed", ""), dayfirst)  # fmt: skip
        except ValueError as exc:
            raise CellError("sources", str(exc)) from None
    return record


def _sources(cell: str, publishers: str, accessed: str, dayfirst: bool) -> list[dict[str, str]]:
    items = split_items(cell)
    pubs = split_items(publishers) if publishers else [""] * len(items)
    dates = split_items(accessed) if accessed else [""] * len(items)
    if not len(items) == len(pubs) == len(dates):
        raise ValueError("sources, source_publishers and source_accessed differ in length")
    sources = []
    for item, publisher, date in zip(items, pubs, dates, strict=True):
        match = _SOURCE.fullmatch(item)
        # `title <url>`, or a title alone: a reference without a link
        source = {"title": match["title"], "url": match["url"]} if match else {"title": item}
        if not source.get("url", True):
            del source["url"]  # `title <>`: a title that ends like a link
        if publisher:
            source["publisher"] = publisher
        if date:
            source["accessed"] = written_date(date, dayfirst)
        sources.append(source)
    return sources


# --- an answer as a table (status, status --matrix, changes, countdown) -----------------------


class Sheet(NamedTuple):
    """An answer as one table: `columns` are the fields of its `--json` records, in their order
    (the Python API's row class defines them, once), `records` those records as `--json` prints
    them; `dates` the columns whose values are dates as written (`2026-06-01`, `2025-10`);
    `about` the (label, value) facts the xlsx `about` sheet lists; `document` what `--json`
    prints when it is not the list of records (the matrix: an object with its `cells`)."""

    name: str
    columns: tuple[str, ...]
    dates: frozenset[str]
    records: list[dict[str, Any]]
    about: tuple[tuple[str, Any], ...]
    document: Any = None


def sheet_cell(value: Any) -> str:
    """A value of a `--json` record as the text of a cell: nothing for null, `true`/`false`,
    lists joined with `; `, a control of a matrix cell as `id (state)`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _join_list([sheet_cell(item) for item in value])
    if isinstance(value, dict):
        return f"{value.get('id')} ({value.get('state')})"
    return str(value)
