"""The commands that read events: check, list, timeline, show, countdown and status."""

from pathlib import Path
from typing import Annotated, cast

import typer

from .. import store
from ..api import answers
from ..engine import query
from ..engine.states import (
    countdown,
    end_of,
    status_of,
    targets,
)
from ..model import MEASURE_CATEGORIES, Event, event_to_record
from ..output.plain import (
    LIST_HEADER,
    detail_lines,
    json_fragment,
    list_line,
)
from ..output.words import counted, flow_words, horizon_note
from ..text import visible
from . import completion
from .application import app
from .completion import completing
from .loading import event_by_id, load_store, say_if_nothing_matched
from .options import AsOf, FilterArgs, JsonFlag, Number, Title, as_of_date, with_filters
from .paths import cache_dir, settings, store_paths
from .printing import (
    console,
    paged,
    print_json,
    print_json_list,
    print_lines,
    say,
    show,
    use_rich,
)
from .typer_adapter import Command
from .update import say_if_stale

# --- commands --------------------------------------------------------------------------------

# The largest numbers the options take: beyond them no store or calendar has anything to show,
# and dates and SQL limits would overflow.
MAX_LIMIT = 1_000_000_000
MAX_WIDTH = 1_000


@app.command("check")
def check_command(
    json_output: JsonFlag = False,
) -> None:
    """Validate every store in use and report every problem, one line each, then how many
    problems each file with problems has.

    Exit 0 when clean, 1 when not.

    Example: reetimeline --store team-events/ --with-curated check
    """
    paths = store_paths()
    loaded, problems = store.read(paths, cache_dir=cache_dir(), deferred=settings().deferred)
    if json_output:
        print_json(
            {
                "files": [str(p) for p in loaded.files],
                "events": loaded.count(),
                "problems": [p.to_dict() for p in problems],
            }
        )
    else:
        for problem in problems:
            say(str(problem))
        if problems:
            say(_problems_summary(problems))
        else:
            files = ", ".join(str(p) for p in loaded.files) or "no store files"
            print(f"ok: {counted(loaded.count(), 'event')} in {visible(files)}")
    if problems:
        raise typer.Exit(1)


def _problems_summary(problems) -> str:
    """ "3 problems in team/bob.toml", or "4 problems: 3 in team/bob.toml, 1 in c.toml": only
    the files that have problems."""
    from collections import Counter

    counts = Counter(p.path for p in problems)
    if len(counts) == 1:
        return f"{counted(len(problems), 'problem')} in {next(iter(counts))}"
    each = ", ".join(f"{count} in {path}" for path, count in counts.items())
    return f"{counted(len(problems), 'problem')}: {each}"


