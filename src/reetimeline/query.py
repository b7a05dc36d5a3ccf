"""Filters, sorting, countdowns and the state of measures on a date. No I/O and no clock:
every function that needs "today" takes it as an argument.

Filters combine with AND across different options and OR within a repeated option:
`-m gallium -m germanium -c US` selects events about gallium or germanium that concern the US.
Date ranges compare periods: an event dated `2025-04` (all of April) is inside
`--since 2025-04-20`, and `--until 2025` reaches to 31 December 2025.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from .errors import UsageError
from .model import CATEGORIES, MEASURE_CATEGORIES, Brief, Event, PartialDate
from .vocab import COUNTRIES_VOCAB, MINERALS, Vocabulary, did_you_mean


class Filter(NamedTuple):
    """What to select. None means "no condition"; a set means "any of these"."""

    minerals: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    text: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def matches(self, event: Event) -> bool:
        if self.minerals is not None and self.minerals.isdisjoint(event.minerals):
            return False
        if self.countries is not None and self.countries.isdisjoint(event.countries):
            return False
        if self.categories is not None and event.category not in self.categories:
            return False
        if self.tags is not None and self.tags.isdisjoint(t.casefold() for t in event.tags):
            return False
        if self.since is not None and event.date.last() < self.since:
            return False
        if self.until is not None and event.date.first() > self.until:
            return False
        return self.text is None or self.text in searchable(event)


def searchable(event: Event) -> str:
    """The case-folded text that `--text` searches: title, summary and source titles."""
    parts = [event.title, event.summary or "", *(s.title for s in event.sources)]
    return "\n".join(parts).casefold()


def make_filter(
    *,
    minerals: Sequence[str] = (),
    countries: Sequence[str] = (),
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
    text: str | None = None,
    since: PartialDate | None = None,
    until: PartialDate | None = None,
    exact: bool = False,
) -> Filter:
    """Build a Filter from what the user typed; unknown names raise UsageError with a suggestion.

    `since` and `until` keep their precision: `--since 2025-04` starts on 1 April and
    `--until 2025-04` ends on 30 April.
    """
    for value in categories:
        if value not in CATEGORIES:
            raise UsageError(f"unknown category '{value}'{did_you_mean(value, CATEGORIES)}"
                             f"; categories: {', '.join(CATEGORIES)}")  # fmt: skip
    if since and until and until.last() < since.first():
        raise UsageError(f"--until {until} is before --since {since}")
    return Filter(
        minerals=_expand(minerals, MINERALS, exact),
        countries=_expand(countries, COUNTRIES_VOCAB, exact),
        categories=frozenset(categories) or None,
        tags=frozenset(t.casefold() for t in tags) or None,
        text=text.casefold() if text else None,
        since=since.first() if since else None,
        until=until.last() if until else None,
    )


def _hint(suggestion: str | None) -> str:
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


_PLURALS = {"mineral": "minerals", "country": "countries"}


def resolve_names(names: Iterable[str], vocabulary: Vocabulary) -> list[str]:
    """Canonical names for what the user typed; an unknown one raises UsageError."""
    out = []
    for name in names:
        canonical = vocabulary.resolve(name)
        if canonical is None:
            raise UsageError(
                f"unknown {vocabulary.kind} '{name}'{_hint(vocabulary.suggest(name))}"
                f"; `reetimeline vocab {_PLURALS[vocabulary.kind]}` lists them"
            )
        out.append(canonical)
    return out


def _expand(names: Sequence[str], vocabulary: Vocabulary, exact: bool) -> frozenset[str] | None:
    if not names:
        return None
    wanted: set[str] = set()
    for canonical in resolve_names(names, vocabulary):
        wanted |= {canonical} if exact else vocabulary.related(canonical)
    return frozenset(wanted)


def select(
    events: Iterable[Event],
    flt: Filter,
    *,
    reverse: bool = False,
    limit: int | None = None,
    presorted: bool = False,
) -> list[Event]:
    """The events that match, sorted by date (newest first with `reverse`), at most `limit`.
    With `presorted`, `events` are already in date order and are not sorted again."""
    matches = flt.matches
    if presorted:
        chosen = [e for e in events if matches(e)]
        if reverse:
            chosen.reverse()
    else:
        chosen = sorted((e for e in events if matches(e)), key=Event.sort_key, reverse=reverse)
    return chosen if limit is None else chosen[:limit]


# --- countdown -------------------------------------------------------------------------------

RECENT_DAYS = 30


class Target(NamedTuple):
    """One dated target of an event, counted from `as_of` in calendar days."""

    event: Event | Brief
    kind: str  # "date", "effective" or "expires"
    date: PartialDate
    days: int

    def sort_key(self):
        return (self.date.sort_key(), self.event.id, self.kind)


def targets(events: Iterable[Event], as_of: dt.date) -> list[Target]:
    """Every dated target of `events` (date, effective, expires) with its day count, by date."""
    out = [
        Target(event, kind, date, date.days_from(as_of))
        for event in events
        for kind, date in event.targets()
    ]
    out.sort(key=Target.sort_key)
    return out


def countdown(
    events: Iterable[Event],
    as_of: dt.date,
    *,
    within: int | None = None,
    show_all: bool = False,
    recent: int = RECENT_DAYS,
) -> list[Target]:
    """Targets to count down to: by default every upcoming one and those lapsed in the last
    `recent` days; `within` also drops those more than that many days ahead; `show_all` keeps all.
    """
    chosen = []
    for target in targets(events, as_of):
        if not show_all and target.days < -recent:
            continue
        if within is not None and target.days > within:
            continue
        chosen.append(target)
    return chosen


def describe_days(kind: str, days: int) -> str:
    """How a countdown row reads: "in 302 days", "today", "expired 15 days ago"."""
    if days == 0:
        return "today"
    count = f"{abs(days)} day{'s' if abs(days) != 1 else ''}"
    if days > 0:
        return f"in {count}"
    prefix = {"expires": "expired ", "effective": "took effect "}.get(kind, "")
    return f"{prefix}{count} ago"


def urgency(days: int) -> str:
    """ "past", "now" (7 days or less ahead), "soon" (30 days or less) or "later"."""
    if days < 0:
        return "past"
    if days <= 7:
        return "now"
    return "soon" if days <= 30 else "later"


# --- status of measures ----------------------------------------------------------------------


class Status(NamedTuple):
    """The state of one measure on a date.

    `until` bounds the state where a date does: when an announced measure takes effect, when a
    suspension ends, when an in-force measure expires. `by` is the suspending event; `lapsed` is
    the suspending event whose window ended before the date, with nothing after it in the store.
    """

    event: Event | Brief
    state: str
    until: PartialDate | None = None
    since: PartialDate | None = None
    by: Event | Brief | None = None
    lapsed: Event | Brief | None = None


def suspensions_by_measure(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Measure id -> the events that suspend it."""
    suspensions: dict[str, list[Event]] = {}
    for event in events:
        for measure_id in event.suspends:
            suspensions.setdefault(measure_id, []).append(event)
    return suspensions


