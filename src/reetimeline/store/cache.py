"""The parsed-store cache: one SQLite file per store file, in $XDG_CACHE_HOME/reetimeline/.

Parsing TOML is the slow part of every command on a large store, so a valid store file's events
are kept, once validated, in SQLite with indexes on what filters ask for. The cache keeps data,
never answers: per event only what is a function of that event alone (its record, its brief
record, its date numbers, the names it lists) and indexes over them. Nothing in it depends on
an as-of date, a horizon, a filter or another event; every state, countdown and change is made
by the engine over events read from here. SQL only narrows the candidates of a filter on
indexed columns: `query.Filter.matches` decides every row (so both cannot disagree).

Which files. A store file smaller than `CACHE_MIN_BYTES` has no database of its own: opening
one costs more than parsing the file. What the parser returned for each small file is kept in
one database of the folder instead (`SmallFiles`), so that a folder of a thousand small files
is read from one database. `REETIMELINE_CACHE_MIN_BYTES` sets another threshold (tests use 0:
a database per file).

Trust. Each database holds, in its `meta` row, the store it was built from (the full path), the
store's fingerprint (device, inode, size, mtime and ctime: any write changes the ctime, which no
program can set back, and a file renamed into place has another inode), the CRC-32 of the
content that was parsed, the tool's code stamp and the cache format. A cache is used only when
all of them match, and only when it is a regular file owned by the running user with mode
0600 (anything else is ignored and rebuilt). A store written less than `RACY_NS` before it was
read could be written again within the same clock tick without its ctime changing; such a cache
is marked racy and its store's CRC is checked on every use (git's "racily clean" entries). A
database that cannot be read past its meta row (a corrupted page) raises `Unreadable`, and the
store reads the file itself instead (store/__init__.py).

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
import datetime as dt
import marshal
import os
import sqlite3
import stat
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..engine.query import Filter
from ..model import Brief, Dated, Event, Origin, PartialDate, Source
from .files import Fingerprint

if TYPE_CHECKING:
    from . import Deferred

FORMAT = 11
RACY_NS = 2_000_000_000
_CHUNK = 1 << 20
_PRECISION = {"year": 0, "month": 1, "day": 2}

# Below this size a store file has no database of its own (`SmallFiles` keeps it). Measured
# (a folder of 1,000 files of 5 events, warm `list`, on a loaded machine): a database per
# file gained little over parsing them (5.1 s against 5.5 s) for 55 MB of caches; one database
# for all of them reads the folder in 0.65 of the parsing time (benchmarks/run.py --only folder).
CACHE_MIN_BYTES = 16 * 1024

# Processes started by this one to build caches in the background (tests wait for them).
background_builds: list[int] = []


def cache_min_bytes() -> int:
    """`CACHE_MIN_BYTES`, or the threshold `REETIMELINE_CACHE_MIN_BYTES` sets."""
    value = os.environ.get("REETIMELINE_CACHE_MIN_BYTES", "")
    return int(value) if value.isdigit() else CACHE_MIN_BYTES


class Unreadable(Exception):
    """A cache that was valid when the command began cannot be read now (a corrupted page, or
    a database replaced meanwhile): the store reads its file instead."""


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


_SOURCE_DATES = [i for i, (_n, enc, _d) in enumerate(_SOURCE_CODECS) if enc is _date_out]


def _sources_in(values: Any) -> tuple[Source, ...]:
    if not values:
        return ()
    dates, new, out = _DATES, tuple.__new__, []
    for value in values:  # a few per event, for every event a command reads: no call per field
        fields = list(value)
        for i in _SOURCE_DATES:
            fields[i] = dates[fields[i]]
        out.append(new(Source, fields))
    return tuple(out)


# An event is kept in two parts that do not overlap: its brief record (the fields of `Brief`)
# and the rest of its fields (summary, countries, tags, sources ...): a whole event is both.
_FIELDS = [(f.name, _annotation(f.type)) for f in dataclasses.fields(Event) if f.name != "origin"]
_REST_CODECS = _codecs([(name, t) for name, t in _FIELDS if name not in Brief._fields])
FIELD_NAMES = ",".join(Brief._fields) + "|" + ",".join(name for name, _e, _d in _REST_CODECS)
_REST_NAMES = [name for name, _e, _d in _REST_CODECS]
_BRIEF_NAMES = list(Brief._fields)
_CONVERTED = [(i, name, dec) for i, (name, _e, dec) in enumerate(_REST_CODECS) if dec is not None]
_BRIEF_DATES = [(i, name) for i, name in enumerate(Brief._fields)
                if name in ("date", "effective", "expires", "current_to")]  # fmt: skip


def brief_record(event: Event) -> bytes:
    """What states, countdowns, their views and `stats` read (`Brief`), for thousands of events
    at once: no summary, tags or sources."""
    return marshal.dumps((event.id, event.title, event.category, event.confidence,
                          _date_out(event.date), _date_out(event.effective),
                          _date_out(event.expires), event.suspends, event.extends, event.ends,
                          event.issuer, event.applies_to, event.minerals,
                          event.countries, event.kind, event.partial, event.part_of,
                          event.confirms, _date_out(event.current_to)))  # fmt: skip


def briefs_from(records: Iterable[bytes]) -> list[Brief]:
    """Briefs from their records: the loop that large countdowns and statuses spend their time
    in, so without a call per brief (tuple.__new__ is what `Brief._make` calls)."""
    dates, new = _DATES, tuple.__new__
    return [new(Brief, (v[0], v[1], v[2], v[3], dates[v[4]], dates[v[5]], dates[v[6]], *v[7:18],
                        dates[v[18]])) for v in map(marshal.loads, records)]  # fmt: skip


def rest_record(event: Event) -> bytes:
    """The fields of `event` that its brief record does not hold."""
    return marshal.dumps(
        tuple(enc(getattr(event, n)) if enc else getattr(event, n) for n, enc, _d in _REST_CODECS)
    )


def _fields_maker() -> Callable[[tuple, tuple, Origin], dict[str, Any]]:
    """A function that makes an event's fields from its decoded brief and rest records: one
    dict display, written from the field lists above (thousands of events per command are
    read through it; a loop over the fields per event took twice as long)."""
    items = [f"{name!r}: b[{i}]" for i, name in enumerate(_BRIEF_NAMES)]
    items = [f"{name!r}: dates[b[{i}]]" if (i, name) in _BRIEF_DATES else item
             for item, (i, name) in zip(items, enumerate(_BRIEF_NAMES), strict=True)]  # fmt: skip
    decoders = {name: f"dec_{name}" for _i, name, _dec in _CONVERTED}
    items += [f"{name!r}: {decoders[name]}(r[{i}])" if name in decoders else f"{name!r}: r[{i}]"
              for i, name in enumerate(_REST_NAMES)]  # fmt: skip
    source = f"def make(b, r, origin):\n    return {{{', '.join(items)}, 'origin': origin}}\n"
    scope: dict[str, Any] = {"dates": _DATES}
    scope.update((f"dec_{name}", dec) for _i, name, dec in _CONVERTED)
    exec(source, scope)
    return scope["make"]


_make_fields = _fields_maker()


def event_from(brief: bytes, rest: bytes, path: str, line: int | None) -> Event:
    """The whole event from its two records."""
    loads = marshal.loads
    return Event.trusted_from(_make_fields(loads(brief), loads(rest), Origin(path, line)))


def needs_whole_events(flt: Filter) -> bool:
    """Whether deciding `flt` reads more of an event than its brief has (tags, the searched
    text)."""
    return flt.tags is not None or flt.text is not None


def decides(flt: Filter) -> Callable[[Dated], bool]:
    """`flt.matches`, for briefs too when `needs_whole_events(flt)` is false: then it reads only
    fields that a brief has."""
    return cast(Callable[[Dated], bool], flt.matches)


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


def _trusted_file(db: Path) -> bool:
    """A regular file (not a link) owned by the running user, readable and writable by that
    user only: anything else in the cache folder is ignored."""
    try:
        info = os.lstat(db)
    except OSError:
        return False
    return (stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()
            and stat.S_IMODE(info.st_mode) == 0o600)  # fmt: skip


class Meta(NamedTuple):
    fingerprint: Fingerprint
    crc: int
    racy: bool
    build_id: str
    info: dict[str, Any]  # what the parser said of the file besides its events (`FileInfo`)
    events: int

    @property
    def appendable(self) -> bool:
        return bool(self.info.get("appendable"))

    @property
    def newline(self) -> str:
        return str(self.info.get("newline") or "\n")


_META_COLUMNS = (
    "format, code, store, fields, dev, ino, size, mtime_ns, ctime_ns, crc, racy, build_id, "
    "info, count"
)


class Cache:
    """The caches of store files in one folder, for one version of the tool's code."""

    def __init__(self, folder: Path, stamp: str, *, min_bytes: int | None = None):
        self.folder = folder
        self.stamp = stamp
        self.min_bytes = cache_min_bytes() if min_bytes is None else min_bytes
        self._names: set[str] | None = None  # the folder's names, listed once per process
        self._folder_ready: bool | None = None

    def db_path(self, store_path: Path) -> Path:
        return self.folder / f"{_key(store_path)}.sqlite"

    def wants(self, size: int) -> bool:
        """Whether a store file of `size` bytes is worth caching."""
        return size >= self.min_bytes

    # --- reading

    def open(self, store_path: Path) -> CachedFile | None:
        """The cache of `store_path` if it is valid for the file's content now, else None."""
        try:
            info = os.stat(store_path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode) or not self.wants(info.st_size):
            return None  # pipes are read once, small files parsed: never cached
        db = self.db_path(store_path)
        if not _trusted_file(db):
            return None
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
        except (sqlite3.Error, OSError, LookupError, ValueError, EOFError, TypeError):
            conn.close()
            return None
        return CachedFile(db, str(store_path), meta, self, conn)

    def _meta(self, conn: sqlite3.Connection, store_path: Path) -> Meta | None:
        row = conn.execute(f"SELECT {_META_COLUMNS} FROM meta").fetchone()
        if row is None:
            return None
        fmt, code, store, fields, *fp, crc, racy, build_id, info, count = row
        expected = (FORMAT, self.stamp, os.fsencode(os.path.realpath(store_path)), FIELD_NAMES)
        if (fmt, code, store, fields) != expected:
            return None
        return Meta(Fingerprint(*fp), crc, bool(racy), build_id, marshal.loads(info), count)

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
            os.fchmod(fd, 0o600)  # whatever the umask
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
        info: NamedTuple,
        source: Content,
        *,
        background: bool = False,
        deferred: Deferred | None = None,
    ) -> None:
        """Write the cache of a valid store file read as `source`, from exactly what the parser
        returned: its events and its `FileInfo` (store-level fields such as `current_to`).
        Failures are silent: a cache is an optimisation, and the next run simply parses again.
        With `background`, a forked process builds it (holding the lock) and this one goes on;
        with `deferred` too, the fork waits until `deferred.run_builds()`."""
        if not self.wants(source.fingerprint.size):
            return
        if background and deferred is not None:
            deferred.builds.append(lambda: self.build(store_path, events, info, source,
                                                      background=True))  # fmt: skip
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
                    self._build(store_path, events, info, source)
                finally:
                    os._exit(0)
            self._build(store_path, events, info, source)

    def _build(self, store_path: Path, events: Sequence[Event], info: NamedTuple,
               source: Content) -> None:  # fmt: skip
        existing = self.open(store_path)
        if existing is not None and existing.meta.fingerprint == source.fingerprint:
            existing.close()
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
                        marshal.dumps(dict(info._asdict())), len(events))  # fmt: skip
                conn.execute(f"INSERT INTO meta ({_META_COLUMNS}) VALUES ({_marks(14)})", meta)
                _fill(conn, events, 0)
                conn.executescript(_INDEXES)
                conn.commit()
            finally:
                conn.close()
            self._install(tmp, store_path)
            tmp = None
        except (OSError, sqlite3.Error, ValueError):
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def extend(
        self, store_path: Path, old: CachedFile, events: Sequence[Event], source: Content
    ) -> None:
        """After `events` were appended to a store whose cache is `old`: a copy of the cache
        with the new rows and the new fingerprint, renamed into place (silent on failure). The
        store-level fields stay as the parser gave them (appending adds only events)."""
        with self._locked(store_path) as lock:
            if lock is None:
                return
            tmp = None
            try:
                current = self.open(store_path)
                if current is not None:
                    current.close()
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
                    _fill(conn, events, row[1])
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

    def forget(self, store_path: Path) -> None:
        """Remove the cache of `store_path` (one that cannot be read), under the build lock."""
        with self._locked(store_path) as lock:
            if lock is not None:
                with contextlib.suppress(OSError):
                    self.db_path(store_path).unlink()

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.sqlite"))


