"""Whether a source's link is written as a link (the page, Markdown, ICS, TimelineJS, xlsx), one
rule for every output: an accepted link (`links.check_url`) that reads the same made visible (no
character a terminal or a page would show otherwise). Any other source is written as its title
alone, never dropped."""

from __future__ import annotations

from typing import TypeGuard

from ..links import check_url
from ..text import visible


def writable(url: str | None) -> TypeGuard[str]:
    return url is not None and check_url(url) is None and visible(url) == url
