"""The command line: parse arguments, call the core, hand the result to one renderer.

This module holds the app, its global options, the shared filter options and the output
helpers; the commands are in `views` (reading) and `exchange` (export, add, import).

The only module that imports Typer, prints, exits, reads environment variables or asks for
today's date. Rich and the exporters are imported only by the commands that draw or write them.
"""

import contextlib
import datetime as dt
import functools
import gc
import inspect
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

from .. import store
from ..engine import query
from ..errors import EXIT_DATA, EXIT_INTERRUPTED, EXIT_USAGE, DataError, ReeError, UsageError
from ..model import CATEGORIES, Event, PartialDate
from ..text import json_visible, visible
from . import completion
from .completion import completing
from .config import COLORS, Config, read_config

ENV_STORE = "REETIMELINE_STORE"


def hoist_global_options(args: list[str]) -> list[str]:
    """Move `--color X`, `--color=X`, `--pager`, `--no-pager` and `--with-curated` given after the
    command name to the front."""
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
        if arg.startswith("--color=") or arg in ("--pager", "--no-pager", "--with-curated"):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class _Commands(TyperGroup):
    """Turns the project's errors, and Typer's own usage errors, into messages on stderr and exit
    codes, in one place, for every command (and for tests that invoke the app in-process)."""

    def parse_args(self, ctx, args):
        if len(args) >= 2 and args[0] == "--show-completion" and args[1] in _SHELLS:
            _show_completion(ctx, args[1])
        # --color, --pager and --with-curated are global, and also accepted after the command name
        try:
            return super().parse_args(ctx, hoist_global_options(list(args)))
        except typer.TyperException as exc:
            raise _reported(exc) from None

    def invoke(self, ctx):
        # A command is a short run that builds many small objects and no cycles worth
        # collecting: the cyclic collector would rescan them again and again (measured: reading
        # 100,000 events took 5.4 s with it, 2.0 s without). Reference counting still frees.
        collecting = gc.isenabled()
        gc.disable()
        try:
            result = super().invoke(ctx)
            if ctx.meta.get(_EXIT_AFTER):
                raise typer.Exit(ctx.meta[_EXIT_AFTER])
            return result
        except ReeError as exc:
            for message in exc.messages():
                say(f"reetimeline: error: {message}" if exc.exit_code == EXIT_USAGE else message)
            raise typer.Exit(exc.exit_code) from None
        except typer.TyperException as exc:
            raise _reported(exc) from None
        finally:
            if collecting:
                gc.enable()

    def _main_shell_completion(self, ctx_args, prog_name, complete_var=None):
        completion.register()  # our bash and zsh answers (see cli/completion.py)
        return super()._main_shell_completion(ctx_args, prog_name, complete_var)


_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _show_completion(ctx, shell: str) -> None:
    """`--show-completion SHELL`: the script for that shell (Typer's option alone gives the
    script of the shell it runs in, whatever name follows it)."""
    from typer._completion_shared import get_completion_script

    name = ctx.find_root().info_name or "reetimeline"
    variable = "_{}_COMPLETE".format(name.replace("-", "_").upper())
    typer.echo(get_completion_script(prog_name=name, complete_var=variable, shell=shell))
    raise typer.Exit()


