"""Markdown: a briefing by year with footnoted sources, escaped so that it shows text as written."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ...model import Event
from ...text import visible
from ..linking import writable
from ..words import provenance_words
from .cells import measure_notes

if TYPE_CHECKING:
    from ...store import Provenance

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~])")
# what starts a block at the start of a line: a list item (`-`, `1.`, `1)`), a setext underline
_MD_LINE_START = re.compile(r"^(\d*)([-=]|(?<=\d)[.)])", flags=re.M)
# indentation: four spaces make a code block (inside a list item, four more than its text);
# Markdown drops a paragraph line's leading spaces anyway, so they are dropped here
_MD_INDENT = re.compile(r"^[ \t]+", flags=re.M)


def md_escape(text: str) -> str:
    """Escape text so Markdown shows it as written: no emphasis, links, HTML, code, lists or
    terminal control."""
    # control, bidi and zero-width characters are made visible: a briefing is read by people,
    # often with `cat` in a terminal
    text = _MD_INDENT.sub("", visible(text.replace("\r\n", "\n"), keep_newlines=True))
    escaped = _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return _MD_LINE_START.sub(r"\1\\\2", escaped)  # `1\) x`, `\- x`: the mark escaped


def to_md(events: Sequence[Event], *, data_note: str = "",
          origins: Mapping[str, Provenance] | None = None, **_options) -> str:  # fmt: skip
    """A briefing: events by year, each with its dates and summary, sources as footnotes;
    `data_note` (how current the data is) under the heading; an event in `origins` (those not
    from the curated store, by id) says where it comes from after its category."""
    origins = origins or {}
    lines = ["# Critical-minerals briefing", ""]
    if data_note:
        lines += [f"Data: {md_escape(data_note)}.", ""]
    notes: list[str] = []
    year = None
    for event in events:
        if event.date.year != year:
            year = event.date.year
            lines += [f"## {year}", ""]
        refs = ""
        for source in event.sources:
            if writable(source.url):
                cited = f"[{md_escape(source.title)}](<{source.url}>)"
            else:  # a reference by its title, or a link not to write: the title alone
                cited = md_escape(source.title)
            notes.append(
                f"[^{len(notes) + 1}]: {cited}"
                + (f", {md_escape(source.publisher)}" if source.publisher else "")
            )
            refs += f"[^{len(notes)}]"
        extra = [f"takes effect {event.effective}"] if event.effective else []
        extra += [f"expires {event.expires}"] if event.expires else []
        if event.issuer and event.applies_to:
            extra.append(f"imposed by {event.issuer} on {', '.join(event.applies_to)}")
        extra += measure_notes(event)
        extra += ["reported"] if event.confidence == "reported" else []
        tail = f" ({', '.join(extra)})" if extra else ""
        where = origins.get(event.id)
        mark = f" · {md_escape(provenance_words(where))}" if where is not None else ""
        lines.append(
            f"- **{event.date}** · {event.category}{mark} · {md_escape(event.title)}{tail}{refs}"
        )
        if event.summary:
            lines.append("")
            lines.extend(f"  {line}" for line in md_escape(event.summary).splitlines())
        lines.append("")
    if notes:
        lines += ["## Sources", "", *notes, ""]
    return "\n".join(lines)
