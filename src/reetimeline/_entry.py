"""The console script: Ctrl-C is handled before anything heavy is imported.

Importing the command line (Typer, the store, the vocabularies) takes most of the start-up time.
Python's own SIGINT handler would turn a Ctrl-C in that time into a KeyboardInterrupt traceback
from inside some import, so the first thing this module does is give SIGINT back to the system:
until the command runs, Ctrl-C ends the process at once, killed by the signal (shells report
130), and no line of Python runs to print anything. Everything after that (Ctrl-C during the
command, the collector, the exit) is in `cli/run.py`.
"""

import _signal  # type: ignore[import-not-found]  # the C module behind `signal`: importing `signal` would first load enum

_signal.signal(_signal.SIGINT, _signal.SIG_DFL)


def main() -> None:
    """Run the command line (see `cli/run.py`)."""
    from .cli.run import main as run

    run()
