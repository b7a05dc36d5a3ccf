"""The command line: parse arguments, call the core, hand the result to one renderer.

The only module that imports Typer, prints, exits, reads environment variables or asks for
today's date. Rich and the exporters are imported only by the commands that draw or write them.
"""

import contextlib
import datetime as dt
import functools
import inspect
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

from . import query, store
from .errors import EXIT_INTERRUPTED, EXIT_USAGE, ReeError, UsageError
from .model import CATEGORIES, Event, PartialDate, event_to_record, json_fragment
from .plain import LIST_HEADER, countdown_lines, list_line, status_lines

ENV_STORE = "REETIMELINE_STORE"


def hoist_global_options(args: list[str]) -> list[str]:
    """Move `--color X`, `--color=X` and `--pager` given after the command name to the front."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--color" and i + 1 < len(args):
            front += args[i : i + 2]
            i += 2
            continue
        if arg.startswith("--color=") or arg == "--pager":
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class _Commands(TyperGroup):
    """Turns the project's errors into messages on stderr and exit codes, in one place, for
    every command (and for tests that invoke the app in-process)."""

    def parse_args(self, ctx, args):
        # --color and --pager are global, and also accepted after the command name
        return super().parse_args(ctx, hoist_global_options(list(args)))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ReeError as exc:
            for message in exc.messages():
                say(f"reetimeline: error: {message}" if exc.exit_code == EXIT_USAGE else message)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Commands,
    name="reetimeline",
    help="A sourced timeline of China's critical-mineral export controls and the reactions.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# --- global settings -------------------------------------------------------------------------


class Settings(NamedTuple):
    stores: list[Path] | None = None
    color: str = "auto"
    pager: bool = False


# Set by the app's callback on every run, before any command runs.
_settings_now = Settings()


def _settings() -> Settings:
    return _settings_now


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"reetimeline {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    store_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--store",
            "-s",
            metavar="PATH",
            help="Store file or folder to use instead of the curated and user stores "
            f"(repeatable). Default: ${ENV_STORE}, else the curated store plus your user store.",
            show_default=False,
        ),
    ] = None,
    color: Annotated[
        str,
        typer.Option(
            "--color",
            metavar="auto|always|never",
            help="Colour: auto (on a terminal, unless NO_COLOR), always or never.",
            case_sensitive=False,
        ),
    ] = "auto",
    pager: Annotated[
        bool,
        typer.Option("--pager", help="Page long output on a terminal (or set REETIMELINE_PAGER)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Follow China's export controls on rare earths and critical minerals, and the reactions.

    Examples:

      reetimeline list --mineral dysprosium

      reetimeline countdown

      reetimeline status --as-of 2026-06-01 -m gallium -c US
    """
    if color not in ("auto", "always", "never"):
        raise typer.BadParameter("choose auto, always or never", param_hint="--color")
    global _settings_now
    _settings_now = Settings(stores=store_paths or None, color=color, pager=pager)


# --- where stores are, what today is ---------------------------------------------------------


def store_paths() -> list[Path]:
    """--store, else $REETIMELINE_STORE, else the curated store plus the user store if present."""
    settings = _settings()
    if settings.stores:
        return settings.stores
    if os.environ.get(ENV_STORE):
        return [Path(p) for p in os.environ[ENV_STORE].split(os.pathsep) if p]
    paths = [store.curated_store_path()]
    user = user_store_path()
    if user.exists():
        paths.append(user)
    return paths


