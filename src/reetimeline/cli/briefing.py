"""The weekly briefing: what changed between two dates, and a page to share."""

import datetime as dt
from typing import Annotated, Any

import typer

from ..errors import UsageError
from . import (
    AsOf,
    FilterArgs,
    JsonFlag,
    app,
    as_of_date,
    load_store,
    output,
    parse_date_option,
    say,
    with_filters,
)


@app.command("changes")
@with_filters(respell={"to": "--destination"})
def changes_command(
    filters: FilterArgs,
    first: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", show_default=False,
                     help="First day of the window (default: 7 days before the as-of date)."),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", show_default=False,
                     help="Last day of the window (default: the as-of date)."),
    ] = None,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:  # fmt: skip
    """What changed between two dates: every measure that took effect, was suspended, had a
    suspension extended, resumed, expired or ended, a change due after the data's horizon that
    nobody reported (unconfirmed), and every other event dated in the window, by date.

    Both ends are included. States are as known on the as-of date (default today); nothing
    after it is listed. The destination filter is --destination here (--to ends the window).

    Example: reetimeline changes --from 2025-11-01 --to 2025-11-30
    """
    day = as_of_date(as_of)
    end = _day(parse_date_option(last, "--to", day), "--to", last) if last else day
    start = (_day(parse_date_option(first, "--from", day), "--from", first, first_day=True)
             if first else end - dt.timedelta(days=7))  # fmt: skip
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    flt = filters.build(day)
    loaded = load_store()
    rows = loaded.changes(flt, day, start, min(end, day))
    if not rows and not loaded.is_empty():
        say(f"no changes from {start} to {min(end, day)}")
    output(rows, json_output=json_output, record=_change_record, view="changes_table",
           lines=_change_lines)  # fmt: skip


def _day(date, option: str, text: str, *, first_day: bool = False) -> dt.date:
    """A window end: a month or year stands for its first day (--from) or last day (--to)."""
    assert date is not None
    return date.first() if first_day else date.last()


def _change_lines(rows):
    from ..plain import changes_lines

    return changes_lines(rows)


def _change_record(c) -> dict[str, Any]:
    return {
        "date": c.date.isoformat(),
        "id": c.event.id,
        "title": c.event.title,
        "category": c.event.category,
        "change": c.change,
        "by": c.by.id if c.by else None,
        "confidence": c.confidence,
        "sources": len(c.event.sources),
        "note": c.note,
    }
