"""The weekly questions, answered from the state model: what changed between two dates, and what
restricts which minerals going where. No I/O and no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ..model import (
    ALL_DESTINATIONS,
    MATERIAL_KINDS,
    MEASURE_CATEGORIES,
    TARGETED_KINDS,
    TECHNOLOGY_KINDS,
    Dated,
    Event,
)
from ..vocab import COUNTRIES_VOCAB, MINERALS
from .states import NO_HORIZON, Horizon, Knowledge, Segment, end_of, life, weakest

# --- what changed ----------------------------------------------------------------------------

CHANGES = ("announced", "took-effect", "suspended", "extended", "resumed", "expired", "ended",
           "unconfirmed", "event")  # fmt: skip


class Change(NamedTuple):
    """One change on one day: a measure's state changed, or an event happened."""

    date: dt.date
    event: Event  # the measure, or the event itself
    change: str  # one of CHANGES
    by: Dated | None  # the event that caused it (None: the event itself, or a schedule)
    confidence: str
    scheduled: str | None = None  # unconfirmed: the change that was due (one of CHANGES)
    extended: Dated | None = None  # extended: the suspension whose end `by` moved
    horizon: Horizon = NO_HORIZON
    as_of: dt.date | None = None

    def sort_key(self):
        return (self.date, CHANGES.index(self.change), self.event.id)


def _segment_change(previous: Segment | None, seg: Segment) -> str:
    if seg.state == "in-force":
        # after a suspension that began before it ever took effect, it takes effect now
        if previous is not None and previous.state == "suspended":
            return "took-effect" if previous.never_took_effect else "resumed"
        return "took-effect"
    return {"announced": "announced", "suspended": "suspended", "expired": "expired",
            "ended": "ended"}[seg.state]  # fmt: skip


def changes(
    measures: Iterable[Event],
    others: Iterable[Event],
    knowledge: Knowledge,
    horizon: Horizon,
    first: dt.date,
    last: dt.date,
) -> list[Change]:
    """Every state change of `measures` from `first` to `last` (both included), as known on
    `knowledge.as_of`, and every event of `others` dated in that window.

    A change after the horizon that no event reports is listed as `unconfirmed` on the day it
    was due. An extension of a running suspension is `extended`, on the extension's date. An
    event that caused a listed change (a suspension, an extension, an end) is not listed again
    on the same day.
    """
    last_fact = horizon.last_day(knowledge.as_of)
    out: list[Change] = []
    for measure in measures:
        if measure.category not in MEASURE_CATEGORIES or not knowledge.knows(measure):
            continue
        segments = life(measure, knowledge)
        previous = None
        for seg in segments:
            if first <= seg.first <= last and seg.first <= knowledge.as_of:
                kind = _segment_change(previous, seg)
                if seg.first > last_fact and not seg.backed:
                    out.append(Change(seg.first, measure, "unconfirmed", seg.cause,
                                      weakest([measure, seg.cause]), kind, None, horizon,
                                      knowledge.as_of))  # fmt: skip
                else:
                    by = seg.by or (seg.cause if seg.cause is not measure else None)
                    # the change rests on the measure and what caused it (not on how long the
                    # new state was later said to last)
                    out.append(Change(seg.first, measure, kind, by, weakest([measure, by])))
            previous = seg
        for suspension in knowledge.suspenders.get(measure.id, ()):
            for extension in end_of(suspension, knowledge).chain:
                day = extension.date.first()
                if first <= day <= last:
                    out.append(Change(day, measure, "extended", extension,
                                      weakest([measure, extension]), None, suspension,
                                      horizon, knowledge.as_of))  # fmt: skip
    listed = {(c.date, c.by.id) for c in out if c.by is not None}
    listed |= {(c.date, c.event.id) for c in out}
    for event in others:
        day = event.date.first()
        if event.date.precision == "day" and first <= day <= last and (day, event.id) not in listed:
            out.append(Change(day, event, "event", None, event.confidence))
    out.sort(key=Change.sort_key)
    return out


# --- what restricts what, where --------------------------------------------------------------

DEFAULT_DESTINATIONS = ("US", "JP", "KR", "EU", ALL_DESTINATIONS)
# strongest first: the state a cell shows when several measures apply
CELL_STATES = ("in-force", "suspended", "unconfirmed", "announced", "none")


class Control(NamedTuple):
    """One measure in a cell: its state and its kind (None: unclassified)."""

    status: Any  # states.Status
    kind: str | None


class Cell(NamedTuple):
    """What restricts a mineral to a destination, by kind (schema of issue 20)."""

    material: tuple[Control, ...]  # ban, licensing, informal, unclassified: strictest first
    targeted: tuple[Control, ...]  # end-use-ban, entity-listing
    technology: tuple[Control, ...]  # technology, extraterritorial

    @property
    def state(self) -> str | None:
        """The state of the strictest material control; None when none applies."""
        return self.material[0].status.state if self.material else None


class Matrix(NamedTuple):
    minerals: tuple[str, ...]
    destinations: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]


_MATERIAL_ORDER = (*MATERIAL_KINDS, None)


