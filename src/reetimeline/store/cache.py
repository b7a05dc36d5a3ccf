"""The parsed-store cache: one SQLite file per store file, in $XDG_CACHE_HOME/reetimeline/.

Parsing TOML is the slow part of every command, so a valid store file's events are kept, once
validated, in SQLite with indexes on what filters ask for and each event's `list` line ready to
print. Commands then read only the rows they need.

Trust. Each database holds, in its `meta` row, the store it was built from (the full path), the
store's fingerprint (device, inode, size, mtime and ctime: any write changes the ctime, which no
program can set back, and a file renamed into place has another inode), the CRC-32 of the
content that was parsed, the tool's code stamp and the cache format. A cache is used only when
all of them match. A store written less than `RACY_NS` before it was read could be written again
within the same clock tick without its ctime changing; such a cache is marked racy and its store's
CRC is checked on every use (git's "racily clean" entries).

Writing. A database is built (or, after `add`, copied and extended) in a temporary file with an
unpredictable name created with O_EXCL|O_NOFOLLOW, fsynced, then renamed into place: a reader
sees a whole old database or a whole new one, never a journal. One builder per store at a time
holds `<key>.lock` (flock); a run that finds the lock taken reads the store itself and builds
nothing. The lock holder removes temporaries left by killed builders. The folder is 0700 and the
files 0600. Connections are opened per question and closed, so a folder of a thousand stores
never runs out of file descriptors, and each opening checks that the database is still the one
that was validated. Paths reach SQLite as percent-encoded `file:` URIs of their bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
import sqlite3
import stat
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ..engine.query import Filter
from ..errors import ReeError
from ..model import MEASURE_CATEGORIES, Brief, Event, Origin, PartialDate, Source
from .files import Fingerprint

FORMAT = 6
RACY_NS = 2_000_000_000
_CHUNK = 1 << 20
_PRECISION = {"year": 0, "month": 1, "day": 2}
YEAR_DAYS = 366  # the longest period a partial date covers

# Processes started by this one to build caches in the background (tests wait for them).
background_builds: list[int] = []
# When a list, background builds wait in it until `start_deferred_builds()`: the command line
# starts them after its output, so the builder's copy-on-write pages do not slow the answer.
deferred: list[Callable[[], None]] | None = None


def start_deferred_builds() -> bool:
    """Start the builds that waited; True when a builder process was started."""
    global deferred
    waiting, deferred = deferred or [], None
    count = len(background_builds)
    for build in waiting:
        build()
    return len(background_builds) > count


class Unusable(ReeError):
    """A cache that was valid when the command began was replaced since by one that does not
    match the store (a concurrent write at an unlucky moment)."""

    def __init__(self, path: str):
        super().__init__(f"{path}: the store changed while it was being read; run the command "
                         "again")  # fmt: skip


# --- events as rows: generic over Event's fields ----------------------------------------------


def _date_out(value: PartialDate | None) -> int | None:
    """A date as one number, YYYYMMDD, with 00 for a month or day it does not have (marshal
    reads an int several times faster than a tuple)."""
    if value is None:
        return None
    return value.year * 10000 + (value.month or 0) * 100 + (value.day or 0)


class _Dates(dict[int | None, PartialDate | None]):
    """Dates read back by their number: each distinct date is made once (PartialDate is
    immutable), on its first lookup; None stays None."""

    def __missing__(self, value: int | None) -> PartialDate | None:
        assert value is not None
        year, month, day = value // 10000, value // 100 % 100, value % 100
        date = self[value] = PartialDate.trusted(year, month or None, day or None)
        return date


_DATES = _Dates({None: None})


def _date_in(value: int | None) -> PartialDate | None:
    return _DATES[value]


_Codec = tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any] | None]


def _codecs(annotations: Sequence[tuple[str, str]]) -> list[_Codec]:
    """(name, encode, decode) per field from its annotation: dates and sources need a plain
    form for marshal; strings, tuples of strings and None are kept as they are."""
    out: list[_Codec] = []
    for name, annotation in annotations:
        if "Source" in annotation:
            out.append((name, _sources_out, _sources_in))
        elif "PartialDate" in annotation:
            out.append((name, _date_out, _date_in))
        else:
            out.append((name, None, None))
    return out


def _annotation(value: object) -> str:
    return getattr(value, "__forward_arg__", None) or str(value)


_SOURCE_CODECS = _codecs([(k, _annotation(v)) for k, v in Source.__annotations__.items()])


def _sources_out(sources: tuple[Source, ...]) -> Any:
    return tuple(
        tuple(enc(v) if enc else v for (_n, enc, _d), v in zip(_SOURCE_CODECS, s, strict=True))
        for s in sources
    )


def _sources_in(values: Any) -> tuple[Source, ...]:
    return tuple(
        Source(*(dec(v) if dec else v for (_n, _e, dec), v in zip(_SOURCE_CODECS, s, strict=True)))
        for s in values
    )


_FIELDS = [(f.name, _annotation(f.type)) for f in dataclasses.fields(Event) if f.name != "origin"]
_EVENT_CODECS = _codecs(_FIELDS)
FIELD_NAMES = ",".join(name for name, _t in _FIELDS)
_NAMES = [name for name, _e, _d in _EVENT_CODECS]
_CONVERTED = [(i, name, dec) for i, (name, _e, dec) in enumerate(_EVENT_CODECS) if dec is not None]


def brief_record(event: Event) -> bytes:
    """What states, countdowns and their views read (`Brief`), for thousands of events at once:
    no summary, countries, tags or sources."""
    return marshal.dumps((event.id, event.title, event.category, event.confidence,
                          _date_out(event.date), _date_out(event.effective),
                          _date_out(event.expires), event.suspends, event.extends, event.ends,
                          event.issuer, event.applies_to, event.minerals))  # fmt: skip


def briefs_from(records: Iterable[bytes]) -> list[Brief]:
    """Briefs from their records: the loop that large countdowns and statuses spend their time
    in, so without a call per brief (tuple.__new__ is what `Brief._make` calls)."""
    dates, new = _DATES, tuple.__new__
    return [new(Brief, (v[0], v[1], v[2], v[3], dates[v[4]], dates[v[5]], dates[v[6]], *v[7:]))
            for v in map(marshal.loads, records)]  # fmt: skip


def event_record(event: Event) -> bytes:
    return marshal.dumps(
        tuple(enc(getattr(event, n)) if enc else getattr(event, n) for n, enc, _d in _EVENT_CODECS)
    )


def event_from(record: bytes, path: str, line: int | None) -> Event:
    values = marshal.loads(record)
    fields = dict(zip(_NAMES, values, strict=True))
    for i, name, dec in _CONVERTED:
        fields[name] = dec(values[i])
    fields["origin"] = Origin(path, line)
    return Event.trusted(**fields)


# --- where caches are --------------------------------------------------------------------------


def _uri(path: Path, mode: str) -> str:
    from urllib.parse import quote

    return f"file:{quote(os.fsencode(path))}?mode={mode}"


def _connect(path: Path, mode: str = "ro") -> sqlite3.Connection:
    return sqlite3.connect(_uri(path, mode), uri=True)


def _key(store_path: Path) -> str:
    import zlib

    data = os.fsencode(os.path.realpath(store_path))
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def crc_of_file(path: Path) -> int:
    import zlib

    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


class Meta(NamedTuple):
    fingerprint: Fingerprint
    crc: int
    racy: bool
    build_id: str
    appendable: bool
    newline: str
    current_to: str | None
    events: int


_META_COLUMNS = (
    "format, code, store, fields, dev, ino, size, mtime_ns, ctime_ns, crc, racy, build_id, "
    "appendable, newline, current_to, count"
)


class Cache:
    """The caches of store files in one folder, for one version of the tool's code."""

    def __init__(self, folder: Path, stamp: str):
        self.folder = folder
        self.stamp = stamp
        self._names: set[str] | None = None  # the folder's names, listed once per process
        self._folder_ready: bool | None = None

    def db_path(self, store_path: Path) -> Path:
        return self.folder / f"{_key(store_path)}.sqlite"

    # --- reading

    def open(self, store_path: Path) -> CachedFile | None:
        """The cache of `store_path` if it is valid for the file's content now, else None."""
        try:
            info = os.stat(store_path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode):
            return None  # pipes are read once, never cached
        db = self.db_path(store_path)
        try:
            conn = _connect(db)
        except sqlite3.Error:
            return None
        try:
            meta = self._meta(conn, store_path)
            if meta is None or meta.fingerprint != Fingerprint.of(info):
                raise LookupError
            if meta.racy and crc_of_file(store_path) != meta.crc:
                raise LookupError
        except (sqlite3.Error, OSError, LookupError):
            conn.close()
            return None
        return CachedFile(db, str(store_path), meta, self, conn)

    def _meta(self, conn: sqlite3.Connection, store_path: Path) -> Meta | None:
        row = conn.execute(f"SELECT {_META_COLUMNS} FROM meta").fetchone()
        if row is None:
            return None
        fmt, code, store, fields, *fp, crc, racy, build_id, appendable, newline, cur, count = row
        expected = (FORMAT, self.stamp, os.fsencode(os.path.realpath(store_path)), FIELD_NAMES)
        if (fmt, code, store, fields) != expected:
            return None
        return Meta(Fingerprint(*fp), crc, bool(racy), build_id, bool(appendable), newline, cur,
                    count)  # fmt: skip

    # --- building

    def _ready_folder(self) -> bool:
        """The cache folder exists, is ours and only ours (0700)."""
        if self._folder_ready is None:
            self._folder_ready = self._make_folder()
        return self._folder_ready

    def _make_folder(self) -> bool:
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            info = os.stat(self.folder)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                return False
            if info.st_mode & 0o077:
                os.chmod(self.folder, 0o700)
        except OSError:
            return False
        return True

    @contextlib.contextmanager
    def _locked(self, store_path: Path) -> Iterator[int | None]:
        """The build lock of one store's cache, or None when another process holds it."""
        import fcntl

        if not self._ready_folder():
            yield None
            return
        path = self.folder / f"{_key(store_path)}.lock"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:
            yield None
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield None
                return
            self._remove_leftovers(store_path)
            yield fd
        finally:
            os.close(fd)

    def _remove_leftovers(self, store_path: Path) -> None:
        """Temporaries of killed builders (we hold the lock: none is live) and old sidecars."""
        key = _key(store_path)
        if self._names is None:  # one listing per process: a folder may cache a thousand stores
            try:
                self._names = set(os.listdir(self.folder))  # noqa: PTH208 - names only
            except OSError:
                self._names = set()
        ends = (".tmp", ".sum", ".sqlite-journal")
        stale = [n for n in self._names if n.startswith(f"{key}.") and n.endswith(ends)]
        for name in stale:
            self._names.discard(name)
            with contextlib.suppress(OSError):
                (self.folder / name).unlink()

    def _temporary(self, store_path: Path) -> Path:
        import secrets

        path = self.folder / f"{_key(store_path)}.{secrets.token_hex(8)}.tmp"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)  # fmt: skip
        os.close(fd)
        return path

    def _install(self, tmp: Path, store_path: Path) -> None:
        fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.db_path(store_path))
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def build(
        self,
        store_path: Path,
        events: Sequence[Event],
        source: Content,
        *,
        appendable: bool,
        newline: str,
        current_to: str | None,
        texts: Texts,
        background: bool = False,
    ) -> None:
        """Write the cache of a valid store file read as `source`. Failures are silent: a cache
        is an optimisation, and the next run simply parses again. With `background`, a forked
        process builds it (holding the lock) and this one goes on."""
        if background and deferred is not None:
            deferred.append(lambda: self.build(store_path, events, source, appendable=appendable,
                                               newline=newline, current_to=current_to,
                                               texts=texts, background=True))  # fmt: skip
            return
        with self._locked(store_path) as lock:
            if lock is None:
                return  # another process is building it
            if background and hasattr(os, "fork"):
                import gc

                gc.freeze()  # keeps the collector from copying every shared page after the fork
                try:
                    pid = os.fork()
                except OSError:
                    return
                if pid > 0:
                    background_builds.append(pid)
                    return
                try:  # the child: build, then leave without touching the parent's output
                    devnull = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(devnull, fd)
                    self._build(store_path, events, source, appendable, newline, current_to,
                                texts)  # fmt: skip
                finally:
                    os._exit(0)
            self._build(store_path, events, source, appendable, newline, current_to, texts)

    def _build(self, store_path, events, source, appendable, newline, current_to, texts) -> None:
        existing = self.open(store_path)
        if existing is not None and existing.meta.fingerprint == source.fingerprint:
            return  # built meanwhile by another process
        tmp = None
        try:
            tmp = self._temporary(store_path)
            conn = _connect(tmp, "rw")
            try:
                conn.executescript(
                    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;"
                    + _SCHEMA
                )
                meta = (FORMAT, self.stamp, os.fsencode(os.path.realpath(store_path)),
                        FIELD_NAMES, *source.fingerprint, source.crc,
                        int(_racy(source.fingerprint, source.read_at_ns)), _build_id(),
                        int(appendable), newline, current_to, len(events))  # fmt: skip
                conn.execute(f"INSERT INTO meta ({_META_COLUMNS}) VALUES ({_marks(16)})", meta)
                _fill(conn, events, 0, texts)
                conn.executescript(_INDEXES)
                conn.commit()
            finally:
                conn.close()
            self._install(tmp, store_path)
            tmp = None
        except (OSError, sqlite3.Error):
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def extend(
        self,
        store_path: Path,
        old: CachedFile,
        events: Sequence[Event],
        source: Content,
        texts: Texts,
    ) -> None:
        """After `events` were appended to a store whose cache is `old`: a copy of the cache
        with the new rows and the new fingerprint, renamed into place (silent on failure)."""
        with self._locked(store_path) as lock:
            if lock is None:
                return
            tmp = None
            try:
                current = self.open(store_path)
                if current is not None:
                    return  # someone else is up to date already
                tmp = self._temporary(store_path)
                with open(old.db, "rb") as src, open(tmp, "r+b") as dst:
                    import shutil

                    shutil.copyfileobj(src, dst, _CHUNK)
                conn = _connect(tmp, "rw")
                try:
                    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
                    row = conn.execute("SELECT build_id, count FROM meta").fetchone()
                    if row is None or row[0] != old.meta.build_id:
                        raise sqlite3.Error("the cache changed")
                    _fill(conn, events, row[1], texts)
                    conn.execute(
                        "UPDATE meta SET dev=?, ino=?, size=?, mtime_ns=?, ctime_ns=?, crc=?, "
                        "racy=?, build_id=?, count=?",
                        (*source.fingerprint, source.crc,
                         int(_racy(source.fingerprint, source.read_at_ns)), _build_id(),
                         row[1] + len(events)),
                    )  # fmt: skip
                    conn.commit()
                finally:
                    conn.close()
                self._install(tmp, store_path)
                tmp = None
            except (OSError, sqlite3.Error):
                pass
            finally:
                if tmp is not None:
                    with contextlib.suppress(OSError):
                        tmp.unlink()

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.sqlite"))


