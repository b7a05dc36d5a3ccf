"""The commands that read events: check, list, timeline, show, countdown, status, and the
overviews stats, vocab and doctor."""

import os
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from .. import store
from ..api import answers
from ..engine import query
from ..engine.states import (
    Status,
    Target,
    countdown,
    describe_days,
    end_of,
    status_note,
    status_of,
    targets,
)
from ..errors import UsageError
from ..model import CATEGORIES, MEASURE_CATEGORIES, Dated, Event, event_to_record, json_fragment
from ..output.plain import (
    LIST_HEADER,
    countdown_lines,
    detail_lines,
    list_line,
    status_lines,
)
from ..text import visible
from . import (
    NO_HOME,
    AsOf,
    FilterArgs,
    JsonFlag,
    _say_if_nothing_matched,
    _settings,
    app,
    as_of_date,
    cache_dir,
    color_decision,
    completion,
    console,
    deferred,
    load_store,
    output,
    paged,
    pager_decision,
    print_json,
    print_json_list,
    print_lines,
    say,
    selected,
    show,
    store_paths,
    use_rich,
    user_store_path,
    with_filters,
)
from .completion import completing

# --- commands --------------------------------------------------------------------------------

# The largest numbers the options take: beyond them no store or calendar has anything to show,
# and dates and SQL limits would overflow.
MAX_LIMIT = 1_000_000_000
MAX_WITHIN_DAYS = 36_525  # a hundred years
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
    loaded, problems = store.read(paths, cache_dir=cache_dir(), deferred=deferred())
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
            print(f"ok: {loaded.count()} events in {visible(files)}")
    if problems:
        raise typer.Exit(1)


def _problems_summary(problems) -> str:
    """ "3 problems in team/bob.toml", or "4 problems: 3 in team/bob.toml, 1 in c.toml": only
    the files that have problems."""
    from collections import Counter

    def plural(count: int) -> str:
        return f"{count} problem{'s' if count != 1 else ''}"

    counts = Counter(p.path for p in problems)
    if len(counts) == 1:
        return f"{plural(len(problems))} in {next(iter(counts))}"
    each = ", ".join(f"{count} in {path}" for path, count in counts.items())
    return f"{plural(len(problems))}: {each}"


@app.command("list")
@with_filters
def list_events(
    filters: FilterArgs,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            max=MAX_LIMIT,
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
        from ..output.render import events_table

        show(events_table(selected(filters, reverse=reverse, limit=limit)))
        return
    # For programs and pipes: a line (or a JSON object) per selected event.
    flt = filters.build()
    loaded = load_store(filters)
    if json_output:
        events = loaded.select(flt, reverse=reverse, limit=limit)
        count = print_json_list(json_fragment(e) for e in events)
    else:
        # a brief holds every field of a list line, and is read in a fraction of the time
        briefs = cast(list[Event], loaded.briefs(flt, reverse=reverse, limit=limit))
        print_lines([LIST_HEADER])
        count = print_lines(list_line(e) for e in briefs)
    _say_if_nothing_matched(count, loaded)


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
            min=40,
            max=MAX_WIDTH,
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
    title: Annotated[
        str,
        typer.Option("--title", metavar="TEXT", help="The picture's title."),
    ] = "Critical-minerals timeline",
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
    _say_if_nothing_matched(len(events), loaded)
    knowledge = answers.knowledge(loaded, day, confirmed=flt.confirmed)
    if measures:
        picture = _measure_lives(flt, day, knowledge, loaded, width)
    else:
        from ..output.render import timeline

        label = "today" if as_of is None else "as of"
        rows = countdown(events, day, knowledge, answers.horizon(loaded), flt=flt, show_all=True)
        picture = timeline(rows, day, today_label=label,
                           data_note=answers.horizon(loaded).describe(day))  # fmt: skip
    out = console(width=width)
    if use_rich():
        with paged(out):
            out.print(picture)
    else:
        # piped: the same lines, without the padding Rich puts at their ends
        with out.capture() as captured:
            out.print(picture)
        print_lines(line.rstrip() for line in captured.get().splitlines())
    if svg or html:
        # the picture for a report is always in colour, whatever the terminal
        from ..output.formats.export import write_text_atomically
        from ..output.render import picture as report_picture
        from ..output.render import picture_html, picture_svg

        for path, draw, links in ((svg, picture_svg, False), (html, picture_html, True)):
            if path is None:
                continue
            shown = report_picture(
                rows,
                day,
                today_label=label,
                caption=_caption(filters),
                data_note=answers.horizon(loaded).describe(day),
                links=links,
            )
            write_text_atomically(path, draw(shown, width=width or 100, title=title))


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
        (filters.to, "applying to"),
    ):
        if values:
            parts.append(f"{words} {either(values)}")
    if filters.text:
        parts.append(f'mentioning "{visible(filters.text)}"')
    if filters.exact:
        parts.append("matched exactly")
    caption = "Events " + ", ".join(parts) if parts else "All events"
    return caption + (" (confirmed only)" if filters.confirmed else "")


