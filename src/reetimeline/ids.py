"""Ids for new events: derived from the date and title, made unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

WORDS_LENGTH = 40  # the words after the date prefix: an id fits on one line at 80 columns


# words an id does not end on: "...-licensing-on" says less than "...-licensing"
_TRAILING = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "into", "of", "on", "or",
                       "the", "to", "with"})  # fmt: skip


def derive_id(date: str, title: str) -> str:
    """`2026-11-27-suspension-lapses` from a date and a title (ASCII letters and digits): the
    words after the date are at most WORDS_LENGTH characters, cut between words and never inside
    a hyphenated one such as `rare-earth` (only a first word longer than that is cut inside),
    without a trailing `of`, `on`, `the`..."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    units = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", ascii_title.lower().replace("'", ""))
    words = _fit(units)
    prefix = re.sub(r"[^0-9-]", "", date.strip()).strip("-") or "event"
    return f"{prefix}-{words}" if words else prefix


def _fit(units: list[str]) -> str:
    """The first of `units` (words, some hyphenated) that fit in WORDS_LENGTH characters when
    joined by `-`, less the little words at the end."""
    kept: list[str] = []
    length = -1
    for unit in units:
        if length + 1 + len(unit) > WORDS_LENGTH:
            break
        kept.append(unit)
        length += 1 + len(unit)
    if not kept and units:  # a first word longer than the limit: its parts that fit
        head = units[0][: WORDS_LENGTH + 1]
        return head.rsplit("-", 1)[0] if "-" in head else head[:WORDS_LENGTH]
    while len(kept) > 1 and kept[-1] in _TRAILING:
        kept.pop()
    return "-".join(kept)


def next_free_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free first."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