def user_store_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "reetimeline" / "events.toml"


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/reetimeline (default ~/.cache/reetimeline); REETIMELINE_NO_CACHE=1 turns
    the cache off."""
    if os.environ.get("REETIMELINE_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reetimeline"


def load_store() -> store.Store:
    loaded = store.load(store_paths(), cache_dir=cache_dir())
    if loaded.is_empty():
        say("no events in " + ", ".join(str(p) for p in loaded.files or store_paths()))
    return loaded


def today() -> dt.date:
    return dt.date.today()


def parse_date_option(value: str | None, option: str) -> PartialDate | None:
    if value is None:
        return None
    from .datespec import parse_when

    try:
        return parse_when(value, today())
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def as_of_date(value: str | None) -> dt.date:
    parsed = parse_date_option(value, "--as-of")
    if parsed is None:
        return today()
    if parsed.precision != "day":
        raise UsageError(f"--as-of: {value!r} is a {parsed.precision}; give a day (YYYY-MM-DD)")
    return parsed.first()


# --- output ----------------------------------------------------------------------------------


def say(message: str) -> None:
    """A message for the person, on stderr."""
    print(message, file=sys.stderr)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def color_decision() -> tuple[bool, str]:
    """Whether to colour, and why: --color, then NO_COLOR, FORCE_COLOR, TERM=dumb, then
    whether stdout is a terminal (https://no-color.org: NO_COLOR counts when not empty)."""
    choice = _settings().color
    if choice != "auto":
        return choice == "always", f"--color {choice}"
    if os.environ.get("NO_COLOR"):
        return False, "NO_COLOR is set"
    if os.environ.get("FORCE_COLOR"):
        return True, "FORCE_COLOR is set"
    if os.environ.get("TERM") == "dumb":
        return False, "TERM=dumb"
    if not stdout_is_terminal():
        return False, "stdout is not a terminal"
    return True, "stdout is a terminal"


def use_rich() -> bool:
    """Rich draws for a terminal, or when colour is asked for; pipes and files get plain text."""
    return stdout_is_terminal() or color_decision()[0]


def console(*, record: bool = False, width: int | None = None):
    from rich.console import Console

    color, _why = color_decision()
    return Console(
        markup=False,
        emoji=False,
        highlight=False,
        no_color=not color,
        color_system="auto" if color else None,
        force_terminal=True if color else None,
        record=record,
        width=width,
    )


@contextlib.contextmanager
def paged(out):
    """Show long output through a pager when asked (--pager or $REETIMELINE_PAGER) and stdout
    is a terminal; never when piped."""
    if (_settings().pager or os.environ.get("REETIMELINE_PAGER")) and stdout_is_terminal():
        with out.pager(styles=color_decision()[0]):
            yield out
    else:
        yield out


def show(renderable) -> None:
    out = console()
    with paged(out):
        out.print(renderable)


def print_lines(lines) -> int:
    write = sys.stdout.write
    count = 0
    for count, line in enumerate(lines, 1):  # noqa: B007 - the count is returned
        write(line + "\n")
    return count


def print_json_list(fragments) -> int:
    """Print `json_fragment`s as one JSON list, exactly as `print_json` would print the list."""
    write = sys.stdout.write
    count = 0
    for count, fragment in enumerate(fragments, 1):
        write(("[\n" if count == 1 else ",\n") + fragment)
    write("\n]\n" if count else "[]\n")
    return count


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# --- filters: the same options on every command that reads events ----------------------------


class FilterArgs(NamedTuple):
    mineral: list[str] | None
    country: list[str] | None
    category: list[str] | None
    tag: list[str] | None
    text: str | None
    since: str | None
    until: str | None
    exact: bool

    def build(self) -> query.Filter:
        return query.make_filter(
            minerals=self.mineral or (),
            countries=self.country or (),
            categories=self.category or (),
            tags=self.tag or (),
            text=self.text,
            since=parse_date_option(self.since, "--since"),
            until=parse_date_option(self.until, "--until"),
            exact=self.exact,
        )


# --- completion of values: vocabularies, and tags and ids from the stores in use --------------


def complete_minerals(incomplete: str) -> list[str]:
    from .vocab import MINERALS

    return MINERALS.complete(incomplete)


def complete_countries(incomplete: str) -> list[str]:
    from .vocab import COUNTRIES_VOCAB

    return COUNTRIES_VOCAB.complete(incomplete)


def complete_categories(incomplete: str) -> list[str]:
    return [c for c in CATEGORIES if c.startswith(incomplete.casefold())]


def _from_stores(values) -> list[str]:
    try:
        loaded = store.load(store_paths(), cache_dir=cache_dir())
    except ReeError:
        return []  # a broken store completes nothing; `check` says why
    return sorted(set(values(loaded)))


def complete_tags(incomplete: str) -> list[str]:
    wanted = incomplete.casefold()
    tags = _from_stores(lambda s: (t for e in s.events for t in e.tags))
    return [t for t in tags if t.casefold().startswith(wanted)]


def complete_ids(incomplete: str) -> list[str]:
    return [i for i in _from_stores(lambda s: s.ids()) if i.startswith(incomplete)]


def _option(
    *names: str,
    help: str,
    kind=str,
    default=None,
    metavar: str | None = None,
    complete=None,
):
    return inspect.Parameter(
        names[0].lstrip("-").replace("-", "_"),
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[
            kind,
            typer.Option(
                *names, help=help, show_default=False, metavar=metavar, autocompletion=complete
            ),
        ],
    )


_FILTER_PARAMS = [
    _option(
        "--mineral",
        "-m",
        kind=list[str] | None,
        metavar="NAME",
        help="Mineral, symbol, alias in any language, or group (repeatable; OR).",
        complete=complete_minerals,
    ),
    _option(
        "--country",
        "-c",
        kind=list[str] | None,
        metavar="CODE",
        help="Country code, name or alias, or group G7/EU (repeatable; OR).",
        complete=complete_countries,
    ),
    _option(
        "--category",
        "-k",
        kind=list[str] | None,
        metavar="CATEGORY",
        help=f"Category (repeatable; OR): {', '.join(CATEGORIES)}.",
        complete=complete_categories,
    ),
    _option(
        "--tag",
        "-t",
        kind=list[str] | None,
        metavar="TAG",
        help="Tag (repeatable; OR).",
        complete=complete_tags,
    ),
    _option(
        "--text",
        "-q",
        kind=str | None,
        metavar="TEXT",
        help="Case-insensitive text in title, summary or source titles.",
    ),
    _option(
        "--since",
        kind=str | None,
        metavar="DATE",
        help="Events from DATE: 2025, 2025-04, 2025-04-04, '30 days ago', +90d, 'next month'.",
    ),
    _option("--until", kind=str | None, metavar="DATE", help="Events up to DATE (inclusive)."),
    _option(
        "--exact",
        kind=bool,
        default=False,
        help="Match minerals and countries exactly, without following groups.",
    ),
]


def with_filters(command):
    """Give a command the shared filter options, collected into one `filters: FilterArgs`."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "filters"]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        picked = {p.name: kwargs.pop(p.name) for p in _FILTER_PARAMS}
        return command(*args, filters=FilterArgs(**picked), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + _FILTER_PARAMS)
    wrapper.__annotations__ = {
        **{k: v for k, v in command.__annotations__.items() if k != "filters"},
        **{p.name: p.annotation for p in _FILTER_PARAMS},
    }
    return wrapper


def selected(filters: FilterArgs, **kwargs) -> list[Event]:
    flt = filters.build()  # usage errors before the store is read
    loaded = load_store()
    events = loaded.select(flt, **kwargs)
    if not events and not loaded.is_empty():
        say("no events match")
    return events


def _say_if_nothing_matched(count: int, loaded: store.Store) -> None:
    if count == 0 and not loaded.is_empty():
        say("no events match")


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Count from DATE instead of today.", show_default=False
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]


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
                "events": len(loaded.events),
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
            print(f"ok: {len(loaded.events)} events in {files}")
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
        from .render import events_table

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
    from .render import timeline

    label = "today" if as_of is None else "as of"
    picture = timeline(query.targets(events, day), day, today_label=label)
    out = console(width=width)
    with paged(out):
        out.print(picture)
    if svg or html:
        # the picture for a report is always in colour, whatever the terminal
        import io

        from rich.console import Console

        from .export import write_text_atomically

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
    suspended_by = [e for e in loaded.events if event.id in e.suspends]
    targets = query.targets([event], day)
    if json_output:
        record = event_to_record(event)
        record["suspended_by"] = [e.id for e in suspended_by]
        record["targets"] = [_target_record(t) for t in targets]
        print_json(record)
        return
    from .render import event_detail

    show(event_detail(event, targets=targets, suspended_by=suspended_by, lookup=loaded.get))


def _no_such_event(event_id: str, loaded: store.Store) -> UsageError:
    from .vocab import did_you_mean

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
    if json_output:
        print_json([_target_record(t) for t in rows])
    elif use_rich():
        from .render import countdown_table

        show(countdown_table(rows))
    else:
        print_lines(countdown_lines(rows))


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
    if json_output:
        print_json([_status_record(s) for s in rows])
    elif use_rich():
        from .render import status_table

        show(status_table(rows))
    else:
        print_lines(status_lines(rows))


def _status_record(s: query.Status) -> dict[str, Any]:
    from .plain import status_note

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
    events = selected(filters)
    sections = {}
    for key in [by] if by else query.STATS_KEYS:
        rows = query.count_by(events, key)
        sections[key] = rows if by or key in ("year", "category") else rows[:top]
    if json_output:
        print_json({k: [{"key": key, "count": n} for key, n in rows]
                    for k, rows in sections.items()})  # fmt: skip
    elif use_rich():
        from .render import stats_charts

        show(stats_charts(sections))
    else:
        from .plain import stats_lines

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
    from .vocab import COUNTRIES_VOCAB, MINERALS

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
        from .render import vocab_table

        show(vocab_table(kind, entries))
    else:
        from .plain import vocab_lines

        print_lines(vocab_lines(entries))


@app.command("doctor")
def doctor_command(json_output: JsonFlag = False) -> None:
    """Say what is in use: version, Python, the stores and whether each loads, the user store,
    the cache and its state, and the colour decision with its reason.

    Example: reetimeline doctor
    """
    import platform

    from . import __version__

    stores = []
    for path in store.expand_store_paths(store_paths()):
        _loaded, problems = store.read([path])
        state = "missing" if not path.exists() else ("ok" if not problems else "broken")
        stores.append({"path": str(path), "state": state, "problems": len(problems),
                       "events": len(_loaded.ids())})  # fmt: skip
    folder = cache_dir()
    caches = sorted(folder.glob("*.sqlite")) if folder and folder.is_dir() else []
    color, why = color_decision()
    report = {
        "version": __version__,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "stores": stores,
        "user_store": {"path": str(user_store_path()), "exists": user_store_path().exists()},
        "cache": {
            "path": str(folder) if folder else None,
            "state": "off (REETIMELINE_NO_CACHE)" if folder is None else (
                f"{len(caches)} store(s) cached, "
                f"{sum(p.stat().st_size for p in caches) / 1e6:.1f} MB" if caches else "empty"),
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


# --- getting events out and in --------------------------------------------------------------


@app.command("export")
@with_filters
def export_command(
    filters: FilterArgs,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="csv, json, jsonl, ics, md or timelinejs."
        ),
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically) instead of stdout.",
            show_default=False,
        ),
    ] = None,
    alarm: Annotated[
        int | None,
        typer.Option(
            "--alarm",
            min=0,
            metavar="DAYS",
            help="ics: a reminder DAYS before each expiry.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the filtered events as CSV, JSON, JSON Lines, iCalendar, Markdown or TimelineJS.

    CSV is RFC 4180 with a header row; cells a spreadsheet would run as formulas get a leading
    apostrophe (import removes it). ICS has one all-day event per date, effective date and expiry,
    with DTEND exclusive and stable UIDs.

    Example: reetimeline export --format ics --alarm 7 -o deadlines.ics -m gallium
    """
    from .export import EXPORTERS, write_text_atomically

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        from .vocab import did_you_mean

        raise UsageError(
            f"--format: unknown format '{fmt}'{did_you_mean(fmt, EXPORTERS)}; "
            f"formats: {', '.join(EXPORTERS)}"
        )
    if alarm is not None and fmt != "ics":
        raise UsageError("--alarm goes with --format ics")
    events = selected(filters)
    text = exporter.write(
        events, stamp=dt.datetime.now(dt.UTC).replace(microsecond=0), alarm_days=alarm
    )
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(output, text)
        say(f"wrote {len(events)} events to {output}")


def writable_store() -> Path:
    """Where `add` and `import` write: --store, else $REETIMELINE_STORE, else the user store;
    never the store inside the installed package. A folder means its events.toml."""
    settings = _settings()
    if settings.stores:
        if len(settings.stores) > 1:
            raise UsageError("add and import write to one store: give a single --store")
        path = settings.stores[0]
    elif os.environ.get(ENV_STORE):
        path = Path(os.environ[ENV_STORE].split(os.pathsep)[0])
    else:
        path = user_store_path()
    if path.is_dir():
        path = path / "events.toml"
    packaged = Path(store.__file__).with_name("events.toml")
    if packaged.exists() and path.exists() and path.resolve() == packaged.resolve():
        raise UsageError(f"{path} is the store installed with the tool; write to your own store")
    return path


def _context_for_writing(target: Path) -> store.Store:
    """The stores in use plus the target, for id and reference checks (a target that does not
    exist yet is created by the write)."""
    paths = [p for p in store_paths() if p.exists() or p.resolve() != target.resolve()]
    files = {p.resolve() for p in store.expand_store_paths(paths)}
    if target.exists() and target.resolve() not in files:
        paths.append(target)
    return store.load(paths)


@app.command("add")
def add_command(
    date: Annotated[
        str,
        typer.Option(
            "--date",
            metavar="DATE",
            help="The event's date (YYYY-MM-DD, YYYY-MM or YYYY).",
            show_default=False,
        ),
    ],
    title: Annotated[
        str, typer.Option("--title", metavar="TEXT", help="One line.", show_default=False)
    ],
    category: Annotated[str, typer.Option("--category", "-k", help="The category.")] = "other",
    mineral: Annotated[
        list[str] | None,
        typer.Option(
            "--mineral", "-m", metavar="NAME", help="Mineral (repeatable).", show_default=False
        ),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country", "-c", metavar="CODE", help="Country (repeatable).", show_default=False
        ),
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", metavar="TEXT", show_default=False)
    ] = None,
    effective: Annotated[
        str | None, typer.Option("--effective", metavar="DATE", show_default=False)
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", metavar="DATE", show_default=False)
    ] = None,
    suspends: Annotated[
        list[str] | None,
        typer.Option(
            "--suspends",
            metavar="ID",
            help="Id of a measure this suspends (repeatable).",
            show_default=False,
        ),
    ] = None,
    related: Annotated[
        list[str] | None, typer.Option("--related", metavar="ID", show_default=False)
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", metavar="TAG", show_default=False)
    ] = None,
    confidence: Annotated[
        str, typer.Option("--confidence", help="confirmed or reported.")
    ] = "confirmed",
    source_url: Annotated[
        str | None, typer.Option("--source-url", metavar="URL", show_default=False)
    ] = None,
    source_title: Annotated[
        str | None, typer.Option("--source-title", metavar="TEXT", show_default=False)
    ] = None,
    source_publisher: Annotated[
        str | None, typer.Option("--source-publisher", metavar="TEXT", show_default=False)
    ] = None,
    event_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="ID",
            help="The id (default: derived from date and title).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show; write nothing.")
    ] = False,
) -> None:
    """Add one event to your store (validated like `check`), keeping every byte already there.

    Dates here are written as in the store (relative forms are refused: the store keeps facts).
    Without --id, the id is derived from the date and title and made unique.

    Example: reetimeline add --date 2026-11-27 --title "Suspension lapses" -k suspension -m Ga
    --source-url https://example.com/report --source-title "Report"
    """
    from .ids import derive_id

    if (source_url is None) != (source_title is None):
        raise UsageError("--source-url and --source-title go together")
    record: dict[str, Any] = {"date": date, "title": title, "category": category}
    optional = {
        "summary": summary,
        "effective": effective,
        "expires": expires,
        "minerals": mineral,
        "countries": country,
        "tags": tag,
        "suspends": suspends,
        "related": related,
    }
    record.update({k: v for k, v in optional.items() if v})
    if confidence != "confirmed":
        record["confidence"] = confidence
    if source_url is not None:
        source = {"title": source_title, "url": source_url}
        if source_publisher:
            source["publisher"] = source_publisher
        record["sources"] = [source]
    target = writable_store()
    loaded = _context_for_writing(target)
    derived = event_id is None
    record["id"] = event_id or derive_id(date, title)
    event = _validated([record], loaded, target, "the command line")[0]
    if derived and loaded.get(event.id) is not None:
        event = _renamed(event, set(loaded.ids()))
    elif loaded.get(event.id) is not None:
        raise UsageError(f"--id: '{event.id}' already exists")
    if dry_run:
        print_json(event_to_record(event))
        say(f"would add '{event.id}' to {target} (dry run: nothing written)")
        return
    [written] = store.append_events(
        target,
        [event],
        other_ids=_ids_elsewhere(loaded, target),
        rename=_renamed if derived else None,
    )
    print(written.id)
    say(f"added '{written.id}' to {target}")


