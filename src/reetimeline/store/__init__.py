"""The only package that reads or writes store files: load (through the cache), validate, append.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores (the
format: docs/store-format.md). Loading collects every problem in every file and fails once with
all of them (`DataError`). `Store` answers queries the same way whether an event was parsed just
now or comes from the cache (store/cache.py); tests check that the two agree.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .. import query
from ..errors import DataError, Problem
from ..model import MEASURE_CATEGORIES, Event, Origin, PartialDate
from ..plain import list_line
from ..states import RECENT_DAYS, Horizon, Knowledge, Status, Target, countdown, statuses
from ..vocab import did_you_mean
from .cache import CachedFile, build_cache, fingerprint, open_cache

# fields that hold ids of other events (as parse.REFERENCE_FIELDS, without importing the parser)
REFERENCE_FIELDS = ("suspends", "extends", "ends", "related")

# Parsing (tomllib, urllib) and writing load only when a command needs them: a store read from
# the cache never imports the TOML parser.
_LAZY = {
    "parse": (
        "EVENT_FIELDS",
        "ID_PATTERN",
        "NEW_STORE_HEADER",
        "check_url",
        "decode",
        "events_from_document",
        "parse_date_value",
        "parse_event",
        "parse_toml",
        "read_file",
    ),
    "write": ("append_events", "event_to_toml_record", "render_events_toml", "replace_file"),
}


def __getattr__(name: str):
    import importlib

    for module, names in _LAZY.items():
        if name in names:
            return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EVENT_FIELDS", "ID_PATTERN", "NEW_STORE_HEADER", "Store", "append_events", "check_url",
    "curated_store_path", "decode", "event_to_toml_record", "events_from_document",
    "expand_store_paths", "load", "parse_date_value", "parse_event", "parse_toml", "read",
    "render_events_toml", "replace_file",
]  # fmt: skip

# A store this large is cached by a background process, so that the first run is not slower
# than parsing alone; smaller ones are cached before the command answers.
BACKGROUND_CACHE_MIN_EVENTS = 5000
# Process ids of background cache builders started by this process (tests wait for them).
background_builds: list[int] = []


def _key(event) -> tuple[int, int, str]:
    first, rank = event.date.sort_key()
    return (first.toordinal(), rank, event.id)


class Store:
    """Events merged from one or more store files: some parsed now, some read from caches."""

    def __init__(self, files: Sequence[Path], parsed: Sequence[Event], cached=(),
                 current_to: Sequence[tuple[str, PartialDate]] = ()):  # fmt: skip
        self.files = tuple(files)
        self._parsed = sorted(parsed, key=Event.sort_key)
        self._cached: tuple[CachedFile, ...] = tuple(cached)
        self._index = {e.id: e for e in self._parsed}
        self._all: tuple[Event, ...] | None = None
        self._relations: list[Event] | None = None
        self.current_to = tuple(current_to)  # (file, date) for each file that declares one

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

    def is_empty(self) -> bool:
        return not self._parsed and all(c.count() == 0 for c in self._cached)

    def get(self, event_id: str) -> Event | None:
        if event_id in self._index:
            return self._index[event_id]
        for part in self._cached:
            if (event := part.get(event_id)) is not None:
                return event
        return None

    def ids(self) -> list[str]:
        return [*self._index, *(i for c in self._cached for i in c.ids())]

    def horizon(self) -> Horizon:
        """How current the data is: the latest `current_to` of the files that declare one."""
        if not self.current_to:
            return Horizon()
        path, date = max(self.current_to, key=lambda item: item[1].first())
        label = "curated store" if _is_curated(path) else Path(path).name
        return Horizon(date, label)

    def relations(self) -> list[Event]:
        """Every event that suspends, extends or ends another, from every file."""
        if self._relations is None:
            found = [e for e in self._parsed if e.suspends or e.extends or e.ends]
            found += [e for c in self._cached for e in c.relations()]
            self._relations = sorted(found, key=Event.sort_key)
        return self._relations

    def acting_on(self, event_id: str) -> list[Event]:
        """The events that suspend, extend or end `event_id`, in date order."""
        return [e for e in self.relations()
                if event_id in e.suspends or event_id in e.extends or event_id in e.ends]

    def knowledge(self, as_of: dt.date, *, confirmed: bool = False) -> Knowledge:
        return Knowledge(self.relations(), as_of, confirmed=confirmed)

    def extended_ends(self) -> dict[str, tuple[PartialDate, ...]]:
        """Id -> the ends that extensions (and extensions of them) moved it to."""
        direct: dict[str, list[Event]] = {}
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

    def texts(
        self, flt: query.Filter, column: str, render, *, reverse=False, limit: int | None = None
    ) -> Iterator[str]:
        """Ready-to-print text per matching event, in date order: `column` from the cache
        ("list_line" or "json"), `render(event)` for parsed events."""
        flt = self.prepared(flt)
        parsed = query.select(self._parsed, flt, reverse=reverse, limit=limit, presorted=True)
        if not self._cached:
            return (render(e) for e in parsed)
        streams = [((_key(e), render(e)) for e in parsed)]
        streams += [c.rows(column, flt, reverse=reverse, limit=limit) for c in self._cached]
        merged = heapq.merge(*streams, key=lambda row: row[0], reverse=reverse)
        return (text for _key_, text in itertools.islice(merged, limit))

    def countdown(
        self,
        flt: query.Filter,
        as_of: dt.date,
        *,
        within: int | None = None,
        recent: int | None = None,
        show_all: bool = False,
    ) -> list[Target]:
        """`states.countdown` over the matching events that have a target in the window."""
        lowest = None
        if not show_all:
            lowest = as_of - dt.timedelta(days=recent if recent is not None else (
                0 if within is not None else RECENT_DAYS))  # fmt: skip
        highest = None if within is None else as_of + dt.timedelta(days=within)
        since = max(d for d in (flt.since, lowest) if d is not None) if (flt.since or lowest) \
            else None
        until = min(d for d in (flt.until, highest) if d is not None) if (flt.until or highest) \
            else None
        if since is not None and until is not None and until < since:
            return []
        candidates = self.select(flt._replace(since=since, until=until))
        knowledge = self.knowledge(as_of, confirmed=flt.confirmed)
        return countdown(candidates, as_of, knowledge, self.horizon(), flt=flt, within=within,
                         recent=recent, show_all=show_all)  # fmt: skip

    def changes(self, flt: query.Filter, as_of: dt.date, first: dt.date, last: dt.date):
        """`briefing.changes` of the matching events between `first` and `last`."""
        from ..briefing import changes

        chosen = self.select(flt._replace(since=None, until=None))
        measures = [e for e in chosen if e.category in MEASURE_CATEGORIES]
        others = [e for e in chosen if e.category not in MEASURE_CATEGORIES]
        knowledge = self.knowledge(as_of, confirmed=flt.confirmed)
        return changes(measures, others, knowledge, self.horizon(), first, last)

    def status(self, flt: query.Filter, as_of: dt.date) -> list[Status]:
        """The state of each matching measure; suspensions, extensions and ends come from every
        store."""
        measures = [e for e in self.select(flt) if e.category in MEASURE_CATEGORIES]
        return statuses(measures, self.knowledge(as_of, confirmed=flt.confirmed), self.horizon())


def _is_curated(path: str) -> bool:
    try:
        return Path(path).resolve() == curated_store_path()
    except OSError:
        return False


# --- where stores are ------------------------------------------------------------------------


def curated_store_path() -> Path:
    """The curated store shipped in the package, or the repository's when run from a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "events.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "events.toml"


