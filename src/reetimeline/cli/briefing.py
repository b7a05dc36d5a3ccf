"""The weekly briefing: what changed between two dates, and a page to share."""

from pathlib import Path
from typing import Annotated, Any

import typer

from ..api import answers
from ..errors import UsageError
from .application import app
from .loading import load_store, matrix_of
from .options import (
    MAX_WITHIN_DAYS,
    AsOf,
    FilterArgs,
    JsonFlag,
    Number,
    Recent,
    Title,
    Within,
    as_of_date,
    days,
    describe_filters,
    parse_date_option,
    with_filters,
)
from .printing import output, say
from .sheets import Bom, OutputFile, SheetFormat, sheet_format, write_answer


@app.command("changes")
@with_filters
def changes_command(
    filters: FilterArgs,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
    output_path: OutputFile = None,
    fmt: SheetFormat = None,
    bom: Bom = False,
) -> None:
    """What changed between two dates: every measure that took effect, was suspended, had a
    suspension extended, resumed, expired or ended, a change due after the data's horizon that
    nobody reported (unconfirmed), and every other event dated in the window, by date.

    The window is --since to --until, both included (default: 7 days before --until to --until,
    which defaults to the as-of date); a month or year reaches from its first to its last day.
    States are as known on the as-of date (default today); nothing after it is listed. --from
    and --to are the origin and destination here as everywhere (they no longer set the window).
    An event that acts on others (extends, ends, suspends, confirms) matches a mineral or country
    filter when what it acts on does.

    -o FILE writes the rows (the fields of --json) as CSV, xlsx or JSON.

    Example: reetimeline changes --since 2025-11-01 --until 2025-11-30
    """
    day = as_of_date(as_of)
    sheet = sheet_format(output_path, fmt, bom, json_output)
    flt = filters.build(day)
    start, end = answers.window(day, parse_date_option(filters.since, "--since", day),
                                parse_date_option(filters.until, "--until", day))
    loaded = load_store()
    rows = answers.changes(loaded, flt, day, start, end)
    if not rows and not loaded.is_empty():
        say(f"no changes from {start} to {end}")
    if sheet is not None and output_path is not None:
        from .. import api

        write_answer(output_path, sheet, bom=bom, day=day, answer="changes", sheet="changes",
                     filters=describe_filters(filters), horizon=answers.horizon(loaded),
                     row_type=api.ChangeRow,
                     rows=[api.change_row(c, loaded.provenance(c.event).code) for c in rows],
                     extra=[("window", f"{start} to {end}")])  # fmt: skip
        return
    output(rows, json_output=json_output, record=lambda c: _change_record(c, loaded),
           view="changes_table",
           lines=_change_lines)  # fmt: skip


def _change_lines(rows):
    from ..output.plain import changes_lines

    return changes_lines(rows)


def _change_record(c, loaded) -> dict[str, Any]:
    from .. import api

    return api.record(api.change_row(c, loaded.provenance(c.event).code))


class _HistoryDays(Number):
    """`--history`: `all`, or a number of days as every option that counts days takes it."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and value.strip().casefold() == "all":
            return "all"
        try:
            return super().convert(value, param, ctx)
        except UsageError as error:
            raise UsageError(f"{error}, or --history all") from None


_days = days(MAX_WITHIN_DAYS, example=365)
History = Annotated[
    str | None,
    typer.Option(
        "--history",
        click_type=_HistoryDays(_days.low, _days.high, _days.unit, _days.example),
        metavar="DAYS|all",
        help="The events of the last DAYS up to the as-of date in the page's history "
        "(default 365; `all`: every event). Today's measures and the chart are the same.",
        show_default=False,
    ),
]


@app.command("report")
@with_filters
def report_command(
    filters: FilterArgs,
    output_path: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE.html", show_default=False,
                     help="The page to write (atomically)."),
    ],
    as_of: AsOf = None,
    title: Title = None,
    within: Within = None,
    recent: Recent = None,
    history: History = None,
) -> None:  # fmt: skip
    """Write a briefing page to share: one self-contained HTML file (no request to any other
    address; readable on a phone and with JavaScript off) with the as-of date, the filters and
    how current the data is, then the deadlines of the next 90 days (--within DAYS), what
    changed in the last 30 days (--recent DAYS), what restricts which minerals where, every
    measure's state today (in force, suspended, unconfirmed, announced, then ended), a chart of
    every measure's life, and the events of the last 12 months, newest first, with their sources
    as links (--history DAYS for another reach, --history all for every event).

    Every event that is not from the curated store is marked with the store it comes from;
    `reetimeline report --curated-only` leaves them out (a page safe to forward).

    Example: reetimeline report -o briefing.html -m gallium -m germanium
    """
    from ..output.formats import write_text_atomically
    from ..output.report import HISTORY_DAYS, make, render

    day = as_of_date(as_of)
    flt = filters.build(day)
    loaded = load_store()
    grid = matrix_of(loaded, filters, day)
    reach = HISTORY_DAYS if history is None else None if history == "all" else int(history)
    page = render(make(loaded, flt, day, describe_filters(filters), answers, grid, title=title,
                       within=within, recent=recent, history=reach))  # fmt: skip
    write_text_atomically(output_path, page)
    say(f"wrote the briefing as of {day} to {output_path}")
