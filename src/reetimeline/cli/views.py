"""The commands that read events: check, list, timeline, show, countdown, status, and the
overviews stats, vocab and doctor."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import query, store
from ..errors import UsageError
from ..model import CATEGORIES, event_to_record, json_fragment
from ..plain import LIST_HEADER, countdown_lines, list_line, status_lines
from . import (
    AsOf,
    FilterArgs,
    JsonFlag,
    _say_if_nothing_matched,
    _settings,
    app,
    as_of_date,
    cache_dir,
    color_decision,
    complete_ids,
    console,
    load_store,
    output,
    paged,
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

# --- commands --------------------------------------------------------------------------------


@app.command("check")
def check_command(
    json_output: JsonFlag = False,
) -> None:
    """Validate every store in use and report every problem, one line each.

    Exit 0 when clean, 1 when not.

    Example: reetimeline --store team-events/ check
    """
    paths = store_paths()
    loaded, problems = store.read(paths, cache_dir=cache_dir())
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
        files = ", ".join(str(p) for p in loaded.files) or "no store files"
        if problems:
            say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files}")
        else:
            print(f"ok: {loaded.count()} events in {files}")
    if problems:
        raise typer.Exit(1)


@app.command("list")
@with_filters
def list_events(
    filters: FilterArgs,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="At most N events.", show_default=False),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """List events sorted by date, with their dates as written (year, month or day).

    Example: reetimeline list --mineral dysprosium --since 2025
    """
    if use_rich() and not json_output:
        from ..render import events_table

        show(events_table(selected(filters, reverse=reverse, limit=limit)))
        return
    # For programs and pipes, stream text that the cache keeps ready for each event.
    flt = filters.build()
    loaded = load_store()
    if json_output:
        fragments = loaded.texts(flt, "json", json_fragment, reverse=reverse, limit=limit)
        count = print_json_list(fragments)
    else:
        print_lines([LIST_HEADER])
        count = print_lines(loaded.texts(flt, "list_line", list_line, reverse=reverse, limit=limit))
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
        typer.Option("--width", min=40, help="Width for the picture.", show_default=False),
    ] = None,
) -> None:
    """Draw the timeline: year headings, a marker per event coloured by category, effective and
    expiry dates as rows of their own, and a "today" rule between past and future.

    Example: reetimeline timeline --since 2025 --svg timeline.svg
    """
    day = as_of_date(as_of)
    events = selected(filters)
    from ..render import timeline

    label = "today" if as_of is None else "as of"
    picture = timeline(query.targets(events, day), day, today_label=label)
    out = console(width=width)
    with paged(out):
        out.print(picture)
    if svg or html:
        # the picture for a report is always in colour, whatever the terminal
        import io

        from rich.console import Console

        from ..export import write_text_atomically

        recorder = Console(
            file=io.StringIO(), record=True, width=width or 100, force_terminal=True,
            color_system="truecolor", markup=False, emoji=False, highlight=False,
        )  # fmt: skip
        recorder.print(picture)
        if svg:
            write_text_atomically(svg, recorder.export_svg(title="reetimeline", clear=False))
        if html:
            write_text_atomically(html, recorder.export_html(clear=False))


@app.command("show")
def show_command(
    event_id: Annotated[
        str, typer.Argument(metavar="ID", help="The event's id.", autocompletion=complete_ids)
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
    event = loaded.get(event_id)
    if event is None:
        raise _no_such_event(event_id, loaded)
    suspended_by = loaded.suspended_by(event.id)
    targets = query.targets([event], day)
    if json_output:
        record = event_to_record(event)
        record["suspended_by"] = [e.id for e in suspended_by]
        record["targets"] = [_target_record(t) for t in targets]
        print_json(record)
        return
    from ..render import event_detail

    show(event_detail(event, targets=targets, suspended_by=suspended_by, lookup=loaded.get))


def _no_such_event(event_id: str, loaded: store.Store) -> UsageError:
    from ..vocab import did_you_mean

    return UsageError(f"no event '{event_id}'{did_you_mean(event_id, loaded.ids())}")


def _target_record(t: query.Target) -> dict[str, Any]:
    return {
        "id": t.event.id,
        "title": t.event.title,
        "category": t.event.category,
        "kind": t.kind,
        "date": str(t.date),
        "precision": t.date.precision,
        "days": t.days,
        "when": query.describe_days(t.kind, t.days),
    }


@app.command("countdown")
@with_filters
def countdown_command(
    filters: FilterArgs,
    event_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="Only this event.", autocompletion=complete_ids, show_default=False
        ),
    ] = None,
    as_of: AsOf = None,
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=0,
            metavar="DAYS",
            help="Only targets at most DAYS ahead.",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also targets lapsed long ago.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Count calendar days to every dated target: event dates, effective dates and expiries.

    By default: every upcoming target and those lapsed within the last 30 days. A month or year
    counts to its first day ahead, from its last day behind, and is "today" while it lasts.

    Example: reetimeline countdown --within 30
    """
    day = as_of_date(as_of)
    flt = filters.build()
    loaded = load_store()
    if event_id is not None:
        event = loaded.get(event_id)
        if event is None:
            raise _no_such_event(event_id, loaded)
        # with an ID, all of that event's targets
        rows = query.countdown(query.select([event], flt), day, within=within, show_all=True)
    else:
        rows = loaded.countdown(flt, day, within=within, show_all=show_all)
    if not rows and not loaded.is_empty():
        say("no dated targets in that window (try --all)")
    output(
        rows, json_output=json_output, record=_target_record, view="countdown_table",
        lines=countdown_lines,
    )  # fmt: skip