class SmallFiles:
    """What the parser returned for small store files (events and `FileInfo`), all in one
    database of the cache folder (`small.sqlite`), each file's row trusted only while the file
    has the fingerprint it was read with (a racy one: and its CRC). A folder of a thousand small
    files is then read from one database instead of parsed file by file; a file whose row does
    not match is parsed, and its row replaced. Failures are silent: the files are parsed."""

    NAME = "small.sqlite"

    def __init__(self, cache: Cache):
        self.cache = cache
        self._rows: dict[bytes, tuple] | None = None
        self._new: list[tuple] = []

    def _db(self) -> Path:
        return self.cache.folder / self.NAME

    def _known(self) -> dict[bytes, tuple]:
        if self._rows is None:
            self._rows = {}
            db = self._db()
            if _trusted_file(db):
                try:
                    conn = _connect(db)
                    try:
                        meta = conn.execute("SELECT format, code, fields FROM meta").fetchone()
                        if meta == (FORMAT, self.cache.stamp, FIELD_NAMES):
                            sql = f"SELECT path, {_SMALL_COLUMNS} FROM files"
                            self._rows = {path: tuple(row) for path, *row in conn.execute(sql)}
                    finally:
                        conn.close()
                except sqlite3.Error:
                    self._rows = {}
        return self._rows

    def get(self, store_path: Path) -> tuple[list[Event], dict[str, Any]] | None:
        """The events and `FileInfo` fields of a small store file as the parser returned them
        for the content it has now, or None."""
        try:
            info = os.stat(store_path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(info.st_mode) or self.cache.wants(info.st_size):
            return None
        row = self._known().get(os.fsencode(os.path.realpath(store_path)))
        if row is None:
            return None
        *fp, crc, racy, file_info, records = row
        try:
            if Fingerprint(*fp) != Fingerprint.of(info):
                return None
            if racy and crc_of_file(store_path) != crc:
                return None
            name = str(store_path)
            events = [event_from(brief, rest, name, line)
                      for brief, rest, line in marshal.loads(records)]  # fmt: skip
            return events, marshal.loads(file_info)
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def add(self, store_path: Path, events: Sequence[Event], info: NamedTuple,
            source: Content) -> None:  # fmt: skip
        """Keep what the parser returned for a valid small file (written by `save`)."""
        records = [(brief_record(e), rest_record(e), e.origin.line if e.origin else None)
                   for e in events]  # fmt: skip
        self._new.append((os.fsencode(os.path.realpath(store_path)), *source.fingerprint,
                          source.crc, int(_racy(source.fingerprint, source.read_at_ns)),
                          marshal.dumps(dict(info._asdict())), marshal.dumps(records)))  # fmt: skip

    def save(self) -> None:
        """Write the rows kept by `add`, in one transaction, under the cache folder's lock for
        this database; a database of other code or format is started afresh."""
        if not self._new:
            return
        rows, self._new = self._new, []
        db = self._db()
        with self.cache._locked(db) as lock:
            if lock is None:
                return
            for _attempt in range(2):  # a database that cannot be written is started afresh
                try:
                    if db.exists() and not _trusted_file(db):
                        db.unlink()
                    self._write(db, rows)
                    return
                except (OSError, sqlite3.Error):
                    with contextlib.suppress(OSError):
                        db.unlink()

    def _write(self, db: Path, rows: list[tuple]) -> None:
        fd = os.open(db, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        conn = _connect(db, "rw")
        try:
            conn.executescript(_SMALL_SCHEMA)
            meta = conn.execute("SELECT format, code, fields FROM meta").fetchone()
            if meta != (FORMAT, self.cache.stamp, FIELD_NAMES):
                conn.execute("DELETE FROM meta")
                conn.execute("DELETE FROM files")
                conn.execute("INSERT INTO meta VALUES (?,?,?)",
                             (FORMAT, self.cache.stamp, FIELD_NAMES))  # fmt: skip
            conn.executemany(f"INSERT OR REPLACE INTO files VALUES ({_marks(10)})", rows)
            conn.commit()
        finally:
            conn.close()


_SMALL_COLUMNS = "dev, ino, size, mtime_ns, ctime_ns, crc, racy, info, events"
_SMALL_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (format INTEGER, code TEXT, fields TEXT);
CREATE TABLE IF NOT EXISTS files (
    path BLOB PRIMARY KEY, dev INTEGER, ino INTEGER, size INTEGER, mtime_ns INTEGER,
    ctime_ns INTEGER, crc INTEGER, racy INTEGER, info BLOB, events BLOB
);
"""


class Content(NamedTuple):
    """The content a cache describes: the store's fingerprint when read, its CRC, and when
    reading began (to tell racy fingerprints)."""

    fingerprint: Fingerprint
    crc: int
    read_at_ns: int


def _racy(fp: Fingerprint, read_at_ns: int) -> bool:
    return read_at_ns - max(fp.ctime_ns, fp.mtime_ns) < RACY_NS


def _build_id() -> str:
    import secrets

    return secrets.token_hex(8)


def _marks(count: int) -> str:
    return ",".join("?" * count)


# --- reading one cached file ---------------------------------------------------------------------


class CachedFile:
    """One store file's events in SQLite. Rows come in `Event.sort_key` order. The same face
    as a parsed file (`store.ParsedFile`): events and briefs for a filter, ids, references."""

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
        for the store as it is now. Any SQLite error is `Unreadable`."""
        try:
            if self._connection is None:
                conn = _connect(self.db) if _trusted_file(self.db) else None
                row = conn.execute("SELECT build_id FROM meta").fetchone() if conn else None
                if row is None or row[0] != self.meta.build_id:
                    if conn is not None:
                        conn.close()
                    fresh = self.cache.open(Path(self.path))
                    if fresh is None or fresh._connection is None:
                        raise Unreadable(self.path)
                    self.meta, conn = fresh.meta, fresh._connection
                    fresh._connection = None
                    fresh.close()
                self._connection = conn
                _keep_open(self)
            else:
                conn = self._connection
                _OPEN.move_to_end(id(self))
            assert conn is not None
            yield conn
        except sqlite3.Error as exc:
            self.close()
            raise Unreadable(self.path) from exc

    def _query(self, sql: str, args: Iterable[object] = ()) -> list[Any]:
        with self._conn() as conn:
            return conn.execute(sql, list(args)).fetchall()

    @staticmethod
    def _where(flt: Filter) -> tuple[str, list[object]]:
        """SQL that narrows the candidates of `flt` on indexed columns: every event the filter
        matches is among them (`Filter.matches` then decides each one)."""
        clauses: list[str] = []
        args: list[object] = []
        for table, values in (
            ("minerals", flt.minerals),
            ("countries", flt.countries),
            ("tags", flt.tags),
            # not `destinations`: a flow's destination is a tariff's issuer, and `all` in
            # `applies_to` covers every country but the issuer (`Filter.flows` decides)
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
            # lo and hi bound every date of the event (its date, effective, expires) ...
            window = []
            if flt.since is not None:
                window.append("e.hi >= ?")
                args.append(flt.since.toordinal())
            if flt.until is not None:
                window.append("e.lo <= ?")
                args.append(flt.until.toordinal())
            inside = " AND ".join(window)
            # ... or an end that an extension (from any store) moved it to
            extended = sorted(i for i, ends in (flt.extended or {}).items()
                              if any(flt.in_window(d) for d in ends))  # fmt: skip
            if extended:
                inside = f"(({inside}) OR e.id IN ({_marks(len(extended))}))"
                args.extend(extended)
            clauses.append(inside)
        return (" AND ".join(clauses) or "1"), args

    def _candidates(self, columns: str, join: str, where: str, args: list[object],
                    reverse: bool = False) -> Iterator[Any]:  # fmt: skip
        direction = " DESC" if reverse else ""
        order = ", ".join(f"e.{c}{direction}" for c in ("first", "prec", "id"))
        sql = f"SELECT {columns} FROM events e {join} WHERE {where} ORDER BY {order}"
        with self._conn() as conn:
            yield from conn.execute(sql, args)

    def events(self, flt: Filter | None = None, *, reverse: bool = False,
               limit: int | None = None) -> list[Event]:  # fmt: skip
        """The events `flt` matches, in date order (newest first with `reverse`), at most
        `limit`."""
        flt = flt or Filter()
        matches = flt.matches
        where, args = self._where(flt)
        rows = self._candidates("e.brief, r.rest, e.line", "JOIN records r ON r.n = e.n", where,
                                args, reverse)  # fmt: skip
        path = self.path
        out: list[Event] = []
        for brief, rest, line in rows:
            event = event_from(brief, rest, path, line)
            if matches(event):
                out.append(event)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def briefs(self, flt: Filter, *, known_by: dt.date | None = None) -> list[Dated]:
        """Briefs of the events `flt` matches in date order; with `known_by`, only those dated
        on or before it. Briefs, not whole events: a countdown or a status may read most of a
        large store, and a brief is read in a fifth of the time."""
        if needs_whole_events(flt):
            chosen: list[Dated] = [Brief.of(e) for e in self.events(flt)]
        else:
            where, args = self._where(flt)
            if known_by is not None:  # narrows; the date itself is compared below
                where += " AND e.first <= ?"
                args.append(known_by.toordinal())
            rows = self._candidates("e.brief", "", where, args)
            matches = decides(flt)
            chosen = [b for b in briefs_from(r for (r,) in rows) if matches(b)]
        if known_by is not None:
            chosen = [b for b in chosen if b.date.first() <= known_by]
        return chosen

    def _events_where(self, where: str, args: Sequence[object], join: str = "") -> list[Event]:
        sql = (f"SELECT e.brief, r.rest, e.line FROM events e JOIN records r ON r.n = e.n {join} "
               f"WHERE {where} ORDER BY e.first, e.prec, e.id")  # fmt: skip
        return [event_from(brief, rest, self.path, line)
                for brief, rest, line in self._query(sql, args)]  # fmt: skip

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
        """The events whose `field` names `event_id`, in date order."""
        return self._events_where("f.field = ? AND f.ref = ?", (field, event_id),
                                  "JOIN refs f ON f.n = e.n")  # fmt: skip

    def current_to(self) -> PartialDate | None:
        """The store's `current_to`, as the parser gave it."""
        value = self.meta.info.get("current_to")
        return PartialDate.parse(value) if value else None

    def tags(self) -> set[str]:
        return {t for (t,) in self._query("SELECT DISTINCT name FROM tags")}

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

    def relations(self) -> list[Dated]:
        """Briefs of the events that suspend, extend, end or confirm another event, in date
        order."""
        sql = "SELECT brief FROM events WHERE acts ORDER BY first, prec, id"
        return list(briefs_from(r for (r,) in self._query(sql)))


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

# Small columns that filters and ordering read stay in `events`, with the event's brief record
# (what the engine reads); the rest of its fields live in `records`, read only for the events a
# command shows. `first` and `prec` are the event's date as numbers (its order); `lo` and `hi`
# the first and last day of any of its dates (a window narrows on them); `acts` marks the events
# that suspend, extend, end or confirm another, or are a part of a package. The name tables are
# keyed by (name, event): an index that is the table. `refs` holds every reference field
# (suspends, related, ...).
_SCHEMA = """
CREATE TABLE meta (
    format INTEGER, code TEXT, store BLOB, fields TEXT, dev INTEGER, ino INTEGER,
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, crc INTEGER, racy INTEGER, build_id TEXT,
    info BLOB, count INTEGER
);
CREATE TABLE events (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, line INTEGER, first INTEGER NOT NULL,
    prec INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, category TEXT NOT NULL,
    issuer TEXT, confidence TEXT NOT NULL, acts INTEGER NOT NULL, brief BLOB NOT NULL
);
CREATE TABLE records (n INTEGER PRIMARY KEY, rest BLOB NOT NULL);
CREATE TABLE minerals (name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (name, n))
    WITHOUT ROWID;
CREATE TABLE countries (name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (name, n))
    WITHOUT ROWID;
CREATE TABLE tags (name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (name, n)) WITHOUT ROWID;
CREATE TABLE destinations (name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (name, n))
    WITHOUT ROWID;
CREATE TABLE refs (
    field TEXT NOT NULL, ref TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (field, ref, n)
) WITHOUT ROWID;
"""
_INDEXES = """
CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_order ON events (first, prec, id);
CREATE INDEX events_category ON events (category, first);
CREATE INDEX events_acts ON events (first, prec, id) WHERE acts;
CREATE INDEX refs_n ON refs (n);
"""


def _fill(conn: sqlite3.Connection, events: Sequence[Event], start: int) -> None:
    from ..validate import REFERENCE_FIELDS, refs_of

    rows: list[tuple] = []
    records: list[tuple] = []
    names: dict[str, list[tuple]] = {"minerals": [], "countries": [], "tags": [],
                                     "destinations": []}  # fmt: skip
    refs: list[tuple] = []
    for n, e in enumerate(events, start):
        dates = [d for _kind, d in e.targets()]
        rows.append((n, e.id, e.origin.line if e.origin else None, e.date.first().toordinal(),
                     _PRECISION[e.date.precision], min(d.first() for d in dates).toordinal(),
                     max(d.last() for d in dates).toordinal(), e.category, e.issuer,
                     e.confidence, int(bool(e.suspends or e.extends or e.ends or e.confirms
                                          or e.part_of)),
                     brief_record(e)))  # fmt: skip
        records.append((n, rest_record(e)))
        names["minerals"].extend((m, n) for m in e.minerals)
        names["countries"].extend((c, n) for c in e.countries)
        names["tags"].extend((t.casefold(), n) for t in e.tags)
        names["destinations"].extend((d, n) for d in e.applies_to)
        for name in REFERENCE_FIELDS:
            refs.extend((name, r, n) for r in refs_of(e, name))
    conn.executemany(f"INSERT INTO events VALUES ({_marks(12)})", rows)
    conn.executemany("INSERT INTO records VALUES (?,?)", records)
    for table, values in names.items():  # a name listed twice is one row
        conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?,?)", values)
    conn.executemany("INSERT OR IGNORE INTO refs VALUES (?,?,?)", refs)
