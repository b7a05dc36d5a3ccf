"""The only package that reads or writes store files: load (through the cache), validate, append.

A store is a TOML file of `[[events]]` tables, or a folder whose `*.toml` files are stores (the
format: docs/store-format.md). Loading collects every problem in every file and fails once with
all of them (`DataError`). `Store` is data: its events, their briefs, relations and horizon,
merged in one way from parts that each answer for one file, parsed now (`ParsedFile`) or read
from the cache (`cache.CachedFile`) behind the same small face. Answers (states, countdowns,
changes) are made from that data by the engine, in `api/answers.py`.

Modules: `files` (which files, reading their bytes), `parse` (TOML to events, imported only when
a file must be parsed), `cache` (the SQLite index), `write` (appending).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from ..engine import query
from ..errors import DataError, Problem
from ..model import KINDS, Dated, Event, PartialDate
from ..text import visible
from ..validate import check_references, cross_file_problems, refs_of
from .cache import Cache, CachedFile, SmallFiles, Unreadable
from .files import code_stamp, curated_store_path, expand_store_paths

__all__ = ["Deferred", "Provenance", "Store", "curated_store_path", "expand_store_paths",
           "inspect", "load", "provenance", "read"]  # fmt: skip

# A store this large is cached by a background process, so that the first run is not slower
# than parsing alone; smaller ones are cached before the command answers.
BACKGROUND_CACHE_MIN_EVENTS = 5000


@dataclass
class Deferred:
    """What the console script does after its answer is written (a long-lived process passes
    None: builds start at once and nothing is kept)."""

    builds: list[Callable[[], None]] = field(default_factory=list)
    documents: list[object] = field(default_factory=list)

    def run_builds(self) -> bool:
        """Start the waiting builds; True if a builder started (a forked process)."""
        from .cache import background_builds

        waiting, self.builds = self.builds, []
        count = len(background_builds)
        for build in waiting:
            build()
        return len(background_builds) > count


def _sort_key(event: Dated) -> tuple[tuple[dt.date, int], str]:
    return event.sort_key()


def _event_key(event: Event) -> tuple[int, int, str]:
    first, rank = event.date.sort_key()
    return (first.toordinal(), rank, event.id)


class Part(Protocol):
    """One store file's events, as `Store` asks for them; each list is in date order."""

    path: str

    def events(self, flt: query.Filter | None = None, *, reverse: bool = False,
               limit: int | None = None) -> list[Event]: ...  # fmt: skip

    def briefs(self, flt: query.Filter, *, known_by: dt.date | None = None) -> list[Dated]: ...

    def relations(self) -> list[Dated]: ...

    def get(self, event_id: str) -> Event | None: ...

    def has(self, ids: Sequence[str]) -> set[str]: ...

    def ids(self) -> list[str]: ...

    def referencing(self, field: str, event_id: str) -> list[Event]: ...

    def tags(self) -> set[str]: ...

    def count(self) -> int: ...

    def current_to(self) -> PartialDate | None: ...


class ParsedFile:
    """One store file's events parsed now: the same face as `cache.CachedFile`, over a list."""

    def __init__(self, path: str, events: Iterable[Event], current_to: PartialDate | None):
        self.path = path
        self._events = sorted(events, key=_event_key)  # Event.sort_key's order, in numbers
        self._index = {e.id: e for e in self._events}
        self._current_to = current_to

    def events(self, flt: query.Filter | None = None, *, reverse: bool = False,
               limit: int | None = None) -> list[Event]:  # fmt: skip
        return query.select(self._events, flt or query.Filter(), reverse=reverse, limit=limit,
                            presorted=True)  # fmt: skip

    def briefs(self, flt: query.Filter, *, known_by: dt.date | None = None) -> list[Dated]:
        chosen: list[Dated] = list(self.events(flt))
        if known_by is not None:
            chosen = [e for e in chosen if e.date.first() <= known_by]
        return chosen

    def relations(self) -> list[Dated]:
        return [e for e in self._events
                if e.suspends or e.extends or e.ends or e.confirms or e.part_of]

    def get(self, event_id: str) -> Event | None:
        return self._index.get(event_id)

    def has(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self._index}

    def ids(self) -> list[str]:
        return list(self._index)

    def referencing(self, field: str, event_id: str) -> list[Event]:
        return [e for e in self._events if event_id in refs_of(e, field)]

    def tags(self) -> set[str]:
        return {t.casefold() for e in self._events for t in e.tags}

    def count(self) -> int:
        return len(self._events)

    def current_to(self) -> PartialDate | None:
        return self._current_to


