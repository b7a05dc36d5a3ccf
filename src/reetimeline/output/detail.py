"""What `show` says about one event: labelled facts made of pieces of text with a role. The Rich
view (`render.event_detail`) and the piped one (`plain.detail_lines`) draw the same facts.

Every piece of store text is made visible here (`text.visible`); ids are checked by the store.
Roles: "" plain, "dim", "reported" (a fact that rests on reports), "warn", "state:STATE" and
"urgency:URGENCY" (`words.urgency`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..engine.states import End, Status, Target
from ..model import MEASURE_CATEGORIES, Dated, Event, PartialDate
from ..text import joined, visible
from .words import (
    REPORTED_MARK,
    confidence_words,
    describe_days,
    flow_words,
    kind_words,
    provenance_words,
    status_note,
    urgency,
)

if TYPE_CHECKING:
    from ..store import Provenance

Piece = tuple[str, str]  # (text, role)

UNCLASSIFIED = "unclassified (read as a control on the material)"


class Fact(NamedTuple):
    label: str  # "" continues the fact above
    pieces: tuple[Piece, ...]


class Detail(NamedTuple):
    event: Event
    facts: tuple[Fact, ...]
    data_note: str  # how current the data is ("" without a horizon)


def _reported(confidence: str) -> tuple[Piece, ...]:
    """The mark of a fact that rests on reports: shown wherever the fact is."""
    return ((f" {REPORTED_MARK}", "reported"),) if confidence == "reported" else ()


def event_detail(
    event: Event,
    *,
    targets: Sequence[Target],
    acting: Sequence[Dated],
    lookup: Callable[[str], Event | None],
    state: Status | None = None,
    end: End | None = None,
    data_note: str = "",
    parts: Sequence[Status] = (),
    horizon: PartialDate | None = None,
    source: Provenance | None = None,
) -> Detail:
    """One event in full: its state (for a measure), its kind and the trade it restricts, its
    package or its parts with their states (a package has no state of its own), up to when its
    facts were checked when that is not `horizon` (the day `data_note` names), how long it
    runs (for an event with an end), every date with its count, what it names and what acts on
    it, and which store it comes from (`source`)."""
    facts: list[Fact] = []

    def add(label: str, *pieces: Piece) -> None:
        facts.append(Fact(label, tuple(p for p in pieces if p[0])))

    if state is not None:
        add("state", (state.state, f"state:{state.state}"),
            (f" since {state.since}" if state.since else "", ""),
            (f" until {state.until}" if state.until else "", ""),
            *_reported(state.confidence))  # fmt: skip
        if note := status_note(state):
            add("", (note, ""))
    if parts:
        add("package", (f"{len(parts)} parts, each with its own dates and state", ""))
        for part in parts:
            add("part", (part.event.id, ""), ("  ", ""),
                (kind_words(part.event.kind) + ", ", "dim"),
                (part.state, f"state:{part.state}"),
                (f" since {part.since}" if part.since else "", ""),
                (f" until {part.until}" if part.until else "", ""),
                *_reported(part.confidence))  # fmt: skip
            if note := status_note(part):
                add("", (note, "dim"))
    elif event.category in MEASURE_CATEGORIES:
        kind = event.kind or ("tariff" if event.category == "tariff" else None)
        add("kind", (kind_words(kind) if kind else UNCLASSIFIED, "warn" if kind is None else ""))
    if flow := flow_words(event):
        add("flow", (flow, ""))
    if event.part_of:
        package = lookup(event.part_of)
        add("part of", (event.part_of, ""), ("  ", ""),
            (visible(package.title) if package else "", ""))  # fmt: skip
    if event.partial:
        add("partial", ("suspends only part of each measure it names", ""))
    if event.current_to is not None and event.current_to != horizon:
        # its store's horizon, when it is not the one the data note names
        add("checked to", (str(event.current_to), ""))
    if end is not None and end.date is not None and (end.chain or end.ended_by):
        early = "early " if event.expires is not None else ""
        how = (f"ended {early}by {end.ended_by.id}" if end.ended_by else
               f"extended by {end.chain[-1].id}")  # fmt: skip
        reported = any(x.confidence == "reported" for x in end.chain)
        was = f"; originally {event.expires}" if event.expires is not None else ""
        add("runs until", (f"{end.date} ({how}", ""),
            (", reported" if reported else "", "reported"), (f"{was})", ""))  # fmt: skip
    for t in targets:
        role = {"date": "date", "effective": "takes effect", "expires": "expires"}[t.kind]
        if t.kind == "expires" and (t.superseded or t.extended_by):
            role = "was to end" if t.superseded else "now ends"
        quiet = t.superseded or t.unconfirmed or t.never
        add(role, (str(t.date), ""),
            (f"  ({t.date.precision})" if t.date.precision != "day" else "", "dim"),
            ("  ", ""), (describe_days(t), "dim" if quiet else f"urgency:{urgency(t.days)}"),
            *(_reported(t.confidence) if t.extended_by else ()))  # fmt: skip
    add("confidence", (confidence_words(event.confidence),
                       "warn" if event.confidence == "reported" else ""))  # fmt: skip
    if event.issuer:
        add("imposed by", (event.issuer, ""))
    for label, items in (("applies to", event.applies_to), ("minerals", event.minerals),
                         ("countries", event.countries), ("tags", event.tags)):  # fmt: skip
        if items:
            add(label, (joined(items), ""))
    for label, ids in (("suspends", event.suspends), ("extends", event.extends),
                       ("ends", event.ends), ("confirms", event.confirms),
                       ("related", event.related)):  # fmt: skip
        for ref in ids:
            named = lookup(ref)
            add(label, (ref, ""), ("  ", ""), (visible(named.title) if named else "", ""))
            label = ""
    for field, verb in (("suspends", "suspended by"), ("extends", "extended by"),
                        ("ends", "ended by")):  # fmt: skip
        label = verb
        for other in acting:
            if event.id not in getattr(other, field):
                continue
            until = f" until {other.expires}" if other.expires and field != "ends" else ""
            add(label, (other.id, ""), (until, "warn"), *_reported(other.confidence),
                ("  ", ""), (visible(other.title), ""))  # fmt: skip
            label = ""
    if source is not None:
        add("from", (provenance_words(source), "" if source.kind == "curated" else "warn"))
    return Detail(event, tuple(facts), data_note)
