"""The command line: parse arguments, call the core, hand the result to one renderer.

The only module that imports Typer, prints, exits, reads environment variables or asks for
today's date. Rich and the exporters are imported only by the commands that draw or write them.
"""

import datetime as dt
import functools
import inspect
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__, query, store
from .datespec import parse_when
from .errors import EXIT_INTERRUPTED, EXIT_USAGE, ReeError, UsageError
from .model import CATEGORIES, Event, PartialDate, event_to_record
from .plain import countdown_lines, list_lines, status_lines

ENV_STORE = "REETIMELINE_STORE"


class _Commands(TyperGroup):
    """Turns the project's errors into messages on stderr and exit codes, in one place, for
    every command (and for tests that invoke the app in-process)."""

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


@dataclass
class Settings:
    stores: list[Path] | None = None
    color: str = "auto"


# Set by the app's callback on every run, before any command runs.
_settings_now = Settings()


def _settings() -> Settings:
    return _settings_now


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reetimeline {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    store_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--store",
            "-s",
            help="Store file or folder to use instead of the curated and user stores "
            f"(repeatable). Default: ${ENV_STORE}, else the curated store plus your user store.",
            show_default=False,
        ),
    ] = None,
    color: Annotated[
        str,
        typer.Option(
            "--color",
            help="Colour: auto (on a terminal, unless NO_COLOR), always or never.",
            case_sensitive=False,
        ),
    ] = "auto",
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
    _settings_now = Settings(stores=store_paths or None, color=color)


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


def load_store() -> store.Store:
    loaded = store.load(store_paths())
    if not loaded.events:
        say("no events in " + ", ".join(str(p) for p in loaded.files or store_paths()))
    return loaded


def today() -> dt.date:
    return dt.date.today()


def parse_date_option(value: str | None, option: str) -> PartialDate | None:
    if value is None:
        return None
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


def use_rich() -> bool:
    """Rich draws for a terminal (or when colour is forced); pipes and files get plain text."""
    choice = _settings().color
    if choice == "always" or (choice == "auto" and os.environ.get("FORCE_COLOR")):
        return True
    if choice == "never":
        return sys.stdout.isatty()
    return sys.stdout.isatty()


def console(*, record: bool = False, width: int | None = None):
    from rich.console import Console

    choice = _settings().color
    no_color = choice == "never" or (choice == "auto" and "NO_COLOR" in os.environ)
    force = True if choice == "always" or (
        choice == "auto" and os.environ.get("FORCE_COLOR") and not no_color
    ) else None  # fmt: skip
    return Console(
        markup=False,
        emoji=False,
        highlight=False,
        no_color=no_color,
        force_terminal=force,
        record=record,
        width=width,
    )


def print_lines(lines) -> None:
    write = sys.stdout.write
    for line in lines:
        write(line + "\n")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# --- filters: the same options on every command that reads events ----------------------------


@dataclass(frozen=True)
class FilterArgs:
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


def _option(*names: str, help: str, kind=str, default=None, metavar: str | None = None):
    return inspect.Parameter(
        names[0].lstrip("-").replace("-", "_"),
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[
            kind,
            typer.Option(*names, help=help, show_default=False, metavar=metavar),
        ],
    )


_FILTER_PARAMS = [
    _option("--mineral", "-m", kind=list[str] | None, metavar="NAME",
            help="Mineral, symbol, alias in any language, or group (repeatable; OR)."),
    _option("--country", "-c", kind=list[str] | None, metavar="CODE",
            help="Country code, name or alias, or group G7/EU (repeatable; OR)."),
    _option("--category", "-k", kind=list[str] | None, metavar="CATEGORY",
            help=f"Category (repeatable; OR): {', '.join(CATEGORIES)}."),
    _option("--tag", "-t", kind=list[str] | None, metavar="TAG", help="Tag (repeatable; OR)."),
    _option("--text", "-q", kind=str | None, metavar="TEXT",
            help="Case-insensitive text in title, summary or source titles."),
    _option("--since", kind=str | None, metavar="DATE",
            help="Events from DATE: 2025, 2025-04, 2025-04-04, '30 days ago', +90d, 'next month'."),
    _option("--until", kind=str | None, metavar="DATE", help="Events up to DATE (inclusive)."),
    _option("--exact", kind=bool, default=False,
            help="Match minerals and countries exactly, without following groups."),
]  # fmt: skip


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


def selected(filters: FilterArgs, *, loaded: store.Store | None = None, **kwargs) -> list[Event]:
    flt = filters.build()  # usage errors before the store is read
    loaded = loaded or load_store()
    events = query.select(loaded.events, flt, **kwargs)
    if not events and loaded.events:
        say("no events match")
    return events


AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="Count from DATE instead of today.",
                 show_default=False),
]  # fmt: skip
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
    loaded, problems = store.read(paths)
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
    events = selected(filters, reverse=reverse, limit=limit)
    if json_output:
        print_json([event_to_record(e) for e in events])
    elif use_rich():
        from .render import events_table

        console().print(events_table(events))
    else:
        print_lines(list_lines(events))


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
    out = console(record=bool(svg or html), width=width)
    out.print(picture)
    if svg or html:
        from .export import write_text_atomically

        if svg:
            write_text_atomically(svg, out.export_svg(title="reetimeline", clear=False))
        if html:
            write_text_atomically(html, out.export_html(clear=False))


@app.command("show")
def show_command(
    event_id: Annotated[str, typer.Argument(metavar="ID", help="The event's id.")],
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
        from .vocab import closest

        hint = closest(event_id, loaded.ids())
        raise UsageError(f"no event '{event_id}'" + (f" (did you mean '{hint}'?)" if hint else ""))
    suspended_by = [e for e in loaded.events if event.id in e.suspends]
    targets = query.targets([event], day)
    if json_output:
        record = event_to_record(event)
        record["suspended_by"] = [e.id for e in suspended_by]
        record["targets"] = [_target_record(t) for t in targets]
        print_json(record)
        return
    from .render import event_detail

    console().print(
        event_detail(event, targets=targets, suspended_by=suspended_by, lookup=loaded.get)
    )


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
        str | None, typer.Argument(metavar="[ID]", help="Only this event.", show_default=False)
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
    loaded = load_store()
    events = selected(filters, loaded=loaded)
    if event_id is not None:
        if loaded.get(event_id) is None:
            from .vocab import closest

            hint = closest(event_id, loaded.ids())
            raise UsageError(
                f"no event '{event_id}'" + (f" (did you mean '{hint}'?)" if hint else "")
            )
        events = [e for e in events if e.id == event_id]
    rows = query.countdown(events, day, within=within, show_all=show_all or event_id is not None)
    if not rows and events:
        say("no dated targets in that window (try --all)")
    if json_output:
        print_json([_target_record(t) for t in rows])
    elif use_rich():
        from .render import countdown_table

        console().print(countdown_table(rows))
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
    loaded = load_store()
    events = selected(filters, loaded=loaded)
    rows = query.status(events, loaded.events, day)
    if json_output:
        print_json([_status_record(s) for s in rows])
    elif use_rich():
        from .render import status_table

        console().print(status_table(rows))
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


# --- entry point -----------------------------------------------------------------------------


def main() -> None:
    """The console script. Errors are turned into messages by `_Commands`; a Ctrl-C that
    arrives outside a command (while starting) still exits 130 without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