_T = TypeVar("_T")


class Store:
    """Events merged from one or more store files: some parsed now, some read from caches."""

    def __init__(self, files: Sequence[Path], parts: Sequence[Part],
                 reread: Callable[[CachedFile], Part] | None = None):  # fmt: skip
        self.files = tuple(files)
        self._parts: list[Part] = list(parts)
        self._reread = reread
        self._all: tuple[Event, ...] | None = None
        self._relations: list[Dated] | None = None
        self._extended: dict[str, list[Dated]] | None = None
        self._selected: tuple[query.Filter, list[Dated]] | None = None
        # (file, number of problems) of each file `read(leave_out_broken=True)` left out
        self.left_out: tuple[tuple[str, int], ...] = ()
        # the user store (the command line's $XDG_DATA_HOME/reetimeline/events.toml), for
        # `provenance`; None: no file is the user store
        self.user_store: Path | None = None
        self._provenances: dict[str, Provenance] = {}
        self._id_paths: dict[str, str] | None = None

    def provenance(self, event: Dated) -> Provenance:
        """Where `event` (an event or its brief) comes from (`provenance` with this store's
        `user_store`): the file it was read from, else the file that holds its id."""
        origin = getattr(event, "origin", None)
        path = origin.path if origin is not None else self._path_of(event.id)
        found = self._provenances.get(path)
        if found is None:
            found = self._provenances[path] = _provenance_of(path, self.user_store)
        return found

    def not_curated(self, events: Iterable[Dated]) -> dict[str, Provenance]:
        """Where each of `events` that is not from the curated store comes from, by id: what a
        page marks."""
        return {e.id: where for e in events if (where := self.provenance(e)).kind != "curated"}

    def beside_curated(self, events: Iterable[Dated]) -> dict[str, Provenance]:
        """`not_curated(events)` when these stores mix the curated store with others, else
        nothing: what a terminal view marks (read alone, a store needs no mark on every row)."""
        curated = [_is_curated(str(f)) for f in self.files]
        return self.not_curated(events) if any(curated) and not all(curated) else {}

    def _path_of(self, event_id: str) -> str:
        if self._id_paths is None:  # the first file holding an id wins it, as in `get`
            self._id_paths = {}
            for path, ids in zip([p.path for p in self._parts], self._each(lambda p: p.ids()),
                                 strict=True):  # fmt: skip
                for i in ids:
                    self._id_paths.setdefault(i, path)
        return self._id_paths.get(event_id, "")

    @property
    def parts(self) -> tuple[Part, ...]:
        return tuple(self._parts)

    def _each(self, ask: Callable[[Part], _T]) -> list[_T]:
        """`ask(part)` of every part, in file order. A cached part that cannot be read is read
        from its file instead (and its cache rebuilt): a broken cache is never the user's
        problem."""
        out = []
        for i, part in enumerate(self._parts):
            try:
                out.append(ask(part))
            except Unreadable:
                if self._reread is None or not isinstance(part, CachedFile):
                    raise
                self._parts[i] = self._reread(part)
                out.append(ask(self._parts[i]))
        return out

    @property
    def current_to(self) -> tuple[tuple[str, PartialDate], ...]:
        """(file, date) for each file that declares how current it is."""
        return tuple((p.path, date) for p in self._parts if (date := p.current_to()) is not None)

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event, sorted by date (this reads all cached events: prefer `select`)."""
        if self._all is None:
            self._all = tuple(self.select(query.Filter()))
        return self._all

    def count(self) -> int:
        return sum(p.count() for p in self._parts)

    def is_empty(self) -> bool:
        return self.count() == 0

    def get(self, event_id: str) -> Event | None:
        for found in self._each(lambda p: p.get(event_id)):
            if found is not None:
                return found
        return None

    def has(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` name an event in these stores."""
        return set().union(*self._each(lambda p: p.has(ids)))

    def ids(self) -> list[str]:
        return [i for ids in self._each(lambda p: p.ids()) for i in ids]

    def referencing(self, field: str, event_id: str) -> list[Event]:
        """The events whose reference field `field` names `event_id`, in date order."""
        return _merged(self._each(lambda p: p.referencing(field, event_id)))

    def suspended_by(self, event_id: str) -> list[Event]:
        """The events that suspend `event_id`, in date order."""
        return self.referencing("suspends", event_id)

    # --- what the stores know, and until when

    def horizons(self) -> list[tuple[PartialDate, str]]:
        """Each file's `current_to` that declares one, with what to call the file: "curated
        store" or its name (made visible where it enters: a file name reaches terminals, pages
        and pictures)."""
        return [(date, CURATED if _is_curated(path) else visible(Path(path).name))
                for path, date in self.current_to]  # fmt: skip

    def latest_current_to(self) -> tuple[PartialDate, str] | None:
        """How current the data is: the latest `current_to` of the files that declare one, and
        what to call that file; None when none declares one."""
        return max(self.horizons(), key=lambda item: item[0].first(), default=None)

    def relations(self) -> list[Dated]:
        """Every event that suspends, extends, ends or confirms another, or is a part of a
        package, from every file (cached ones as briefs), in date order."""
        if self._relations is None:
            self._relations = _merged(self._each(lambda p: p.relations()))
        return self._relations

    def acting_on(self, event_id: str) -> list[Dated]:
        """The events that suspend, extend, end or confirm `event_id`, in date order."""
        return [
            e
            for e in self.relations()
            if event_id in e.suspends or event_id in e.extends or event_id in e.ends
            or event_id in e.confirms
        ]  # fmt: skip

    def _extensions(self) -> dict[str, list[Dated]]:
        """Id -> the extensions (with an expiry) that name it, in date order."""
        if self._extended is None:
            self._extended = {}
            for event in self.relations():
                if event.expires is not None:
                    for target in event.extends:
                        self._extended.setdefault(target, []).append(event)
        return self._extended

    def extended_into(self, flt: query.Filter) -> dict[str, tuple[PartialDate, ...]]:
        """Id -> an end inside `flt`'s window that extensions (or extensions of them) moved it
        to, for the ids that have one: what `Filter.dated_inside` asks of `Filter.extended`.
        Linear in the extensions: each id is answered once, from its extensions' answers."""
        return _reachable_in_window(self._extensions(), flt.in_window)

    def prepared(self, flt: query.Filter) -> query.Filter:
        """`flt` with what only the whole store knows: the ends extensions moved events to."""
        if flt.has_window() and flt.extended is None:
            return flt._replace(extended=self.extended_into(flt))
        return flt

    def tags(self) -> set[str]:
        """Every tag in use (case-folded)."""
        return set().union(*self._each(lambda p: p.tags()))

    def select(self, flt: query.Filter, *, reverse=False, limit: int | None = None) -> list[Event]:
        """The events `flt` matches, in date order (newest first with `reverse`), at most
        `limit`."""
        flt = self.prepared(flt)
        found = self._each(lambda p: p.events(flt, reverse=reverse, limit=limit))
        return _merged(found, reverse=reverse, limit=limit)

    def briefs(self, flt: query.Filter, *, known_by: dt.date | None = None, reverse=False,
               limit: int | None = None) -> list[Dated]:  # fmt: skip
        """The matching events in date order (newest first with `reverse`, at most `limit`), as
        `select` finds them, for the state engine, `stats` and piped `list` lines: cached files
        give briefs (no summary, tags or sources), read in a fraction of the time of whole
        events. With `known_by`, only events dated on or before it."""
        flt = self.prepared(flt)
        chosen = _merged(self._each(lambda p: p.briefs(flt, known_by=known_by)))
        if reverse:
            chosen.reverse()  # every key is unique: reversed is newest first
        return chosen if limit is None else chosen[:limit]

    def _selected_briefs(self, flt: query.Filter) -> list[Dated]:
        """`briefs(flt)`, kept for the next call with the same filter (`stats` counts several
        ways over one selection)."""
        if self._selected is None or self._selected[0] != flt:
            self._selected = (flt, self.briefs(flt))
        return self._selected[1]

    def count_by(self, flt: query.Filter, key: str) -> list[tuple[str, int]]:
        """`query.count_by` of the events `flt` selects (as briefs, which hold every field it
        counts: date, category, minerals, countries)."""
        return query.count_by(cast(list[Event], self._selected_briefs(flt)), key)

    def count_matching(self, flt: query.Filter) -> int:
        return len(self._selected_briefs(flt))


