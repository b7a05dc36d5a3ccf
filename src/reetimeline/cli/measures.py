"""The commands about measures and their dates: countdown, and status (with its --matrix)."""

from typing import Annotated, Any

import typer

from .. import store
from ..api import answers
from ..engine import query
from ..engine.states import Status, Target, countdown
from ..errors import UsageError
from ..model import MEASURE_CATEGORIES, Dated
from ..output.plain import countdown_lines, status_lines
from ..output.words import horizon_note, left_out_note
from . import completion
from .application import app
from .completion import completing
from .loading import event_by_id, load_store, matrix_of, say_if_nothing_matched
from .options import (
    AsOf,
    FilterArgs,
    JsonFlag,
    Recent,
    Within,
    as_of_date,
    describe_filters,
    with_filters,
)
from .printing import output, print_json, print_lines, say, show, use_rich
from .sheets import Bom, OutputFile, SheetFormat, sheet_format, write_answer
from .update import say_if_stale


def _target_record(t: Target, loaded: store.Store) -> dict[str, Any]:
    from .. import api

    return api.record(api.target_row(t, loaded.provenance(t.event).code))


@app.command("countdown")
@with_filters
def countdown_command(
    filters: FilterArgs,
    event_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="Only this event.",
            click_type=completing(completion.ids),
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    within: Within = None,
    recent: Recent = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also targets lapsed long ago, and the ends an extension or an end replaced.",
        ),
    ] = False,
    json_output: JsonFlag = False,
    output_path: OutputFile = None,
    fmt: SheetFormat = None,
    bom: Bom = False,
) -> None:
    """Count calendar days to every dated target: event dates, effective dates and expiries.

    By default: every upcoming target and those lapsed within the last 30 days. --within DAYS
    keeps targets from the as-of date to DAYS after it (lapsed ones only with --recent). An
    extension moves an expiry, listed once however many extensions follow one another (--all
    also lists the ends they or an end replaced, marked so); a date after the data's
    horizon that has passed unreported is marked "not confirmed". A month or year counts to its
    first day ahead, from its last day behind, and is "today" while it lasts.

    -o FILE writes the rows (the fields of --json) as CSV, xlsx or JSON.

    Example: reetimeline countdown --within 30
    """
    day = as_of_date(as_of)
    sheet = sheet_format(output_path, fmt, bom, json_output)
    flt = filters.build(day)
    loaded = load_store(filters)
    rows: list[Target[Dated]]
    if event_id is not None:
        event = event_by_id(event_id, loaded)
        # with an ID, all of that event's targets
        knowledge = answers.knowledge(loaded, day, confirmed=flt.confirmed)
        rows = countdown(query.select([event], flt), day, knowledge, answers.horizon(loaded),
                         flt=flt, within=within, recent=recent,
                         show_all=within is None, superseded=show_all)  # fmt: skip
    else:
        rows = answers.countdown(loaded, flt, day, within=within, recent=recent,
                                 show_all=show_all)  # fmt: skip
    if not rows and not loaded.is_empty():
        say(NO_TARGETS)
    if sheet is not None and output_path is not None:
        from .. import api

        options = [f"--within {within}"] * (within is not None) + [f"--recent {recent}"] * (
            recent is not None) + ["--all"] * show_all  # fmt: skip
        write_answer(output_path, sheet, bom=bom, day=day, answer="countdown", sheet="countdown",
                     filters=describe_filters(filters, *options, *([event_id] if event_id else [])),
                     horizon=answers.horizon(loaded), row_type=api.TargetRow,
                     rows=[api.target_row(t, loaded.provenance(t.event).code) for t in rows])
        return
    output(
        rows, json_output=json_output, record=lambda t: _target_record(t, loaded),
        view="countdown_table",
        lines=countdown_lines, origins=loaded.beside_curated(t.event for t in rows),
    )  # fmt: skip
    _say_horizon(loaded, day, json_output)


NO_TARGETS = "no dated targets in that window (try --all)"