def _reported(exc: typer.TyperException) -> Exception:
    """Typer's usage errors (unknown option, bad number, missing value) as one line on stderr,
    like ours, with the text the user typed made visible; the exception to raise next."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return exc  # `reetimeline` alone prints the help: Typer shows it
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} -h')"
    say(f"reetimeline: error: {message}")
    return typer.Exit(exc.exit_code)


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
    """The global options as given on the command line (None: not given), and the config file.
    The command line beats the environment, which beats the config file, which beats the
    defaults: see `store_paths`, `color_decision` and `pager_decision`."""

    stores: list[Path] | None = None
    color: str | None = None
    pager: bool | None = None
    with_curated: bool = False
    config: Config = Config()


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
    try:
        config = read_config(config_path())
    except ReeError:
        config = Config()  # completing: a bad config file is said by the command itself
    color = params.get("color")
    settings = Settings(stores, color.casefold() if isinstance(color, str) else None,
                        params.get("pager"), bool(params.get("with_curated")), config)  # fmt: skip
    root.obj = settings
    return settings


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
            f"(repeatable). Default: ${ENV_STORE}, else the curated store, the config file's "
            "stores and your user store.",
            show_default=False,
        ),
    ] = None,
    color: Annotated[
        str | None,
        typer.Option(
            "--color",
            metavar="auto|always|never",
            click_type=completing(completion.colors),
            help="Colour: auto (on a terminal, unless NO_COLOR), always or never. Default: "
            "NO_COLOR or FORCE_COLOR, else `color` in the config file, else auto.",
            show_default=False,
        ),
    ] = None,
    pager: Annotated[
        bool | None,
        typer.Option(
            "--pager/--no-pager",
            help="Page long output on a terminal. Default: $REETIMELINE_PAGER, else `pager` in "
            "the config file, else no.",
            show_default=False,
        ),
    ] = None,
    with_curated: Annotated[
        bool,
        typer.Option(
            "--with-curated",
            help=f"Keep the curated store when --store or ${ENV_STORE} names the stores.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Follow China's export controls on rare earths and critical minerals, and the reactions.

    Settings come from the command line, else the environment, else the config file
    ($XDG_CONFIG_HOME/reetimeline/config.toml: stores, color, pager), else the defaults.

    Examples:

      reetimeline list --mineral dysprosium

      reetimeline countdown

      reetimeline status --as-of 2026-06-01 -m gallium --to US
    """
    if color is not None:
        color = color.casefold()  # choices are case-insensitive, like every value typed
        if color not in COLORS:
            raise typer.BadParameter("choose auto, always or never", param_hint="--color")
    config = read_config(config_path())
    ctx.obj = Settings(stores=store_paths or None, color=color, pager=pager,
                       with_curated=with_curated, config=config)  # fmt: skip


# --- where stores are, what today is ---------------------------------------------------------


def store_paths(ctx: Any = None) -> list[Path]:
    """--store, else $REETIMELINE_STORE (either with the curated store first when
    --with-curated), else the curated store, the config file's `stores` and the user store if
    present."""
    settings = _settings(ctx)
    named = settings.stores or env_store_paths()
    if named:
        if not settings.with_curated:
            return named
        curated = store.curated_store_path()
        return [curated, *(p for p in named if not _same_file(p, curated))]
    paths = [store.curated_store_path(), *settings.config.stores]
    user = user_store_path()
    if user is not None and user.exists():
        paths.append(user)
    return paths


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.exists() and path.samefile(other)
    except OSError:
        return False


def _base_folder(variable: str, *under_home: str) -> Path | None:
    """$variable if it is an absolute path (the XDG spec ignores relative ones), else the folder
    under the home folder; None when there is no home folder either (HOME unset and no passwd
    entry, as in some containers)."""
    value = os.environ.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value)
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return home.joinpath(*under_home) if home.is_absolute() else None


NO_HOME = "no home folder (HOME is unset and the user has no passwd entry)"


def config_path() -> Path | None:
    """$XDG_CONFIG_HOME/reetimeline/config.toml (default ~/.config/...), or None without a
    home folder."""
    base = _base_folder("XDG_CONFIG_HOME", ".config")
    return None if base is None else base / "reetimeline" / "config.toml"


def user_store_path() -> Path | None:
    """$XDG_DATA_HOME/reetimeline/events.toml (default ~/.local/share/...), or None without a
    home folder: then there is no user store to read, and `add` asks for --store."""
    base = _base_folder("XDG_DATA_HOME", ".local", "share")
    return None if base is None else base / "reetimeline" / "events.toml"


def env_store_paths() -> list[Path]:
    return [Path(p) for p in os.environ.get(ENV_STORE, "").split(os.pathsep) if p]


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/reetimeline (default ~/.cache/reetimeline); REETIMELINE_NO_CACHE=1 turns
    the cache off, and so does having no home folder."""
    if os.environ.get("REETIMELINE_NO_CACHE"):
        return None
    base = _base_folder("XDG_CACHE_HOME", ".cache")
    return None if base is None else base / "reetimeline"


def load_store(filters: "FilterArgs | None" = None) -> store.Store:
    """The stores in use; with `filters`, their tags are checked against the stores' tags.

    A store file with problems is left out and the others answer: every problem is said on
    stderr with a line naming the files left out, and the command exits 1 after its answer.
    When every file has problems there is nothing to answer from: every problem, exit 1."""
    loaded, problems = store.read(store_paths(), cache_dir=cache_dir(), leave_out_broken=True,
                                  deferred=deferred())  # fmt: skip
    if problems:
        if not loaded.files:
            raise DataError(problems)
        for problem in problems:
            say(str(problem))
        say(left_out_line(loaded.left_out))
        _exit_after_answer(EXIT_DATA)
    if loaded.is_empty() and not problems:
        say("no events in " + ", ".join(str(p) for p in loaded.files or store_paths()))
    elif filters is not None and filters.tag:
        check_tags(filters.tag, loaded)
    return loaded


# What the console script does after its answer (`main` sets it; None in other processes).
_deferred: store.Deferred | None = None


def deferred() -> store.Deferred | None:
    """The console script's `store.Deferred`, or None (builds start at once, nothing kept)."""
    return _deferred


