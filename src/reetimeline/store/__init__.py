"""The only package that reads or writes store files: load (through the cache), validate, append.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores (the
format: docs/store-format.md). Loading collects every problem in every file and fails once with
all of them (`DataError`). `Store` answers queries the same way whether an event was parsed just
now or comes from the cache (store/cache.py); tests check that the two agree.

Modules: `files` (which files, reading their bytes), `parse` (TOML to events, imported only when
a file must be parsed), `cache` (the SQLite index), `write` (appending).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from ..engine import query
from ..engine.states import (
    RECENT_DAYS,
    Horizon,
    Knowledge,
    Status,
    Target,
    countdown,
    status_of,
    statuses,
)
from ..errors import DataError, Problem
from ..model import MEASURE_CATEGORIES, Dated, Event, PartialDate
from ..text import visible
from ..validate import check_references, cross_file_problems
from .cache import Cache, CachedFile, Texts
from .files import code_stamp, curated_store_path, expand_store_paths

__all__ = ["Deferred", "Store", "curated_store_path", "expand_store_paths", "inspect", "load",
           "read"]

# A store this large is cached by a background process, so that the first run is not slower
# than parsing alone; smaller ones are cached before the command answers.
BACKGROUND_CACHE_MIN_EVENTS = 5000


def _sort_key(event: Dated) -> tuple[tuple[dt.date, int], str]:
    return event.sort_key()


def _event_key(event: Event) -> tuple[int, int, str]:
    first, rank = event.date.sort_key()
    return (first.toordinal(), rank, event.id)


def texts() -> Texts:
    from ..output.plain import countdown_head, countdown_tail, list_line, ready_stretches

    return Texts(list_line, query.searchable, countdown_head, countdown_tail, ready_stretches)


class Store:
    """Events merged from one or more store files: some parsed now, some read from caches."""

    def __init__(self, files: Sequence[Path], parsed: Sequence[Event], cached=(),
                 current_to: Sequence[tuple[str, PartialDate]] = ()):  # fmt: skip
        self.files = tuple(files)
        self._parsed = sorted(parsed, key=_event_key)  # Event.sort_key's order, in numbers
        self._cached: tuple[CachedFile, ...] = tuple(cached)
        self._index = {e.id: e for e in self._parsed}
        self._all: tuple[Event, ...] | None = None
        self._relations: list[Dated] | None = None
        self.current_to = tuple(current_to)  # (file, date) for each file that declares one
        # (file, number of problems) of each file `read(leave_out_broken=True)` left out
        self.left_out: tuple[tuple[str, int], ...] = ()

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event, sorted by date (this reads all cached events: prefer `select`)."""
        if self._all is None:
            if not self._cached:
                self._all = tuple(self._parsed)
            else:
                merged = [*self._parsed, *(e for c in self._cached for e in c.events())]
                self._all = tuple(sorted(merged, key=Event.sort_key))
        return self._all

    def count(self) -> int:
        return len(self._parsed) + sum(c.count() for c in self._cached)

    def is_empty(self) -> bool:
        return self.count() == 0

    def get(self, event_id: str) -> Event | None:
        if event_id in self._index:
            return self._index[event_id]
        for part in self._cached:
            if (event := part.get(event_id)) is not None:
                return event
        return None

    def has(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` name an event in these stores."""
        found = {i for i in ids if i in self._index}
        for part in self._cached:
            found |= part.has([i for i in ids if i not in found])
        return found

    def ids(self) -> list[str]:
        return [*self._index, *(i for c in self._cached for i in c.ids())]

    def referencing(self, field: str, event_id: str) -> list[Event]:
        """The events whose reference field `field` names `event_id`, in date order."""
        found = [e for e in self._parsed if event_id in getattr(e, field)]
        found += [e for c in self._cached for e in c.referencing(field, event_id)]
        return sorted(found, key=Event.sort_key)

    def suspended_by(self, event_id: str) -> list[Event]:
        """The events that suspend `event_id`, in date order."""
        return self.referencing("suspends", event_id)

    # --- what the stores know, and until when

    def horizon(self) -> Horizon:
        """How current the data is: the latest `current_to` of the files that declare one."""
        if not self.current_to:
            return Horizon()
        path, date = max(self.current_to, key=lambda item: item[1].first())
        # a file name reaches terminals, pages and pictures: made visible where it enters
        label = "curated store" if _is_curated(path) else visible(Path(path).name)
        return Horizon(date, label)

    def relations(self) -> list[Dated]:
        """Every event that suspends, extends or ends another, from every file (cached ones as
        briefs), in date order."""
        if self._relations is None:
            parsed = [e for e in self._parsed if e.suspends or e.extends or e.ends]
            parts: list[Sequence[Dated]] = [parsed, *(c.relations() for c in self._cached)]
            nonempty = [part for part in parts if part]
            if len(nonempty) == 1:  # each part is in date order already
                self._relations = list(nonempty[0])
            else:
                self._relations = sorted((e for part in nonempty for e in part), key=_sort_key)
        return self._relations

    def acting_on(self, event_id: str) -> list[Dated]:
        """The events that suspend, extend or end `event_id`, in date order."""
        return [
            e
            for e in self.relations()
            if event_id in e.suspends or event_id in e.extends or event_id in e.ends
        ]

    def knowledge(self, as_of: dt.date, *, confirmed: bool = False) -> Knowledge:
        return Knowledge(self.relations(), as_of, confirmed=confirmed)

    def extended_ends(self) -> dict[str, tuple[PartialDate, ...]]:
        """Id -> the ends that extensions (and extensions of them) moved it to."""
        direct: dict[str, list[Dated]] = {}
        for event in self.relations():
            if event.expires is not None:
                for target in event.extends:
                    direct.setdefault(target, []).append(event)
        out: dict[str, tuple[PartialDate, ...]] = {}
        for target in direct:
            ends: list[PartialDate] = []
            todo, seen = [target], {target}
            while todo:
                for extension in direct.get(todo.pop(), ()):
                    if extension.id not in seen and extension.expires is not None:
                        seen.add(extension.id)
                        ends.append(extension.expires)
                        todo.append(extension.id)
            out[target] = tuple(ends)
        return out

    def prepared(self, flt: query.Filter) -> query.Filter:
        """`flt` with what only the whole store knows: the ends extensions moved events to."""
        if flt.has_window() and flt.extended is None:
            return flt._replace(extended=self.extended_ends())
        return flt

    def tags(self) -> set[str]:
        """Every tag in use (from the cache, case-folded)."""
        return {t for e in self._parsed for t in e.tags} | {
            t for c in self._cached for t in c.tags()
        }

    def select(self, flt: query.Filter, *, reverse=False, limit: int | None = None) -> list[Event]:
        flt = self.prepared(flt)
        if not self._cached:
            return query.select(self._parsed, flt, reverse=reverse, limit=limit, presorted=True)
        chosen = [*self._parsed, *(e for c in self._cached for e in c.events(flt))]
        return query.select(chosen, flt, reverse=reverse, limit=limit)

    def briefs(self, flt: query.Filter, *, known_by: dt.date | None = None) -> list[Dated]:
        """The matching events in date order, as `select` finds them, for the state engine:
        cached files give briefs (no summary, countries, tags or sources), read in a fraction of
        the time of whole events. With `known_by`, only events dated on or before it."""
        flt = self.prepared(flt)
        parsed: list[Dated] = list(query.select(self._parsed, flt, presorted=True))
        if known_by is not None:
            parsed = [e for e in parsed if e.date.first() <= known_by]
        ordinal = known_by.toordinal() if known_by is not None else None
        parts: list[Sequence[Dated]] = [parsed]
        parts += [c.briefs(flt, known_by=ordinal) for c in self._cached]
        nonempty = [part for part in parts if part]
        if len(nonempty) <= 1:
            return list(nonempty[0]) if nonempty else []
        return list(heapq.merge(*nonempty, key=_sort_key))

    def texts(
        self,
        flt: query.Filter,
        column: str,
        render: Callable[[Event], str],
        *,
        reverse=False,
        limit: int | None = None,
    ) -> Iterator[str]:
        """Ready-to-print text per matching event, in date order: `column` from the cache
        ("list_line" or "json"), `render(event)` for parsed events."""
        flt = self.prepared(flt)
        parsed = query.select(self._parsed, flt, reverse=reverse, limit=limit, presorted=True)
        if not self._cached:
            return (render(e) for e in parsed)
        streams: list[Iterator[tuple[tuple[int, int, str], str]]] = [
            ((_event_key(e), render(e)) for e in parsed)
        ]
        # one cached file streams its rows; many are read one by one (an open cursor holds its
        # file open, and a folder may hold more stores than a process may open files)
        for part in self._cached:
            rows = part.rows(column, flt, reverse=reverse, limit=limit, render=render)
            streams.append(rows if len(self._cached) <= 8 else iter(list(rows)))
        merged = heapq.merge(*streams, key=lambda row: row[0], reverse=reverse)
        return (text for _key_, text in itertools.islice(merged, limit))

    def count_by(self, flt: query.Filter, key: str) -> list[tuple[str, int]]:
        """`query.count_by` of the matching events; cached files count in SQL."""
        flt = self.prepared(flt)
        if not self._cached:
            return query.count_by(query.select(self._parsed, flt, presorted=True), key)
        counts: Counter[str] = Counter(
            dict(query.count_by(query.select(self._parsed, flt, presorted=True), key))
        )
        for part in self._cached:
            counts.update(part.count_by(flt, key))
        if key == "year":
            return sorted(counts.items())
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def count_matching(self, flt: query.Filter) -> int:
        flt = self.prepared(flt)
        parsed = len(query.select(self._parsed, flt, presorted=True))
        return parsed + sum(c.count_matching(flt) for c in self._cached)

    def countdown(
        self,
        flt: query.Filter,
        as_of: dt.date,
        *,
        within: int | None = None,
        recent: int | None = None,
        show_all: bool = False,
    ) -> list[Target[Dated]]:
        """`states.countdown` over the matching events that have a target in the window."""
        window = _countdown_window(flt, as_of, within, recent, show_all)
        if window is None:
            return []
        candidates = self.briefs(flt._replace(since=window[0], until=window[1]))
        knowledge = self.knowledge(as_of, confirmed=flt.confirmed)
        return countdown(candidates, as_of, knowledge, self.horizon(), flt=flt, within=within,
                         recent=recent, show_all=show_all)  # fmt: skip

    def countdown_lines(
        self,
        flt: query.Filter,
        as_of: dt.date,
        *,
        within: int | None = None,
        recent: int | None = None,
        show_all: bool = False,
    ) -> Iterator[str]:
        """The piped rows (`plain.countdown_line`) of `countdown(...)`, in its order. A cached
        date of an event that nothing extends, ends or suspends, and that extends nothing, is
        a plain count: its row comes from the cache's ready parts; the state engine makes the
        rest (tests check that both give the same rows)."""
        from ..output.plain import countdown_line

        window = _countdown_window(flt, as_of, within, recent, show_all)
        if window is None:
            return iter(())
        since, until = window
        candidates = self.prepared(flt._replace(since=since, until=until))
        knowledge = self.knowledge(as_of, confirmed=flt.confirmed)
        horizon = self.horizon()
        relations = self.relations()
        engine = (knowledge.suspenders.keys() | knowledge.extenders.keys()
                  | knowledge.enders.keys() | {r.id for r in relations if r.extends}
                  | {i for r in relations for i in r.extends})  # fmt: skip
        chosen: list[Dated] = list(query.select(self._parsed, candidates, presorted=True))
        for part in self._cached:
            chosen += part.briefs_of(candidates, engine)
        made = countdown(chosen, as_of, knowledge, horizon, flt=flt, within=within,
                         recent=recent, show_all=show_all)  # fmt: skip
        streams: list[Iterable[tuple[tuple, str]]] = []
        if made:
            streams.append([(_target_key(t), countdown_line(t)) for t in made])
        # the ready rows: every bound of the window is a bound on the dates themselves
        plain = flt._replace(since=None, until=None)
        for part in self._cached:
            rows = _ready_targets(part.target_rows(plain, _ordinal(since), _ordinal(until)),
                                  engine, as_of, horizon)  # fmt: skip
            streams.append(rows if len(self._cached) <= 8 else list(rows))
        return _merged(streams)

    def changes(self, flt: query.Filter, as_of: dt.date, first: dt.date, last: dt.date):
        """`briefing.changes` of the matching events between `first` and `last`."""
        from ..engine.briefing import changes

        chosen = self.select(flt._replace(since=None, until=None))
        measures = [e for e in chosen if e.category in MEASURE_CATEGORIES]
        others = [e for e in chosen if e.category not in MEASURE_CATEGORIES]
        knowledge = self.knowledge(as_of, confirmed=flt.confirmed)
        return changes(measures, others, knowledge, self.horizon(), first, last)

    def status(self, flt: query.Filter, as_of: dt.date) -> list[Status[Dated]]:
        """The state of each matching measure known on `as_of`; suspensions, extensions and
        ends come from every store."""
        measures = self.briefs(_measures(flt), known_by=as_of)
        return statuses(measures, self.knowledge(as_of, confirmed=flt.confirmed), self.horizon())

    def status_lines(self, flt: query.Filter, as_of: dt.date) -> Iterator[str]:
        """The piped rows (`plain.status_line`) of `status(...)`, in its order. A cached measure
        that no known event acts on, on a day whose state began on or before the horizon, has
        its row ready in the cache; the state engine makes the rest (tests check that both
        give the same rows)."""
        from ..output.plain import status_line

        flt = self.prepared(_measures(flt))
        knowledge = self.knowledge(as_of, confirmed=flt.confirmed)
        horizon = self.horizon()
        parsed = [e for e in query.select(self._parsed, flt, presorted=True)
                  if e.date.first() <= as_of]  # fmt: skip
        streams: list[Iterable[tuple[tuple, str]]] = []
        if parsed:
            made = statuses(parsed, knowledge, horizon)
            streams.append([(_event_key(s.event), status_line(s)) for s in made])
        for part in self._cached:
            rows = _ready_statuses(part, flt, knowledge, horizon)
            streams.append(rows if len(self._cached) <= 8 else list(rows))
        return _merged(streams)


def _measures(flt: query.Filter) -> query.Filter:
    """`flt` narrowed to the measure categories it allows."""
    allowed = flt.categories
    return flt._replace(
        categories=frozenset(c for c in MEASURE_CATEGORIES if allowed is None or c in allowed)
    )


def _ready_statuses(part: CachedFile, flt: query.Filter, knowledge: Knowledge,
                    horizon: Horizon) -> Iterator[tuple[tuple, str]]:  # fmt: skip
    from ..output.plain import status_line

    rows = part.status_rows(flt, knowledge.as_of.toordinal())
    acted = knowledge.suspenders.keys() | knowledge.enders.keys()
    last_fact = horizon.last_day(knowledge.as_of).toordinal()
    # acted on, or in a stretch that began after the horizon (unconfirmed): the engine's
    engine = {row[2] for row in rows if row[2] in acted or (row[3] > 0 and row[4] > last_fact)}
    briefs = {b.id: b for b in part.briefs_of(flt, engine)} if engine else {}
    for first, prec, event_id, _number, _since, line in rows:
        if event_id in engine:
            line = status_line(status_of(briefs[event_id], knowledge, horizon))
        yield (first, prec, event_id), line


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


def _ordinal(day: dt.date | None) -> int | None:
    return day.toordinal() if day is not None else None


def _target_key(t: Target) -> tuple:
    first, rank = t.date.sort_key()
    return (first.toordinal(), rank, t.event.id, t.kind, t.superseded)


def _ready_targets(rows, engine: Collection[str], as_of: dt.date,
                   horizon: Horizon) -> Iterator[tuple[tuple, str]]:  # fmt: skip
    """Countdown rows of cached dates from their ready head and tail, leaving out the events in
    `engine`: a date after the horizon that passed unreported is marked as the engine marks it."""
    from ..output.plain import UNCONFIRMED_NOTE, days_text

    day = as_of.toordinal()
    last_fact = horizon.last_day(as_of).toordinal()
    # a store has a few thousand distinct counts at most: each one's wording is made once
    ahead: dict[int, str] = {}
    behind: dict[tuple[int, str], str] = {}
    for first, prec, event_id, kind, last, head, tail, event_first in rows:
        if event_id in engine:
            continue
        if day < first:
            days = first - day
            when = ahead.get(days) or ahead.setdefault(days, days_text(days, kind))
        else:
            days = last - day if day > last else 0
            if last_fact < first and kind != "date" and event_first < first:
                when = days_text(days, kind, due=True) + UNCONFIRMED_NOTE
            else:
                when = behind.get((days, kind)) or behind.setdefault(
                    (days, kind), days_text(days, kind)
                )
        yield (first, prec, event_id, kind, False), f"{head}{days}\t{when}{tail}"


def _merged(streams: Sequence[Iterable[tuple[tuple, str]]]) -> Iterator[str]:
    """The texts of (key, text) streams that are each in key order, in key order."""
    if len(streams) == 1:
        return (text for _key, text in streams[0])
    if len(streams) == 2 and isinstance(streams[0], list):
        return _merged_into(streams[0], streams[1])
    return (text for _key, text in heapq.merge(*streams, key=itemgetter(0)))


def _merged_into(few: list[tuple[tuple, str]], many: Iterable[tuple[tuple, str]]) -> Iterator[str]:
    """`_merged` of a short list and a long stream: the common case of a large cached store,
    whose few rows that the state engine makes go between its ready ones."""
    i, count = 0, len(few)
    for key, text in many:
        while i < count and few[i][0] < key:
            yield few[i][1]
            i += 1
        yield text
    for _key, text in few[i:]:
        yield text


def _is_curated(path: str) -> bool:
    try:
        return Path(path).resolve() == curated_store_path().resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False


# --- reading ---------------------------------------------------------------------------------


# MINIMAL STAND-IN added on the `cli` branch so that the command line can pass this object (the
# `store` engineer's version replaces it, with the same shape): it still hands the lists to
# `cache.deferred` and `files.kept_documents` for the length of one read.
@dataclass
class Deferred:
    """What a short-lived process (the console script) leaves until after its answer: cache
    builds to start, and large parsed documents to keep until it leaves with `os._exit`."""

    builds: list[Callable[[], None]] = field(default_factory=list)
    documents: list[object] = field(default_factory=list)

    def run_builds(self) -> bool:
        """Start the waiting builds; True if a builder process started."""
        from . import cache

        waiting, self.builds = self.builds, []
        count = len(cache.background_builds)
        for build in waiting:
            build()
        return len(cache.background_builds) > count


@contextlib.contextmanager
def _deferring(deferred: Deferred | None) -> Iterator[None]:
    if deferred is None:
        yield
        return
    from . import cache, files

    cache.deferred, files.kept_documents = deferred.builds, deferred.documents
    try:
        yield
    finally:
        cache.deferred, files.kept_documents = None, None


def load(paths: Sequence[Path], *, cache_dir: Path | None = None,
         deferred: Deferred | None = None) -> Store:
    """Load and validate every store file behind `paths`; raise DataError listing every problem.

    With `cache_dir`, valid store files are read from and written to the cache.
    """
    store, problems = read(paths, cache_dir=cache_dir, deferred=deferred)
    if problems:
        raise DataError(problems)
    return store


def read(
    paths: Sequence[Path], *, cache_dir: Path | None = None, leave_out_broken: bool = False,
    deferred: Deferred | None = None,
) -> tuple[Store, list[Problem]]:
    """Load every store file behind `paths`, returning the valid events and every problem found.

    With `leave_out_broken`, the store holds only the files that have no problem (a file with
    one is left out whole; `Store.left_out` names them), so that one broken file does not hide
    the others' answers."""
    with _deferring(deferred):
        reading = _read(paths, cache_dir)
    if not leave_out_broken or not reading.problems:
        store = Store(reading.files, _first_of_each_id(reading.parsed), reading.cached,
                      reading.current_to)  # fmt: skip
        return store, reading.problems
    counts = Counter(p.path for p in reading.problems)
    store = Store(
        [f for f in reading.files if str(f) not in counts],
        _first_of_each_id(e for e in reading.parsed if (e.origin.path if e.origin else "?")
                          not in counts),
        [c for c in reading.cached if c.path not in counts],
        [(path, date) for path, date in reading.current_to if path not in counts],
    )  # fmt: skip
    named = [str(f) for f in reading.files]
    order = {path: i for i, path in enumerate(dict.fromkeys([*named, *counts]))}
    store.left_out = tuple(sorted(counts.items(), key=lambda item: order[item[0]]))
    return store, reading.problems


class _FileEvents(NamedTuple):
    """A file parsed now: its valid events and the (id, line) of its unparsed events."""

    path: str
    events: list[Event]
    unparsed: tuple[tuple[str, int | None], ...]


class _Reading(NamedTuple):
    """Everything one read of the stores found: files in order, the valid events parsed now,
    the cached files, the `current_to` of each file that declares one, and every problem."""

    files: list[Path]
    parsed: list[Event]
    cached: list[CachedFile]
    current_to: list[tuple[str, PartialDate]]
    problems: list[Problem]


def _read(paths: Sequence[Path], cache_dir: Path | None) -> _Reading:
    files = expand_store_paths(paths)
    cache = Cache(cache_dir, code_stamp()) if cache_dir is not None else None
    parsed: list[Event] = []
    cached: list[CachedFile] = []
    problems: list[Problem] = []
    current_to: list[tuple[str, PartialDate]] = []
    # each file in order, for the checks across files: parsed now (with the ids of its events
    # that have problems) or cached
    in_order: list[_FileEvents | CachedFile] = []
    for path in files:
        if cache is not None and (part := cache.open(path)) is not None:
            cached.append(part)
            in_order.append(part)
            if (date := part.current_to()) is not None:
                current_to.append((str(path), date))
            continue
        from .parse import read_file

        with _collector_paused():
            result = read_file(path)
        source, info = result.source, result.info
        unparsed = info.unparsed_ids if info is not None else ()
        # a lone file is checked whole here; several files also across each other below
        file_problems = result.problems + check_references(
            result.events, external_ok=len(files) > 1, unparsed=unparsed, path=str(path)
        )
        parsed.extend(result.events)
        in_order.append(_FileEvents(str(path), result.events, unparsed))
        problems.extend(file_problems)
        if info is not None and info.current_to is not None:
            current_to.append((str(path), PartialDate.parse(info.current_to)))
        if (cache is not None and not file_problems and source is not None
                and source.fingerprint is not None and info is not None):  # fmt: skip
            from .cache import Content

            cache.build(
                path, result.events, Content(source.fingerprint, source.crc, source.read_at_ns),
                appendable=info.appendable, newline=info.newline, current_to=info.current_to,
                texts=texts(), background=len(result.events) >= BACKGROUND_CACHE_MIN_EVENTS,
            )  # fmt: skip
    if len(files) > 1 or any(c.external_refs() for c in cached):
        problems.extend(_across_files(in_order, parsed, cached))
    declared = {path for path, _date in current_to}
    for path in files:
        if str(path) not in declared and _is_curated(str(path)) and path.is_file():
            problems.append(
                Problem(
                    str(path),
                    "current_to: missing; the curated store says up "
                    "to which day its facts were checked (docs/curating.md)",
                )
            )
    # each file's problems together, files in order (a stable sort: found in order)
    rank = {str(path): i for i, path in enumerate(files)}
    problems.sort(key=lambda p: rank.get(p.path, len(rank)))
    return _Reading(files, parsed, cached, current_to, problems)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing builds millions of objects and no cycles: the cyclic collector would rescan the
    growing document again and again (it more than doubled the time of a large store)."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _across_files(
    in_order: Sequence[_FileEvents | CachedFile],
    parsed: Sequence[Event],
    cached: Sequence[CachedFile],
) -> list[Problem]:
    """Duplicate ids and references across files. Ids are claimed in file order (the later of
    two is the duplicate, however the files were read), by every event of a file, including
    those with problems of their own."""
    owners: list[tuple[str, str, int | None]] = []
    for item in in_order:
        if isinstance(item, CachedFile):
            owners.extend((i, item.path, line) for i, line in item.id_lines())
            continue
        path, events, unparsed = item
        claims = [(e.id, path, e.origin.line if e.origin else None) for e in events]
        if unparsed:
            claims += [(i, path, line) for i, line in unparsed]
            claims.sort(key=lambda claim: claim[2] or 0)
        owners.extend(claims)
    external = [(part.path, *ref) for part in cached for ref in part.external_refs()]
    parsed_by_id: dict[str, Event] = {}

    def category_of(ref: str) -> str | None:  # asked only of what `extends` names
        if not parsed_by_id:
            parsed_by_id.update((e.id, e) for e in reversed(parsed))  # the first of an id
        event = parsed_by_id.get(ref) or next(filter(None, (c.get(ref) for c in cached)), None)
        return event.category if event is not None else None

    return cross_file_problems(owners, parsed, external, category_of)


def _first_of_each_id(events: Iterable[Event]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            out.append(event)
    return out


# --- what `doctor` reports -------------------------------------------------------------------


class FileState(NamedTuple):
    path: Path
    state: str  # "ok", "broken" or "missing"
    events: int
    problems: int
    current_to: PartialDate | None = None


class CacheState(NamedTuple):
    folder: Path | None
    files: int
    size: int


def inspect(paths: Sequence[Path], cache_dir: Path | None, *,
            deferred: Deferred | None = None) -> tuple[list[FileState], CacheState]:
    """Each store file behind `paths` with its state and counts, and the cache's size. The
    files are read together and checked as `check` checks them (across each other too); each
    problem counts for the file it names."""
    with _deferring(deferred):
        reading = _read(paths, cache_dir)
    problems = Counter(p.path for p in reading.problems)
    events = Counter(e.origin.path if e.origin else "?" for e in reading.parsed)
    for part in reading.cached:
        events[part.path] += part.count()
    current_to = dict(reading.current_to)
    states = []
    for path in reading.files:
        name = str(path)
        state = "missing" if not path.exists() else ("broken" if problems[name] else "ok")
        states.append(FileState(path, state, events[name], problems[name], current_to.get(name)))
    if cache_dir is None:
        return states, CacheState(None, 0, 0)
    caches = Cache(cache_dir, "").files()
    size = 0
    for db in caches:
        with contextlib.suppress(OSError):
            size += db.stat().st_size
    return states, CacheState(cache_dir, len(caches), size)
