"""Every use of Typer's and Click's private API, in one place.

Typer 0.27 vendors Click as `typer._click`; the command line needs a few of its internals that no
public name gives: the current context (settings during completion, the exit code after the
answer), the completion script of a named shell, and the parts of shell completion that decide
what bash and zsh receive (see `completion.py`). Nothing else in the package imports `typer._*`
or subclasses Typer's group: when a Typer upgrade moves one of these, this module and
`tests/test_typer_adapter.py` (which names what moved) are the only places to look. The pin in
pyproject.toml says so.
"""

from __future__ import annotations

from typing import Any

from typer._click.core import Parameter
from typer._click.globals import get_current_context
from typer._click.shell_completion import (
    CompletionItem,
    _resolve_context,
    _resolve_incomplete,
    add_completion_class,
)
from typer._click.types import StringParamType
from typer._completion_classes import BashComplete, ZshComplete
from typer.core import TyperCommand, TyperGroup

__all__ = [
    "PRIVATE_NAMES",
    "BashComplete",
    "Command",
    "CompletionItem",
    "Group",
    "Parameter",
    "StringParamType",
    "ZshComplete",
    "add_completion_class",
    "completion_script",
    "current_context",
    "is_no_args_help",
    "resolve_context",
    "resolve_incomplete",
]

# What this module takes from Typer's private modules: (module, name). The test imports each
# and fails naming the one that moved.
PRIVATE_NAMES = (
    ("typer._click.core", "Parameter"),
    ("typer._click.globals", "get_current_context"),
    ("typer._click.shell_completion", "CompletionItem"),
    ("typer._click.shell_completion", "_resolve_context"),
    ("typer._click.shell_completion", "_resolve_incomplete"),
    ("typer._click.shell_completion", "add_completion_class"),
    ("typer._click.types", "StringParamType"),
    ("typer._completion_classes", "BashComplete"),
    ("typer._completion_classes", "ZshComplete"),
    ("typer._completion_shared", "get_completion_script"),
    ("typer.core", "TyperGroup"),
    ("typer.core.TyperGroup", "_main_shell_completion"),
)


def current_context() -> Any | None:
    """Click's context of the command being run, or None outside one."""
    return get_current_context(silent=True)


def completion_script(prog_name: str, complete_var: str, shell: str) -> str:
    """The completion script Typer writes for `shell` (bash, zsh, fish, powershell, pwsh)."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell)


def resolve_context(cli: Any, ctx_args: Any, prog_name: str, args: list[str]) -> Any:
    """The context that the words before the cursor make (Click's completion does this)."""
    return _resolve_context(cli, ctx_args, prog_name, args)


def resolve_incomplete(ctx: Any, args: list[str], incomplete: str) -> tuple[Any, str]:
    """What is being completed (a parameter or a command) and the word as typed."""
    return _resolve_incomplete(ctx, args, incomplete)


def is_no_args_help(exc: BaseException) -> bool:
    """Whether Typer raised this because the program was run with no arguments (it then
    prints the help itself)."""
    return type(exc).__name__ == "NoArgsIsHelpError"


class Group(TyperGroup):
    """Typer's group with one hook: `before_shell_completion()` runs before Click answers a
    shell's completion request (the command line registers its own bash and zsh classes
    there)."""

    def before_shell_completion(self) -> None:
        """Override: called before each completion request is answered."""

    def _main_shell_completion(self, ctx_args, prog_name, complete_var=None):
        self.before_shell_completion()
        return super()._main_shell_completion(ctx_args, prog_name, complete_var)


class Command(TyperCommand):
    """Typer's command, with a required argument in the usage line as `ID`, not Typer's `{ID}`
    (the braces read as part of what to type). Pass it as `cls` to a command with one."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [_unbraced(piece) for piece in super().collect_usage_pieces(ctx)]


def _unbraced(piece: str) -> str:
    return piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
