"""iCalendar (RFC 5545): one all-day VEVENT per dated target, through the icalendar library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ...engine.states import Target
from ...model import ALARM_ON, Event
from ...text import visible
from ..linking import writable
from ..words import provenance_words
from .cells import measure_notes

if TYPE_CHECKING:
    from ...store import Provenance

TARGET_PREFIX = {"date": "", "effective": "Takes effect: ", "expires": "Expires: "}


def _ics_text(text: str) -> str:
    """A TEXT value: RFC 5545 (3.3.11) allows no control characters in it, and a calendar is
    read by people, so what `visible()` escapes is escaped; icalendar escapes the newlines."""
    return visible(text.replace("\r\n", "\n"), keep_newlines=True)


def _ics_link(event: Event) -> str | None:
    links = [
        s.url
        for s in event.sources
        if writable(s.url)
    ]
    return links[0] if links else None


def _description(event: Event, target: Target | None = None,
                 where: Provenance | None = None) -> str:  # fmt: skip
    parts = []
    if event.summary:
        parts.append(event.summary)
    if event.sources:
        lines = [f"[{n}] {s.title}" + (f" {s.url}" if s.url else "")
                 for n, s in enumerate(event.sources, 1)]  # fmt: skip
        parts.append("Sources:\n" + "\n".join(lines))
    confidence = target.confidence if target is not None else event.confidence
    if target is not None and target.unconfirmed:
        confidence = "not confirmed: after the data's horizon, no source says it happened"
    about = ", ".join([event.category, *measure_notes(event), confidence])
    if where is not None:
        parts.append(f"From: {provenance_words(where)}")
    parts.append(f"reetimeline id: {event.id} ({about})")
    return "\n\n".join(parts)


def to_ics(
    events: Sequence[Event],
    *,
    stamp: dt.datetime,
    alarm_days: int | None = None,
    alarm_on: Sequence[str] = ALARM_ON,
    targets: Sequence[Target] | None = None,
    data_note: str = "",
    origins: Mapping[str, Provenance] | None = None,
    **_options,
) -> str:
    """iCalendar (RFC 5545) through the icalendar library: one all-day VEVENT per dated target.

    `targets` are the rows to write (from `states.targets`: an extended expiry is written at its
    new date, an end that was replaced says so); without them, every date of `events`. A month
    or year becomes an event spanning that month or year. DTEND is exclusive (the day after the
    last day). UID is `<id>-<kind>@reetimeline` (`<id>-expires-original@reetimeline` for an end
    that was replaced), stable across exports so that a calendar updates instead of
    duplicating. `alarm_days` adds a VALARM that many days before each target of a kind in
    `alarm_on` (`date`, `effective`, `expires`; by default each current `expires`): never
    before an end that was replaced.
    `stamp` is the DTSTAMP of every VEVENT (the time of the export); `data_note` (how current
    the data is) goes into the calendar's description. An event in `origins` (those not from
    the curated store, by id) says where it comes from in its description ("From: your
    store").
    """
    import icalendar

    from ... import __version__

    if targets is None:
        targets = [Target(e, kind, date, 0, e.confidence) for e in events
                   for kind, date in e.targets()]  # fmt: skip
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//reetimeline//reetimeline {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "reetimeline")
    if data_note:
        calendar.add("x-wr-caldesc", _ics_text(f"Data: {data_note}"))
    for target in targets:
        event, kind, date = target.event, target.kind, target.date
        vevent = icalendar.Event()
        uid_kind = f"{kind}-original" if target.superseded else kind
        if target.superseded and target.extended_by is not None:
            # an end an extension set that a later one replaced: one per extension
            uid_kind = f"{kind}-{target.extended_by.id}"
        vevent.add("uid", f"{event.id}-{uid_kind}@reetimeline")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", date.first())
        vevent.add("dtend", date.last() + dt.timedelta(days=1))
        vevent.add("summary", _ics_text(_ics_summary(target)))
        where = (origins or {}).get(event.id)
        vevent.add("description", _ics_text(_description(event, target, where)))
        vevent.add("categories", [event.category])
        link = _ics_link(event)
        if link:
            vevent.add("url", link)
        vevent.add("transp", "TRANSPARENT")
        if target.unconfirmed:  # a scheduled date past the horizon that no source confirms
            vevent.add("status", "TENTATIVE")
        if alarm_days is not None and kind in alarm_on and not target.superseded:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _ics_text(f"In {alarm_days} days: {_ics_summary(target)}"))
            alarm.add("trigger", dt.timedelta(days=-alarm_days))
            vevent.add_component(alarm)
        calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")


def _ics_summary(target: Target) -> str:
    text = TARGET_PREFIX[target.kind] + target.event.title
    notes = []
    if target.superseded:
        notes.append("replaced" + (f" by {target.replaced_by.id}" if target.replaced_by else ""))
    if target.extended_by is not None:
        notes.append(f"extended by {target.extended_by.id}")
    if target.unconfirmed:
        notes.append("not confirmed")
    elif target.confidence == "reported":
        notes.append("reported")
    return text + (f" ({'; '.join(notes)})" if notes else "")