@app.command("list")
@with_filters
def list_events(
    filters: FilterArgs,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            click_type=Number(1, MAX_LIMIT, "events", example=10),
            metavar="N",
            show_default=False,
            help=f"At most N events (1 to {MAX_LIMIT:,}).",
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """List events sorted by date, with their dates as written (year, month or day).

    Example: reetimeline list --mineral dysprosium --since 2025
    """
    if use_rich() and not json_output:
        _list_table(filters, reverse=reverse, limit=limit)
        return
    # For programs and pipes: a line (or a JSON object) per selected event.
    flt = filters.build()
    loaded = load_store(filters)
    if json_output:
        events = loaded.select(flt, reverse=reverse, limit=limit)
        count = print_json_list(json_fragment(e, loaded.provenance(e).code) for e in events)
    else:
        # a brief holds every field of a list line, and is read in a fraction of the time
        briefs = cast(list[Event], loaded.briefs(flt, reverse=reverse, limit=limit))
        print_lines([LIST_HEADER])
        count = print_lines(list_line(e) for e in briefs)
    say_if_nothing_matched(count, loaded)


def _list_table(filters: FilterArgs, *, reverse: bool, limit: int | None) -> None:
    """`list` on a terminal; with -m, each row says which of its minerals matched (the mineral
    asked for, else the group or member it matched through), and a hint names --exact when
    more rows match through a group than name the mineral."""
    from ..output.render import events_table
    from ..output.words import exact_hint
    from ..vocab import MINERALS

    flt = filters.build()  # usage errors before the store is read
    loaded = load_store(filters)
    events = loaded.select(flt, reverse=reverse, limit=limit)
    say_if_nothing_matched(len(events), loaded)
    origins = loaded.beside_curated(events)
    if not filters.mineral:
        show(events_table(events, origins=origins))
        return
    asked = query.resolve_names(filters.mineral, MINERALS)
    matched = [query.matched_minerals(e, flt, asked) for e in events]
    show(events_table(events, matched=matched, origins=origins))
    hint = "" if filters.exact else exact_hint(asked, matched)
    if hint:
        say(hint)


@app.command("timeline")
@with_filters
def timeline_command(
    filters: FilterArgs,
    as_of: AsOf = None,
    svg: Annotated[
        Path | None,
        typer.Option("--svg", metavar="FILE", help="Also save as SVG.", show_default=False),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Also save as HTML.", show_default=False),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            click_type=Number(40, MAX_WIDTH, "columns", example=100),
            metavar="COLUMNS",
            show_default=False,
            help=f"Width for the picture (40 to {MAX_WIDTH}).",
        ),
    ] = None,
    measures: Annotated[
        bool,
        typer.Option(
            "--measures",
            help="One row per measure: its states as bands across time "
            "(--since/--until set the span).",
        ),
    ] = False,
    title: Title = None,
) -> None:
    """Draw the timeline: year headings, a marker per event coloured by category, effective and
    expiry dates as rows of their own, and a "today" rule between past and future.

    --svg and --html save it for a report: with a title, a caption (what was selected, the
    as-of date, how current the data is), a legend, colours that stay distinct for colour-blind
    readers (Okabe-Ito) and no window frame; the HTML links every source.

    Example: reetimeline timeline --since 2025 --svg timeline.svg
    """
    day = as_of_date(as_of)
    flt = filters.build(day)
    loaded = load_store(filters)
    events = loaded.select(flt)
    say_if_nothing_matched(len(events), loaded)
    knowledge = answers.knowledge(loaded, day, confirmed=flt.confirmed)
    if measures:
        from ..output.render import life_chart

        lives, start, end = _measure_lives(flt, day, knowledge, loaded)
        columns = max(20, (width or console().width) - 38)
        picture = life_chart(lives, start, end, day, width=columns,
                             data_note=horizon_note(answers.horizon(loaded), day))  # fmt: skip
    else:
        from ..output.render import timeline

        label = "today" if as_of is None else "as of"
        rows = countdown(events, day, knowledge, answers.horizon(loaded), flt=flt, show_all=True)
        picture = timeline(rows, day, today_label=label,
                           data_note=horizon_note(answers.horizon(loaded), day))  # fmt: skip
    out = console(width=width)
    if use_rich():
        with paged(out):
            out.print(picture)
        say_if_stale(loaded)
    else:
        # piped: the same lines, without the padding Rich puts at their ends
        with out.capture() as captured:
            out.print(picture)
        print_lines(line.rstrip() for line in captured.get().splitlines())
    if svg or html:
        # the picture for a report is always in colour, whatever the terminal
        from ..output.formats import write_text_atomically
        from ..output.render import life_picture, picture_html, picture_svg
        from ..output.render import picture as report_picture

        for path, draw, links in ((svg, picture_svg, False), (html, picture_html, True)):
            if path is None:
                continue
            if measures:
                shown = life_picture(lives, start, end, day, width=max(20, (width or 100) - 38),
                                     caption=_caption(filters),
                                     data_note=horizon_note(answers.horizon(loaded),
                                                            day))  # fmt: skip
            else:
                shown = report_picture(
                    rows,
                    day,
                    today_label=label,
                    caption=_caption(filters),
                    data_note=horizon_note(answers.horizon(loaded), day),
                    links=links,
                )
            write_text_atomically(path, draw(shown, width=width or 100,
                                                 title=title or "Critical-minerals timeline"))
            say(f"wrote the timeline to {visible(str(path))}")