def left_out_line(left_out) -> str:
    """ "left out: team/bob.toml (3 problems); run `reetimeline check`" """
    files = ", ".join(f"{path} ({count} problem{'s' if count != 1 else ''})"
                      for path, count in left_out)  # fmt: skip
    return f"left out: {files}; run `reetimeline check`"


_EXIT_AFTER = "reetimeline.exit_after_answer"


def _exit_after_answer(code: int) -> None:
    """Let the command answer, then exit with `code` (see `_Commands.invoke`)."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_EXIT_AFTER] = max(code, ctx.meta.get(_EXIT_AFTER, 0))


def check_tags(tags: list[str], loaded: store.Store) -> None:
    """A tag no event in the stores has is a usage error with a did-you-mean, like an unknown
    mineral: a typo must not look like an empty answer. Tags match case-insensitively."""
    known = sorted({t.casefold() for t in loaded.tags()})
    for tag in tags:
        if tag.casefold() in known:
            continue
        from ..vocab import did_you_mean

        shown = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
        raise UsageError(
            f"--tag: unknown tag '{tag}'{did_you_mean(tag.casefold(), known)}"
            + (f"; tags in the stores: {shown}" if known else "; no event in the stores has a tag")
        )


def today() -> dt.date:
    return dt.date.today()


def parse_date_option(
    value: str | None, option: str, as_of: dt.date | None = None
) -> PartialDate | None:
    """A date option; relative forms count from `as_of` (else today)."""
    if value is None:
        return None
    from ..datespec import parse_when

    try:
        return parse_when(value, as_of or today())
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def as_of_date(value: str | None) -> dt.date:
    parsed = parse_date_option(value, "--as-of")
    if parsed is None:
        return today()
    if parsed.precision != "day":
        raise UsageError(f"--as-of: {value!r} is a {parsed.precision}; give a day (YYYY-MM-DD)")
    return parsed.first()


def require_utf8(ctx: typer.Context) -> None:
    """Text the command will store must be UTF-8. Bytes of the command line that are not (a
    Latin-1 terminal, `$(printf 'caf\\351')`) reach Python as lone surrogates; refuse them here,
    naming the option, rather than fail when the file is written."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        for item in value if isinstance(value, list | tuple) else [value]:
            if not isinstance(item, str):
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = ord(item[exc.start])
                byte = 0xDC80 <= bad <= 0xDCFF  # surrogateescape holds byte b as U+DC00 + b
                what = f"the byte 0x{bad - 0xDC00:02x}" if byte else "a lone surrogate"
                name = param.opts[0] if param.opts else param.name
                raise UsageError(f"{name}: {item!r} holds {what}, which is not UTF-8 text; give "
                                 "it in UTF-8") from None  # fmt: skip


# --- output ----------------------------------------------------------------------------------


def say(message: str) -> None:
    """A message for the person, on stderr: one line, with anything a terminal would act on
    (from a store, a file name, the command line) shown as an escape."""
    print(visible(message), file=sys.stderr)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def color_decision() -> tuple[bool, str]:
    """Whether to colour, and why: --color, then NO_COLOR, FORCE_COLOR (unless --color auto
    was given), then `color` in the config file, then TERM=dumb, then whether stdout is a
    terminal (https://no-color.org: NO_COLOR counts when not empty)."""
    settings = _settings()
    choice = settings.color
    if choice in ("always", "never"):
        return choice == "always", f"--color {choice}"
    if os.environ.get("NO_COLOR"):
        return False, "NO_COLOR is set"
    if os.environ.get("FORCE_COLOR"):
        return True, "FORCE_COLOR is set"
    configured = settings.config.color
    if choice is None and configured in ("always", "never"):
        return configured == "always", f"color = {configured} in the config file"
    if os.environ.get("TERM") == "dumb":
        return False, "TERM=dumb"
    if not stdout_is_terminal():
        return False, "stdout is not a terminal"
    return True, "stdout is a terminal"


ENV_PAGER = "REETIMELINE_PAGER"
_OFF = ("0", "false", "no", "off")


