"""Start-up and exit of the console script, in one place.

`_entry` gives Ctrl-C back to the system before anything heavy is imported, then calls `main`
here, which:

- takes Ctrl-C over once the command line is loaded (`_interrupted`): a Ctrl-C then raises
  KeyboardInterrupt, so that what the command was doing is cleaned up (temporary files removed,
  the terminal restored), and the process exits 130; the handler gives SIGINT back to the system
  first, so a second Ctrl-C during that clean-up ends the process at once;
- turns the cyclic collector off for the whole run: a command is a short run that builds many
  small objects and no cycles worth collecting (reading 100,000 events took 5.4 s with it, 2.0 s
  without); left to come back on after the command, its first pass would scan every object a
  large read made just before the process ends. Reference counting still frees. (The store
  pauses it too while it parses, for programs that import the package, and freezes it before it
  forks a cache builder.)
- hands the app one `store.Deferred`: the store leaves the cache builds of large files and the
  parsed documents of large files in it, rather than slow the answer;
- writes the answer through `_Stdout`, which remembers a failed write: output to a full disk or
  a closed stdout is one line on stderr and exit 1, never an empty file with exit 0 and never a
  traceback. Text the output's encoding cannot hold (PYTHONIOENCODING=ascii) is replaced by `?`;
- after the answer is flushed, starts the waiting cache builds, and leaves at once
  (`os._exit`) when a builder runs or large documents were kept: tearing down the objects would
  copy every page the builder still shares, and freeing each object takes longer than the
  system takes to free them all.

A closed pipe (`reetimeline list | head -1`) ends quietly with exit 0, in every output path (text,
JSON, exports, Rich with --color always): the reader has gone with what it wanted, so nothing is
said and a `set -o pipefail` script goes on. Click turns a write that fails during the command
into exit 1; that is taken back to 0 here. When only the final flush fails, the command's own
exit code stands. Whatever is left in the buffer is then sent to /dev/null, so that the flush
at interpreter shutdown cannot fail again ("Exception ignored ... BrokenPipeError", exit 120).
"""

import contextlib
import errno
import gc
import io
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED
EXIT_OUTPUT = 1  # stdout could not be written: the answer is lost, as with bad data
EXIT_PIPE_CLOSED = 0  # the reader of a pipe left (`| head -1`): what it read was what it wanted


def main() -> None:
    """The console script: run the command named by `sys.argv`, then exit (see the module)."""
    # Loaded before Ctrl-C is taken over: until then a Ctrl-C ends the process (see `_entry`).
    from .. import store
    from .commands import app

    try:
        try:
            signal.signal(signal.SIGINT, _interrupted)
            code = _run(app, store.Deferred())
        finally:
            # the command is done: a Ctrl-C from here on, while Python shuts down, ends it
            signal.signal(signal.SIGINT, signal.SIG_DFL)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code)


def _interrupted(_signum, _frame):
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise KeyboardInterrupt


def _run(app: Any, deferred: Any) -> int:
    """Run the app on `sys.argv` with `deferred` (a `store.Deferred`) and flush its answer; the
    exit code. Leaves the process at once when a cache builder runs or documents were kept."""
    out = _take_over_stdout()
    gc.disable()
    try:
        with _only_command(app, _command_named(sys.argv[1:])):
            app(obj=deferred)
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except OSError:
        if out.failed is None:
            raise  # not the output: a bug, with its traceback
        code = EXIT_OUTPUT
    code = _flushed(out, code, during=out.failed is not None)
    if deferred.run_builds() or deferred.documents:
        _leave_now(code)
    return code


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


# --- stdout -----------------------------------------------------------------------------------


class _Stdout(io.TextIOWrapper):
    """sys.stdout, remembering the first write or flush that failed."""

    failed: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as exc:
            self.failed = self.failed or exc
            raise

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            self.failed = self.failed or exc
            raise


class _Closed(io.TextIOBase):
    """Stands in for a stdout that was closed when the process started (Python then sets
    sys.stdout to None): writing fails as writing to a closed descriptor does."""

    failed: OSError | None = None
    encoding = "utf-8"

    def write(self, text: str) -> int:
        self.failed = self.failed or OSError(errno.EBADF, os.strerror(errno.EBADF))
        raise self.failed

    def isatty(self) -> bool:
        return False


def _take_over_stdout() -> Any:
    """Put `_Stdout` (or `_Closed`) in sys.stdout and return it. The original stays as
    sys.__stdout__ (which asks the terminal for its size)."""
    original: Any = sys.stdout
    if original is None or not hasattr(original, "buffer"):
        if original is None:
            sys.stdout = _Closed()
        else:  # already replaced (by a test harness): leave it
            sys.stdout = _Unwatched(original)
        return sys.stdout
    original.flush()
    errors = original.errors
    if errors == "strict":
        # PYTHONIOENCODING=ascii and the like: characters it cannot hold become `?`
        errors = "replace"
    sys.stdout = _Stdout(original.buffer, encoding=original.encoding, errors=errors,
                         line_buffering=bool(original.line_buffering),
                         write_through=bool(getattr(original, "write_through", False)))  # fmt: skip
    return sys.stdout


class _Unwatched:
    """A stdout someone else set up: its failures are its own."""

    failed: OSError | None = None

    def __init__(self, stream: Any):
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _flushed(out: Any, code: int, *, during: bool = False) -> int:
    """Flush the answer; on a failed write (now or, with `during`, during the command), one line
    on stderr and exit 1. A closed pipe is quiet (the reader has gone: nobody needs the
    message) and exit 0 when it cut the command short; else the command's own code."""
    with contextlib.suppress(OSError, ValueError):
        out.flush()
    failed = out.failed
    if failed is None:
        return code
    # what is left in the buffer must not fail again when Python shuts down
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    if failed.errno == errno.EPIPE:
        return EXIT_PIPE_CLOSED if during else code
    reason = failed.strerror or str(failed)
    from .printing import say

    say(f"reetimeline: error: cannot write the output: {reason}")
    return code or EXIT_OUTPUT


def _leave_now(code: int) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


# --- registering only the command that runs ---------------------------------------------------

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
def _only_command(app: Any, name: str | None) -> Iterator[None]:
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