def _reachable_in_window(
    extensions: dict[str, list[Dated]], inside: Callable[[PartialDate], bool]
) -> dict[str, tuple[PartialDate, ...]]:
    """For each id that extensions name, the first end found inside the window among the
    expiries of its extensions, of theirs, and so on; ids without one are left out. Depth first
    without recursion, each id once (a cycle, which `check` refuses, ends where it closes)."""
    found: dict[str, PartialDate | None] = {}
    for root in extensions:
        if root in found:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]  # (id, how many of its extensions seen)
        on_path = {root}
        while stack:
            node, i = stack[-1]
            children = extensions[node]
            if i < len(children):
                stack[-1] = (node, i + 1)
                child = children[i].id
                if child in extensions and child not in found and child not in on_path:
                    stack.append((child, 0))
                    on_path.add(child)
                continue
            stack.pop()
            on_path.discard(node)
            end = None
            for extension in extensions[node]:
                assert extension.expires is not None
                end = extension.expires if inside(extension.expires) else found.get(extension.id)
                if end is not None:
                    break
            found[node] = end
    return {i: (end,) for i, end in found.items() if end is not None}


def _merged(parts: Sequence[list[Any]], *, reverse: bool = False,
            limit: int | None = None) -> list[Any]:  # fmt: skip
    """The items of lists that are each in date order, in date order."""
    nonempty = [part for part in parts if part]
    if len(nonempty) <= 1:
        out = nonempty[0] if nonempty else []
    else:
        out = list(heapq.merge(*nonempty, key=_sort_key, reverse=reverse))
    return out if limit is None else out[:limit]