def pager_decision() -> tuple[bool, str]:
    """Whether long output may go through a pager, and why: --pager/--no-pager, then
    $REETIMELINE_PAGER (0, false, no or off turn it off; any other value on), then `pager` in
    the config file; off by default. A pager is used only on a terminal (see `paged`)."""
    settings = _settings()
    if settings.pager is not None:
        return settings.pager, "--pager" if settings.pager else "--no-pager"
    value = os.environ.get(ENV_PAGER, "").strip()
    if value:
        on = value.casefold() not in _OFF
        return on, f"{ENV_PAGER}={value}"
    if settings.config.pager is not None:
        return (
            settings.config.pager,
            f"pager = {str(settings.config.pager).lower()} in the config file",
        )
    return False, "not asked for"


def use_rich() -> bool:
    """Rich draws for a terminal, or when colour is asked for; pipes and files get plain text."""
    return stdout_is_terminal() or color_decision()[0]


def console(*, width: int | None = None):
    """The Rich console for stdout, as the colour decision says (made by the renderer)."""
    from ..output.render import make_console

    return make_console(color=color_decision()[0], width=width)


@contextlib.contextmanager
def paged(out):
    """Show long output through a pager when asked (--pager, $REETIMELINE_PAGER or the config
    file) and stdout is a terminal; never when piped."""
    if pager_decision()[0] and stdout_is_terminal():
        # less shows colours only with -R: LESS=R for the pager, unless the person set LESS
        own_less = "LESS" in os.environ
        if not own_less:
            os.environ["LESS"] = "R"
        try:
            with _ctrl_c_left_to_the_pager(), out.pager(styles=color_decision()[0]):
                yield out
        finally:
            if not own_less:
                os.environ.pop("LESS", None)
    else:
        yield out


@contextlib.contextmanager
def _ctrl_c_left_to_the_pager():
    """While the pager runs, Ctrl-C is the pager's (less stops a search with it): this process
    ignores it, so it never quits under a pager that still holds the terminal. A handler, not
    SIG_IGN, because the pager must not inherit an ignored SIGINT."""
    import signal

    try:
        previous = signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def show(renderable, *, crop: bool = True) -> None:
    """Print for a person (through the pager when asked). `crop=False` lets lines that must not
    be cut (links) run past the width; the terminal folds them."""
    out = console()
    with paged(out):
        out.print(renderable, crop=crop)


def output(rows, *, json_output: bool, record, view: str, lines) -> None:
    """One result three ways: JSON objects for programs, the Rich `render.<view>` on a
    terminal, plain `lines(rows)` in a pipe."""
    if json_output:
        print_json([record(row) for row in rows])
    elif use_rich():
        from ..output import render

        show(getattr(render, view)(rows))
    else:
        print_lines(lines(rows))


# Lines are written in blocks: with PYTHONUNBUFFERED (set in many containers), each write is a
# system call, and writing 60,000 rows one by one took longer than finding them.
BLOCK_LINES = 256


def print_lines(lines) -> int:
    write = sys.stdout.write
    count = 0
    block: list[str] = []
    try:
        for count, line in enumerate(lines, 1):  # noqa: B007 - the count is returned
            block.append(line)
            if len(block) == BLOCK_LINES:
                block.append("")
                write("\n".join(block))
                block = []
    finally:
        if block:  # also what came before an error
            block.append("")
            write("\n".join(block))
    return count


def print_json_list(fragments) -> int:
    """Print `json_fragment`s as one JSON list, exactly as `print_json` would print the list."""
    write = sys.stdout.write
    count = 0
    for count, fragment in enumerate(fragments, 1):
        write(("[\n" if count == 1 else ",\n") + json_visible(fragment))
    write("\n]\n" if count else "[]\n")
    return count