def _caption(filters: FilterArgs) -> str:
    """What a picture shows, in words: "Events from 2026-06 about dysprosium"."""
    from ..output.plain import visible

    def either(values: list[str] | None) -> str:
        return " or ".join(visible(v) for v in values or ())

    parts = []
    if filters.since or filters.until:
        parts.append(
            " ".join(
                p
                for p in (
                    f"from {filters.since}" if filters.since else "",
                    f"to {filters.until}" if filters.until else "",
                )
                if p
            )
        )
    for values, words in (
        (filters.category, "in"),
        (filters.mineral, "about"),
        (filters.country, "involving"),
        (filters.tag, "tagged"),
        (filters.issuer, "imposed by"),
        (filters.origin, "on trade from"),
        (filters.to, "applying to"),
        (filters.kind, "of kind"),
    ):
        if values:
            parts.append(f"{words} {either(values)}")
    if filters.text:
        parts.append(f'mentioning "{visible(filters.text)}"')
    if filters.exact:
        parts.append("matched exactly")
    caption = "Events " + ", ".join(parts) if parts else "All events"
    return caption + (" (confirmed only)" if filters.confirmed else "")


def _measure_lives(flt, day, knowledge, loaded):
    """`timeline --measures`: the lives of the selected measures, and the span to draw."""
    import datetime as dt

    from ..engine.briefing import lives

    horizon = answers.horizon(loaded)
    # --since/--until set the span: every measure alive in it is drawn
    end = flt.until or day + dt.timedelta(days=90)
    measures = [e for e in loaded.select(flt._replace(since=None, until=None))
                if e.category in MEASURE_CATEGORIES and e.date.first() <= end]  # fmt: skip
    start = flt.since or min((m.date.first() for m in measures), default=day)
    return lives(measures, knowledge, horizon, end), start, end


@app.command("show", cls=Command)
def show_command(
    event_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The event's id.", click_type=completing(completion.ids)),
    ],
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """Show one event in full: every date with its role, summary, minerals, countries,
    confidence, numbered sources, what it suspends or relates to and what suspends it.

    Example: reetimeline show mofcom-suspends-october-measures
    """
    from .. import api

    day = as_of_date(as_of)
    loaded = load_store()
    event = event_by_id(event_id, loaded)
    knowledge = answers.knowledge(loaded, day)
    horizon = answers.horizon(loaded)
    acting = loaded.acting_on(event.id)
    rows = targets([event], day, knowledge, horizon)
    # a package (named in the `part_of` of its parts) has no state of its own: its parts do
    measures = loaded.briefs(query.Filter(), known_by=day)
    parts = [status_of(e, knowledge, horizon) for e in measures if e.part_of == event.id]
    state = None
    if event.category in MEASURE_CATEGORIES and knowledge.knows(event) and not parts:
        state = status_of(event, knowledge, horizon)
    end = end_of(event, knowledge)
    if json_output:
        record = event_to_record(event)
        record["suspended_by"] = [e.id for e in acting if event.id in e.suspends]
        record["extended_by"] = [e.id for e in acting if event.id in e.extends]
        record["ended_by"] = [e.id for e in acting if event.id in e.ends]
        record["runs_until"] = str(end.date) if end.date else None
        source = loaded.provenance
        record["state"] = (api.record(api.status_row(state, source(state.event).code))
                           if state is not None else None)  # fmt: skip
        record["targets"] = [api.record(api.target_row(t, loaded.provenance(t.event).code))
                             for t in rows]  # fmt: skip
        record.update(kind=event.kind, flow=flow_words(event), partial=event.partial,
                      part_of=event.part_of, confirms=list(event.confirms))  # fmt: skip
        record["parts"] = [api.record(api.status_row(p, source(p.event).code)) for p in parts]
        # the horizon that applies to this event: its own (its store's), else the data's
        current = event.current_to or horizon.date
        record["current_to"] = str(current) if current else None
        record["from"] = loaded.provenance(event).code
        print_json(record)
        return
    from ..output.detail import event_detail

    detail = event_detail(event, targets=rows, acting=acting, lookup=loaded.get, state=state,
                          end=end, data_note=horizon_note(horizon, day), parts=parts,
                          horizon=horizon.date, source=loaded.provenance(event))  # fmt: skip
    if use_rich():
        from ..output import render

        show(render.event_detail(detail), crop=False)
        say_if_stale(loaded)
    else:
        print_lines(detail_lines(detail))
