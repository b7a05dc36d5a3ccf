"""The writing side of the formats, under the names the command line imports: the registry
`EXPORTERS` and `write_text_atomically` (from `formats/__init__.py`), and each format's writer
from its own module."""

from __future__ import annotations

from . import EXPORTERS, Exporter, write_text_atomically
from .cells import CSV_COLUMNS, LIST_SEPARATOR, SOURCE_SEPARATOR, csv_row, split_items
from .csvfile import neutralise, restore, to_csv
from .ics import TARGET_PREFIX, to_ics
from .jsonfile import to_json, to_jsonl
from .markdown import md_escape, to_md
from .timelinejs import to_timelinejs

__all__ = [
    "CSV_COLUMNS", "EXPORTERS", "LIST_SEPARATOR", "SOURCE_SEPARATOR", "TARGET_PREFIX",
    "Exporter", "csv_row", "md_escape", "neutralise", "restore", "split_items", "to_csv",
    "to_ics", "to_json", "to_jsonl", "to_md", "to_timelinejs", "write_text_atomically",
]  # fmt: skip
