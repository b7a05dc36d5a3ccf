"""The command line: parse arguments, call the core, hand the result to one renderer.

This module holds the app, its global options, the shared filter options and the output
helpers; the commands are in `views` (reading) and `exchange` (export, add, import).

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

from .. import query, store
from ..errors import EXIT_INTERRUPTED, EXIT_USAGE, ReeError, UsageError
from ..model import CATEGORIES, Event, PartialDate

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
        import gc

        # A command is a short run that builds many small objects and no cycles worth
        # collecting: the cyclic collector would rescan them again and again (measured: reading
        # 100,000 events took 5.4 s with it, 2.0 s without). Reference counting still frees.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return super().invoke(ctx)
        except ReeError as exc:
            for message in exc.messages():
                say(f"reetimeline: error: {message}" if exc.exit_code == EXIT_USAGE else message)
            raise typer.Exit(exc.exit_code) from None
        finally:
            if collecting:
                gc.enable()


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


def _settings(ctx: Any = None) -> Settings:
    """The global options of the command being run, from Click's context: the app's callback
    leaves them in `ctx.obj`; during completion (which runs no callback) they are read from the
    parsed parameters, so that `show <TAB>` sees the `--store` on the line."""
    # Click's own accessor, as vendored by Typer (the context is Click's, not a global of ours)
    from typer._click.globals import get_current_context

    ctx = ctx or get_current_context(silent=True)
    if ctx is None:
        return Settings()
    root = ctx.find_root()
    if isinstance(root.obj, Settings):
        return root.obj
    params = root.params
    # Typer converts values only when it calls the callback: here they are Click's strings
    stores = [Path(p) for p in params.get("store_paths") or ()] or None
    return Settings(stores, params.get("color") or "auto", bool(params.get("pager")))


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"reetimeline {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
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
    ctx.obj = Settings(stores=store_paths or None, color=color, pager=pager)


# --- where stores are, what today is ---------------------------------------------------------


def store_paths(ctx: Any = None) -> list[Path]:
    """--store, else $REETIMELINE_STORE, else the curated store plus the user store if present."""
    settings = _settings(ctx)
    if settings.stores:
        return settings.stores
    if env_store_paths():
        return env_store_paths()
    paths = [store.curated_store_path()]
    user = user_store_path()
    if user.exists():
        paths.append(user)
    return paths


def env_store_paths() -> list[Path]:
    return [Path(p) for p in os.environ.get(ENV_STORE, "").split(os.pathsep) if p]


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
    from ..datespec import parse_when

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


def console(*, width: int | None = None):
    from rich.console import Console

    color, _why = color_decision()
    return Console(
        markup=False,
        emoji=False,
        highlight=False,
        no_color=not color,
        color_system="auto" if color else None,
        force_terminal=True if color else None,
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


def output(rows, *, json_output: bool, record, view: str, lines) -> None:
    """One result three ways: JSON objects for programs, the Rich `render.<view>` on a
    terminal, plain `lines(rows)` in a pipe."""
    if json_output:
        print_json([record(row) for row in rows])
    elif use_rich():
        from .. import render

        show(getattr(render, view)(rows))
    else:
        print_lines(lines(rows))


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
    from ..vocab import MINERALS

    return MINERALS.complete(incomplete)


def complete_countries(incomplete: str) -> list[str]:
    from ..vocab import COUNTRIES_VOCAB

    return COUNTRIES_VOCAB.complete(incomplete)


def complete_categories(incomplete: str) -> list[str]:
    return [c for c in CATEGORIES if c.startswith(incomplete.casefold())]


def _from_stores(ctx: typer.Context, values) -> list[str]:
    try:
        loaded = store.load(store_paths(ctx), cache_dir=cache_dir())
    except ReeError:
        return []  # a broken store completes nothing; `check` says why
    return sorted(set(values(loaded)))


def complete_tags(ctx: typer.Context, incomplete: str) -> list[str]:
    wanted = incomplete.casefold()
    tags = _from_stores(ctx, lambda s: s.tags())
    return [t for t in tags if t.casefold().startswith(wanted)]


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Ids of the stores in use: completion runs no callback, so `--store` comes from `ctx`."""
    return [i for i in _from_stores(ctx, lambda s: s.ids()) if i.startswith(incomplete)]


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


# --- entry point -----------------------------------------------------------------------------


def main() -> None:
    """The console script. Errors are turned into messages by `_Commands`; a Ctrl-C that
    arrives outside a command (while starting) still exits 130 without a traceback.

    A large store read for the first time is cached by a forked process started after the
    answer is written; this process then leaves at once (`os._exit` after flushing): tearing
    down its objects would copy every page it still shares with the builder."""
    from ..store import cache as store_cache

    store_cache.deferred = []
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as exc:
        if store_cache.start_deferred_builds():
            _leave_now(exc.code)
        raise


def _leave_now(code: object) -> None:
    status = code if isinstance(code, int) else (0 if code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


# The commands register themselves on `app` when imported.
from . import exchange, views  # noqa: E402, F401
