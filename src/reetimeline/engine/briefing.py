"""The weekly questions, answered from the state model: what changed between two dates, and what
restricts which minerals going where. No I/O and no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
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
from ..vocab import MINERALS
from .query import listed_in
from .states import (
    NO_HORIZON,
    Horizon,
    Knowledge,
    Segment,
    Status,
    end_of,
    life,
    unreported,
    weakest,
)

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
    get: Callable[[str], Event | None] | None = None,
) -> list[Change]:
    """Every state change of `measures` from `first` to `last` (both included), as known on
    `knowledge.as_of`, and every event of `others` dated in that window.

    A change after the horizon of the event that scheduled it that no event reports is listed
    as `unconfirmed` on the day it was due. An extension of a running suspension is an
    `extended` change of each measure it suspends, on the extension's date; an extension of a
    suspension or truce in `others` that no such row lists is an `extended` change of what it
    extends (found by `get`, else in `others`). An event that caused a listed change (a
    suspension, an extension, an end) is not listed again on the same day. A package has no
    changes of its own (its parts have).
    """
    out: list[Change] = []
    for measure in measures:
        if (measure.category not in MEASURE_CATEGORIES or not knowledge.knows(measure)
                or knowledge.is_package(measure.id)):  # fmt: skip
            continue
        segments = life(measure, knowledge)
        previous = None
        for seg in segments:
            if first <= seg.first <= last and seg.first <= knowledge.as_of:
                kind = _segment_change(previous, seg)
                if unreported(seg):
                    applies = Horizon(seg.horizon, horizon.label if horizon.date == seg.horizon
                                      else "")  # fmt: skip
                    out.append(Change(seg.first, measure, "unconfirmed", seg.cause,
                                      weakest([measure, seg.cause]), kind, None, applies,
                                      knowledge.as_of))  # fmt: skip
                else:
                    by = seg.by or (seg.cause if seg.cause is not measure else None)
                    # the change rests on the measure, what caused it and what reports it (not
                    # on how long the new state was later said to last)
                    out.append(Change(seg.first, measure, kind, by,
                                      weakest([measure, by, seg.reported_by])))  # fmt: skip
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
    others = list(others)
    by_id = {e.id: e for e in others}
    for event in others:
        day = event.date.first()
        if not event.extends or event.expires is None or not first <= day <= last:
            continue
        if (day, event.id) in listed or day > knowledge.as_of:
            continue
        for target_id in event.extends:
            target = by_id.get(target_id) or (get(target_id) if get is not None else None)
            if target is None:
                continue
            out.append(Change(day, target, "extended", event, weakest([target, event]), None,
                              target, horizon, knowledge.as_of))  # fmt: skip
            listed.add((day, event.id))
    for event in others:
        day = event.date.first()
        if event.date.precision == "day" and first <= day <= last and (day, event.id) not in listed:
            out.append(Change(day, event, "event", None, event.confidence))
    out.sort(key=Change.sort_key)
    return out


# --- what restricts what, where --------------------------------------------------------------

DEFAULT_DESTINATIONS = ("US", "JP", "KR", "EU", ALL_DESTINATIONS)
# strongest first: the order of the controls of one kind in a cell
CELL_STATES = ("in-force", "suspended", "unconfirmed", "announced", "none")
# the controls of each part of a cell, in this order of kinds (None: unclassified, read as a
# control on the material, the cautious reading)
_MATERIAL_ORDER: tuple[str | None, ...] = (*MATERIAL_KINDS, None)


class Control(NamedTuple):
    """One measure in a cell: its state on the as-of date and what it restricts."""

    status: Status[Any]  # its state (in-force, suspended, unconfirmed, ...), partial info
    kind: str | None  # one of model.KINDS; None: unclassified


class Cell(NamedTuple):
    """What restricts exports of one mineral to one destination, by kind."""

    # ban, licensing, informal, unclassified: strictest kind first, each with its own state;
    # an unconfirmed or suspended stricter control is listed, never hidden behind a weaker one
    material: tuple[Control, ...]
    targeted: tuple[Control, ...]  # end-use-ban, entity-listing: named users only
    technology: tuple[Control, ...]  # technology, extraterritorial: not the material

    @property
    def state(self) -> str | None:
        """The cell's headline: the state of the strictest material control, or None when no
        material control applies (targeted and technology controls never give it)."""
        return self.material[0].status.state if self.material else None

    @property
    def measures(self) -> tuple[tuple[str, str], ...]:
        """Every control as (measure id, state): material, then targeted, then technology."""
        return tuple((c.status.event.id, c.status.state)
                     for c in (*self.material, *self.targeted, *self.technology))  # fmt: skip


class Matrix(NamedTuple):
    minerals: tuple[str, ...]
    destinations: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]


def _applies_to(measure: Dated, destination: str) -> bool:
    """Whether the export control restricts exports from its issuer to `destination` (the `all`
    column: controls on every destination). Never to its own issuer."""
    if destination == ALL_DESTINATIONS:
        return ALL_DESTINATIONS in measure.applies_to
    return listed_in(destination, measure.applies_to, measure.issuer, False)


def _covers(measure: Dated, mineral: str) -> bool:
    return mineral in measure.minerals or not MINERALS.parents(mineral).isdisjoint(measure.minerals)


def _order(control: Control, kinds: Sequence[str | None]) -> tuple[int, int, str]:
    state = control.status.state
    return (kinds.index(control.kind), CELL_STATES.index(state), control.status.event.id)


def matrix(
    states: Sequence[Status[Any]],
    destinations: Sequence[str] = DEFAULT_DESTINATIONS,
    minerals: Sequence[str] | None = None,
) -> Matrix:
    """Minerals (rows) by destinations (columns); each cell the export controls that restrict
    the mineral going to the destination, by kind (`Cell`), each with its state. Rows are the
    minerals the controls name, as named (a control on `rare-earths` is one row), unless
    `minerals` gives them (then a control on a group applies to its members). A destination
    column holds controls naming it, a group holding it, or `all`, never one issued by the
    destination itself; the `all` column holds controls on every destination. Tariffs restrict
    imports, not exports: no cell holds one. Expired and ended controls are left out."""
    controls = [s for s in states if s.event.category == "export-control"
                and s.state in CELL_STATES and s.event.kind != "tariff"]  # fmt: skip
    if minerals is None:
        named = {m for s in controls for m in s.event.minerals}
        minerals = sorted(named, key=lambda m: (_mineral_rank(m), m))
    cells: dict[tuple[str, str], Cell] = {}
    for mineral in minerals:
        for destination in destinations:
            material, targeted, technology = [], [], []
            for s in controls:
                if not (_covers(s.event, mineral) and _applies_to(s.event, destination)):
                    continue
                kind = s.event.kind
                control = Control(s, kind)
                if kind in TARGETED_KINDS:
                    targeted.append(control)
                elif kind in TECHNOLOGY_KINDS:
                    technology.append(control)
                else:
                    material.append(control)
            cells[(mineral, destination)] = Cell(
                tuple(sorted(material, key=lambda c: _order(c, _MATERIAL_ORDER))),
                tuple(sorted(targeted, key=lambda c: _order(c, TARGETED_KINDS))),
                tuple(sorted(technology, key=lambda c: _order(c, TECHNOLOGY_KINDS))),
            )
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
    out = []
    for measure in measures:
        if (measure.category not in MEASURE_CATEGORIES or not knowledge.knows(measure)
                or knowledge.is_package(measure.id)):  # fmt: skip
            continue
        segments = life(measure, knowledge)
        bands: list[Band] = []
        unknown_from: dt.date | None = None
        for i, seg in enumerate(segments):
            if seg.first > end:
                break
            nxt = segments[i + 1].first - dt.timedelta(days=1) if i + 1 < len(segments) else end
            last = min(nxt, end)
            if unknown_from is None and unreported(seg) and seg.first <= knowledge.as_of:
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