CURATED = "curated store"  # what the views call the curated store's file


def _is_curated(path: str) -> bool:
    try:
        return Path(path).resolve() == curated_store_path().resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False


class Provenance(NamedTuple):
    """Where an event comes from: `kind` is "curated" (the curated store), "user" (the user
    store) or "team" (any other store file, `name` its file name made visible: a file name
    reaches terminals, pages and pictures). Data: the words are made in `output/`."""

    kind: str
    name: str = ""

    @property
    def code(self) -> str:
        """For programs (`from` in JSON and exports): `curated`, `user` or `team:NAME`."""
        return f"team:{self.name}" if self.kind == "team" else self.kind


def provenance(event: Event, user_store: Path | None = None) -> Provenance:
    """Where `event` comes from, by the file it was read from (`Event.origin.path`):
    the curated store, the user store `user_store` (the command line's
    $XDG_DATA_HOME/reetimeline/events.toml), or a team store. An event with no file (made in
    memory) is a team store's without a name."""
    path = event.origin.path if event.origin is not None else ""
    return _provenance_of(path, user_store)


def _provenance_of(path: str, user_store: Path | None) -> Provenance:
    if path and _is_curated(path):
        return Provenance("curated")
    if path and user_store is not None and _same_file(Path(path), user_store):
        return Provenance("user")
    return Provenance("team", visible(Path(path).name) if path else "")


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except (OSError, RuntimeError):
        return False


# --- reading ---------------------------------------------------------------------------------


def load(
    paths: Sequence[Path], *, cache_dir: Path | None = None, deferred: Deferred | None = None
) -> Store:
    """Load and validate every store file behind `paths`; raise DataError listing every problem.

    With `cache_dir`, valid store files are read from and written to the cache.
    """
    store, problems = read(paths, cache_dir=cache_dir, deferred=deferred)
    if problems:
        raise DataError(problems)
    return store


