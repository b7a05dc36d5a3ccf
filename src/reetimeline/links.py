"""Which source links the tool accepts and writes: http and https only, with a host, and
nothing a terminal, a page or a spreadsheet could read as more than a link. The store's
validation and every exporter ask the same question here."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL_CHAR = r"[^\s<>\"\\^`{|}\x00-\x1f\x7f"
GOOD_URL = re.compile(rf"(?i:https?)://{_URL_CHAR}/?#]+(?:[/?#]{_URL_CHAR}]*)?")


def check_url(url: str) -> str | None:
    """Why `url` is not an acceptable source link, or None when it is (http and https only)."""
    if GOOD_URL.fullmatch(url):  # the common case, in one regex
        return None
    if _CONTROL.search(url) or any(c.isspace() or c in '<>"\\^`{|}' for c in url):
        return 'a link may not hold spaces, control characters or any of < > " \\ ^ ` { | }'
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{url!r} is not an http or https link"
    if not parts.netloc:
        return f"{url!r} has no host"
    return None