def _say_horizon(loaded: store.Store, day, json_output: bool) -> None:
    """How current the data is, on stderr after the answer, on a terminal and piped alike (the
    TSV on stdout stays rows; the JSON carries `current_to` instead)."""
    note = horizon_note(answers.horizon(loaded), day)
    if note and not json_output:
        say(f"data: {note}")
    if not json_output and use_rich():
        say_if_stale(loaded)


@app.command("status")
@with_filters
def status_command(
    filters: FilterArgs,
    event_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="Only this measure, the parts of this package, or the measures this "
            "suspension, extension or end acts on (an id or its unique start).",
            click_type=completing(completion.ids),
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    matrix: Annotated[
        bool,
        typer.Option(
            "--matrix",
            help="A grid of minerals by destinations (--to, default US, JP, KR, EU and all): "
            "what restricts each mineral going there, by kind: the controls on the material "
            "first (strictest kind first, each with its state), then those on named users or "
            "technology only, marked '+'.",
        ),
    ] = False,
    show_ids: Annotated[
        bool, typer.Option("--ids", help="With --matrix: the measure ids in each cell.")
    ] = False,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also the measures that expired or ended more than a year before the as-of "
            "date (--json always has them, marked `history`).",
        ),
    ] = False,
    json_output: JsonFlag = False,
    output_path: OutputFile = None,
    fmt: SheetFormat = None,
    bom: Bom = False,
) -> None:
    """The state of each measure (export-control and tariff events) on a date: announced,
    in-force, suspended (by which event, until when), expired, ended (by which event), or
    unconfirmed (a change was due after the data's horizon and nothing reports it).

    Each state has `since` (its first day) and `until` (its last scheduled day). A suspension
    covers its effective (else its date) through its expiry, both days included, moved by any
    extension. Every event counts from its own date: before an extension was announced, the
    original end stands. A measure under a partial suspension stays in-force; its note says by
    what and until when. A package has no state of its own: its parts are listed.

    Each measure has a kind (--kind: ban, licensing, informal on the material; end-use-ban,
    entity-listing on named users; technology, extraterritorial; tariff) and restricts a flow:
    an export control exports from its issuer to its destinations, a tariff imports into its
    issuer from its origins. --from CODE and --to CODE select flows ("what restricts gallium
    going from CN to the US"); a suspension or truce is never listed as a restriction.

    Today first: in force, suspended, unconfirmed, announced, then ended and expired, the
    newest first within each (the latest `since`). A measure that expired or ended more than a
    year before the as-of date is left out, and counted in a line on stderr, unless --all or
    an ID is given.

    -o FILE writes the rows (the fields of --json; with --matrix its cells) as CSV, xlsx or JSON.

    Example: reetimeline status --as-of 2026-06-01 -m gallium --from CN --to US
    """
    day = as_of_date(as_of)
    sheet = sheet_format(output_path, fmt, bom, json_output)
    target = (output_path, sheet, bom) if sheet is not None and output_path is not None else None
    if show_ids and not matrix:
        raise UsageError("--ids goes with --matrix")
    if matrix and event_id is not None:
        raise UsageError("--matrix draws every matching measure: give no ID with it (try -m)")
    if matrix and show_all:
        raise UsageError("--all goes without --matrix: the matrix shows what applies on the day")
    if matrix:
        _status_matrix(filters, day, show_ids=show_ids, json_output=json_output, target=target)
        return
    flt = filters.build(day)
    if flt.categories is not None and flt.categories.isdisjoint(MEASURE_CATEGORIES):
        asked = sorted(flt.categories)
        raise UsageError(f"--category: {' and '.join(asked)} events are not measures; status "
                         f"shows the state of {' and '.join(MEASURE_CATEGORIES)} events (try "
                         f"`reetimeline list -k {asked[0]}`)")  # fmt: skip
    loaded = load_store(filters)
    flt, ids = _status_selection(loaded, flt, day, event_id)
    if json_output or target is not None:
        from .. import api

        answer = api.status(loaded, as_of=day, flt=flt, ids=ids)
        say_if_nothing_matched(len(answer), loaded)
        if target is None:
            print_json([api.record(row) for row in answer])
            return
        path, fmt, bom = target
        write_answer(path, fmt, bom=bom, day=day, answer="status", sheet="status",
                     filters=describe_filters(filters, *([event_id] if event_id else [])),
                     horizon=answers.horizon(loaded), row_type=api.StatusRow, rows=answer)
        return
    # what the person named (an ID) is shown whenever it ended
    rows, left_out = answers.today(loaded, flt, day, ids=ids,
                                   show_all=show_all or event_id is not None)  # fmt: skip
    if not left_out:
        say_if_nothing_matched(len(rows), loaded)
    output(rows, json_output=False, record=_status_record, view="status_table",
           lines=status_lines, origins=loaded.beside_curated(s.event for s in rows))  # fmt: skip
    if left_out:
        say(left_out_note(left_out))
    _say_horizon(loaded, day, json_output)


