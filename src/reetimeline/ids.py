"""Ids for new events: derived from the date and title, made unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

WORDS_LENGTH = 40  # the words after the date prefix: an id fits on one line at 80 columns


def derive_id(date: str, title: str) -> str:
    """`2026-11-27-suspension-lapses` from a date and a title (ASCII letters and digits): the
    words after the date are at most WORDS_LENGTH characters, cut between words (only a first
    word longer than that is cut inside)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = _fit(re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-"))
    prefix = re.sub(r"[^0-9-]", "", date.strip()).strip("-") or "event"
    return f"{prefix}-{words}" if words else prefix


def _fit(words: str) -> str:
    """`words` (joined by `-`) cut to the whole words that fit in WORDS_LENGTH characters."""
    if len(words) <= WORDS_LENGTH:
        return words
    head = words[: WORDS_LENGTH + 1]  # a `-` just after the limit still ends a whole word
    if "-" not in head:
        return words[:WORDS_LENGTH]
    return head.rsplit("-", 1)[0]


def next_free_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free first."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
