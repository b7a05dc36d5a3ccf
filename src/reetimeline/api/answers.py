"""The answers about a loaded store: the state of each measure, the countdown to dated targets,
and what changed between two days. Each one asks the store for data (briefs or events, the
relations between events, the horizon) and hands it to the one engine (`engine.states`,
`engine.briefing`); nothing here is cached, and nothing in the cache is an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar, cast

from ..engine import query
from ..engine.states import (
    RECENT_DAYS,
    Horizon,
    Knowledge,
    Status,
    Target,
    parts_of,
    statuses,
    today_view,
)
from ..engine.states import (
    countdown as count_down,
)
from ..model import ALARM_ON, MEASURE_CATEGORIES, Dated, Event, PartialDate
from ..store import CURATED, Store

__all__ = ["Today", "acting_matches", "changes", "countdown", "horizon", "knowledge",
           "measures_of", "packages", "parts", "status", "today", "window"]

_Row = TypeVar("_Row")  # a status or a change: a named tuple with the horizon that applies


def horizon(store: Store) -> Horizon:
    """How current the data is, for the views: the curated store's `current_to` when it is
    loaded and declares one, else the latest of the store files that declare one. (Each
    event's own `current_to` decides whether its scheduled changes are facts.)"""
    for date, label in store.horizons():
        if label == CURATED:
            return Horizon(date, label)
    latest = store.latest_current_to()
    return Horizon() if latest is None else Horizon(*latest)


def _named(store: Store, rows: list[_Row]) -> list[_Row]:
    """`rows` (statuses or changes) with the horizon that applies to each named after the store
    file that declares it (the curated store first), where the engine could not name it."""
    unnamed = [i for i, r in enumerate(rows)
               if (h := cast(Any, r).horizon).date is not None and not h.label]  # fmt: skip
    if not unnamed:
        return rows
    names: dict[PartialDate, str] = {}
    for date, label in sorted(store.horizons(), key=lambda item: item[1] != CURATED):
        names.setdefault(date, label)
    out = list(rows)
    for i in unnamed:
        row: Any = out[i]
        out[i] = row._replace(horizon=Horizon(row.horizon.date, names.get(row.horizon.date, "")))
    return out


def knowledge(store: Store, as_of: dt.date, *, confirmed: bool = False) -> Knowledge:
    """What is known on `as_of` of the suspensions, extensions and ends in every store."""
    return Knowledge(store.relations(), as_of, confirmed=confirmed)


def status(store: Store, flt: query.Filter, as_of: dt.date, *,
           ids: Collection[str] | None = None) -> list[Status[Dated]]:  # fmt: skip
    """The state of each matching measure known on `as_of` (dated on or before it), in date
    order; with `ids`, only those measures. Suspensions, extensions and ends come from every
    store. (A view of the day orders and cuts them with `today`.)"""
    measures = store.briefs(_measures(flt), known_by=as_of)
    if ids is not None:
        measures = [m for m in measures if m.id in ids]
    rows = statuses(measures, knowledge(store, as_of, confirmed=flt.confirmed), horizon(store))
    return _named(store, rows)


class Today(NamedTuple):
    """What a view of the states on a day shows, and how many past measures it left out."""

    rows: list[Status[Dated]]  # today first (`states.today_first`)
    left_out: int  # expired or ended more than a year before (`states.is_history`)


def today(store: Store, flt: query.Filter, as_of: dt.date, *,
          ids: Collection[str] | None = None, show_all: bool = False) -> Today:  # fmt: skip
    """`status` as a view of `as_of` shows it (`states.today_view`): today first, without the
    measures that expired or ended more than a year before unless `show_all`, and their
    number."""
    shown, left_out = today_view(status(store, flt, as_of, ids=ids), as_of, show_all=show_all)
    return Today(shown, left_out)


def measures_of(store: Store, event_ids: Iterable[str]) -> list[str]:
    """The measures these events stand for, in the order found: a measure itself, a package its
    parts, and a suspension, extension or end the measures it acts on (through the packages
    and suspensions it names: an extension of a suspension acts on what that suspends)."""
    parts = packages(store)
    found: dict[str, None] = {}
    seen: set[str] = set()
    todo = list(event_ids)
    while todo:
        event_id = todo.pop(0)
        if event_id in seen:
            continue
        seen.add(event_id)
        if event_id in parts:
            todo[:0] = parts[event_id]
            continue
        event = store.get(event_id)
        if event is None:
            continue
        if event.category in MEASURE_CATEGORIES:
            found[event_id] = None
        else:
            todo[:0] = [*event.suspends, *event.extends, *event.ends]
    return list(found)


def acting_matches(store: Store, flt: query.Filter, as_of: dt.date) -> list[Event]:
    """The events known on `as_of` that match `flt` whatever their category and act on measures
    without being one (a suspension, an extension, an end), in date order: what `status -q`
    lists the measures of when the words match no measure."""
    found = store.select(flt._replace(categories=None))
    return [e for e in found if e.category not in MEASURE_CATEGORIES
            and e.date.first() <= as_of and (e.suspends or e.extends or e.ends)]  # fmt: skip


def packages(store: Store) -> dict[str, tuple[str, ...]]:
    """Each package in the stores (an event that some event names in `part_of`) and the ids of
    its parts, in date order."""
    return parts_of(store.relations())


def parts(store: Store, package: str, as_of: dt.date, *,
          confirmed: bool = False) -> list[Status[Dated]]:  # fmt: skip
    """The state of each part of `package` known on `as_of`, by date then id (`show PACKAGE`);
    empty when `package` is no package. The package itself has no state."""
    known = knowledge(store, as_of, confirmed=confirmed)
    found = [store.get(i) for i in known.parts.get(package, ())]
    measures: list[Dated] = [e for e in found if e is not None]
    return _named(store, statuses(measures, known, horizon(store)))


def countdown(
    store: Store,
    flt: query.Filter,
    as_of: dt.date,
    *,
    within: int | None = None,
    recent: int | None = None,
    show_all: bool = False,
) -> list[Target[Dated]]:
    """`states.countdown` over the matching events that have a target in the window: by
    default every upcoming target and those lapsed within `RECENT_DAYS`; `within` days ahead;
    `recent` days behind; everything with `show_all`. With `--from` or `--to`, the events that
    act on the matching measures (a suspension and its extensions) count too."""
    window = _countdown_window(flt, as_of, within, recent, show_all)
    if window is None:
        return []
    windowed = flt._replace(since=window[0], until=window[1])
    candidates = store.briefs(windowed)
    if flt.origins is not None or flt.destinations is not None:
        # a relief restricts no flow: its dates count for the flows of what it acts on
        chosen = store.briefs(flt._replace(since=None, until=None))
        inside = store.prepared(windowed)
        taken = {e.id for e in candidates}
        extra = [e for e in _acting_on(store, chosen, confirmed=flt.confirmed)
                 if e.id not in taken and (not inside.has_window() or inside.dated_inside(e))]
        if extra:
            candidates = sorted([*candidates, *extra], key=lambda e: e.sort_key())
    known = knowledge(store, as_of, confirmed=flt.confirmed)
    return count_down(candidates, as_of, known, horizon(store), flt=flt, within=within,
                      recent=recent, show_all=show_all)  # fmt: skip


def window(as_of: dt.date, first: dt.date | PartialDate | None,
           last: dt.date | PartialDate | None,
           names: tuple[str, str, str] = ("--since", "--until", "--as-of"),
           ) -> tuple[dt.date, dt.date]:
    """The window of `changes`: from `first` to `last`, both included, a month or a year
    reaching from its first to its last day (default: the 7 days before `last`, which defaults
    to `as_of`). Changes look back from the as-of date: a bound that starts after it is a usage
    error (never cut silently into a backwards window); a month or year that holds the as-of
    date ends on it. `names` are the bounds and the as-of date as the caller spells them."""
    from ..errors import UsageError

    # the later bound first: the as-of date it suggests covers the whole window
    for name, bound in ((names[1], last), (names[0], first)):
        start = bound.first() if isinstance(bound, PartialDate) else bound
        if start is not None and start > as_of:
            raise UsageError(f"{name} {bound} is after the as-of date {as_of}; changes look "
                             f"back: give {names[2]} {start}, or see what is scheduled with "
                             "countdown")  # fmt: skip
    end = last.last() if isinstance(last, PartialDate) else last
    end = min(end, as_of) if end is not None else as_of
    begin = first.first() if isinstance(first, PartialDate) else first
    if begin is not None and begin > end:
        raise UsageError(f"{names[0]} {first} is after {names[1]} {last}: the window runs "
                         "backwards")  # fmt: skip
    return begin or end - dt.timedelta(days=7), end


def changes(store: Store, flt: query.Filter, as_of: dt.date, first: dt.date, last: dt.date):
    """`briefing.changes` of the matching events between `first` and `last`, as known on
    `as_of`."""
    from ..engine.briefing import changes as changes_between

    chosen = store.select(flt._replace(since=None, until=None))
    chosen += _followers(store, chosen, confirmed=flt.confirmed)
    measures = [e for e in chosen if e.category in MEASURE_CATEGORIES]
    others = [e for e in chosen if e.category not in MEASURE_CATEGORIES]
    known = knowledge(store, as_of, confirmed=flt.confirmed)
    rows = changes_between(measures, others, known, horizon(store), first, last, store.get)
    return _named(store, rows)


def export(store: Store, flt: query.Filter, fmt: str, *, as_of: dt.date,
           stamp: dt.datetime | None = None, alarm_days: int | None = None,
           bom: bool = False, alarm_on: Sequence[str] = ALARM_ON) -> str | bytes:  # fmt: skip
    """The matching events in a format of `reetimeline export` (csv, json, jsonl, ics, md,
    timelinejs: text; xlsx: bytes). `stamp` is the time the file says it was made (default:
    midnight UTC of `as_of`); ICS expiries are as known on `as_of`, with a reminder
    `alarm_days` before each target of a kind in `alarm_on`. Where each event comes from goes
    to every format: its `Provenance.code` as a column or field (`sources`), and for md, ics
    and timelinejs, which mark the events that are not curated, `origins` (by id)."""
    from ..errors import UsageError
    from ..output.formats import EXPORTERS, with_bom
    from ..output.words import horizon_note

    exporter = EXPORTERS.get(fmt.casefold())
    if exporter is None:
        raise UsageError(f"unknown format '{fmt}'; formats: {', '.join(EXPORTERS)}")
    events = store.select(flt)
    known = horizon(store)
    rows = None
    if fmt.casefold() == "ics":
        from ..engine.states import countdown as all_targets

        # every dated row inside the window, extended ends moved, as known on the as-of date
        rows = all_targets(events, as_of, knowledge(store, as_of, confirmed=flt.confirmed),
                           known, flt=flt, show_all=True)  # fmt: skip
    derived = None
    if fmt.casefold() in ("csv", "xlsx"):
        derived = _derived_columns(events, knowledge(store, as_of, confirmed=flt.confirmed), known)
    if stamp is None:
        stamp = dt.datetime.combine(as_of, dt.time(), dt.UTC)
    text = exporter.write(events, stamp=stamp, alarm_days=alarm_days, alarm_on=tuple(alarm_on),
                          targets=rows,
                          data_note=horizon_note(known, as_of), derived=derived,
                          sources=lambda e: store.provenance(e).code,
                          origins=store.beside_curated(events))  # fmt: skip
    return with_bom(text) if bom else text


def _derived_columns(events: Sequence[Event], known: Knowledge,
                     horizon_: Horizon) -> dict[str, dict[str, str]]:  # fmt: skip
    """The `state` and `runs_until` columns of `export`, by id, as known on the as-of date:
    `state` for each measure known then (`status`'s state), `runs_until` for every event known
    then that has an end (a measure, a suspension, a truce, an extension: `show`'s "runs
    until", extensions and ends applied). A package has neither: its parts do."""
    from ..engine.states import runs_until

    states = {s.event.id: s.state for s in statuses(events, known, horizon_)}
    columns: dict[str, dict[str, str]] = {}
    for event in events:
        if not known.knows(event) or known.is_package(event.id):
            continue
        until = runs_until(event, known)
        state = states.get(event.id, "")
        if until is not None or state:
            columns[event.id] = {"state": state, "runs_until": str(until or "")}
    return columns


def _followers(store: Store, chosen: list[Event], *, confirmed: bool) -> list[Event]:
    """`_acting_on` the chosen events, as whole events."""
    found = [e.id for e in _acting_on(store, chosen, confirmed=confirmed)]
    return [e for e in map(store.get, found) if e is not None]


def _acting_on(store: Store, chosen: Sequence[Dated], *, confirmed: bool) -> list[Dated]:
    """The events that act on the chosen ones and were not chosen themselves: those that
    suspend, extend, end or confirm one of them (or its package, or a part of a chosen
    package), and those that act on these (an extension of a suspension), from every store,
    in date order. An event that acts on others matches a filter when what it acts on
    matches."""
    relations = store.relations()
    ids = {e.id for e in chosen}
    reach = ids | {e.part_of for e in chosen if e.part_of is not None}
    for package, parts in parts_of(relations).items():
        if package in ids:
            reach.update(parts)
    found: list[Dated] = []
    grew = True
    while grew:
        grew = False
        for event in relations:
            if event.id in ids or (confirmed and event.confidence != "confirmed"):
                continue
            if reach.isdisjoint((*event.suspends, *event.extends, *event.ends, *event.confirms)):
                continue
            ids.add(event.id)
            reach.add(event.id)
            found.append(event)
            grew = True
    return sorted(found, key=lambda e: e.sort_key())


def _measures(flt: query.Filter) -> query.Filter:
    """`flt` narrowed to the measure categories it allows."""
    allowed = flt.categories
    return flt._replace(
        categories=frozenset(c for c in MEASURE_CATEGORIES if allowed is None or c in allowed)
    )


def _countdown_window(flt: query.Filter, as_of: dt.date, within: int | None, recent: int | None,
                      show_all: bool) -> tuple[dt.date | None, dt.date | None] | None:  # fmt: skip
    """The days a countdown's targets must overlap, either end open (None); None when no day
    can be in it."""
    lowest = None
    if not show_all:
        lowest = as_of - dt.timedelta(days=recent if recent is not None else (
            0 if within is not None else RECENT_DAYS))  # fmt: skip
    highest = None if within is None else as_of + dt.timedelta(days=within)
    since = max((d for d in (flt.since, lowest) if d is not None), default=None)
    until = min((d for d in (flt.until, highest) if d is not None), default=None)
    if since is not None and until is not None and until < since:
        return None
    return since, until
