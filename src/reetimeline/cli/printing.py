"""Printing for the command line: messages on stderr, data on stdout as plain lines, JSON or
Rich drawings (through a pager when asked), and the colour and pager decisions."""

import contextlib
import os
import sys
from typing import Any

from ..text import json_visible, visible
from .paths import settings


def say(message: str) -> None:
    """A message for the person, on stderr (every hint, note and error goes through here), with
    anything a terminal would act on (from a store, a file name, the command line) shown as an
    escape. On a terminal it is wrapped to the terminal's width at spaces (`wrapped`); in a
    pipe or a file it stays one line, for grep and logs."""
    text = visible(message)
    if _stderr_is_terminal():
        text = "\n".join(wrapped(text, _stderr_width()))
    print(text, file=sys.stderr)


def wrapped(text: str, width: int) -> list[str]:
    """`text` on lines of at most `width` characters, broken only at spaces: never inside a
    word, and never inside an id (not even at its hyphens, so it can be copied whole); a word
    longer than `width` stands on a line of its own."""
    import textwrap

    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def _stderr_width() -> int:
    """COLUMNS when it holds a sane width, else the width of the terminal stderr is on, else
    80."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and 20 <= int(columns) <= MAX_COLUMNS:
        return int(columns)
    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 80
    return width if 20 <= width <= MAX_COLUMNS else 80


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def color_decision() -> tuple[bool, str]:
    """Whether to colour, and why: --color, then NO_COLOR, FORCE_COLOR (unless --color auto
    was given), then `color` in the config file, then TERM=dumb, then whether stdout is a
    terminal (https://no-color.org: NO_COLOR counts when not empty)."""
    given = settings()
    choice = given.color
    if choice in ("always", "never"):
        return choice == "always", f"--color {choice}"
    if os.environ.get("NO_COLOR"):
        return False, "NO_COLOR is set"
    if os.environ.get("FORCE_COLOR"):
        return True, "FORCE_COLOR is set"
    configured = given.config.color
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
    given = settings()
    if given.pager is not None:
        return given.pager, "--pager" if given.pager else "--no-pager"
    value = os.environ.get(ENV_PAGER, "").strip()
    if value:
        on = value.casefold() not in _OFF
        return on, f"{ENV_PAGER}={value}"
    if given.config.pager is not None:
        return given.config.pager, f"pager = {str(given.config.pager).lower()} in the config file"
    return False, "not asked for"


def use_rich() -> bool:
    """Rich draws for a terminal, or when colour is asked for; pipes and files get plain text."""
    return stdout_is_terminal() or color_decision()[0]


def console(*, width: int | None = None):
    """The Rich console for stdout, as the colour decision says (made by the renderer), as wide
    as `width`, else as the terminal (see `sane_width`)."""
    from ..output.render import make_console

    return make_console(color=color_decision()[0], width=width or sane_width())


MAX_COLUMNS = 1_000  # wider than any screen; beyond it COLUMNS is a mistake


def sane_width() -> int | None:
    """None when Rich may decide the width itself (from COLUMNS or the terminal); a width when
    COLUMNS holds a number Rich would take but cannot draw with: 0 draws nothing and 10**9 would
    fill the memory with padding. Then the terminal's own width, else 80 (Rich's default)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if not columns.isdigit() or 1 <= int(columns) <= MAX_COLUMNS:
        return None  # Rich ignores what is not a number (-5) and takes a sane one as it is
    try:
        width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return 80
    return width if 1 <= width <= MAX_COLUMNS else 80


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


def output(rows, *, json_output: bool, record, view: str, lines, origins=None) -> None:
    """One result three ways: JSON objects for programs, the Rich `render.<view>` on a
    terminal (`origins`: where the events not from the curated store come from, marked in the
    view), plain `lines(rows)` in a pipe."""
    if json_output:
        print_json([record(row) for row in rows])
    elif use_rich():
        from ..output import render

        draw = getattr(render, view)
        show(draw(rows) if origins is None else draw(rows, origins=origins))
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


def print_bytes(data: bytes) -> None:
    """Binary output (xlsx) on stdout, after any text already written. A failed write is
    remembered by the console script's stdout (see `run._Stdout`) like a failed text write."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        if hasattr(sys.stdout, "failed"):
            sys.stdout.failed = sys.stdout.failed or exc
        raise


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