def _renamed(event: Event, taken: set[str]) -> Event:
    from dataclasses import replace

    from .ids import next_free_id

    return replace(event, id=next_free_id(event.id, taken))


def _ids_elsewhere(loaded: store.Store, target: Path) -> list[str]:
    """Ids from stores other than the target (the target's own are re-read under the lock)."""
    resolved = target.resolve()
    return [
        e.id for e in loaded.events if e.origin is None or Path(e.origin.path).resolve() != resolved
    ]


def _validated(records: list[dict], loaded: store.Store, target: Path, where: str) -> list[Event]:
    """Validate new records like `check` does: fields, vocabularies, and references to the
    events in use or to each other."""
    from .errors import DataError, Problem

    events, problems = [], []
    for number, raw in enumerate(records, 1):
        event, event_problems = store.parse_event(raw, path=where, line=None, label=f"#{number}")
        problems.extend(event_problems)
        if event is not None:
            events.append(event)
    known = set(loaded.ids()) | {e.id for e in events}
    for event in events:
        for name in ("suspends", "related"):
            for ref in getattr(event, name):
                if ref not in known:
                    problems.append(
                        Problem(
                            where, f"no event '{ref}' in the stores", None, None, event.id, name
                        )
                    )
    if problems:
        raise DataError(problems)
    return events


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file that `export` wrote.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="csv, json or jsonl (default: from the file name).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added.")] = False,
    skip_existing: Annotated[
        bool,
        typer.Option("--skip-existing", help="Skip events whose id exists instead of refusing."),
    ] = False,
) -> None:
    """Import events from CSV, JSON or JSON Lines as `export` writes them.

    Every row is validated first and every problem is reported with its row number; nothing is
    written unless every row is valid. An id that already exists is refused, or skipped with
    --skip-existing (and named in the output).

    Example: reetimeline import colleague.csv --dry-run
    """
    from .importer import FORMATS, guess_format, read_events

    fmt = fmt or guess_format(file)
    if fmt not in FORMATS:
        raise UsageError(f"--format: give one of {', '.join(FORMATS)} (the file name does not say)")
    target = writable_store()
    loaded = _context_for_writing(target)
    with _progress_bar(f"reading {file.name}") as progress:
        new = read_events(file, fmt, progress=progress)
    duplicates = [e.id for e in new if loaded.get(e.id) is not None]
    seen: set[str] = set()
    repeated = [e.id for e in new if e.id in seen or seen.add(e.id)]
    if repeated:
        raise UsageError(f"{file}: the id '{repeated[0]}' stands twice in the file")
    if duplicates and not skip_existing:
        from .errors import DataError, Problem

        raise DataError(
            [
                Problem(
                    str(file),
                    "already exists in the stores in use (use --skip-existing to skip it)",
                    None,
                    None,
                    i,
                    "id",
                )
                for i in duplicates
            ]
        )
    for event_id in duplicates:
        say(f"skipped '{event_id}': already exists")
    new = [e for e in new if e.id not in set(duplicates)]
    _check_new_references(new, loaded, file)
    if dry_run:
        print_lines(f"would add {e.id}\t{e.date}\t{e.title}" for e in new)
        say(f"would add {len(new)} events to {target} (dry run: nothing written)")
        return
    if new:
        store.append_events(target, new, other_ids=_ids_elsewhere(loaded, target))
    say(
        f"added {len(new)} events to {target}"
        + (f", skipped {len(duplicates)}" if duplicates else "")
    )


PROGRESS_MIN_ROWS = 500


@contextlib.contextmanager
def _progress_bar(label: str):
    """A progress bar on stderr for long work, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = None

        def advance(done: int, total: int) -> None:
            nonlocal task
            if total < PROGRESS_MIN_ROWS:
                return
            if task is None:
                task = bar.add_task(label, total=total)
            bar.update(task, completed=done)

        yield advance


def _check_new_references(new: list[Event], loaded: store.Store, file: Path) -> None:
    from .errors import DataError, Problem

    known = set(loaded.ids()) | {e.id for e in new}
    problems = [
        Problem(str(file), f"no event '{ref}' in the stores or the file", None, None, e.id, name)
        for e in new
        for name in ("suspends", "related")
        for ref in getattr(e, name)
        if ref not in known
    ]
    if problems:
        raise DataError(problems)


# --- entry point -----------------------------------------------------------------------------


def main() -> None:
    """The console script. Errors are turned into messages by `_Commands`; a Ctrl-C that
    arrives outside a command (while starting) still exits 130 without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
