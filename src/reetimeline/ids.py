"""Ids for new events: derived from the date and title, made unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

MAX_LENGTH = 60


def derive_id(date: str, title: str) -> str:
    """`2026-11-27-suspension-lapses` from a date and a title (ASCII letters and digits)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    prefix = re.sub(r"[^0-9-]", "", date.strip()).strip("-") or "event"
    slug = f"{prefix}-{words}" if words else prefix
    return slug[:MAX_LENGTH].rstrip("-")


def next_free_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free first."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