@app.command("status")
@with_filters
def status_command(
    filters: FilterArgs,
    as_of: AsOf = None,
    json_output: JsonFlag = False,
) -> None:
    """The state of each measure (export-control and tariff events) on a date: announced,
    in-force, suspended (by which event, until when) or expired.

    A suspension covers its effective (else its date) through its expiry, both days included.

    Example: reetimeline status --as-of 2026-06-01 -m gallium -c US
    """
    day = as_of_date(as_of)
    flt = filters.build()
    rows = load_store().status(flt, day)
    output(
        rows, json_output=json_output, record=_status_record, view="status_table",
        lines=status_lines,
    )  # fmt: skip


def _status_record(s: query.Status) -> dict[str, Any]:
    from ..plain import status_note

    return {
        "id": s.event.id,
        "title": s.event.title,
        "category": s.event.category,
        "state": s.state,
        "since": str(s.since) if s.since else None,
        "until": str(s.until) if s.until else None,
        "by": s.by.id if s.by else None,
        "lapsed": s.lapsed.id if s.lapsed else None,
        "lapsed_on": str(s.lapsed.expires) if s.lapsed and s.lapsed.expires else None,
        "note": status_note(s),
    }


# --- overviews: stats, vocab, doctor ---------------------------------------------------------


@app.command("stats")
@with_filters
def stats_command(
    filters: FilterArgs,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="KEY", help="Only one count: year, category, mineral or "
                     "country.", autocompletion=lambda incomplete: [
                         k for k in query.STATS_KEYS if k.startswith(incomplete)]),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Minerals and countries shown "
                                     "(all with --by).")] = 10,
    json_output: JsonFlag = False,
) -> None:  # fmt: skip
    """Count events per year and category, and the busiest minerals and countries, as bar charts.

    Example: reetimeline stats --since 2025 --by mineral
    """
    if by is not None and by not in query.STATS_KEYS:
        raise UsageError(f"--by: choose one of {', '.join(query.STATS_KEYS)}")
    flt = filters.build()
    loaded = load_store()
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
        from ..render import stats_charts

        show(stats_charts(sections))
    else:
        from ..plain import stats_lines

        print_lines(stats_lines(sections))


@app.command("vocab")
def vocab_command(
    kind: Annotated[
        str,
        typer.Argument(metavar="minerals|countries|categories", help="Which vocabulary.",
                       autocompletion=lambda incomplete: [
                           k for k in ("minerals", "countries", "categories")
                           if k.startswith(incomplete)]),
    ],
    json_output: JsonFlag = False,
) -> None:  # fmt: skip
    """List what you may type: minerals and countries with their aliases and groups, categories.

    Example: reetimeline vocab minerals
    """
    from ..vocab import COUNTRIES_VOCAB, MINERALS

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
        from ..render import vocab_table

        show(vocab_table(kind, entries))
    else:
        from ..plain import vocab_lines

        print_lines(vocab_lines(entries))


@app.command("doctor")
def doctor_command(json_output: JsonFlag = False) -> None:
    """Say what is in use: version, Python, the stores and whether each loads, the user store,
    the cache and its state, and the colour decision with its reason.

    Example: reetimeline doctor
    """
    import platform

    from .. import __version__

    states, cache = store.inspect(store_paths(), cache_dir())
    stores = [{"path": str(f.path), "state": f.state, "problems": f.problems, "events": f.events}
              for f in states]  # fmt: skip
    folder = cache.folder
    color, why = color_decision()
    report: dict[str, Any] = {
        "version": __version__,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "stores": stores,
        "user_store": {"path": str(user_store_path()), "exists": user_store_path().exists()},
        "cache": {
            "path": str(folder) if folder else None,
            "state": "off (REETIMELINE_NO_CACHE)" if folder is None else (
                f"{cache.files} store(s) cached, {cache.size / 1e6:.1f} MB" if cache.files
                else "empty"),
        },
        "color": {"on": color, "why": why},
        "pager": bool(_settings().pager or os.environ.get("REETIMELINE_PAGER")),
    }  # fmt: skip
    if json_output:
        print_json(report)
        return
    lines = [
        f"reetimeline {report['version']} on {report['python']}",
        *(f"store       {s['path']}: {s['state']}, {s['events']} events"
          + (f", {s['problems']} problems (run `reetimeline check`)" if s["problems"] else "")
          for s in stores),
        f"user store  {report['user_store']['path']}"
        + ("" if report["user_store"]["exists"] else " (not created yet; `add` creates it)"),
        f"cache       {report['cache']['path']}: {report['cache']['state']}",
        f"colour      {'on' if color else 'off'} ({why})",
        f"pager       {'on' if report['pager'] else 'off'}",
    ]  # fmt: skip
    print_lines(lines)