def _measure_lives(flt, day, knowledge, loaded, width):
    """`timeline --measures`: the life chart of the selected measures."""
    import datetime as dt

    from ..engine.briefing import lives
    from ..output.render import life_chart

    horizon = answers.horizon(loaded)
    # --since/--until set the span: every measure alive in it is drawn
    end = flt.until or day + dt.timedelta(days=90)
    measures = [e for e in loaded.select(flt._replace(since=None, until=None))
                if e.category in MEASURE_CATEGORIES and e.date.first() <= end]  # fmt: skip
    start = flt.since or min((m.date.first() for m in measures), default=day)
    rows = lives(measures, knowledge, horizon, end)
    columns = max(20, (width or console().width) - 38)
    return life_chart(rows, start, end, day, width=columns, data_note=horizon.describe(day))


@app.command("show")
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
    day = as_of_date(as_of)
    loaded = load_store()
    event = _event_by_id(event_id, loaded)
    knowledge = answers.knowledge(loaded, day)
    horizon = answers.horizon(loaded)
    acting = loaded.acting_on(event.id)
    rows = targets([event], day, knowledge, horizon)
    state = None
    if event.category in MEASURE_CATEGORIES and knowledge.knows(event):
        state = status_of(event, knowledge, horizon)
    end = end_of(event, knowledge) if event.expires is not None else None
    if json_output:
        record = event_to_record(event)
        record["suspended_by"] = [e.id for e in acting if event.id in e.suspends]
        record["extended_by"] = [e.id for e in acting if event.id in e.extends]
        record["ended_by"] = [e.id for e in acting if event.id in e.ends]
        record["runs_until"] = str(end.date) if end is not None and end.date else None
        record["state"] = _status_record(state) if state is not None else None
        record["targets"] = [_target_record(t) for t in rows]
        record["current_to"] = str(horizon.date) if horizon.date else None
        print_json(record)
        return
    from ..output.detail import event_detail

    detail = event_detail(event, targets=rows, acting=acting, lookup=loaded.get, state=state,
                          end=end, data_note=horizon.describe(day))  # fmt: skip
    if use_rich():
        from ..output import render

        show(render.event_detail(detail), crop=False)
    else:
        print_lines(detail_lines(detail))


def _no_such_event(event_id: str, loaded: store.Store) -> UsageError:
    from ..vocab import did_you_mean

    return UsageError(f"no event '{event_id}'{did_you_mean(event_id, loaded.ids())}")


