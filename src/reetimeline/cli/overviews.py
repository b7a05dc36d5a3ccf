"""The overviews: stats (counts), vocab (what you may type) and doctor (what is in use)."""

import os
from typing import Annotated, Any

import typer

from .. import store
from ..api import answers
from ..engine import query
from ..errors import UsageError
from ..model import CATEGORIES
from ..output.words import counted, horizon_note
from ..text import visible
from . import completion, printing
from .application import app
from .completion import completing
from .loading import load_store
from .options import AsOf, FilterArgs, JsonFlag, Number, as_of_date, with_filters
from .paths import NO_HOME, cache_dir, settings, store_paths, user_store_path
from .printing import color_decision, pager_decision, print_json, print_lines, say, show, use_rich
from .typer_adapter import Command

# --- overviews: stats, vocab, doctor ---------------------------------------------------------


@app.command("stats")
@with_filters
def stats_command(
    filters: FilterArgs,
    by: Annotated[
        str | None,
        typer.Option("--group-by", metavar="KEY", help="Only one count: year, category, mineral "
                     "or country.", click_type=completing(completion.stats_keys)),
    ] = None,
    top: Annotated[int, typer.Option("--top", metavar="N", help="Minerals and countries shown "
                                     "(default 10; all with --group-by).", show_default=False,
                                     click_type=Number(1, 10**9, "rows", example=10))] = 10,
    json_output: JsonFlag = False,
) -> None:  # fmt: skip
    """Count events per year and category, and the busiest minerals and countries, as bar charts.

    Example: reetimeline stats --since 2025 --group-by mineral
    """
    by = by.casefold() if by is not None else None
    if by is not None and by not in query.STATS_KEYS:
        raise UsageError(f"--group-by: choose one of {', '.join(query.STATS_KEYS)}")
    keys = [code for code in filters.issuer or () if code.casefold() in query.STATS_KEYS]
    if keys:  # `--by KEY` was the count's option until issue 24; `--by` is now the filter
        raise UsageError(f"--by filters by issuing country; count by {keys[0].casefold()} "
                         f"with --group-by {keys[0].casefold()}")
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


@app.command("vocab", cls=Command)
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
    states, cache = store.inspect(store_paths(), cache_dir(), deferred=settings().deferred)
    stores = [{"path": str(f.path), "state": f.state, "problems": f.problems, "events": f.events,
               "current_to": str(f.current_to) if f.current_to else None}
              for f in states]  # fmt: skip
    # each store's horizon applies to its own events: one note per store that declares one
    notes = [horizon_note(answers.horizon(store.Store([], [store.ParsedFile(str(f.path), (),
                                                                           f.current_to)])), day)
             for f in states if f.current_to]  # fmt: skip
    data = "; ".join(notes)
    if len(notes) > 1:
        data += " (each store's horizon applies to its own events)"
    folder = cache.folder
    color, why = color_decision()
    pager, pager_why = pager_decision()
    config = settings().config
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
                f"{counted(cache.files, 'store')} cached, {cache.size / 1e6:.1f} MB" if cache.files
                else "empty"),
        },
        "data": data or None,
        "curated": _curated_report(),
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
        *(f"store       {visible(str(s['path']))}: {s['state']}, {counted(f.events, 'event')}"
          + (f", current to {s['current_to']}" if s["current_to"] else "")
          + (f", {counted(f.problems, 'problem')} (run `reetimeline check`)"
             if f.problems else "")
          for s, f in zip(stores, states, strict=True)),
        "data        " + (visible(data) if data else
                              "no store says up to when its facts were checked"),
        _curated_line(report["curated"]),
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
    if printing.stdout_is_terminal():  # looked up now: tests pretend to be a terminal
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


def _curated_report() -> dict[str, Any]:
    """Which curated store answers: the packaged one, or the one `update` installed (from
    where, which version, fetched when)."""
    from ..store.installed import read_record

    path = store.curated_store_path()
    record = read_record()
    if record is not None and path == record.path:
        return {"path": str(path), "source": "feed", "feed": record.feed,
                "version": record.version, "current_to": record.current_to,
                "fetched": record.fetched}  # fmt: skip
    return {"path": str(path), "source": "packaged", "feed": None, "version": None,
            "current_to": None, "fetched": None}  # fmt: skip


def _curated_line(curated: dict[str, Any]) -> str:
    if curated["source"] == "packaged":
        return f"curated     {visible(curated['path'])} (packaged with the tool)"
    return (f"curated     {visible(curated['path'])} (version {curated['version']} from "
            f"{visible(curated['feed'])}, fetched {curated['fetched']}, current to "
            f"{curated['current_to']})")  # fmt: skip