def read(
    paths: Sequence[Path],
    *,
    cache_dir: Path | None = None,
    leave_out_broken: bool = False,
    deferred: Deferred | None = None,
) -> tuple[Store, list[Problem]]:
    """Load every store file behind `paths`, returning the valid events and every problem found.

    With `leave_out_broken`, the store holds only the files that have no problem (a file with
    one is left out whole; `Store.left_out` names them), so that one broken file does not hide
    the others' answers."""
    reading = _read(paths, cache_dir, deferred)
    if not leave_out_broken or not reading.problems:
        store = Store(reading.files, _first_of_each_id(reading.parts), reading.reread)
        return store, reading.problems
    counts = Counter(p.path for p in reading.problems)
    store = Store(
        [f for f in reading.files if str(f) not in counts],
        _first_of_each_id([p for p in reading.parts if p.path not in counts]),
        reading.reread,
    )
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
    """Everything one read of the stores found: files in order, a part per file that was read
    (parsed now or cached), how to read a cached part's file again, and every problem."""

    files: list[Path]
    parts: list[Part]
    reread: Callable[[CachedFile], Part]
    problems: list[Problem]


class _Parsed(NamedTuple):
    part: ParsedFile
    events: list[Event]
    unparsed: tuple[tuple[str, int | None], ...]
    problems: list[Problem]


def _parse(path: Path, cache: Cache | None, deferred: Deferred | None, *, external_ok: bool,
           small: SmallFiles | None = None) -> _Parsed:  # fmt: skip
    """Parse and check one store file; cache it when it is valid (built from exactly what the
    parser returned: its events and its store-level fields), a small one in `small`."""
    from .parse import read_file

    with _collector_paused():
        result = read_file(path, keep=deferred.documents if deferred is not None else None)
    source, info = result.source, result.info
    unparsed = info.unparsed_ids if info is not None else ()
    current_to = None
    if info is not None and info.current_to is not None:
        current_to = PartialDate.parse(info.current_to)
    parsed = _checked(path, result.events, current_to, unparsed, result.problems,
                      external_ok=external_ok)  # fmt: skip
    if (cache is not None and not parsed.problems and source is not None
            and source.fingerprint is not None and info is not None):  # fmt: skip
        from .cache import Content

        content = Content(source.fingerprint, source.crc, source.read_at_ns)
        if small is not None and not cache.wants(source.fingerprint.size):
            small.add(path, result.events, info, content)
        else:
            cache.build(path, result.events, info, content,
                        background=len(result.events) >= BACKGROUND_CACHE_MIN_EVENTS,
                        deferred=deferred)  # fmt: skip
    return parsed


def _checked(path: Path, events: list[Event], current_to: PartialDate | None,
             unparsed: tuple[tuple[str, int | None], ...], problems: list[Problem], *,
             external_ok: bool) -> _Parsed:  # fmt: skip
    """A file's events as a part, with its problems and those of its references (a lone file
    is checked whole here; several files also across each other, in `_read`)."""
    problems = problems + check_references(
        events, external_ok=external_ok, unparsed=unparsed, path=str(path)
    )
    return _Parsed(ParsedFile(str(path), events, current_to), events, unparsed, problems)


