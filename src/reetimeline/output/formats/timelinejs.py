"""TimelineJS3 JSON: a slide per event with precision-correct dates, suspensions as eras."""

from __future__ import annotations

from collections.abc import Sequence

from ...links import check_url
from ...model import Event, PartialDate


def _tl_date(date: PartialDate) -> dict[str, int]:
    out = {"year": date.year}
    if date.month is not None:
        out["month"] = date.month
    if date.day is not None:
        out["day"] = date.day
    return out


def _tl_text(event: Event) -> str:
    import html

    parts = []
    if event.summary:
        parts.append(f"<p>{html.escape(event.summary)}</p>")
    links = [
        f'<a href="{html.escape(s.url)}">{html.escape(s.title)}</a>'
        for s in event.sources
        if check_url(s.url) is None
    ]
    if links:
        parts.append("<p>Sources: " + "; ".join(links) + "</p>")
    return "".join(parts)


def to_timelinejs(events: Sequence[Event], *, data_note: str = "", **_options) -> str:
    """The JSON that TimelineJS3 reads: a slide per event with precision-correct dates, grouped
    by category; suspension windows as eras."""
    import html
    import json

    slides = []
    eras = []
    for event in events:
        slide = {
            "unique_id": event.id,
            "start_date": _tl_date(event.date),
            "text": {"headline": html.escape(event.title), "text": _tl_text(event)},
            "group": event.category,
        }
        if event.expires is not None:
            slide["end_date"] = _tl_date(event.expires)
        credits = ", ".join(s.publisher or s.title for s in event.sources)
        if credits:
            slide["media"] = {"url": "", "credit": html.escape(credits)}
        slides.append(slide)
        if event.suspends and event.expires is not None:
            eras.append(
                {
                    "start_date": _tl_date(event.starts()),
                    "end_date": _tl_date(event.expires),
                    "text": {"headline": html.escape(event.title)},
                }
            )
    document = {
        "title": {
            "text": {
                "headline": "reetimeline",
                "text": "Critical-minerals timeline"
                + (f" (data: {html.escape(data_note)})" if data_note else ""),
            }
        },
        "events": slides,
        "eras": eras,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