class Content(NamedTuple):
    """The content a cache describes: the store's fingerprint when read, its CRC, and when
    reading began (to tell racy fingerprints)."""

    fingerprint: Fingerprint
    crc: int
    read_at_ns: int


class Texts(NamedTuple):
    """What the cache keeps ready per event: the `list` line, the text `--text` searches, the
    parts of a piped `countdown` row around the count of days (a head per date, a tail per
    event), and for a measure the piped `status` row of each stretch of its life as it is
    when nothing acts on it ((first day, first day of the next stretch, row) as ordinals)."""

    list_line: Callable[[Event], str]
    search: Callable[[Event], str]
    target_head: Callable[[str, PartialDate], str]
    target_tail: Callable[[str, Event], str]
    stretches: Callable[[Event], list[tuple[int, int | None, str]]]


def _racy(fp: Fingerprint, read_at_ns: int) -> bool:
    return read_at_ns - max(fp.ctime_ns, fp.mtime_ns) < RACY_NS


def _build_id() -> str:
    import secrets

    return secrets.token_hex(8)


def _marks(count: int) -> str:
    return ",".join("?" * count)


# --- reading one cached file ---------------------------------------------------------------------


class CachedFile:
    """One store file's events in SQLite. Rows come in `Event.sort_key` order."""

    def __init__(
        self, db: Path, path: str, meta: Meta, cache: Cache, conn: sqlite3.Connection | None
    ):
        self.db = db
        self.path = path
        self.meta = meta
        self.cache = cache
        self._connection = conn
        if conn is not None:
            _keep_open(self)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        _OPEN.pop(id(self), None)

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        """The connection to the database that was validated (it stays readable even when a
        concurrent `add` renames a new one into place). At most `MAX_OPEN` stay open; one
        closed to make room is reopened, and used if it is still the one validated or valid
        for the store as it is now."""
        if self._connection is None:
            conn = _connect(self.db)
            try:
                row = conn.execute("SELECT build_id FROM meta").fetchone()
            except sqlite3.Error:
                row = None
            if row is None or row[0] != self.meta.build_id:
                conn.close()
                fresh = self.cache.open(Path(self.path))
                if fresh is None or fresh._connection is None:
                    raise Unusable(self.path)
                self.meta, conn = fresh.meta, fresh._connection
                fresh._connection = None
                fresh.close()
            self._connection = conn
            _keep_open(self)
        else:
            _OPEN.move_to_end(id(self))
        try:
            yield self._connection
        except sqlite3.Error as exc:
            raise Unusable(self.path) from exc

    def _query(self, sql: str, args: Iterable[object] = ()) -> list[Any]:
        with self._conn() as conn:
            return conn.execute(sql, list(args)).fetchall()

    # The SQL form of `query.Filter.matches`; tests check that both select the same events.
    @staticmethod
    def _where(flt: Filter) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        for table, values in (
            ("minerals", flt.minerals),
            ("countries", flt.countries),
            ("tags", flt.tags),
            ("destinations", flt.destinations),
        ):
            if values is not None:
                clauses.append(f"e.n IN (SELECT n FROM {table} WHERE name IN "
                               f"({_marks(len(values))}))")  # fmt: skip
                args.extend(sorted(values))
        if flt.categories is not None:
            clauses.append(f"e.category IN ({_marks(len(flt.categories))})")
            args.extend(sorted(flt.categories))
        if flt.issuers is not None:
            clauses.append(f"e.issuer IN ({_marks(len(flt.issuers))})")
            args.extend(sorted(flt.issuers))
        if flt.confirmed:
            clauses.append("e.confidence = 'confirmed'")
        if flt.has_window():
            # any date of the event in the window: its date, effective, expires ...
            window = []
            if flt.since is not None:
                # a period is at most a year long: its first day bounds the key's range
                window.append("t.first >= ? AND t.last >= ?")
                args += [flt.since.toordinal() - YEAR_DAYS, flt.since.toordinal()]
            if flt.until is not None:
                window.append("t.first <= ?")
                args.append(flt.until.toordinal())
            inside = f"e.n IN (SELECT t.n FROM targets t WHERE {' AND '.join(window)})"
            # ... or an end that an extension (from any store) moved it to
            extended = [i for i, ends in (flt.extended or {}).items()
                        if any(flt.in_window(d) for d in ends)]  # fmt: skip
            if extended:
                inside = f"({inside} OR e.id IN ({_marks(len(extended))}))"
                args.extend(extended)
            clauses.append(inside)
        if flt.text is not None:
            clauses.append("e.n IN (SELECT n FROM texts WHERE instr(search, ?) > 0)")
            args.append(flt.text)
        return (" AND ".join(clauses) or "1"), args

    def _ordered(self, columns: str, join: str, flt: Filter, reverse: bool, limit: int | None):
        where, args = self._where(flt)
        direction = " DESC" if reverse else ""
        order = ", ".join(f"e.{c}{direction}" for c in ("first", "prec", "id"))
        sql = f"SELECT e.first, e.prec, e.id, {columns} FROM events e {join} WHERE {where} "
        sql += f"ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._conn() as conn:
            yield from conn.execute(sql, args)

    def rows(self, column: str, flt: Filter, *, reverse: bool = False, limit: int | None = None,
             render: Callable[[Event], str]):  # fmt: skip
        """((first, precision, id), text) of the matching events in date order: the `list`
        line ("list_line") or `render` of each event ("json", read from the stored record)."""
        if column == "list_line":
            rows = self._ordered("t.list_line", "JOIN texts t ON t.n = e.n", flt, reverse, limit)
            for first, prec, event_id, text in rows:
                yield (first, prec, event_id), text
            return
        rows = self._ordered("r.record, e.line", "JOIN records r ON r.n = e.n", flt, reverse,
                             limit)  # fmt: skip
        for first, prec, event_id, record, line in rows:
            yield (first, prec, event_id), render(event_from(record, self.path, line))

    def events(self, flt: Filter | None = None) -> list[Event]:
        rows = self._ordered("r.record, e.line", "JOIN records r ON r.n = e.n", flt or Filter(),
                             False, None)  # fmt: skip
        return [event_from(record, self.path, line) for *_key, record, line in rows]

    def _events_where(self, where: str, args: Sequence[object], join: str = "") -> list[Event]:
        sql = (f"SELECT r.record, e.line FROM events e JOIN records r ON r.n = e.n {join} "
               f"WHERE {where}")  # fmt: skip
        return [event_from(record, self.path, line) for record, line in self._query(sql, args)]

    def get(self, event_id: str) -> Event | None:
        found = self._events_where("e.id = ?", (event_id,))
        return found[0] if found else None

    def has(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are in this file."""
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            sql = f"SELECT id FROM events WHERE id IN ({_marks(len(chunk))})"
            found.update(i for (i,) in self._query(sql, chunk))
        return found

    def referencing(self, field: str, event_id: str) -> list[Event]:
        """The events whose `field` names `event_id`."""
        return self._events_where("f.field = ? AND f.ref = ?", (field, event_id),
                                  "JOIN refs f ON f.n = e.n")  # fmt: skip

    def references(self, field: str) -> Iterator[tuple[str, Event]]:
        """(referenced id, event) for every `field` reference in this file."""
        sql = ("SELECT f.ref, r.record, e.line FROM refs f JOIN events e ON e.n = f.n "
               "JOIN records r ON r.n = e.n WHERE f.field = ?")  # fmt: skip
        for ref, record, line in self._query(sql, (field,)):
            yield ref, event_from(record, self.path, line)

    def current_to(self) -> PartialDate | None:
        """The store's `current_to`, as the cache keeps it."""
        return PartialDate.parse(self.meta.current_to) if self.meta.current_to else None

    def tags(self) -> list[str]:
        return [t for (t,) in self._query("SELECT DISTINCT name FROM tags")]

    def id_lines(self) -> list[tuple[str, int | None]]:
        return self._query("SELECT id, line FROM events ORDER BY n")

    def ids(self) -> list[str]:
        return [i for (i,) in self._query("SELECT id FROM events ORDER BY n")]

    def external_refs(self) -> list[tuple[str, str, str, int | None]]:
        """(event id, field, referenced id, line) for references to ids outside this file."""
        sql = ("SELECT e.id, f.field, f.ref, e.line FROM refs f JOIN events e ON e.n = f.n "
               "WHERE f.ref NOT IN (SELECT id FROM events) ORDER BY f.n")  # fmt: skip
        return self._query(sql)

    def count(self) -> int:
        return self.meta.events

    def briefs(self, flt: Filter, *, known_by: int | None = None) -> list[Brief]:
        """Briefs of the matching events in date order; with `known_by`, only those dated on or
        before that ordinal. Briefs, not whole events: a countdown or a status may read most of
        a large store, and a brief is read in a fifth of the time."""
        where, args = self._where(flt)
        if known_by is not None:
            where += " AND e.first <= ?"
            args.append(known_by)
        sql = f"SELECT e.brief FROM events e WHERE {where} ORDER BY e.first, e.prec, e.id"
        return briefs_from(r for (r,) in self._query(sql, args))

    def briefs_of(self, flt: Filter, ids: Collection[str]) -> list[Brief]:
        """Briefs of the matching events whose ids are among `ids` (in no particular order)."""
        where, args = self._where(flt._replace(since=None, until=None))
        wanted = sorted(ids)
        found: list[Brief] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            # by id first: the filter's own indexes would scan every event it matches
            sql = (f"SELECT e.brief FROM events e INDEXED BY events_id WHERE {where} "
                   f"AND e.id IN ({_marks(len(chunk))})")  # fmt: skip
            found += briefs_from(r for (r,) in self._query(sql, [*args, *chunk]))
        # the window, as `_where` has it, on these few
        return [b for b in found if flt.dated_inside(b)] if flt.has_window() else found

    def status_rows(self, flt: Filter, as_of: int) -> list[tuple[int, int, str, int, int, str]]:
        """(first, prec, id, stretch number, its first day, its ready `status` row) of each
        matching measure known on the ordinal `as_of`, in date order: the stretch of its life,
        as it is when nothing acts on it, that holds that day."""
        if flt.categories is not None and flt.categories.issuperset(MEASURE_CATEGORIES):
            flt = flt._replace(categories=None)  # only measures have stretches
        where, args = self._where(flt)
        join = "" if where == "1" else "JOIN events e ON e.n = s.n "
        sql = (f"SELECT s.first, s.prec, s.id, s.i, s.since, s.line FROM stretches s {join}"
               f"WHERE {where} AND s.first <= ? AND s.since <= ? "
               "AND (s.next IS NULL OR s.next > ?) ORDER BY s.first, s.prec, s.id")  # fmt: skip
        return self._query(sql, [*args, as_of, as_of, as_of])

    def target_rows(self, flt: Filter, since: int | None, until: int | None) -> Iterator[tuple]:
        """(first, prec, id, kind, last, ready head, ready tail, the event's first day) of each
        date of the matching events whose period overlaps the ordinals `since` to `until`
        (either may be None), in countdown order. `flt`'s own window is not applied."""
        where, args = self._where(flt._replace(since=None, until=None))
        join = "" if where == "1" else "JOIN events e ON e.n = g.n "
        if since is not None:
            where += " AND g.first >= ? AND g.last >= ?"
            args += [since - YEAR_DAYS, since]
        if until is not None:
            where += " AND g.first <= ?"
            args.append(until)
        sql = ("SELECT g.first, g.prec, g.id, g.kind, g.last, g.head, g.tail, g.since "
               f"FROM targets g {join}WHERE {where} "
               "ORDER BY g.first, g.prec, g.id, g.kind")  # fmt: skip
        with self._conn() as conn:
            yield from conn.execute(sql, args)

    def relations(self) -> list[Brief]:
        """Briefs of the events that suspend, extend or end another event, in date order."""
        sql = "SELECT brief FROM relations ORDER BY first, prec, id"
        return briefs_from(r for (r,) in self._query(sql))

    def count_by(self, flt: Filter, key: str) -> Counter[str]:
        """Events per year or category, or listed minerals or countries, of matching events."""
        where, args = self._where(flt)
        if key == "year":
            sql = f"SELECT e.first, count(*) FROM events e WHERE {where} GROUP BY e.first"
            counts: Counter[str] = Counter()
            import datetime as dt

            for first, count in self._query(sql, args):  # one row per distinct first day
                counts[str(dt.date.fromordinal(first).year)] += count
            return counts
        if key == "category":
            sql = f"SELECT e.category, count(*) FROM events e WHERE {where} GROUP BY e.category"
        else:
            table = {"mineral": "minerals", "country": "countries"}[key]
            # the events are read only to filter them
            join = "" if where == "1" else "JOIN events e ON e.n = x.n "
            sql = f"SELECT x.name, count(*) FROM {table} x {join}WHERE {where} GROUP BY x.name"
        return Counter(dict(self._query(sql, args)))

    def count_matching(self, flt: Filter) -> int:
        where, args = self._where(flt)
        return self._query(f"SELECT count(*) FROM events e WHERE {where}", args)[0][0]


# Open connections, oldest first: a folder of a thousand stores keeps at most MAX_OPEN files open.
MAX_OPEN = 64
_OPEN: OrderedDict[int, CachedFile] = OrderedDict()


def _keep_open(part: CachedFile) -> None:
    _OPEN[id(part)] = part
    while len(_OPEN) > MAX_OPEN:
        _id, oldest = _OPEN.popitem(last=False)
        if oldest._connection is not None:
            oldest._connection.close()
            oldest._connection = None


# --- the tables --------------------------------------------------------------------------------

# Small columns that filters and ordering read stay in `events`; the wide ones live in tables
# of their own, read only for the rows a command prints. `refs` holds every reference field
# (suspends, related, ...): one path for all of them. `targets` (every date of every event,
# with the ready parts of its countdown row; `since` is the event's first day) and `stretches`
# (the ready status row of each stretch of a measure's life, from `since` to the day before
# `next`) are kept in the order the views print them, keyed by it: a countdown or a status of a
# whole large store reads them in one pass, without a sort. `relations` holds the briefs of the
# events that suspend, extend or end others, which every state is computed with, in date order.
_SCHEMA = """
CREATE TABLE meta (
    format INTEGER, code TEXT, store BLOB, fields TEXT, dev INTEGER, ino INTEGER,
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, crc INTEGER, racy INTEGER, build_id TEXT,
    appendable INTEGER, newline TEXT, current_to TEXT, count INTEGER
);
CREATE TABLE events (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, line INTEGER, first INTEGER NOT NULL,
    last INTEGER NOT NULL, prec INTEGER NOT NULL, category TEXT NOT NULL, issuer TEXT,
    confidence TEXT NOT NULL, brief BLOB NOT NULL
);
CREATE TABLE destinations (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE texts (n INTEGER PRIMARY KEY, list_line TEXT NOT NULL, search TEXT NOT NULL);
CREATE TABLE records (n INTEGER PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE minerals (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE countries (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE tags (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE targets (
    first INTEGER NOT NULL, prec INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
    last INTEGER NOT NULL, n INTEGER NOT NULL, since INTEGER NOT NULL, head TEXT NOT NULL,
    tail TEXT NOT NULL, PRIMARY KEY (first, prec, id, kind)
) WITHOUT ROWID;
CREATE TABLE relations (
    first INTEGER NOT NULL, prec INTEGER NOT NULL, id TEXT NOT NULL, brief BLOB NOT NULL,
    PRIMARY KEY (first, prec, id)
) WITHOUT ROWID;
CREATE TABLE stretches (
    first INTEGER NOT NULL, prec INTEGER NOT NULL, id TEXT NOT NULL, i INTEGER NOT NULL,
    since INTEGER NOT NULL, next INTEGER, n INTEGER NOT NULL, line TEXT NOT NULL,
    PRIMARY KEY (first, prec, id, i)
) WITHOUT ROWID;
CREATE TABLE refs (n INTEGER NOT NULL, field TEXT NOT NULL, ref TEXT NOT NULL);
"""
_INDEXES = """
CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_order ON events (first, prec, id);
CREATE INDEX events_category ON events (category, first);
CREATE INDEX minerals_name ON minerals (name, n);
CREATE INDEX countries_name ON countries (name, n);
CREATE INDEX tags_name ON tags (name, n);
CREATE INDEX destinations_name ON destinations (name, n);
CREATE INDEX refs_ref ON refs (field, ref);
"""


def _fill(conn: sqlite3.Connection, events: Sequence[Event], start: int, texts: Texts) -> None:
    from ..validate import REFERENCE_FIELDS

    rows: list[tuple] = []
    text_rows: list[tuple] = []
    records: list[tuple] = []
    minerals: list[tuple] = []
    countries: list[tuple] = []
    tags: list[tuple] = []
    destinations: list[tuple] = []
    targets: list[tuple] = []
    stretches: list[tuple] = []
    refs: list[tuple] = []
    relations: list[tuple] = []
    for n, e in enumerate(events, start):
        line = e.origin.line if e.origin else None
        brief = brief_record(e)
        rows.append((n, e.id, line, e.date.first().toordinal(), e.date.last().toordinal(),
                     _PRECISION[e.date.precision], e.category, e.issuer, e.confidence,
                     brief))  # fmt: skip
        if e.suspends or e.extends or e.ends:
            relations.append((e.date.first().toordinal(), _PRECISION[e.date.precision], e.id,
                              brief))  # fmt: skip
        text_rows.append((n, texts.list_line(e), texts.search(e)))
        records.append((n, event_record(e)))
        minerals.extend((m, n) for m in e.minerals)
        countries.extend((c, n) for c in e.countries)
        tags.extend((t.casefold(), n) for t in e.tags)
        destinations.extend((d, n) for d in e.applies_to)
        first, prec = e.date.first().toordinal(), _PRECISION[e.date.precision]
        tail = texts.target_tail(e.confidence, e)
        targets.extend((d.first().toordinal(), _PRECISION[d.precision], e.id, kind,
                        d.last().toordinal(), n, first, texts.target_head(kind, d), tail)
                       for kind, d in e.targets())  # fmt: skip
        if e.category in MEASURE_CATEGORIES:
            stretches.extend(
                (first, prec, e.id, i, since, following, n, line)
                for i, (since, following, line) in enumerate(texts.stretches(e))
            )
        for name in REFERENCE_FIELDS:
            refs.extend((n, name, r) for r in getattr(e, name))
    conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO texts VALUES (?,?,?)", text_rows)
    conn.executemany("INSERT INTO records VALUES (?,?)", records)
    for table, values in (
        ("minerals", minerals),
        ("countries", countries),
        ("tags", tags),
        ("destinations", destinations),
    ):
        conn.executemany(f"INSERT INTO {table} VALUES (?,?)", values)
    # in key order: the tables are kept in that order
    conn.executemany("INSERT INTO targets VALUES (?,?,?,?,?,?,?,?,?)", sorted(targets))
    conn.executemany("INSERT INTO stretches VALUES (?,?,?,?,?,?,?,?)", sorted(stretches))
    conn.executemany("INSERT INTO relations VALUES (?,?,?,?)", sorted(relations))
    conn.executemany("INSERT INTO refs VALUES (?,?,?)", refs)
