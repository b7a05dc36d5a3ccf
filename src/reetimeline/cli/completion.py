"""Completion in real shells: the values each option takes, and what bash and zsh receive.

Typer's own hook for completion functions keeps only candidates that start with exactly what
was typed, so `-m DY` would offer nothing though `-m DY` is accepted. Values are therefore
completed through a Click parameter type (`Completing`) whose function matches as the filters
do (without regard to case, and for vocabularies as `vocab` normalises names).

The scripts stay Typer's (`reetimeline --show-completion bash|zsh`), so completion already
installed keeps working; what this program prints for them differs:

- bash gets every value quoted for the shell (`редкие\\ земли`), or as it is inside a quote the
  person opened, and in the case typed when readline would otherwise shorten the word (see
  `keeping_what_was_typed`); nothing for a file name, so that bash completes file names itself;
- zsh gets `compadd` with the values and a matcher that ignores case (zsh itself would drop
  `dysprosium` for `DY`), each value one word whatever it holds (zsh quotes what it inserts:
  `редкие\\ земли`); `_files` for a file name.

Values a terminal would act on or not show (a tag holding an escape sequence) are not offered.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..model import ALL_DESTINATIONS, CATEGORIES, CONFIDENCES, KINDS, TARGET_KINDS
from ..text import visible
from .typer_adapter import (
    BashComplete,
    CompletionItem,
    Parameter,
    StringParamType,
    ZshComplete,
    add_completion_class,
    resolve_context,
    resolve_incomplete,
)

Candidates = Callable[[Any, str], Iterable[str | tuple[str, str]]]


class Completing(StringParamType):
    """Text whose completions come from `candidates(ctx, incomplete)`, which matches by itself;
    values are taken as typed (each command checks them, with a did-you-mean)."""

    def __init__(self, candidates: Candidates):
        self.candidates = candidates

    def shell_complete(self, ctx, param, incomplete: str) -> list[CompletionItem]:
        items = []
        for candidate in self.candidates(ctx, incomplete):
            value, help_text = candidate if isinstance(candidate, tuple) else (candidate, None)
            if visible(value) == value:
                items.append(CompletionItem(value, help=help_text))
        return items


def completing(candidates: Candidates) -> Completing:
    return Completing(candidates)


def _starting(values: Iterable[str], incomplete: str) -> list[str]:
    wanted = incomplete.casefold()
    return [v for v in values if v.casefold().startswith(wanted)]


# --- the values ------------------------------------------------------------------------------


def minerals(_ctx, incomplete: str) -> list[str]:
    from ..vocab import MINERALS

    return MINERALS.complete(incomplete)


def countries(_ctx, incomplete: str) -> list[str]:
    from ..vocab import COUNTRIES_VOCAB

    return COUNTRIES_VOCAB.complete(incomplete)


def destinations(ctx, incomplete: str) -> list[str]:
    """Countries and groups, and `all` (every destination)."""
    return countries(ctx, incomplete) + _starting([ALL_DESTINATIONS], incomplete)


def categories(_ctx, incomplete: str) -> list[str]:
    return _starting(CATEGORIES, incomplete)


def kinds(_ctx, incomplete: str) -> list[str]:
    return _starting(KINDS, incomplete)


def target_kinds(_ctx, incomplete: str) -> list[str]:
    """What --alarm-on takes: after a comma, the kinds for the next item."""
    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    return [prefix + kind for kind in _starting(TARGET_KINDS, last)]


def confidences(_ctx, incomplete: str) -> list[str]:
    return _starting(CONFIDENCES, incomplete)


def colors(_ctx, incomplete: str) -> list[str]:
    from .config import COLORS

    return _starting(COLORS, incomplete)


def export_formats(_ctx, incomplete: str) -> list[tuple[str, str]]:
    from ..output.formats import EXPORTERS

    return [(name, EXPORTERS[name].description) for name in _starting(EXPORTERS, incomplete)]


def sheet_formats(_ctx, incomplete: str) -> list[tuple[str, str]]:
    from ..output.formats import SHEET_WRITERS

    return [(name, SHEET_WRITERS[name].description)
            for name in _starting(SHEET_WRITERS, incomplete)]  # fmt: skip


def import_formats(_ctx, incomplete: str) -> list[str]:
    from ..output.formats import FORMATS

    return _starting(FORMATS, incomplete)


def stats_keys(_ctx, incomplete: str) -> list[str]:
    from ..engine.query import STATS_KEYS

    return _starting(STATS_KEYS, incomplete)


def vocabularies(_ctx, incomplete: str) -> list[str]:
    return _starting(("minerals", "countries", "categories"), incomplete)


def _from_stores(ctx, values) -> list[str]:
    from .. import store
    from ..errors import ReeError
    from .paths import cache_dir, settings, store_paths

    try:
        # a store file with problems completes nothing; `check` says why
        loaded, _problems = store.read(store_paths(ctx), cache_dir=cache_dir(),
                                       leave_out_broken=True,
                                       deferred=settings(ctx).deferred)  # fmt: skip
    except ReeError:
        return []
    return sorted(set(values(loaded)))


def tags(ctx, incomplete: str) -> list[str]:
    return _starting(_from_stores(ctx, lambda s: s.tags()), incomplete)


def ids(ctx, incomplete: str) -> list[str]:
    """Ids of the stores in use: completion runs no callback, so `--store` comes from `ctx`."""
    return _starting(_from_stores(ctx, lambda s: s.ids()), incomplete)


# --- what the shells receive -----------------------------------------------------------------


class _Resolving:
    """Remembers whether the word being completed is a value (of an option or an argument) or
    an option or command name."""

    value = False  # a value, not an option or command name
    path = False  # a file or folder name
    typed = ""  # the start of the value, as typed

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        ctx = resolve_context(self.cli, self.ctx_args, self.prog_name, args)  # type: ignore[attr-defined]
        obj, incomplete = resolve_incomplete(ctx, args, incomplete)
        self.value = isinstance(obj, Parameter)
        self.typed = incomplete
        self.path = self.value and getattr(obj.type, "name", "") in ("path", "filename")  # type: ignore[union-attr]
        return obj.shell_complete(ctx, incomplete)


def _is_path(item: CompletionItem) -> bool:
    return item.type in ("file", "dir")


# what bash takes as it is in a word; anything else gets a backslash
_BASH_PLAIN = re.compile(r"[\w\-./,+@%=]")


def bash_word(value: str) -> str:
    """`value` as one word for bash: `редкие земли` -> `редкие\\ земли`."""
    return "".join(c if _BASH_PLAIN.fullmatch(c) else "\\" + c for c in value)


def keeping_what_was_typed(values: list[str], typed: str) -> list[str]:
    """`values` as bash should get them after `typed`. Readline replaces the word with the
    common start of the values: `ja` would become `J` for Jamaica, JAM and Japan. When that
    start is shorter than what was typed (the values start with it only without regard to
    case), they are given in its case (`jamaica`, `jam`, `japan`: values are
    case-insensitive), so the word grows rather than shrinks. Values with no common start at
    all (`dysprosium`, `Dy` for `DY`) stay as they are: readline keeps the word and lists them;
    so do values whose common start is as long as the word (`us` becomes `US`)."""
    common = _common_start(values)
    if len(values) < 2 or not common or len(common) >= len(typed):
        return values
    if not all(v[: len(typed)].casefold() == typed.casefold() for v in values):
        return values
    if typed == typed.lower():
        return list(dict.fromkeys(v.lower() for v in values))
    if typed == typed.upper():
        return list(dict.fromkeys(v.upper() for v in values))
    return list(dict.fromkeys(typed + v[len(typed) :] for v in values))


def _common_start(values: list[str]) -> str:
    first, last = min(values, default=""), max(values, default="")
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


class Bash(_Resolving, BashComplete):
    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = [i for i in self.get_completions(args, incomplete) if not _is_path(i)]
        if not self.value:
            return "\n".join(item.value for item in items)
        values = keeping_what_was_typed([i.value for i in items], self.typed)
        # inside a quote the person opened, readline inserts the value into the quote as it is
        words = os.environ.get("COMP_WORDS", "").split("\n")
        cword = int(os.environ.get("COMP_CWORD", "0") or 0)
        current = words[cword] if 0 <= cword < len(words) else ""
        quoted = current[:1] in ("'", '"')
        return "\n".join(value if quoted else bash_word(value) for value in values)


def zsh_word(value: str) -> str:
    """`value` as one word for zsh's `eval`, in `$'...'` with everything but letters, digits
    and a few marks as `\\u` escapes: the script runs the output through word splitting first,
    which would break a value at its spaces."""

    def escaped(c: str) -> str:
        if c.isalnum() or c in "-_./,+@%:=":
            return c
        return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"

    return "$'" + "".join(escaped(c) for c in value) + "'"


_ANY_CASE = "'m:{[:lower:][:upper:]}={[:upper:][:lower:]}'"


class Zsh(_Resolving, ZshComplete):
    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = self.get_completions(args, incomplete)
        if not self.value:
            return self.complete_items(items) if items else ""
        if self.path or any(_is_path(i) for i in items):
            return "_files"
        if not items:
            return ""
        # -M: lower and upper case match each other (`DY` finds `dysprosium`); -V: in this
        # order (canonical names first). compadd quotes what it inserts.
        words = " ".join(zsh_word(i.value) for i in items)
        return f"compadd -M {_ANY_CASE} -V reetimeline -- {words}"

    def complete_items(self, items: list[CompletionItem]) -> str:
        """Typer's answer for option and command names: `_arguments` with their help."""
        shown = "\n".join(self.format_completion(item) for item in items)
        return f"_arguments '*: :(({shown}))'"


def register() -> None:
    """Use these classes for bash and zsh (Typer registers its own when the app is built)."""
    add_completion_class(Bash, "bash")
    add_completion_class(Zsh, "zsh")
