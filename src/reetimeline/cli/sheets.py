"""`-o FILE` for the answers (`status`, `status --matrix`, `changes`, `countdown`): the options,
which format a file gets, and writing it (the writers are `output.formats.SHEET_WRITERS`).

A CSV is a plain table with one header row; the about facts (the answer, the as-of date, the
filters as given, the data's horizon, the tool's version) are the xlsx's `about` sheet, and the
message on stderr says the as-of date and how current the data is for every format.
"""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UsageError
from . import completion
from .completion import completing
from .printing import say

OutputFile = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the answer to FILE (atomically) as CSV, xlsx or JSON, by its suffix "
        "(.csv, .xlsx, .json) or --format.",
        show_default=False,
    ),
]
SheetFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="FORMAT",
        help="With -o: csv, xlsx or json, for a FILE whose suffix says no format (a suffix "
        "of another format is refused).",
        click_type=completing(completion.sheet_formats),
        show_default=False,
    ),
]
Bom = Annotated[
    bool, typer.Option("--bom", help="With -o and csv: start with a UTF-8 byte-order mark.")
]


def sheet_format(path: Path | None, fmt: str | None, bom: bool, json_output: bool) -> str | None:
    """The format `-o FILE` is written in (None without -o); a usage error when the options
    do not say one, or do not go together."""
    from ..output.formats import SHEET_WRITERS

    if path is None:
        if fmt is not None:
            raise UsageError("--format goes with -o FILE")
        if bom:
            raise UsageError("--bom goes with -o FILE.csv")
        return None
    if str(path) == "-":
        raise UsageError("-o: give a file name; the answer goes to stdout without -o (--json "
                         "for JSON)")  # fmt: skip
    if json_output:
        raise UsageError("--json prints to stdout; with -o FILE give --format json or a .json "
                         "file")  # fmt: skip
    named = path.suffix.casefold().lstrip(".")
    if fmt is not None:
        chosen = fmt.casefold()
        if chosen not in SHEET_WRITERS:
            raise UsageError(f"--format: unknown format '{fmt}'; formats: "
                             f"{', '.join(SHEET_WRITERS)}")  # fmt: skip
        if named != chosen and named in _KNOWN_SUFFIXES:
            # a file named .csv holding an xlsx opens as garbage
            raise UsageError(f"-o {path}: the name says {named} but --format says {chosen}; "
                             f"name the file .{chosen}, or leave out --format")  # fmt: skip
    else:
        chosen = named
        if chosen not in SHEET_WRITERS:
            raise UsageError(f"-o {path}: {_no_format(path)}")
    if bom and chosen != "csv":
        raise UsageError("--bom goes with csv")
    return chosen


# the suffixes of the tool's formats (answers and exports): a file named so says its format
_KNOWN_SUFFIXES = ("csv", "xlsx", "json", "jsonl", "ics", "md", "html", "svg")


def _no_format(path: Path) -> str:
    """Why the name of `path` says no format of answers, and how to say one."""
    fix = "name the file .csv, .xlsx or .json, or give --format csv, xlsx or json"
    if path.suffix:
        return f"'{path.suffix}' is not a format of answers; {fix}"
    hidden = path.name[1:].casefold()
    if path.name.startswith(".") and hidden in ("csv", "xlsx", "json"):
        return (f"'{path.name}' is a hidden file with no suffix (the dot starts its name); "
                f"name it answer.{hidden}, or give --format {hidden}")  # fmt: skip
    return f"the name has no suffix to say the format; {fix}"


def write_answer(path: Path, fmt: str, *, bom: bool, day: dt.date, answer: str, sheet: str,
                 filters: str, horizon: Any, row_type: type, rows: Sequence[Any],
                 extra: Sequence[tuple[str, Any]] = (), document: Any = None) -> None:  # fmt: skip
    """Write an answer's rows (`row_type`, the Python API's row class: its fields are the
    columns) to `path` atomically as the sheet `sheet`, with the about facts (the answer, the
    as-of date, the filters as given, the `extra` facts such as a window, the rows, the data's
    horizon, the tool), and say so on stderr."""
    from .. import __version__
    from ..api.public import sheet as api_sheet
    from ..output.formats import SHEET_WRITERS, with_bom, write_text_atomically
    from ..output.words import counted, horizon_note

    note = horizon_note(horizon, day)
    about = [
        ("answer", answer),
        ("as of", day),
        ("filters", filters),
        *extra,
        ("rows", len(rows)),
        ("current to", str(horizon.date) if horizon.date else None),
        ("data", note or "no store says up to when its facts were checked"),
        ("tool", f"reetimeline {__version__}"),
    ]
    table = api_sheet(sheet, row_type, rows, about=about, document=document)
    text = SHEET_WRITERS[fmt].write(table, stamp=dt.datetime.combine(day, dt.time(), dt.UTC))
    write_text_atomically(path, with_bom(text) if bom else text)
    said = f"as of {day}" + (f"; data: {note}" if note else "")
    say(f"wrote {counted(len(table.records), 'row')} to {path} ({said})")
