"""The reading side of the formats, under the names the command line imports: `FORMATS`,
`guess_format`, `read` and `read_events` (from `formats/__init__.py`), and the row readers."""

from __future__ import annotations

from . import FORMATS, Imported, guess_format, read, read_events
from .cells import CellError, csv_record, written_date
from .csvfile import SEPARATORS, sniff_separator

__all__ = [
    "FORMATS", "SEPARATORS", "CellError", "Imported", "csv_record", "guess_format", "read",
    "read_events", "sniff_separator", "written_date",
]  # fmt: skip
