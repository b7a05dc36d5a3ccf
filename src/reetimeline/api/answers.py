"""The answers about a loaded store: the state of each measure, the countdown to dated targets,
and what changed between two days. Each one asks the store for data (briefs or events, the
relations between events, the horizon) and hands it to the one engine (`engine.states`,
`engine.briefing`); nothing here is cached, and nothing in the cache is an answer.
"""

from __future__ import annotations

import datetime as dt

from ..engine import query
from ..engine.states import (
    RECENT_DAYS,
    Horizon,
    Knowledge,
    Status,
    Target,
    statuses,
)
from ..engine.states import (
    countdown as count_down,
)
from ..model import MEASURE_CATEGORIES, Dated
from ..store import Store

__all__ = ["changes", "countdown", "horizon", "knowledge", "status"]


def horizon(store: Store) -> Horizon:
    """How current the data is: the latest `current_to` of the store files that declare one."""
    latest = store.latest_current_to()
    return Horizon() if latest is None else Horizon(*latest)


def knowledge(store: Store, as_of: dt.date, *, confirmed: bool = False) -> Knowledge:
    """What is known on `as_of` of the suspensions, extensions and ends in every store."""
    return Knowledge(store.relations(), as_of, confirmed=confirmed)


def status(store: Store, flt: query.Filter, as_of: dt.date) -> list[Status[Dated]]:
    """The state of each matching measure known on `as_of` (dated on or before it), in date
    order; suspensions, extensions and ends come from every store."""
    measures = store.briefs(_measures(flt), known_by=as_of)
    return statuses(measures, knowledge(store, as_of, confirmed=flt.confirmed), horizon(store))


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
    `recent` days behind; everything with `show_all`."""
    window = _countdown_window(flt, as_of, within, recent, show_all)
    if window is None:
        return []
    candidates = store.briefs(flt._replace(since=window[0], until=window[1]))
    known = knowledge(store, as_of, confirmed=flt.confirmed)
    return count_down(candidates, as_of, known, horizon(store), flt=flt, within=within,
                      recent=recent, show_all=show_all)  # fmt: skip


def changes(store: Store, flt: query.Filter, as_of: dt.date, first: dt.date, last: dt.date):
    """`briefing.changes` of the matching events between `first` and `last`, as known on
    `as_of`."""
    from ..engine.briefing import changes as changes_between

    chosen = store.select(flt._replace(since=None, until=None))
    measures = [e for e in chosen if e.category in MEASURE_CATEGORIES]
    others = [e for e in chosen if e.category not in MEASURE_CATEGORIES]
    known = knowledge(store, as_of, confirmed=flt.confirmed)
    return changes_between(measures, others, known, horizon(store), first, last)


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