def expand_store_paths(paths: Iterable[Path]) -> list[Path]:
    """Store files behind `paths`: a folder stands for the `*.toml` files directly in it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.toml") if p.is_file()))
        else:
            files.append(path)
    return files


def code_stamp() -> str:
    """Changes whenever the tool's code does, so caches made by other code are not trusted."""
    folder = Path(__file__).resolve().parent.parent
    stamps = []
    for sub in (folder, folder / "store"):
        with os.scandir(sub) as entries:
            stamps.extend(f"{e.name}:{e.stat().st_mtime_ns}:{e.stat().st_size}"
                          for e in entries if e.name.endswith(".py"))  # fmt: skip
    from .. import __version__

    return f"{__version__}/{hash_text(';'.join(sorted(stamps)))}"


def hash_text(text: str) -> str:
    import zlib

    return f"{zlib.crc32(text.encode('utf-8')):08x}"


# --- reading ---------------------------------------------------------------------------------


def load(paths: Sequence[Path], *, cache_dir: Path | None = None) -> Store:
    """Load and validate every store file behind `paths`; raise DataError listing every problem.

    With `cache_dir`, valid store files are read from and written to the cache.
    """
    store, problems = read(paths, cache_dir=cache_dir)
    if problems:
        raise DataError(problems)
    return store


