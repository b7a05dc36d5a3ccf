"""Which source links the tool accepts and writes: http and https with a host, and `mailto:` an
address, and nothing a terminal, a page or a spreadsheet could read as more than a link (never
`javascript:`, `data:` or `file:`). A source may also have no link at all: a document reference
by its title. The store's validation and every exporter ask the same question here."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL_CHAR = r"[^\s<>\"\\^`{|}\x00-\x1f\x7f"
GOOD_URL = re.compile(rf"(?i:https?)://{_URL_CHAR}/?#]+(?:[/?#]{_URL_CHAR}]*)?")
# `mailto:` one address (RFC 6068 in practice), no headers (`?subject=`, `?body=`): what a person
# writes to, nothing more. The address is read with its percent-encoding decoded (UTF-8), then
# must be an addr-spec: a dot-atom local part (RFC 5322 atext, non-ASCII allowed as RFC 6532
# does), `@`, a domain of two or more dot-separated labels (letters, digits, inner hyphens, any
# script). `mailto:a%40b@ex.example` is two `@`s: refused; so are quoted local parts.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]|[^\x00-\x7f\s]"
_LABEL = r"[^\W_](?:[^\W_]|-)*(?<!-)"
_ADDR_SPEC = re.compile(rf"(?:{_ATEXT})+(?:\.(?:{_ATEXT})+)*@{_LABEL}(?:\.{_LABEL})+")
NO_LINK = "the source has no link (a reference by its title)"


def check_url(url: str | None) -> str | None:
    """Why `url` is not an acceptable source link, or None when it is (http and https with a
    host, or `mailto:` one address). None, a source without a link, is not a link to write."""
    if url is None:
        return NO_LINK
    if GOOD_URL.fullmatch(url):  # the common case, in one regex
        return None
    if _CONTROL.search(url) or any(c.isspace() or c in '<>"\\^`{|}' for c in url):
        return 'a link may not hold spaces, control characters or any of < > " \\ ^ ` { | }'
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme.lower() == "mailto":
        return _mailto_problem(url)
    if parts.scheme not in ("http", "https"):
        return f"{url!r} is not an http, https or mailto: link"
    if not parts.netloc:
        return f"{url!r} has no host"
    return None


def _mailto_problem(url: str) -> str | None:
    """Why `url` (a `mailto:` link) is not one address, or None."""
    from urllib.parse import unquote

    address = url[len("mailto:") :]
    try:  # `?` starts headers (`?subject=`): refused, like anything but one address
        decoded = "" if "?" in address else unquote(address, errors="strict")
    except UnicodeDecodeError:
        decoded = ""
    if not _CONTROL.search(decoded) and _ADDR_SPEC.fullmatch(decoded):
        return None
    return f"{url!r} is not a mailto: link to one address (mailto:name@example.org)"