def _read(
    paths: Sequence[Path], cache_dir: Path | None, deferred: Deferred | None, *, retry: bool = True
) -> _Reading:
    files = expand_store_paths(paths)
    cache = Cache(cache_dir, code_stamp()) if cache_dir is not None else None
    parts: list[Part] = []
    parsed: list[Event] = []
    cached: list[CachedFile] = []
    problems: list[Problem] = []
    # each file in order, for the checks across files: parsed now (with the ids of its events
    # that have problems) or cached
    in_order: list[_FileEvents | CachedFile] = []
    small = SmallFiles(cache) if cache is not None else None
    for path in files:
        if cache is not None and (part := cache.open(path)) is not None:
            parts.append(part)
            cached.append(part)
            in_order.append(part)
            continue
        known = small.get(path) if small is not None else None
        if known is not None:  # a small file, as the parser returned it for this content
            events, info = known
            date = info.get("current_to")
            result = _checked(path, events, PartialDate.parse(date) if date else None, (), [],
                              external_ok=len(files) > 1)  # fmt: skip
        else:
            result = _parse(path, cache, deferred, external_ok=len(files) > 1, small=small)
        parts.append(result.part)
        parsed.extend(result.events)
        in_order.append(_FileEvents(str(path), result.events, result.unparsed))
        problems.extend(result.problems)
    if small is not None:
        small.save()
    try:
        if len(files) > 1 or any(c.external_refs() for c in cached):
            problems.extend(_across_files(in_order, parsed, cached))
    except Unreadable as exc:  # a cache cannot be read: read its file, caching it anew
        if cache is not None:
            cache.forget(Path(exc.args[0]))
        return _read(paths, cache_dir if retry else None, deferred, retry=False)
    declared = {p.path for p in parts if p.current_to() is not None}
    for path in files:
        if str(path) not in declared and _is_curated(str(path)) and path.is_file():
            problems.append(
                Problem(
                    str(path),
                    "current_to: missing; the curated store says up "
                    "to which day its facts were checked (docs/curating.md)",
                )
            )
    for path, each in zip(files, parts, strict=True):
        if str(path) in declared and _is_curated(str(path)):
            problems.extend(_unclassified(each))
    # each file's problems together, files in order (a stable sort: found in order)
    rank = {str(path): i for i, path in enumerate(files)}
    problems.sort(key=lambda p: rank.get(p.path, len(rank)))

    def reread(part: CachedFile) -> Part:
        """The file of a cache that cannot be read, parsed now; the cache is built again."""
        if cache is not None:
            cache.forget(Path(part.path))
        result = _parse(Path(part.path), cache, deferred, external_ok=True)
        if result.problems:
            raise DataError(result.problems)
        return result.part

    return _Reading(files, parts, reread, problems)


def _unclassified(part: Part) -> list[Problem]:
    """The curated store classifies every export control but a package (`kind`), as it says how
    current it is: elsewhere an export control without a kind is "unclassified"."""
    controls = part.events(query.Filter(categories=frozenset(("export-control",))))
    packages = {e.part_of for e in controls}  # a package has no kind: its parts have one each
    kinds = ", ".join(k for k in KINDS if k != "tariff")
    return [Problem(part.path, "missing; the curated store gives every export control a kind "
                    f"(one of: {kinds}; docs/curating.md)",
                    e.origin.line if e.origin else None, None, e.id, "kind")
            for e in controls if e.kind is None and e.id not in packages]  # fmt: skip


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing builds millions of objects and no cycles: the cyclic collector would rescan the
    growing document again and again (measured: it more than doubled the time of a large
    store), so it is paused here, where the objects are made."""
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

    def event_of(ref: str) -> Event | None:  # asked only of what `extends`, `ends`, `part_of` name
        if not parsed_by_id:
            parsed_by_id.update((e.id, e) for e in reversed(parsed))  # the first of an id
        return parsed_by_id.get(ref) or next(filter(None, (c.get(ref) for c in cached)), None)

    return cross_file_problems(owners, parsed, external, event_of)


def _first_of_each_id(parts: Sequence[Part]) -> list[Part]:
    """The parts, each parsed file without the events whose id an earlier parsed file has (a
    duplicate across files is a problem; the first one answers)."""
    seen: set[str] = set()
    out: list[Part] = []
    for part in parts:
        if isinstance(part, ParsedFile):
            events = part.events()
            kept = [e for e in events if e.id not in seen]
            seen.update(e.id for e in kept)
            if len(kept) != len(events):
                part = ParsedFile(part.path, kept, part.current_to())
        out.append(part)
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


def inspect(
    paths: Sequence[Path], cache_dir: Path | None, *, deferred: Deferred | None = None
) -> tuple[list[FileState], CacheState]:
    """Each store file behind `paths` with its state and counts, and the cache's size. The
    files are read together and checked as `check` checks them (across each other too); each
    problem counts for the file it names."""
    reading = _read(paths, cache_dir, deferred)
    problems = Counter(p.path for p in reading.problems)
    events: Counter[str] = Counter()
    current_to: dict[str, PartialDate] = {}
    for part in reading.parts:
        events[part.path] += part.count()
        if (date := part.current_to()) is not None:
            current_to[part.path] = date
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