def _applies_to(measure: Dated, destination: str) -> bool:
    targets = set(measure.applies_to)
    if destination == ALL_DESTINATIONS:
        return ALL_DESTINATIONS in targets
    wanted = {destination, ALL_DESTINATIONS} | COUNTRIES_VOCAB.parents(destination)
    return not targets.isdisjoint(wanted)


def _covers(measure: Dated, mineral: str) -> bool:
    return mineral in measure.minerals or not MINERALS.parents(mineral).isdisjoint(measure.minerals)


def matrix(
    states: Sequence,  # states.Status of the measures to place
    destinations: Sequence[str] = DEFAULT_DESTINATIONS,
    minerals: Sequence[str] | None = None,
) -> Matrix:
    """Minerals (rows) by destinations (columns); each cell the strongest state of the measures
    that apply. Rows are the minerals the measures name, as named (a measure on `rare-earths` is
    one row), unless `minerals` gives them (then a measure on a group applies to its members).
    A destination column holds measures naming it, a group holding it, or `all`; the `all`
    column holds measures on every destination."""
    if minerals is None:
        named = {m for s in states for m in s.event.minerals}
        minerals = sorted(named, key=lambda m: (_mineral_rank(m), m))
    cells: dict[tuple[str, str], Cell] = {}
    for mineral in minerals:
        for destination in destinations:
            groups: dict[str, list[Control]] = {"material": [], "targeted": [], "technology": []}
            for s in states:
                if (s.state not in CELL_STATES or s.event.category != "export-control"
                        or s.event.issuer == destination):  # fmt: skip
                    continue
                if _covers(s.event, mineral) and _applies_to(s.event, destination):
                    kind = s.event.kind
                    group = ("targeted" if kind in TARGETED_KINDS else
                             "technology" if kind in TECHNOLOGY_KINDS else "material")  # fmt: skip
                    groups[group].append(Control(s, kind))
            groups["material"].sort(key=lambda c: (_MATERIAL_ORDER.index(c.kind),
                                                   CELL_STATES.index(c.status.state),
                                                   c.status.event.id))  # fmt: skip
            for name in ("targeted", "technology"):
                groups[name].sort(key=lambda c: (CELL_STATES.index(c.status.state),
                                                 c.status.event.id))  # fmt: skip
            cells[(mineral, destination)] = Cell(tuple(groups["material"]),
                                                 tuple(groups["targeted"]),
                                                 tuple(groups["technology"]))  # fmt: skip
    return Matrix(tuple(minerals), tuple(destinations), cells)


def _mineral_rank(mineral: str) -> int:
    """Groups first, then single minerals: `rare-earths` heads its members."""
    return 0 if MINERALS.groups.get(mineral) else 1


# --- the life of each measure, for charts ----------------------------------------------------


class Band(NamedTuple):
    """One stretch of a measure's life as a chart draws it."""

    state: str  # a state of states.STATES
    first: dt.date
    last: dt.date  # inclusive
    confidence: str
    scheduled: bool  # after the as-of date: what the schedule says, not what happened


class Life(NamedTuple):
    event: Dated
    bands: tuple[Band, ...]


def lives(
    measures: Iterable[Dated], knowledge: Knowledge, horizon: Horizon, end: dt.date
) -> list[Life]:
    """Each known measure's life up to `end`: its stretches as known on the as-of date. From an
    unreported change after the horizon on, the stretch is `unconfirmed`; stretches after the
    as-of date are `scheduled`."""
    last_fact = horizon.last_day(knowledge.as_of)
    out = []
    for measure in measures:
        if measure.category not in MEASURE_CATEGORIES or not knowledge.knows(measure):
            continue
        segments = life(measure, knowledge)
        bands: list[Band] = []
        unknown_from: dt.date | None = None
        for i, seg in enumerate(segments):
            if seg.first > end:
                break
            nxt = segments[i + 1].first - dt.timedelta(days=1) if i + 1 < len(segments) else end
            last = min(nxt, end)
            if (
                unknown_from is None
                and seg.first > last_fact
                and not seg.backed
                and seg.first <= knowledge.as_of
            ):
                unknown_from = seg.first
            if unknown_from is not None:
                bands.append(Band("unconfirmed", seg.first, last, seg.confidence, False))
                continue
            if seg.first <= knowledge.as_of < last:
                bands.append(Band(seg.state, seg.first, knowledge.as_of, seg.confidence, False))
                bands.append(Band(seg.state, knowledge.as_of + dt.timedelta(days=1), last,
                                  seg.confidence, True))  # fmt: skip
            else:
                bands.append(Band(seg.state, seg.first, last, seg.confidence,
                                  seg.first > knowledge.as_of))  # fmt: skip
        out.append(Life(measure, tuple(_merged(bands))))
    return out


def _merged(bands: list[Band]) -> list[Band]:
    out: list[Band] = []
    for band in bands:
        if (
            out
            and out[-1][:1] == band[:1]
            and out[-1][3:] == band[3:]
            and out[-1].last + dt.timedelta(days=1) == band.first
        ):
            out[-1] = out[-1]._replace(last=band.last)
        else:
            out.append(band)
    return out