def status(measures: Iterable, suspensions: Mapping[str, list], as_of: dt.date) -> list[Status]:
    """The state on `as_of` of each measure (export-control and tariff events) in `measures`.

    A measure announced after `as_of` is left out. Periods are read generously: a measure is in
    force from the first day of its `effective` (else `date`) period, expires after the last day
    of its `expires` period, and a suspension covers its `effective` (else `date`) through its
    `expires`, both days included; a suspension with no `expires` has no end. `suspensions`
    maps a measure id to its suspending events, from every store (a filter on minerals must not
    hide the suspension of a measure): see `suspensions_by_measure`. Measures and suspensions
    may be `Event`s or `Brief`s.
    """
    out = [
        _status_of(m, suspensions.get(m.id, []), as_of)
        for m in measures
        if m.category in MEASURE_CATEGORIES and m.date.first() <= as_of
    ]
    out.sort(key=lambda s: s.event.sort_key())
    return out


def _status_of(measure: Event, suspenders: list[Event], as_of: dt.date) -> Status:
    starts = measure.starts()
    if as_of < starts.first():
        return Status(measure, "announced", until=starts)
    if measure.expires is not None and as_of > measure.expires.last():
        return Status(measure, "expired", since=measure.expires)
    active = [s for s in suspenders if _covers(s, as_of)]
    if active:
        # the suspension that reaches furthest (an open-ended one first) says until when
        by = max(active, key=lambda s: (s.expires is None, s.expires.last() if s.expires else 0))
        return Status(measure, "suspended", until=by.expires, since=by.starts(), by=by)
    lapsed_ones = [s for s in suspenders if s.expires is not None and s.expires.last() < as_of]
    lapsed = max(
        lapsed_ones, key=lambda s: s.expires.last() if s.expires else dt.date.min, default=None
    )
    return Status(measure, "in-force", until=measure.expires, since=starts, lapsed=lapsed)


def _covers(suspension: Event, as_of: dt.date) -> bool:
    if as_of < suspension.starts().first():
        return False
    return suspension.expires is None or as_of <= suspension.expires.last()


# --- counts for `stats` ----------------------------------------------------------------------

STATS_KEYS = ("year", "category", "mineral", "country")


def count_by(events: Iterable[Event], by: str) -> list[tuple[str, int]]:
    """How many events per year (in year order), or per category, mineral or country (most
    first, then by name). Minerals and countries count each one an event lists, as listed."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for event in events:
        if by == "year":
            counts[str(event.date.year)] += 1
        elif by == "category":
            counts[event.category] += 1
        elif by == "mineral":
            counts.update(event.minerals)
        elif by == "country":
            counts.update(event.countries)
        else:
            raise ValueError(f"cannot count by {by!r}")
    if by == "year":
        return sorted(counts.items())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
