"""TimelineJS3 JSON: a slide per event with precision-correct dates, suspensions as eras.

TimelineJS puts every text into the page as HTML: each is made visible (control and bidi
characters as escapes, `text.visible`) and then HTML-escaped, and a link is written only when it
is an http(s) link with nothing to escape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ...model import Event, PartialDate
from ...text import visible
from ..linking import writable
from ..words import provenance_words
from .cells import measure_notes

if TYPE_CHECKING:
    from ...store import Provenance


def _html(text: str) -> str:
    import html

    return html.escape(visible(text, keep_newlines=True), quote=True)


def _tl_date(date: PartialDate) -> dict[str, int]:
    out = {"year": date.year}
    if date.month is not None:
        out["month"] = date.month
    if date.day is not None:
        out["day"] = date.day
    return out


def _tl_text(event: Event, where: Provenance | None = None) -> str:
    parts = []
    if event.summary:
        parts.append(f"<p>{_html(event.summary)}</p>")
    # a reference without a link to write (a document by its title) is its title as text
    links = [
        f'<a href="{_html(s.url)}">{_html(s.title)}</a>'
        if writable(s.url)
        else _html(s.title)
        for s in event.sources
    ]
    if links:
        parts.append("<p>Sources: " + "; ".join(links) + "</p>")
    if notes := measure_notes(event):
        parts.append(f"<p>{_html('; '.join(notes))}</p>")
    if where is not None:
        parts.append(f"<p>From: {_html(provenance_words(where))}</p>")
    return "".join(parts)


def to_timelinejs(events: Sequence[Event], *, data_note: str = "",
                  origins: Mapping[str, Provenance] | None = None, **_options) -> str:  # fmt: skip
    """The JSON that TimelineJS3 reads: a slide per event with precision-correct dates, grouped
    by category; suspension windows as eras. An event in `origins` (those not from the curated
    store, by id) says where it comes from in its text."""
    import json

    slides = []
    eras = []
    for event in events:
        slide = {
            "unique_id": visible(event.id),
            "start_date": _tl_date(event.date),
            "text": {
                "headline": _html(event.title),
                "text": _tl_text(event, (origins or {}).get(event.id)),
            },
            "group": visible(event.category),
        }
        if event.expires is not None:
            slide["end_date"] = _tl_date(event.expires)
        credits = ", ".join(s.publisher or s.title for s in event.sources)
        if credits:
            slide["media"] = {"url": "", "credit": _html(credits)}
        slides.append(slide)
        if event.suspends and event.expires is not None:
            eras.append(
                {
                    "start_date": _tl_date(event.starts()),
                    "end_date": _tl_date(event.expires),
                    "text": {"headline": _html(event.title)},
                }
            )
    document = {
        "title": {
            "text": {
                "headline": "reetimeline",
                "text": "Critical-minerals timeline"
                + (f" (data: {_html(data_note)})" if data_note else ""),
            }
        },
        "events": slides,
        "eras": eras,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