def _status_selection(loaded: store.Store, flt: query.Filter, day, event_id: str | None
                      ) -> tuple[query.Filter, list[str] | None]:  # fmt: skip
    """The filter and the measure ids `status` lists: with an ID, that measure, a package's
    parts or what a suspension, extension or end acts on; with -q words that match no measure
    but a suspension, extension or end, the measures those act on (said on stderr)."""
    if event_id is not None:
        event = event_by_id(event_id, loaded)
        ids = answers.measures_of(loaded, [event.id])
        if not ids:
            raise UsageError(f"'{event.id}' is a {event.category} event: not a measure, and it "
                             f"acts on none (try `reetimeline show {event.id}`)")  # fmt: skip
        if ids != [event.id]:
            say(f"the measures {event.id} stands for or acts on")
        return flt, ids
    if flt.text is None:
        return flt, None
    acting = answers.acting_matches(loaded, flt, day)
    acted_on = answers.measures_of(loaded, [e.id for e in acting])
    if not acted_on:
        return flt, None
    direct = [row.event.id for row in answers.status(loaded, flt, day)]
    names = ", ".join(e.id for e in acting)
    one = len(acting) == 1
    say(f"-q also matches {names}: the measures {'it acts' if one else 'they act'} on are listed "
        f"too" if direct else f"no measure matches -q: listing the measures that the matching "
        f"{names} {'acts' if one else 'act'} on")  # fmt: skip
    return flt._replace(text=None), [*direct, *(i for i in acted_on if i not in direct)]


def _status_matrix(filters: FilterArgs, day, *, show_ids: bool, json_output: bool,
                   target: tuple | None) -> None:  # fmt: skip
    from .. import api

    loaded = load_store()
    grid = matrix_of(loaded, filters, day)
    horizon = answers.horizon(loaded)
    if json_output or target is not None:
        cells = [api.matrix_cell(m, d, grid.cells[m, d])
                 for m in grid.minerals for d in grid.destinations]  # fmt: skip
        document = {
            "as_of": day.isoformat(),
            "current_to": str(horizon.date) if horizon.date else None,
            "data": horizon_note(horizon, day),
            "minerals": list(grid.minerals),
            "destinations": list(grid.destinations),
            "cells": [api.record(cell) for cell in cells],
        }
        if target is None:
            print_json(document)
            return
        path, fmt, bom = target
        write_answer(path, fmt, bom=bom, day=day, answer="status --matrix", sheet="matrix",
                     filters=describe_filters(filters, *["--ids"] * show_ids), horizon=horizon,
                     row_type=api.MatrixCell, rows=cells, document=document)
        return
    if not grid.minerals:
        say("no measures match")
    if use_rich():
        from ..output.render import matrix_table

        show(matrix_table(grid, show_ids=show_ids))
    else:
        from ..output.plain import matrix_lines

        print_lines(matrix_lines(grid, show_ids=show_ids))
    _say_horizon(loaded, day, json_output)


def _status_record(s: Status) -> dict[str, Any]:
    from .. import api

    return api.record(api.status_row(s))