def print_json(data: Any) -> None:
    import json

    # the same JSON values, with what a terminal would act on written as \\u escapes
    sys.stdout.write(json_visible(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


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
    issuer: list[str] | None
    to: list[str] | None
    confirmed: bool

    def build(self, as_of: dt.date | None = None) -> query.Filter:
        """The filter; relative dates (`today`, `+30d`) count from `as_of` when given."""
        return query.make_filter(
            minerals=self.mineral or (),
            countries=self.country or (),
            categories=[c.casefold() for c in self.category or ()],
            tags=self.tag or (),
            text=self.text,
            since=parse_date_option(self.since, "--since", as_of),
            until=parse_date_option(self.until, "--until", as_of),
            exact=self.exact,
            issuers=self.issuer or (),
            destinations=self.to or (),
            confirmed=self.confirmed,
        )


# --- the shared filter options ----------------------------------------------------------------


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
                *names,
                help=help,
                show_default=False,
                metavar=metavar,
                click_type=completing(complete) if complete else None,
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
        complete=completion.minerals,
    ),
    _option(
        "--country",
        "-c",
        kind=list[str] | None,
        metavar="CODE",
        help="Country code, name or alias, or group G7/EU (repeatable; OR).",
        complete=completion.countries,
    ),
    _option(
        "--category",
        "-k",
        kind=list[str] | None,
        metavar="CATEGORY",
        help=f"Category (repeatable; OR): {', '.join(CATEGORIES)}.",
        complete=completion.categories,
    ),
    _option(
        "--tag",
        "-t",
        kind=list[str] | None,
        metavar="TAG",
        help="Tag (repeatable; OR).",
        complete=completion.tags,
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
        help="Match minerals, countries, --by and --to exactly, without following groups.",
    ),
    _option(
        "--by",
        "--issuer",
        kind=list[str] | None,
        metavar="CODE",
        help="Measures imposed by CODE (a country or group; repeatable; OR).",
        complete=completion.countries,
    ),
    _option(
        "--to",
        kind=list[str] | None,
        metavar="CODE",
        help="Measures applying to destination CODE: naming it, a group holding it, or all.",
        complete=completion.destinations,
    ),
    _option(
        "--confirmed",
        kind=bool,
        default=False,
        help="Only confirmed events: leave out what rests on reports.",
    ),
]


def _respelt(param: inspect.Parameter, name: str, spelling: str) -> inspect.Parameter:
    """A filter option under another spelling, for a command whose own option has its name
    (`stats --by` says what to count; `changes --to` ends the window)."""
    kind, option = param.annotation.__origin__, param.annotation.__metadata__[0]
    option = typer.Option(
        spelling,
        help=option.help,
        show_default=False,
        metavar=option.metavar,
        click_type=option.click_type,
    )
    return param.replace(name=name, annotation=Annotated[kind, option])  # fmt: skip


def with_filters(command=None, *, respell: dict[str, str] | None = None):
    """Give a command the shared filter options, collected into one `filters: FilterArgs`.
    `respell` maps a filter (`by`, `to`) to the only spelling it has on this command."""
    if command is None:
        return functools.partial(with_filters, respell=respell)
    respell = respell or {}
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    names = {"by": "issuer"}
    params = []
    for p in _FILTER_PARAMS:
        name = names.get(p.name, p.name)
        if p.name in respell:
            params.append(_respelt(p, name, respell[p.name]))
        else:
            params.append(p.replace(name=name))

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        picked = {p.name: kwargs.pop(p.name) for p in params}
        return command(*args, filters=FilterArgs(**picked), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{k: v for k, v in command.__annotations__.items() if k != "filters"},
        **{p.name: p.annotation for p in params},
    }
    return wrapper


def selected(filters: FilterArgs, as_of: dt.date | None = None, **kwargs) -> list[Event]:
    flt = filters.build(as_of)  # usage errors before the store is read
    loaded = load_store(filters)
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
    down its objects would copy every page it still shares with the builder. It leaves the same
    way after parsing a large store without caching it: freeing each of its objects would
    take longer than the system takes to free them all."""
    global _deferred
    waiting = _deferred = store.Deferred()
    # The cyclic collector stays off in this short process (`_Commands.invoke` says why): left
    # to come back on after a command, its first pass would scan every object a large read
    # made, half a second for 100,000 events, just before the process ends.
    gc.disable()
    try:
        with _only_command(_command_named(sys.argv[1:])):
            app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as exc:
        if waiting.run_builds() or waiting.documents:
            _leave_now(exc.code)
        raise


# The global options that take a value as the next argument.
_VALUE_OPTIONS = ("--store", "-s", "--color")


def _command_named(args: list[str]) -> str | None:
    """The command that `args` run, when only global options stand before its name; None when
    help, `--` or no name comes first."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _VALUE_OPTIONS:
            i += 2
        elif arg in ("-h", "--help", "--"):
            return None
        elif arg.startswith("-"):
            i += 1
        else:
            return arg
    return None


@contextlib.contextmanager
def _only_command(name: str | None) -> Iterator[None]:
    """Register only the command `name` while the app runs: Typer turns every registered
    command into a Click command before it parses anything, a tenth of the start-up time of a
    small query, and one is enough to run it. Help, completion and names that are not commands
    (Click's "No such command" lists the others) keep them all."""
    registered = app.registered_commands
    chosen = [c for c in registered if c.name == name]
    if name is None or len(chosen) != 1:
        yield
        return
    app.registered_commands = chosen
    try:
        yield
    finally:
        app.registered_commands = registered


def _leave_now(code: object) -> None:
    status = code if isinstance(code, int) else (0 if code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


# The commands register themselves on `app` when imported.
from . import briefing, exchange, views  # noqa: E402, F401
