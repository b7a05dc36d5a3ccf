"""The console script: Ctrl-C is handled before anything heavy is imported.

Importing the command line (Typer, the store, the vocabularies) takes most of the start-up time.
Python's own SIGINT handler would turn a Ctrl-C in that time into a KeyboardInterrupt traceback
from inside some import, so the first thing this module does is give SIGINT back to the system:
until the command runs, Ctrl-C ends the process at once, killed by the signal (shells report
130), and no line of Python runs to print anything.

Once the command line is imported, a Ctrl-C raises KeyboardInterrupt as usual, so that what the
command was doing is cleaned up (temporary files removed, the terminal restored); the command
line turns it into exit code 130. The handler gives SIGINT back to the system before it raises,
so a second Ctrl-C during that clean-up ends the process at once instead of interrupting it.
"""

import _signal  # type: ignore[import-not-found]  # the C module behind `signal`: importing `signal` would first load enum

_signal.signal(_signal.SIGINT, _signal.SIG_DFL)

import signal  # noqa: E402 - only now: Ctrl-C while it loads ends the process quietly
import sys  # noqa: E402

EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED, not imported: this module stays tiny


def _interrupted(_signum, _frame):
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise KeyboardInterrupt


def main() -> None:
    """Run the command line with Ctrl-C handled in every phase (see the module's docstring)."""
    from .cli import main as run

    try:
        try:
            signal.signal(signal.SIGINT, _interrupted)
            run()
        finally:
            # the command is done: a Ctrl-C from here on, while Python shuts down, ends it
            signal.signal(signal.SIGINT, signal.SIG_DFL)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