def read(paths: Sequence[Path], *, cache_dir: Path | None = None) -> tuple[Store, list[Problem]]:
    """Load every store file behind `paths`, returning the valid events and every problem found."""
    files = expand_store_paths(paths)
    stamp = code_stamp() if cache_dir is not None else ""
    parsed: list[Event] = []
    cached: list[CachedFile] = []
    problems: list[Problem] = []
    current_to: list[tuple[str, PartialDate]] = []
    for path in files:
        fp = None
        if cache_dir is not None:
            try:
                fp = fingerprint(path)
            except OSError:
                fp = None
            if fp is not None and (part := open_cache(cache_dir, path, fp, stamp)) is not None:
                cached.append(part)
                if (date := part.current_to()) is not None:
                    current_to.append((str(path), date))
                continue
        from .parse import read_file

        events, file_problems, file_current_to = read_file(path)
        if file_current_to is not None:
            current_to.append((str(path), file_current_to))
        # a lone file is checked whole here; several files also across each other below
        file_problems += check_references(events, external_ok=len(files) > 1)
        parsed.extend(events)
        problems.extend(file_problems)
        if fp is not None and not file_problems and _unchanged(path, fp):
            _cache(cache_dir, path, fp, stamp, events, file_current_to)
    if len(files) > 1 or any(c.external_refs() for c in cached):
        problems.extend(_cross_file_problems(parsed, cached))
    declared = {path for path, _date in current_to}
    for path in files:
        if str(path) not in declared and _is_curated(str(path)) and path.is_file():
            problems.append(Problem(str(path), "current_to: missing; the curated store says up "
                                    "to which day its facts were checked (docs/curating.md)"))
    return Store(files, _first_of_each_id(parsed), cached, current_to), problems


def _unchanged(path: Path, fp) -> bool:
    """The file still has the content it had before it was parsed: only then may the parsed
    events be cached under that content's fingerprint."""
    try:
        return fingerprint(path) == fp
    except OSError:
        return False


def _cache(cache_dir: Path, path: Path, fp, stamp: str, events: list[Event],
           current_to: PartialDate | None) -> None:  # fmt: skip
    def build() -> None:
        build_cache(cache_dir, path, fp, stamp, events, list_line=list_line,
                    search_text=query.searchable, current_to=current_to)  # fmt: skip

    if len(events) < BACKGROUND_CACHE_MIN_EVENTS or not hasattr(os, "fork"):
        build()
        return
    import gc

    gc.freeze()  # keeps the collector from copying every shared page after the fork
    try:
        pid = os.fork()
    except OSError:
        return
    if pid > 0:
        background_builds.append(pid)
        return
    # the child builds the cache and leaves without touching the parent's output
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        build()
    finally:
        os._exit(0)


def check_references(events: Sequence[Event], *, external_ok: bool = False) -> list[Problem]:
    """Duplicate ids, and referenced ids (`suspends`, `extends`, `ends`, `related`) not found
    (unless `external_ok`: references to ids outside these events are then left for the check
    across files)."""
    problems: list[Problem] = []
    first: dict[str, Event] = {}
    for event in events:
        if event.id in first:
            problems.append(
                _problem(event, "id", f"duplicate id, also at {_where(first[event.id])}")
            )
        else:
            first[event.id] = event
    for event in events:
        for name in REFERENCE_FIELDS:
            for ref in getattr(event, name):
                if ref == event.id:
                    problems.append(_problem(event, name, f"'{ref}' is this event itself"))
                elif ref not in first and not external_ok:
                    hint = did_you_mean(ref, first)
                    problems.append(_problem(event, name, f"no event '{ref}' in the stores{hint}"))
    return problems


def _cross_file_problems(parsed: Sequence[Event], cached: Sequence[CachedFile]) -> list[Problem]:
    """Problems only visible across files: duplicate ids and references between files."""
    problems: list[Problem] = []
    where: dict[str, str] = {}
    owners: list[tuple[str, str, Event | None, int | None]] = []
    for event in parsed:
        owners.append((event.id, event.origin.path if event.origin else "?", event,
                       event.origin.line if event.origin else None))  # fmt: skip
    for part in cached:
        owners.extend((i, part.path, None, line) for i, line in part.id_lines())
    first_path: dict[str, str] = {}
    for event_id, path, _event, line in owners:
        here = f"{path}:{line}" if line else path
        if event_id in where and first_path[event_id] != path:
            problems.append(Problem(path, f"duplicate id, also at {where[event_id]}", line, None,
                                    event_id, "id"))  # fmt: skip
        where.setdefault(event_id, here)
        first_path.setdefault(event_id, path)
    for event in parsed:
        for name in REFERENCE_FIELDS:
            for ref in getattr(event, name):
                if ref not in where:
                    hint = did_you_mean(ref, where)
                    problems.append(_problem(event, name, f"no event '{ref}' in the stores{hint}"))
    for part in cached:
        for event_id, name, ref, line in part.external_refs():
            if ref not in where:
                problems.append(Problem(part.path, f"no event '{ref}' in the stores", line, None,
                                        event_id, name))  # fmt: skip
    return problems


def _where(event: Event) -> str:
    origin = event.origin
    if origin is None:
        return "?"
    return f"{origin.path}:{origin.line}" if origin.line else origin.path


def _problem(event: Event, field_name: str, message: str) -> Problem:
    origin = event.origin or Origin("<unknown>")
    return Problem(origin.path, message, origin.line, None, event.id, field_name)


def _first_of_each_id(events: Iterable[Event]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            out.append(event)
    return out
