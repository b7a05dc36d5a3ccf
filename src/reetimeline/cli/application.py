"""The Typer app: its global options, and the one place where errors become messages and exit
codes. The commands register themselves on `app` from their modules (`commands` imports them).
"""

from pathlib import Path
from typing import Annotated

import typer

from ..errors import EXIT_USAGE, ReeError, UsageError
from . import completion
from .completion import completing
from .config import COLORS, read_config
from .loading import EXIT_AFTER
from .paths import ENV_STORE, Settings, config_path, deferred_of
from .printing import say
from .typer_adapter import Group, completion_script, is_no_args_help


def hoist_global_options(args: list[str]) -> list[str]:
    """Move `--color X`, `--color=X`, `--pager`, `--no-pager`, `--with-curated` and
    `--curated-only` given after the command name to the front."""
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
        if arg.startswith("--color=") or arg in ("--pager", "--no-pager", "--with-curated",
                                                     "--curated-only"):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class Commands(Group):
    """Turns the project's errors, and Typer's own usage errors, into messages on stderr and exit
    codes, in one place, for every command (and for tests that invoke the app in-process)."""

    def parse_args(self, ctx, args):
        if len(args) >= 2 and args[0] == "--show-completion" and args[1] in _SHELLS:
            _show_completion(ctx, args[1])
        # --color, --pager, --with-curated and --curated-only are global, and also accepted after
        # the command name
        try:
            return super().parse_args(ctx, hoist_global_options(list(args)))
        except typer.TyperException as exc:
            raise _reported(exc) from None

    def invoke(self, ctx):
        # (the console script turns the cyclic collector off for its whole run: see run.py)
        try:
            result = super().invoke(ctx)
            if ctx.meta.get(EXIT_AFTER):
                raise typer.Exit(ctx.meta[EXIT_AFTER])
            return result
        except ReeError as exc:
            for message in exc.messages():
                say(f"reetimeline: error: {message}" if exc.exit_code == EXIT_USAGE else message)
            raise typer.Exit(exc.exit_code) from None
        except typer.TyperException as exc:
            raise _reported(exc) from None

    def before_shell_completion(self) -> None:
        completion.register()  # our bash and zsh answers (see cli/completion.py)


_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _show_completion(ctx, shell: str) -> None:
    """`--show-completion SHELL`: the script for that shell (Typer's option alone gives the
    script of the shell it runs in, whatever name follows it)."""
    name = ctx.find_root().info_name or "reetimeline"
    variable = "_{}_COMPLETE".format(name.replace("-", "_").upper())
    typer.echo(completion_script(name, variable, shell))
    raise typer.Exit()


def _reported(exc: typer.TyperException) -> Exception:
    """Typer's usage errors (unknown option, bad number, missing value) as one line on stderr,
    like ours, with the text the user typed made visible; the exception to raise next."""
    if is_no_args_help(exc):
        return exc  # `reetimeline` alone prints the help: Typer shows it
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} -h')"
    say(f"reetimeline: error: {message}")
    return typer.Exit(exc.exit_code)


app = typer.Typer(
    cls=Commands,
    name="reetimeline",
    help="A sourced timeline of China's critical-mineral export controls and the reactions.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    curated_only: Annotated[
        bool,
        typer.Option(
            "--curated-only",
            help="Read the curated store alone: leave out your store, the config file's stores "
            f"and ${ENV_STORE} (a page safe to forward: report --curated-only).",
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
    if curated_only and store_paths:
        raise UsageError("--curated-only reads the curated store alone: leave out --store (or "
                         "keep the curated store beside --store's with --with-curated)")
    config = read_config(config_path())
    ctx.obj = Settings(stores=store_paths or None, color=color, pager=pager,
                       with_curated=with_curated, config=config,
                       deferred=deferred_of(ctx.obj), curated_only=curated_only)  # fmt: skip
