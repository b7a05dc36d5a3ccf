"""The command line: parse arguments, call one use case, hand the result to one renderer.

Modules, top down: `run` (start-up and exit of the console script), `commands` (imports every
command module, which registers its commands on the app), the command modules `views` (check,
list, timeline, show), `measures` (countdown, status), `overviews` (stats, vocab, doctor),
`briefing` (changes, report) and `exchange` (export, add, import); `application` (the Typer app,
global options, errors into exit codes), `options` (shared options, dates typed on the command
line), `loading` (the stores in use), `printing` (stdout, stderr, colour, pager), `paths` (XDG
folders, settings), `completion` and `typer_adapter` (Typer's private API, in one place).

The only package that imports Typer, prints, exits, reads environment variables or asks for
today's date. Nothing here is imported until used: `reetimeline.cli.app` is the app with every
command registered.
"""

from typing import Any


def main() -> None:
    """The console script (see `run.main`)."""
    from .run import main as run

    run()


def __getattr__(name: str) -> Any:
    if name == "app":
        from .commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
