"""What the stores say about measures on a date, and the dated targets to count down to.

No I/O and no clock: every function takes the as-of date; each event carries its own horizon
(`current_to`), and the stores' `Horizon` only names how current the data is.

Knowledge has a date. An event is known on the as-of date when its own date has begun: on
2026-01-12 a suspension still ran to its original end, because the extension was dated later.
A scheduled change (a measure taking effect, a suspension lapsing, an expiry) is a fact only up to
the horizon of the event that schedules it: its `current_to`, the day up to which its facts were
checked against sources (the measure's for its own effective and expires; the suspension's, or
the extension's that moved its end, for its lapse). Another store's `current_to` never confirms
it; an event without one has no horizon (nothing it schedules is unconfirmed). A change after
that horizon and on or before the as-of date that no event reports makes the state
`unconfirmed`: the status says what was scheduled, when, and carries the horizon. An event
reports a change when it is dated on or after it, or `confirms` the event that scheduled it (then
the change is known with the confirming event's confidence), or `ends` it after its end (a
reported lapse).

A suspension with `partial = true` suspends only part of each measure it names: the measure
stays `in-force`, and its status names the partial relief and its end (`partial_by`,
`partial_until`). A package (an event that others name in `part_of`) has no state of its own;
an event that suspends, extends, ends or confirms it acts on each of its parts.

Data in, data out, no words: states are codes, days are counts, and a status, a target or a
change names the events it rests on; `output/words.py` makes the sentences every view shows.

States of a measure (an `export-control` or `tariff` event):
    announced    before it takes effect (`effective`, else its date)
    in-force     in effect, not suspended
    suspended    a suspension covers the day (its `effective`, else its date, through its
                 `expires`, moved by any extensions; both days included)
    expired      its own `expires` has passed
    ended        a later event `ends` it, from that event's `effective` (else its date)
    unconfirmed  see above

A suspension that begins on or before the day a measure would take effect means the measure
never took effect: it is `suspended` from the suspension's first day.

Today first: every view of the states on a day orders them by `today_first` (in force,
suspended, unconfirmed, announced, ended, expired; newest `since` first within each) and, unless
asked for all, leaves out what `is_history` (expired or ended more than a year before).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Container, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar, overload

from ..model import MEASURE_CATEGORIES, Dated, PartialDate
from .query import Filter

# The events a status or countdown row is about: whole events, or briefs from the cache.
D = TypeVar("D", bound=Dated)

RECENT_DAYS = 30
STATES = ("announced", "in-force", "suspended", "expired", "ended", "unconfirmed")


def weakest(events: Iterable[Dated | None]) -> str:
    """`reported` when any of the events is only reported, else `confirmed`."""
    for event in events:
        if event is not None and event.confidence != "confirmed":
            return "reported"
    return "confirmed"


class Horizon(NamedTuple):
    """How current the data is (for the views): a `current_to` and which store says so. A
    status or a change carries the one that applies to it; whether a scheduled change is a
    fact is decided by the `current_to` of the event that schedules it."""

    date: PartialDate | None = None
    label: str = ""  # which store says so: "curated store", or a file name

    def last_day(self, as_of: dt.date) -> dt.date:
        """The last day whose scheduled changes are facts: the horizon, or the as-of date when
        no store declares one (then nothing is unconfirmed)."""
        return self.date.last() if self.date is not None else as_of


NO_HORIZON = Horizon()


def parts_of(events: Iterable[Dated]) -> dict[str, tuple[str, ...]]:
    """Each package (an event that some event names in `part_of`) and the ids of its parts, in
    the order given (the store's date order)."""
    parts: dict[str, list[str]] = {}
    for event in events:
        if event.part_of is not None:
            parts.setdefault(event.part_of, []).append(event.id)
    return {package: tuple(ids) for package, ids in parts.items()}


class Knowledge:
    """The events that suspend (wholly or in part), extend, end or confirm others, as known on
    the as-of date (each counts from its own date), indexed by the id they act on; and the
    packages with their parts. Built from every store: a filter on minerals must not hide the
    suspension of a measure. An event acting on a package is indexed under each of its parts."""

    def __init__(self, relations: Iterable[Dated], as_of: dt.date, *, confirmed: bool = False):
        self.as_of = as_of
        self.suspenders: dict[str, list[Dated]] = {}
        self.partial: dict[str, list[Dated]] = {}  # partial suspensions
        self.extenders: dict[str, list[Dated]] = {}
        self.enders: dict[str, list[Dated]] = {}
        self.confirmers: dict[str, list[Dated]] = {}
        self._chains: dict[str, Chain | None] = {}  # see `chain_after`
        self._acyclic: bool | None = None
        relations = list(relations)
        # a package is known whatever the date or confidence of its parts: it is structure
        self.parts: dict[str, tuple[str, ...]] = parts_of(relations)
        for event in relations:
            if event.date.first() > as_of or (confirmed and event.confidence != "confirmed"):
                continue
            suspenders = self.partial if event.partial else self.suspenders
            for table, ids in ((suspenders, event.suspends), (self.extenders, event.extends),
                               (self.enders, event.ends),
                               (self.confirmers, event.confirms)):  # fmt: skip
                for target in ids:
                    table.setdefault(target, []).append(event)
        for package, members in self.parts.items():
            for table in (self.suspenders, self.partial, self.extenders, self.enders,
                          self.confirmers):  # fmt: skip
                acting = table.get(package)
                if not acting:
                    continue
                for part in members:
                    own = table.setdefault(part, [])
                    own.extend(x for x in acting if all(x is not y for y in own))

    def is_package(self, event_id: str) -> bool:
        """Whether `event_id` names a package (it has no state of its own)."""
        return event_id in self.parts

    def reporter(self, subjects: Iterable[Dated], day: dt.date, *,
                 lapse: bool = False) -> Dated | None:  # fmt: skip
        """The known event that reports a scheduled change of one of `subjects` on `day`: one
        that `confirms` it, dated on or after that day (the earliest, then by id); for the
        lapse of a suspension or truce (`lapse`), also one that `ends` it after its end. None
        when none does."""
        found = [x for subject in subjects
                 for x in (*self.confirmers.get(subject.id, ()),
                           *(self.enders.get(subject.id, ()) if lapse else ()))
                 if x.date.first() >= day]  # fmt: skip
        return min(found, key=lambda x: (x.date.sort_key(), x.id)) if found else None

    def knows(self, event: Dated) -> bool:
        return event.date.first() <= self.as_of

    def chain_after(self, event: Dated) -> Chain | None:
        """The extensions applied to `event` one after another: its latest extension (by date,
        then end, then id), that one's latest, and so on; None when nothing extends it.

        Each link's chain is the next link and that one's chain, so the chains are made once
        and share their tails: the chains of every link of a long chain take time and memory
        linear in its length. A loop of extensions (A extends B extends A) is walked on its
        own, each walk stopping where it meets a link it has passed."""
        if self._acyclic is None:
            self._acyclic = _acyclic(self.extenders)
        if not self._acyclic:
            return _walk(event, self.extenders)
        memo = self._chains
        path: list[Dated] = []
        link = event
        while link.id not in memo:
            following = _latest(self.extenders.get(link.id, ()), ())
            if following is None:
                memo[link.id] = None
                break
            path.append(link)
            link = following
        # `link` follows the last of `path`, and its chain is known: build back from it
        for earlier in reversed(path):
            memo[earlier.id] = Chain(link, memo[link.id])
            link = earlier
        return memo[event.id]


class Chain(Sequence[Dated]):
    """Extensions in the order they apply: `first`, then the chain that extends it (`rest`).
    Chains share their tails (see `Knowledge.chain_after`)."""

    __slots__ = ("_length", "confidence", "first", "last", "rest")

    def __init__(self, first: Dated, rest: Chain | None):
        self.first = first
        self.rest = rest
        self.last: Dated = rest.last if rest is not None else first
        # the weakest confidence of the links
        reported = first.confidence != "confirmed" or (rest is not None and
                                                       rest.confidence == "reported")  # fmt: skip
        self.confidence: str = "reported" if reported else "confirmed"
        self._length: int = 1 + (len(rest) if rest is not None else 0)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Dated]:
        link: Chain | None = self
        while link is not None:
            yield link.first
            link = link.rest

    @overload
    def __getitem__(self, index: int) -> Dated: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Dated, ...]: ...
    def __getitem__(self, index: int | slice) -> Dated | tuple[Dated, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index in (-1, self._length - 1):
            return self.last
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return next(itertools.islice(self, index, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chain | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Chain({', '.join(x.id for x in self)})"


def _latest(extenders: Iterable[Dated], seen: Container[str]) -> Dated | None:
    """The extension that applies: the latest by date, then by end, then by id."""
    options = [x for x in extenders if x.expires is not None and x.id not in seen]
    if not options:
        return None
    return max(options, key=lambda x: (x.date.sort_key(), _end_key(x), x.id))


def _walk(event: Dated, extenders: dict[str, list[Dated]]) -> Chain | None:
    """`Knowledge.chain_after` by walking from `event`, passing no link twice."""
    links: list[Dated] = []
    seen = {event.id}
    link: Dated | None = _latest(extenders.get(event.id, ()), seen)
    while link is not None:
        links.append(link)
        seen.add(link.id)
        link = _latest(extenders.get(link.id, ()), seen)
    chain = None
    for link in reversed(links):
        chain = Chain(link, chain)
    return chain


def _acyclic(extenders: dict[str, list[Dated]]) -> bool:
    """Whether no extension extends, through others, itself (then a walk never meets a link
    it passed, and each link's chain is the same from wherever the walk came)."""
    state: dict[str, bool] = {}  # False: on the current path; True: done
    for root in extenders:
        if root in state:
            continue
        stack = [(root, iter(extenders[root]))]
        state[root] = False
        while stack:
            node, todo = stack[-1]
            for x in todo:
                if x.expires is None:
                    continue
                seen = state.get(x.id)
                if seen is False:
                    return False
                if seen is None:
                    state[x.id] = False
                    stack.append((x.id, iter(extenders.get(x.id, ()))))
                    break
            else:
                state[node] = True
                stack.pop()
    return True


class End(NamedTuple):
    """When an event with `expires` ends, once extensions and ends are applied."""

    date: PartialDate | None  # the last day (None: no end)
    extended_by: Dated | None  # the last extension in the chain
    chain: Sequence[Dated]  # every extension applied, in order (a `Chain`, or ())
    ended_by: Dated | None  # an event that ended it before that
    confidence: str = "confirmed"  # the weakest of the extensions applied


def _end_key(event: Dated) -> tuple[dt.date, int]:
    assert event.expires is not None
    return event.expires.sort_key()


def end_of(event: Dated, knowledge: Knowledge) -> End:
    """The end of `event` (a suspension, truce or measure) as known: its `expires`, replaced by
    the `expires` of the latest extension, and so on along extensions of extensions; cut short
    by an event that ends it."""
    if event.id not in knowledge.extenders and event.id not in knowledge.enders:
        return End(event.expires, None, (), None)
    date = event.expires
    chain = knowledge.chain_after(event) if date is not None else None
    if chain is not None:
        date = chain.last.expires
    ended_by = None
    enders = knowledge.enders.get(event.id, ())
    if enders:
        first = min(enders, key=lambda e: (e.starts().first(), e.id))
        if date is None or first.starts().first() <= date.last():
            ended_by = first
            date = first.starts().previous()
    if chain is None:
        return End(date, None, (), ended_by)
    return End(date, chain.last, chain, ended_by, chain.confidence)


def runs_until(event: Dated, knowledge: Knowledge) -> PartialDate | None:
    """The last day of an event, as known (`end_of`): its expiry after extensions, or the day
    before an event that ends it takes effect (with or without an expiry); None when nothing
    bounds it (`show`'s "runs until", `show --json`'s and `export`'s `runs_until`)."""
    return end_of(event, knowledge).date


# --- the life of a measure -------------------------------------------------------------------


class Segment(NamedTuple):
    """One stretch of a measure's life in one state."""

    state: str
    first: dt.date
    since: PartialDate  # the first day, as precisely as the stores give it
    until: PartialDate | None  # the last day, or None when nothing bounds it
    by: Dated | None  # the suspending or ending event
    cause: Dated  # the event whose date starts this stretch
    backed: bool  # the change that starts it is reported, not only scheduled
    confidence: str
    extended_by: Dated | None = None
    never_took_effect: bool = False
    horizon: PartialDate | None = None  # the `current_to` of the event that scheduled the change
    reported_by: Dated | None = None  # the event that confirms the scheduled change


def unreported(seg: Segment) -> bool:
    """Whether the change that starts `seg` was scheduled for after the horizon of the event
    that scheduled it and no event reports it (on or before the as-of date: `unconfirmed`)."""
    return not seg.backed and seg.horizon is not None and seg.first > seg.horizon.last()


# a change on a day: (the day, that day as precisely as the stores give it, the event whose
# change it is, its kind: "announce", "start", "suspend", "resume" or "terminal", the event
# whose scheduled change it is: the measure, or the suspension that starts or lapses)
_Boundary = tuple[dt.date, PartialDate, Dated, str, Dated]


class _Window(NamedTuple):
    first: dt.date
    last: dt.date | None
    event: Dated
    end: End


# Which change explains a state, when several happen on one day.
_CAUSES = {
    "announced": ("announce",),
    "in-force": ("start", "resume"),
    "suspended": ("suspend", "start", "resume", "announce"),
    "expired": ("terminal",),
    "ended": ("terminal",),
}


def life(measure: Dated, knowledge: Knowledge) -> list[Segment]:
    """Every stretch of the measure's life that the known events schedule, in order."""
    # the one way for every measure; written for a large store, where most measures have
    # nothing acting on them and a day holds one change
    date = measure.date
    announced = date.first()
    start = measure.starts()
    start_first = start.first()
    windows = []
    for suspension in knowledge.suspenders.get(measure.id, ()):
        end = end_of(suspension, knowledge)
        windows.append(
            _Window(
                suspension.starts().first(), end.date.last() if end.date else None, suspension, end
            )
        )
    terminal: tuple[dt.date, str, PartialDate, Dated] | None = None
    if measure.expires is not None:
        terminal = (measure.expires.last() + _ONE_DAY, "expired", measure.expires.following(),
                    measure)  # fmt: skip
    enders = knowledge.enders.get(measure.id)
    if enders:
        terminals = [(e.starts().first(), "ended", e.starts(), e) for e in enders]
        if terminal is not None:
            terminals.append(terminal)
        terminal = min(terminals, key=lambda t: (t[0], t[1], t[3].id))

    days: dict[dt.date, list[_Boundary]] = {
        announced: [(announced, date, measure, "announce", measure)]}
    if start_first == announced:
        days[announced].append((start_first, start, measure, "start", measure))
    elif start_first > announced:
        days[start_first] = [(start_first, start, measure, "start", measure)]
    boundaries: list[_Boundary] = []
    for w in windows:
        boundaries.append((w.first, w.event.starts(), w.event, "suspend", w.event))
        if w.last is not None and w.end.date is not None:
            cause = w.end.ended_by or w.end.extended_by or w.event
            boundaries.append((w.last + _ONE_DAY, w.end.date.following(), cause, "resume",
                               w.event))  # fmt: skip
    if terminal is not None:
        boundaries.append((terminal[0], terminal[2], terminal[3], "terminal", terminal[3]))
    for boundary in boundaries:
        if boundary[0] >= announced:
            days.setdefault(boundary[0], []).append(boundary)

    never = bool(windows) and any(w.first <= start_first and (w.last is None or
                                                             w.last >= start_first)
                                  for w in windows)  # fmt: skip
    reported = measure.confidence != "confirmed"
    # the fields of each stretch but its last day, which the next stretch gives
    rows: list[list[Any]] = []
    last_state, last_by = None, None
    took_effect = False
    for day in sorted(days) if len(days) > 1 else days:
        state, by, window = _state_on(day, start_first, windows, terminal)
        if state == last_state and by is last_by:
            continue
        last_state, last_by = state, by
        today = days[day]
        if len(today) == 1 or (len(today) == 2 and today[0][2] is today[1][2]
                               and today[0][1] is today[1][1]):  # fmt: skip
            # the one change of the day (or a measure announced the day it takes effect, one
            # cause and one label) explains the state, whichever it is
            pick = today[0]
            label = pick[1]
        else:
            if window is not None and window.first == day:
                pick = next(b for b in today if b[3] == "suspend" and b[2] is window.event)
            else:
                pick = next((b for kind in _CAUSES[state] for b in today if b[3] == kind),
                            today[0])  # fmt: skip
            label = max((b[1] for b in today), key=_precision)
        cause = pick[2]
        if window is None:
            extended_by, chained = None, False
        else:
            extended_by, chained = window.end.extended_by, window.end.confidence == "reported"
        backed = (announced if cause is measure else cause.date.first()) >= day
        reporter = None
        if not backed:
            reporter = knowledge.reporter((pick[4], cause), day, lapse=pick[3] == "resume")
            backed = reporter is not None
        # the stretch rests on the measure, what suspends or ends it, every extension and
        # what reports the change
        weak = reported or chained or (by is not None and by.confidence != "confirmed") or (
            reporter is not None and reporter.confidence != "confirmed")  # fmt: skip
        rows.append([state, day, label, None, by, cause, backed,
                     "reported" if weak else "confirmed", extended_by,
                     never and not took_effect and state != "announced", cause.current_to,
                     reporter])  # fmt: skip
        took_effect = took_effect or state == "in-force"
    # each stretch ends the day before the next one begins
    for i in range(len(rows) - 1):
        rows[i][3] = rows[i + 1][2].previous()
    return [_segment(Segment, row) for row in rows]


_ONE_DAY = dt.timedelta(days=1)
_segment = tuple.__new__  # Segment._make without its call


_RANKS = {"year": 0, "month": 1, "day": 2}


def _precision(date: PartialDate) -> int:
    return _RANKS[date.precision]


def _state_on(day, start_first, windows, terminal) -> tuple[str, Dated | None, _Window | None]:
    if terminal is not None and day >= terminal[0]:
        return terminal[1], (terminal[3] if terminal[1] == "ended" else None), None
    if not windows:
        return ("announced" if day < start_first else "in-force"), None, None
    covering = [w for w in windows if w.first <= day and (w.last is None or day <= w.last)]
    if day < start_first:
        # a suspension that is already running when the measure would take effect
        covering = [w for w in covering if w.last is None or w.last >= start_first]
    if covering:
        window = max(covering, key=lambda w: (w.last is None, w.last or day, w.event.id))
        return "suspended", window.event, window
    return ("announced" if day < start_first else "in-force"), None, None


class Status(NamedTuple, Generic[D]):
    """The state of one measure on the as-of date, and what it rests on."""

    event: D
    state: str
    since: PartialDate | None
    until: PartialDate | None
    by: Dated | None  # suspending or ending event; for `unconfirmed`, the event whose change it is
    confidence: str
    extended_by: Dated | None = None
    never_took_effect: bool = False
    lapsed: Dated | None = None  # in force again after this suspension ended
    scheduled: str | None = None  # unconfirmed: the state the schedule gives
    last_known: str | None = None  # unconfirmed: the state before the unreported change
    horizon: Horizon = NO_HORIZON  # the horizon that applies (see `_horizon`)
    as_of: dt.date | None = None
    reported_by: Dated | None = None  # the event that confirms the change that began the state
    partial_by: Dated | None = None  # a partial suspension: the measure is in part suspended
    partial_until: PartialDate | None = None  # its last day (None: open-ended)
    partial_unconfirmed: bool = False  # its end passed after its horizon, unreported


def status_of(measure: D, knowledge: Knowledge, horizon: Horizon) -> Status[D]:
    """The state of `measure` on `knowledge.as_of`, never claiming more than the stores back."""
    status = _status_from(life(measure, knowledge), measure, knowledge.as_of, horizon)
    return _with_partial(status, knowledge)


def _horizon(date: PartialDate | None, horizon: Horizon) -> Horizon:
    """The horizon that applies to a change: `date` (the `current_to` of the event that
    scheduled it), labelled as the stores' horizon when it is that one."""
    if date is None:
        return NO_HORIZON
    return Horizon(date, horizon.label if horizon.date == date else "")


def _with_partial(status: Status[D], knowledge: Knowledge) -> Status[D]:
    """`status` with the partial suspension of its measure that covers the as-of date (the one
    that runs longest), or whose end passed after its horizon unreported."""
    partial = knowledge.partial.get(status.event.id)
    if not partial or status.state not in ("in-force", "unconfirmed"):
        return status
    as_of = knowledge.as_of
    found: list[tuple[int, dt.date, str, Dated, PartialDate | None]] = []
    for relief in partial:
        first = relief.starts().first()
        if first > as_of:
            continue
        end = end_of(relief, knowledge)
        if end.date is None or as_of <= end.date.last():
            found.append((1, end.date.last() if end.date else dt.date.max, relief.id, relief,
                          end.date))  # fmt: skip
            continue
        day = end.date.last() + _ONE_DAY  # the day it lapsed
        scheduler = end.ended_by or end.extended_by or relief
        horizon = scheduler.current_to
        if (horizon is not None and day > horizon.last() and scheduler.date.first() < day
                and knowledge.reporter((relief, scheduler), day, lapse=True) is None):  # fmt: skip
            found.append((0, end.date.last(), relief.id, relief, end.date))
    if not found:
        return status
    covering, _last, _id, relief, until = max(found, key=lambda f: f[:3])
    return status._replace(partial_by=relief, partial_until=until,
                           partial_unconfirmed=not covering)  # fmt: skip


def _status_from(segments: list[Segment], measure: D, as_of: dt.date,
                 horizon: Horizon) -> Status[D]:  # fmt: skip
    index = len(segments) - 1
    while segments[index].first > as_of:
        index -= 1
    if index < 0:
        raise ValueError(f"{measure.id} is not known on {as_of}")
    seg = segments[index]
    # the earliest of the unreported changes after their horizon that lead to today's state
    first_unbacked = None
    i = index
    while i > 0 and unreported(segments[i]):
        first_unbacked = i
        i -= 1
    if first_unbacked is not None:
        change, before = segments[first_unbacked], segments[first_unbacked - 1]
        return Status(
            measure, "unconfirmed", change.since, None, change.cause,
            weakest([measure, change.cause, before.by]), never_took_effect=seg.never_took_effect
            or (before.never_took_effect and seg.state == "in-force"),
            lapsed=before.by, scheduled=seg.state, last_known=before.state,
            horizon=_horizon(change.horizon, horizon), as_of=as_of,
        )  # fmt: skip
    lapsed = None
    if seg.state == "in-force" and index > 0 and segments[index - 1].state == "suspended":
        lapsed = segments[index - 1].by
    return Status(measure, seg.state, seg.since, seg.until, seg.by, seg.confidence,
                  seg.extended_by, seg.never_took_effect, lapsed, None, None,
                  _horizon(measure.current_to, horizon), as_of,
                  seg.reported_by)  # fmt: skip


def statuses(measures: Iterable[D], knowledge: Knowledge, horizon: Horizon) -> list[Status[D]]:
    """The state of each known measure (export-control and tariff events) in `measures`; a
    package has none of its own (its parts have)."""
    as_of = knowledge.as_of
    out = [
        _status_from(life(m, knowledge), m, as_of, horizon)
        for m in measures
        if m.category in MEASURE_CATEGORIES and m.date.first() <= as_of  # knowledge.knows(m)
        and m.id not in knowledge.parts
    ]
    if knowledge.partial:
        out = [_with_partial(s, knowledge) for s in out]
    out.sort(key=_status_order)
    return out


def _status_order(s: Status[Any]) -> tuple[tuple[dt.date, int], str]:
    return s.event.sort_key()


# --- today first -----------------------------------------------------------------------------

# The order of the states in a view of today: what restricts trade now, then what may (not
# confirmed), then what is to come, then the past.
TODAY_ORDER = ("in-force", "suspended", "unconfirmed", "announced", "ended", "expired")
_TODAY_RANK = {state: rank for rank, state in enumerate(TODAY_ORDER)}
PAST_STATES = ("ended", "expired")


def today_first(rows: Iterable[Status[D]]) -> list[Status[D]]:
    """The statuses in the order every view of today shows them (the one ordering rule): by
    state in `TODAY_ORDER`, then newest first: the latest `since` (the first day of the state,
    compared by that day, a finer date after a coarser one that starts the same day), then the
    latest measure (by its date), then by id."""
    return sorted(rows, key=_today_key)


def _today_key(s: Status[Any]) -> tuple[int, int, int, int, int, str]:
    # one key of numbers (a sort by several keys, or by dates in tuples, took twice as long)
    since, finer = s.since.sort_key() if s.since is not None else (dt.date.min, 0)
    date, date_finer = s.event.date.sort_key()
    return (_TODAY_RANK[s.state], -since.toordinal(), -finer, -date.toordinal(), -date_finer,
            s.event.id)  # fmt: skip


def history_cut(as_of: dt.date) -> dt.date:
    """The first day a past state may have begun and still be shown in a view of `as_of`: the
    same day a year before (28 February for a 29 February)."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def is_history(s: Status[Any], as_of: dt.date) -> bool:
    """Whether a view of today leaves the status out unless asked for all: the measure expired
    or ended (`PAST_STATES`), and that state began (its `since`: for `expired`, the day after
    its last day) more than a year before `as_of`, every day the date may mean before the same
    day a year earlier (`history_cut`)."""
    return (s.state in PAST_STATES and s.since is not None
            and s.since.last() < history_cut(as_of))  # fmt: skip


def today_view(rows: Iterable[Status[D]], as_of: dt.date, *,
               show_all: bool = False) -> tuple[list[Status[D]], int]:  # fmt: skip
    """The statuses a view of `as_of` shows, `today_first`, and how many it leaves out: those
    that `is_history`, unless `show_all`."""
    ordered = today_first(rows)
    if show_all:
        return ordered, 0
    shown = [s for s in ordered if not is_history(s, as_of)]
    return shown, len(ordered) - len(shown)


# --- countdown -------------------------------------------------------------------------------


_TargetKey = tuple[int, tuple[dt.date, int], str, str, bool]


class Target(NamedTuple, Generic[D]):
    """One dated target of an event, counted from the as-of date in calendar days."""

    event: D
    kind: str  # "date", "effective" or "expires"
    date: PartialDate
    days: int
    confidence: str = "confirmed"
    extended_by: Dated | None = None  # an expiry moved here by this extension
    superseded: bool = False  # an end that an extension or an end replaced
    replaced_by: Dated | None = None  # for a superseded end: the event that replaced it
    unconfirmed: bool = False  # a scheduled date after the horizon, now passed, not reported
    never: bool = False  # an effective date the measure never reached (suspended before)

    def sort_key(self) -> _TargetKey:
        return _target_order(self)


def targets(
    events: Iterable[D],
    as_of: dt.date,
    knowledge: Knowledge | None = None,
    horizon: Horizon = NO_HORIZON,
) -> list[Target[D]]:
    """Every dated target of `events` with its day count, in `_target_order`. With `knowledge`, an
    extended expiry moves, once however long the chain of extensions (the original and every
    end a later extension or an end replaced stay, each once, marked superseded: see
    `_replaced_ends`), an expiry cut short by an end is superseded, a known extension's own
    expiry is shown on what it extends, and an effective date that a suspension pre-empted is
    marked `never`. A passed date after the horizon of the event that scheduled it is
    `unconfirmed` unless an event reports it (`horizon`, the stores', decides nothing: it is
    kept for the callers that pass it)."""
    knowledge = knowledge or Knowledge((), as_of)
    chosen = list(events)
    ids = {e.id for e in chosen}
    # rows with their order: sorting by a ready key is cheaper than calling a key function
    out: list[tuple[_TargetKey, Target[D]]] = []
    acted_on = knowledge.extenders.keys() | knowledge.enders.keys()
    for event in chosen:
        date = event.date
        # an event's own date is a fact, never unconfirmed: its row is the simplest
        row = Target(event, "date", date, date.days_from(as_of), event.confidence)
        out.append((_target_order(row), row))
        if event.effective is None and event.expires is None:
            continue
        # a known extension of chosen events: its end, and what became of it, is shown on them
        shown_on_extended = (bool(event.extends) and all(i in ids for i in event.extends)
                             and knowledge.knows(event))  # fmt: skip
        # an end that nothing extends or ends is the event's own `expires`: no row changes
        end = None
        replacers: list[tuple[Dated, Dated | None]] = []
        if event.expires is not None and event.id in acted_on and not shown_on_extended:
            end = end_of(event, knowledge)
            replacers = _replacers(event, end, knowledge)
        never = False
        if (event.category in MEASURE_CATEGORIES and event.effective is not None
                and event.id in knowledge.suspenders):  # fmt: skip
            # only a suspension can keep a measure from taking effect
            never = any(s.state == "suspended" and s.never_took_effect
                        for s in life(event, knowledge))  # fmt: skip
        for kind, date in event.targets()[1:]:
            if kind == "expires" and shown_on_extended:
                continue  # shown as the new end of what it extends
            row = Target(event, kind, date, date.days_from(as_of), event.confidence, None, False,
                         None, False, never and kind == "effective")  # fmt: skip
            if kind == "expires" and end is not None and end.date != date:
                row = row._replace(superseded=True, replaced_by=replacers[0][1])
            row = _unconfirmed(row, as_of, knowledge)
            out.append((_target_order(row), row))
        if end is not None and end.chain:
            for row in _replaced_ends(event, end, replacers, as_of):
                out.append((_target_order(row), row))
        if end is not None and end.extended_by is not None and end.ended_by is None:
            assert end.date is not None
            row = _unconfirmed(Target(
                event, "expires", end.date, end.date.days_from(as_of),
                "reported" if end.confidence == "reported" else weakest([event]),
                extended_by=end.extended_by), as_of, knowledge,
            )  # fmt: skip
            out.append((_target_order(row), row))
    out.sort(key=itemgetter(0))  # stable: rows of equal order stay as made
    return [row for _order, row in out]


def _succession(event: Dated, knowledge: Knowledge) -> list[Dated]:
    """`event`, then the extensions (with an end) that reach it, in the order they replaced
    one another: each extension after what it extends, the extensions of one event by the
    order `_latest` applies them (date, end, id), each with its own extensions before the next
    one (a walk in pre-order). The last is the chain's last link, whose end stands."""
    order: list[Dated] = []
    seen: set[str] = set()
    stack = [event]
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        order.append(node)
        children = [x for x in knowledge.extenders.get(node.id, ())
                    if x.expires is not None and x.id not in seen]  # fmt: skip
        children.sort(key=lambda x: (x.date.sort_key(), _end_key(x), x.id), reverse=True)
        stack.extend(children)
    return order


def _replacers(event: Dated, end: End, knowledge: Knowledge) -> list[tuple[Dated, Dated | None]]:
    """`event` and each extension that reaches it, each with the event that replaced its end:
    the next in `_succession` (for the event's own end, its first extension), and for the last
    the event that ended it (None when its end stands)."""
    order = _succession(event, knowledge)
    after: list[Dated | None] = [*order[1:], end.ended_by]
    return list(zip(order, after, strict=True))


def _replaced_ends(event: D, end: End, replacers: list[tuple[Dated, Dated | None]],
                   as_of: dt.date) -> list[Target[D]]:  # fmt: skip
    """The ends that extensions of `event` set and that something replaced, as superseded rows
    of `event` (each `extended_by` the extension that set it, `replaced_by` the next one in
    `_replacers`): every extension that reaches the event but the chain's last link (unless an
    event ended it). Each date once, and never the end that stands (nor the event's own, which
    has its row)."""
    shown = {event.expires}
    if end.ended_by is None:
        shown.add(end.date)
    rows: list[Target[D]] = []
    for x, by in replacers[1:]:
        assert x.expires is not None
        if by is None or x.expires in shown:
            continue
        shown.add(x.expires)
        rows.append(Target(event, "expires", x.expires, x.expires.days_from(as_of),
                           x.confidence, x, True, by))  # fmt: skip
    return rows


def _target_order(target: Target[Any]) -> _TargetKey:
    """By the day the count uses (`PartialDate.days_from`: a month or year ahead counts to its
    first day, one behind from its last, one around the as-of date is 0), so that the list and
    its day counts agree; ties by the date (a coarser one first), the event's id and the kind."""
    return (target.days, target.date.sort_key(), target.event.id, target.kind, target.superseded)


def _unconfirmed(row: Target[D], as_of: dt.date, knowledge: Knowledge) -> Target[D]:
    """A scheduled date after the horizon of the event that scheduled it (the event, or the
    extension that moved its end) that has passed, written before it, and that no event
    reports (`confirms`, or `ends` after it): not a fact. Reported, it has the weaker
    confidence of the row and the report."""
    if row.kind == "date" or row.superseded:
        return row
    scheduler = row.extended_by or row.event
    horizon = scheduler.current_to
    first = row.date.first()
    if (horizon is None or not horizon.last() < first <= as_of
            or scheduler.date.first() >= first):  # fmt: skip
        return row
    reporter = knowledge.reporter((row.event, scheduler), first, lapse=row.kind == "expires"
                                  and row.event.category not in MEASURE_CATEGORIES)
    if reporter is None:
        return row._replace(unconfirmed=True)
    # known past the horizon with the confidence of what reports it
    return row._replace(confidence="reported" if reporter.confidence != "confirmed"
                        else row.confidence)  # fmt: skip


def countdown(
    events: Iterable[D],
    as_of: dt.date,
    knowledge: Knowledge | None = None,
    horizon: Horizon = NO_HORIZON,
    *,
    flt: Filter | None = None,
    within: int | None = None,
    recent: int | None = None,
    show_all: bool = False,
    superseded: bool | None = None,
) -> list[Target[D]]:
    """Targets to count down to.

    By default every upcoming target and those lapsed in the last 30 days. `within N` keeps
    only targets from the as-of date to N days after it, and lapsed ones only with `recent`;
    `recent D` keeps lapsed targets of the last D days; `show_all` keeps every lapsed one.
    With a filter that has a --since/--until window, only targets inside it. An end that an
    extension or an end replaced (`superseded`) is kept only with `superseded` (default:
    `show_all`).
    """
    if recent is None and within is None:
        recent = RECENT_DAYS
    if superseded is None:
        superseded = show_all
    chosen = []
    for target in targets(events, as_of, knowledge, horizon):
        if target.superseded and not superseded:
            continue
        if target.days < 0 and not show_all and (recent is None or target.days < -recent):
            continue
        if within is not None and target.days > within:
            continue
        if flt is not None and flt.has_window() and not flt.in_window(target.date):
            continue
        chosen.append(target)
    return chosen