def _event_by_id(event_id: str, loaded: store.Store):
    """The event with this id, or the only one whose id starts with it; several candidates or
    none are a usage error that names them (or the closest id)."""
    event = loaded.get(event_id)
    if event is not None:
        return event
    wanted = event_id.casefold()
    candidates = sorted(i for i in loaded.ids() if i.casefold().startswith(wanted))
    if len(candidates) == 1:
        return loaded.get(candidates[0])
    if not candidates:
        raise _no_such_event(event_id, loaded)
    shown = ", ".join(candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    raise UsageError(f"'{event_id}' starts {len(candidates)} ids: {shown}{more}; give more of it")


def _target_record(t: Target) -> dict[str, Any]:
    return {
        "id": t.event.id,
        "title": t.event.title,
        "category": t.event.category,
        "kind": t.kind,
        "date": str(t.date),
        "precision": t.date.precision,
        "days": t.days,
        "when": describe_days(t),
        "confidence": t.confidence,
        "extended_by": t.extended_by.id if t.extended_by else None,
        "superseded": t.superseded,
        "replaced_by": t.replaced_by.id if t.replaced_by else None,
        "unconfirmed": t.unconfirmed,
    }


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
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=0,
            max=MAX_WITHIN_DAYS,
            metavar="DAYS",
            help=f"Only targets from the as-of date to DAYS after it (0 to {MAX_WITHIN_DAYS}).",
            show_default=False,
        ),
    ] = None,
    recent: Annotated[
        int | None,
        typer.Option(
            "--recent",
            min=0,
            max=MAX_WITHIN_DAYS,
            metavar="DAYS",
            help="Also targets lapsed in the last DAYS (default 30 without --within).",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also targets lapsed long ago.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Count calendar days to every dated target: event dates, effective dates and expiries.

    By default: every upcoming target and those lapsed within the last 30 days. --within DAYS
    keeps targets from the as-of date to DAYS after it (lapsed ones only with --recent). An
    extension moves an expiry (the original stays, marked as replaced); a date after the data's
    horizon that has passed unreported is marked "not confirmed". A month or year counts to its
    first day ahead, from its last day behind, and is "today" while it lasts.

    Example: reetimeline countdown --within 30
    """
    day = as_of_date(as_of)
    flt = filters.build(day)
    loaded = load_store(filters)
    rows: list[Target[Dated]]
    if event_id is not None:
        event = _event_by_id(event_id, loaded)
        # with an ID, all of that event's targets
        knowledge = answers.knowledge(loaded, day, confirmed=flt.confirmed)
        rows = countdown(query.select([event], flt), day, knowledge, answers.horizon(loaded),
                         flt=flt,
                         within=within, recent=recent, show_all=within is None)  # fmt: skip
    else:
        rows = answers.countdown(loaded, flt, day, within=within, recent=recent,
                                 show_all=show_all)  # fmt: skip
    if not rows and not loaded.is_empty():
        say(NO_TARGETS)
    output(
        rows, json_output=json_output, record=_target_record, view="countdown_table",
        lines=countdown_lines,
    )  # fmt: skip
    _say_horizon(loaded, day, json_output)


NO_TARGETS = "no dated targets in that window (try --all)"


def _say_horizon(loaded: store.Store, day, json_output: bool) -> None:
    """How current the data is, on stderr after the answer, for people at a terminal (the JSON
    carries `current_to`; plain rows say it in the note of an unconfirmed state)."""
    note = answers.horizon(loaded).describe(day)
    if note and not json_output and use_rich():
        say(f"data: {note}")


@app.command("status")
@with_filters
def status_command(
    filters: FilterArgs,
    as_of: AsOf = None,
    matrix: Annotated[
        bool,
        typer.Option(
            "--matrix",
            help="A grid of minerals by destinations (--to, default US, "
            "JP, KR, EU and all): the strongest state of the measures that apply.",
        ),
    ] = False,
    show_ids: Annotated[
        bool, typer.Option("--ids", help="With --matrix: the measure ids in each cell.")
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """The state of each measure (export-control and tariff events) on a date: announced,
    in-force, suspended (by which event, until when), expired, ended (by which event), or
    unconfirmed (a change was due after the data's horizon and nothing reports it).

    Each state has `since` (its first day) and `until` (its last scheduled day). A suspension
    covers its effective (else its date) through its expiry, both days included, moved by any
    extension. Every event counts from its own date: before an extension was announced, the
    original end stands. --to CODE answers "what restricts exports to CODE".

    Example: reetimeline status --as-of 2026-06-01 -m gallium --to US
    """
    day = as_of_date(as_of)
    if show_ids and not matrix:
        raise UsageError("--ids goes with --matrix")
    if matrix:
        # the destinations are the columns: measures are selected by mineral, not by --to
        flt = filters._replace(to=None).build(day)
        _status_matrix(flt, filters, day, show_ids=show_ids, json_output=json_output)
        return
    flt = filters.build(day)
    if flt.categories is not None and flt.categories.isdisjoint(MEASURE_CATEGORIES):
        asked = sorted(flt.categories)
        raise UsageError(f"--category: {' and '.join(asked)} events are not measures; status "
                         f"shows the state of {' and '.join(MEASURE_CATEGORIES)} events (try "
                         f"`reetimeline list -k {asked[0]}`)")  # fmt: skip
    loaded = load_store(filters)
    rows = answers.status(loaded, flt, day)
    _say_if_nothing_matched(len(rows), loaded)
    output(
        rows, json_output=json_output, record=_status_record, view="status_table",
        lines=status_lines,
    )  # fmt: skip
    _say_horizon(loaded, day, json_output)


def _status_matrix(flt, filters: FilterArgs, day, *, show_ids: bool, json_output: bool) -> None:
    from ..engine.briefing import DEFAULT_DESTINATIONS, matrix
    from ..engine.query import resolve_names
    from ..vocab import COUNTRIES_VOCAB, MINERALS

    destinations: tuple[str, ...] = DEFAULT_DESTINATIONS
    if filters.to:
        destinations = tuple(dict.fromkeys(
            "all" if name.casefold() == "all" else resolve_names([name], COUNTRIES_VOCAB,
                                                                 option="--to")[0]
            for name in filters.to))  # fmt: skip
    minerals = None
    if filters.mineral:
        rows = []
        for name in resolve_names(filters.mineral, MINERALS, option="--mineral"):
            rows.extend(_members(name, MINERALS.groups) if not filters.exact else [name])
        minerals = list(dict.fromkeys(rows))
    loaded = load_store()
    grid = matrix(answers.status(loaded, flt, day), destinations, minerals)
    horizon = answers.horizon(loaded)
    if json_output:
        print_json({
            "as_of": day.isoformat(),
            "current_to": str(horizon.date) if horizon.date else None,
            "minerals": list(grid.minerals),
            "destinations": list(grid.destinations),
            "cells": [
                {"mineral": m, "destination": d, "state": grid.cells[m, d].state,
                 "measures": [{"id": i, "state": st} for i, st in grid.cells[m, d].measures]}
                for m in grid.minerals for d in grid.destinations
            ],
        })  # fmt: skip
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


def _members(name: str, groups) -> list[str]:
    """A group's single minerals (through its subgroups); a mineral itself."""
    if name not in groups:
        return [name]
    return [m for member in groups[name] for m in _members(member, groups)]


def _status_record(s: Status) -> dict[str, Any]:
    return {
        "id": s.event.id,
        "title": s.event.title,
        "category": s.event.category,
        "state": s.state,
        "since": str(s.since) if s.since else None,
        "until": str(s.until) if s.until else None,
        "by": s.by.id if s.by else None,
        "extended_by": s.extended_by.id if s.extended_by else None,
        "confidence": s.confidence,
        "never_took_effect": s.never_took_effect,
        "scheduled": s.scheduled,
        "last_known": s.last_known,
        "lapsed": s.lapsed.id if s.lapsed else None,
        "issuer": s.event.issuer,
        "applies_to": list(s.event.applies_to),
        "current_to": str(s.horizon.date) if s.horizon.date else None,
        "note": status_note(s),
    }


# --- overviews: stats, vocab, doctor ---------------------------------------------------------


@app.command("stats")
@with_filters(respell={"by": "--issuer"})
def stats_command(
    filters: FilterArgs,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="KEY", help="Only one count: year, category, mineral or "
                     "country.", click_type=completing(completion.stats_keys)),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Minerals and countries shown "
                                     "(all with --by).")] = 10,
    json_output: JsonFlag = False,
) -> None:  # fmt: skip
    """Count events per year and category, and the busiest minerals and countries, as bar charts.

    Example: reetimeline stats --since 2025 --by mineral
    """
    by = by.casefold() if by is not None else None
    if by is not None and by not in query.STATS_KEYS:
        raise UsageError(f"--by: choose one of {', '.join(query.STATS_KEYS)}")
    flt = filters.build()
    loaded = load_store(filters)
    if loaded.count_matching(flt) == 0 and not loaded.is_empty():
        say("no events match")
    sections = {}
    for key in [by] if by else query.STATS_KEYS:
        rows = loaded.count_by(flt, key)
        sections[key] = rows if by or key in ("year", "category") else rows[:top]
    if json_output:
        print_json({k: [{"key": key, "count": n} for key, n in rows]
                    for k, rows in sections.items()})  # fmt: skip
    elif use_rich():
        from ..output.render import stats_charts

        show(stats_charts(sections))
    else:
        from ..output.plain import stats_lines

        print_lines(stats_lines(sections))


@app.command("vocab")
def vocab_command(
    kind: Annotated[
        str,
        typer.Argument(metavar="minerals|countries|categories", help="Which vocabulary.",
                       click_type=completing(completion.vocabularies)),
    ],
    json_output: JsonFlag = False,
) -> None:  # fmt: skip
    """List what you may type: minerals and countries with their aliases and groups, categories.

    Example: reetimeline vocab minerals
    """
    from ..vocab import COUNTRIES_VOCAB, MINERALS

    kind = kind.casefold()
    entries: list[dict[str, Any]]
    if kind == "categories":
        entries = [{"name": c, "label": c, "aliases": [], "groups": [], "members": []}
                   for c in CATEGORIES]  # fmt: skip
    elif kind in ("minerals", "countries"):
        entries = (MINERALS if kind == "minerals" else COUNTRIES_VOCAB).entries()
    else:
        raise UsageError(f"vocab: choose minerals, countries or categories, not {kind!r}")
    if json_output:
        print_json(entries)
    elif use_rich():
        from ..output.render import vocab_table

        show(vocab_table(kind, entries))
    else:
        from ..output.plain import vocab_lines

        print_lines(vocab_lines(entries))


@app.command("doctor")
def doctor_command(as_of: AsOf = None, json_output: JsonFlag = False) -> None:
    """Say what is in use: version, Python, the stores, whether each loads (checked together,
    as `check` does) and up to when its facts were checked, how current the data is, the user
    store, the cache and its state, the config file and whether it was read, and the colour and
    pager decisions with their reasons.

    Example: reetimeline doctor
    """
    import platform

    from .. import __version__

    day = as_of_date(as_of)
    states, cache = store.inspect(store_paths(), cache_dir(), deferred=deferred())
    stores = [{"path": str(f.path), "state": f.state, "problems": f.problems, "events": f.events,
               "current_to": str(f.current_to) if f.current_to else None}
              for f in states]  # fmt: skip
    declared = [store.ParsedFile(str(f.path), (), f.current_to) for f in states if f.current_to]
    data = answers.horizon(store.Store([], declared)).describe(day)
    folder = cache.folder
    color, why = color_decision()
    pager, pager_why = pager_decision()
    config = _settings().config
    user = user_store_path()
    report: dict[str, Any] = {
        "version": __version__,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "stores": stores,
        "user_store": {"path": str(user) if user else None, "exists": bool(user and user.exists())},
        "cache": {
            "path": str(folder) if folder else None,
            "state": ("off (REETIMELINE_NO_CACHE)" if os.environ.get("REETIMELINE_NO_CACHE")
                      else f"off ({NO_HOME})") if folder is None else (
                f"{cache.files} store(s) cached, {cache.size / 1e6:.1f} MB" if cache.files
                else "empty"),
        },
        "data": data or None,
        "config": {"path": str(config.path) if config.path else None, "read": config.read},
        "color": {"on": color, "why": why},
        "pager": pager,
        "pager_why": pager_why,
    }  # fmt: skip
    if json_output:
        print_json(report)
        return
    lines = [
        f"reetimeline {report['version']} on {report['python']}",
        *(f"store       {visible(str(s['path']))}: {s['state']}, {s['events']} events"
          + (f", current to {s['current_to']}" if s["current_to"] else "")
          + (f", {s['problems']} problems (run `reetimeline check`)" if s["problems"] else "")
          for s in stores),
        "data        " + (visible(data) if data else
                              "no store says up to when its facts were checked"),
        f"user store  {visible(str(user))}"
        + ("" if report["user_store"]["exists"] else " (not created yet; `add` creates it)")
        if user else f"user store  none: {NO_HOME}",
        f"cache       {visible(str(folder))}: {report['cache']['state']}"
        if folder else f"cache       {report['cache']['state']}",
        (f"config      {visible(str(config.path))}"
         + (" (read)" if config.read else " (not found)")
         if config.path else f"config      none: {NO_HOME}"),
        f"colour      {'on' if color else 'off'} ({why})",
        f"pager       {'on' if pager else 'off'} ({pager_why})",
    ]  # fmt: skip
    from . import stdout_is_terminal  # looked up now: tests pretend to be a terminal

    if stdout_is_terminal():
        lines = _fit_lines(lines, indent=12)
    print_lines(lines)


def _fit_lines(lines: list[str], *, indent: int) -> list[str]:
    """Lines wrapped to the terminal's width between words, continuing under the value at
    `indent`; a word longer than the width (a long path) keeps a line of its own, whole."""
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    out = []
    for line in lines:
        out += textwrap.wrap(line, width=width, subsequent_indent=" " * indent,
                             break_long_words=False, break_on_hyphens=False) or [""]  # fmt: skip
    return out
