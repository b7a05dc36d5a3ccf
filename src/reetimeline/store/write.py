"""Writing stores: append events atomically under a lock, keeping every old byte."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from ..errors import DataError, Problem, WriteError
from ..model import Event, Origin, PartialDate
from ..safefile import Changed
from .cache import Cache, CachedFile, Unreadable, crc_of_file
from .files import MAX_STORE_BYTES, Fingerprint, StoreBytes, read_store_bytes
from .parse import (
    NEW_STORE_HEADER,
    EventRecord,
    FileInfo,
    decode,
    events_from_document,
    parse_toml,
    read_document,
)

_CHUNK = 1 << 20


def event_to_toml_record(event: Event) -> EventRecord:
    """The event as a store table: day-precision dates as TOML dates, unset fields left out."""

    def date_value(value: PartialDate) -> dt.date | str:
        return value.first() if value.precision == "day" else str(value)

    record: dict[str, Any] = {"id": event.id, "date": date_value(event.date), "title": event.title}
    if event.summary is not None:
        record["summary"] = event.summary
    record["category"] = event.category
    for name in ("minerals", "countries"):
        if getattr(event, name):
            record[name] = list(getattr(event, name))
    if event.issuer is not None:
        record["issuer"] = event.issuer
    for name in ("applies_to", "tags"):
        if getattr(event, name):
            record[name] = list(getattr(event, name))
    for name in ("effective", "expires"):
        if getattr(event, name) is not None:
            record[name] = date_value(getattr(event, name))
    for name in ("suspends", "extends", "ends", "related"):
        if getattr(event, name):
            record[name] = list(getattr(event, name))
    if event.kind is not None and not (event.category == "tariff" and event.kind == "tariff"):
        record["kind"] = event.kind  # a tariff's kind is filled in by the parser
    if event.partial:
        record["partial"] = True
    if event.part_of is not None:
        record["part_of"] = event.part_of
    if event.confirms:
        record["confirms"] = list(event.confirms)
    if event.current_to is not None:
        record["current_to"] = date_value(event.current_to)
    if event.confidence != "confirmed":
        record["confidence"] = event.confidence
    if event.sources:
        record["sources"] = [
            {
                k: v
                for k, v in (
                    ("title", s.title),
                    ("url", s.url),
                    ("publisher", s.publisher),
                    ("accessed", date_value(s.accessed) if s.accessed else None),
                )
                if v is not None
            }
            for s in event.sources
        ]
    return record  # type: ignore[return-value]


def render_events_toml(events: Sequence[Event], horizon: PartialDate | None = None) -> str:
    """`[[events]]` tables for `events`, to append to a store's text; an event whose
    `current_to` is `horizon` (its file's) is written without it, as the parser will give it.

    tomli-w may write a short array of tables inline (`events = [...]`), which appended after a
    table would silently become a key of the previous event; so the header is checked and, if
    needed, written by hand before the record's own keys.
    """
    import tomli_w

    chunks = []
    for event in events:
        record = event_to_toml_record(event)
        if horizon is not None and event.current_to == horizon:
            del record["current_to"]
        text = tomli_w.dumps({"events": [record]}, multiline_strings=False)
        if not text.startswith("[[events]]\n"):
            text = "[[events]]\n" + tomli_w.dumps(record)
        chunks.append(text)
    return "\n".join(chunks)


class _Old(NamedTuple):
    """What appending needs to know about the store's current content."""

    taken: Container[str]  # the ids in it
    appendable: bool
    newline: str
    crc: int  # of the bytes that were validated
    fingerprint: Fingerprint | None
    events: list[Event] | None  # parsed now (None: known from the cache)
    cached: CachedFile | None
    read_at_ns: int
    info: FileInfo | None = None  # what the parser said besides the events (parsed now)


class _CachedIds:
    """The ids of a cached store file, asked of SQLite one at a time."""

    def __init__(self, cached: CachedFile):
        self.cached = cached
        self.known: dict[str, bool] = {}

    def prefetch(self, ids: Sequence[str]) -> None:
        found = self.cached.has(ids)
        self.known.update((i, i in found) for i in ids)

    def __contains__(self, event_id: object) -> bool:
        if not isinstance(event_id, str):
            return False
        if event_id not in self.known:
            self.known[event_id] = bool(self.cached.has([event_id]))
        return self.known[event_id]


def append_events(
    path: Path,
    events: Sequence[Event],
    *,
    other_ids: Container[str] = frozenset(),
    rename: Callable[[Event, Container[str]], Event] | None = None,
    cache: Cache | None = None,
) -> list[Event]:
    """Append `events` to the store file at `path`, atomically, under an exclusive lock.

    Every byte already in the file is kept; the file is replaced in one `os.replace` of a
    fsynced temporary file in the same folder, keeping its permissions, and a path that is a
    symlink is written through to its target. What is written must read back as exactly the old
    events plus the new ones: the old content was validated whole (parsed now, or the cache
    built from exactly these bytes, proved by their CRC while they are copied), and its events
    are all `[[events]]` tables, so only the new text needs parsing; it must read back as
    exactly the new events. A store whose events are not all tables is parsed whole again.
    Memory does not grow with the store when its cache is valid: old bytes are copied in chunks.

    `other_ids` are the ids of the other stores loaded. An id already taken (the file may have
    grown since the caller read it) is an error, unless `rename(event, taken)` is given: then it
    returns the event under a free id (used for ids the tool derived itself). With `cache`, the
    store's cache is used to skip parsing and is brought up to date afterwards.
    Returns the events as written.
    """
    target = Path(os.path.realpath(path))
    name = str(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(
            f"{path}: cannot create the folder {target.parent}: {exc.strerror}"
        ) from exc
    with locked_store(target):
        _remove_stale_temporaries(target)
        old = _old_content(target, name, cache)
        if isinstance(old.taken, _CachedIds):
            try:
                old.taken.prefetch([e.id for e in events])
            except Unreadable:  # a broken cache: the file itself is read
                old = _old_content(target, name, None)
        taken = _Union(other_ids, old.taken)
        final: list[Event] = []
        for event in events:
            if event.id in taken:
                if rename is None:
                    raise DataError(
                        [Problem(name, "id already exists in the store", None, None, event.id,
                                 "id")]
                    )  # fmt: skip
                event = rename(event, taken)
            taken.extra.add(event.id)
            final.append(event)

        tail, old_lines, size = _tail_of(target)
        newline = old.newline if size else "\n"
        horizon = _horizon_of(old)
        header, declares = NEW_STORE_HEADER, None
        shared = {event.current_to for event in final}
        if size == 0 and len(shared) == 1 and None not in shared:
            # a new store of events checked up to one day (an import of an export): the store
            # says so in its header, as the views and `doctor` read it
            horizon = declares = shared.pop()
            header += ("\n# The day up to which these events were checked.\n"
                       f"current_to = {horizon}\n")
        rendered = render_events_toml(final, horizon)
        if size == 0:  # a new store starts with a short header
            rendered = header + "\n" + rendered
        addition = rendered.replace("\n", newline)
        if size == 0 or tail.endswith(("\n\n", "\r\n\r\n")):
            separator = ""
        else:
            separator = newline if tail.endswith("\n") else newline * 2
        new_part = separator + addition
        written = _verified(name, target, old, new_part, final, old_lines, horizon, declares)
        new_bytes = new_part.encode("utf-8")
        if size + len(new_bytes) > MAX_STORE_BYTES:  # else no fresh parse could read it back
            raise DataError([Problem(name, f"would grow to {size + len(new_bytes):,} bytes, more "
                                     f"than the {MAX_STORE_BYTES >> 20} MiB a store may hold; "
                                     "nothing was written")])  # fmt: skip
        fingerprint = _replace_appending(target, name, new_bytes, old)
    if cache is not None and fingerprint is not None:
        import zlib

        from .cache import Content

        content = Content(fingerprint, zlib.crc32(new_bytes, old.crc), old.read_at_ns)
        if old.cached is not None:
            cache.extend(path, old.cached, written, content)
        elif old.events is not None and old.info is not None and size:
            from . import BACKGROUND_CACHE_MIN_EVENTS

            # the old file as the parser read it (its store-level fields, such as current_to,
            # are unchanged: `_verified` proved it), with the new events after its own
            everything = [*old.events, *written]
            cache.build(path, everything, old.info, content,
                        background=len(everything) >= BACKGROUND_CACHE_MIN_EVENTS)  # fmt: skip
    return final


class _Union:
    """Ids taken: in other stores, in this one, and the ones added by this append."""

    def __init__(self, other: Container[str], own: Container[str]):
        self.other = other
        self.own = own
        self.extra: set[str] = set()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.extra or event_id in self.own or event_id in self.other


def _old_content(target: Path, name: str, cache: Cache | None) -> _Old:
    """The store's content as the cache knows it (when valid), else parsed whole now."""
    import time

    read_at = time.time_ns()
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return _Old(set(), True, "\n", 0, None, [], None, read_at)
    except OSError as exc:
        raise WriteError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        from .files import kind_of

        raise WriteError(f"{name}: is {kind_of(info.st_mode)}, not a store file; nothing was "
                         "written")  # fmt: skip
    if cache is not None and (cached := cache.open(target)) is not None and cached.meta.appendable:
        meta = cached.meta
        return _Old(_CachedIds(cached), True, meta.newline, meta.crc, meta.fingerprint, None,
                    cached, read_at)  # fmt: skip
    source, _text, _document, events, info_ = read_whole(target, name)
    import zlib

    return _Old({e.id for e in events}, info_.appendable, info_.newline,
                zlib.crc32(source.data), source.fingerprint, events, None,
                source.read_at_ns, info_)  # fmt: skip


class WholeFile(NamedTuple):
    """A store file read whole and validated, for a writer that replaces it."""

    source: StoreBytes  # the bytes, when they were read, the fingerprint
    text: str
    document: dict
    events: list[Event]
    info: FileInfo


def read_whole(target: Path, name: str) -> WholeFile:
    """The store file at `target` read, decoded, parsed and validated; any problem is a
    DataError naming the file as `name` (as the person gave it)."""
    source, problem = read_store_bytes(target)
    if problem or source is None:
        raise DataError([problem._replace(path=name)] if problem else [])
    text, problem = decode(name, source.data)
    if problem:
        raise DataError([problem])
    document, problem = parse_toml(name, text)
    if problem:
        raise DataError([problem])
    events, problems, info = read_document(name, text, document)
    if problems:
        raise DataError(problems)
    return WholeFile(source, text, document, events, info)


def _tail_of(target: Path) -> tuple[str, int, int]:
    """The last bytes of the file (as text, for the separator), its number of newlines, size."""
    try:
        with open(target, "rb") as handle:
            lines = 0
            last = b""
            while chunk := handle.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = (last + chunk)[-8:]
            size = handle.tell()
    except FileNotFoundError:
        return "", 0, 0
    except OSError as exc:
        raise WriteError(f"{target}: cannot read: {exc.strerror or exc}") from exc
    return last.decode("utf-8", "replace"), lines, size


def _verified(
    name: str, target: Path, old: _Old, new_part: str, added: Sequence[Event], old_lines: int,
    horizon: PartialDate | None, declares: PartialDate | None,
) -> list[Event]:
    """Check that the store with `new_part` appended reads back as the old events plus exactly
    `added`; return those as read (with their lines). `horizon` is the file's `current_to` once
    written (`declares`: the one a new file's header declares): events that carry it were
    written without it."""
    expected = [event_to_toml_record(e) for e in added]
    for record, event in zip(expected, added, strict=True):
        if horizon is not None and event.current_to == horizon:
            del record["current_to"]
    header = {"current_to": declares.first()} if declares is not None else {}
    if old.appendable:
        # The old text is a whole valid document whose events are all tables, so a text of
        # `[[events]]` tables after it reads as those events appended: parsing that text alone
        # proves the result.
        document, problem = parse_toml(name, new_part)
        if problem:
            raise WriteError(f"{name}: refusing to write text that does not parse: {problem}")
        extra = {k: v for k, v in document.items() if k != "events"}
        if extra not in ({}, header) or document.get("events", []) != expected:
            raise WriteError(f"{name}: the appended text did not read back as exactly the new "
                             "events")  # fmt: skip
        events, problems, _info = read_document(name, new_part, document)
        if problems:
            raise DataError(problems)
        # read alone, the text may have no header: each event carries its file's horizon
        events = [replace(e, current_to=e.current_to or horizon) for e in events]
        if events != with_horizon(added, horizon):
            raise WriteError(f"{name}: the appended events did not read back equal")
        return [replace(e, origin=Origin(name, (e.origin.line or 0) + old_lines if e.origin
                                         else None)) for e in events]  # fmt: skip
    # events written some other way (an inline array): parse the whole result
    source, problem = read_store_bytes(target)
    if problem or source is None:
        raise WriteError(f"{name}: cannot read: {problem.message if problem else ''}")
    old_text, _problem = decode(name, source.data)
    old_doc, _problem = parse_toml(name, old_text)
    new_text = old_text + new_part
    new_doc, problem = parse_toml(name, new_text)
    if problem:
        raise WriteError(f"{name}: refusing to write text that does not parse: {problem}")
    old_events = old_doc.get("events", [])
    new_events = new_doc.get("events", [])
    if (
        new_events[: len(old_events)] != old_events
        or new_events[len(old_events) :] != expected
        or {k: v for k, v in new_doc.items() if k != "events"}
        != {k: v for k, v in old_doc.items() if k != "events"}
    ):
        raise WriteError(f"{name}: the appended text did not read back as exactly the new events")
    events, problems = events_from_document(name, new_text, new_doc)
    if problems:
        raise DataError(problems)
    if list(events[len(old_events) :]) != with_horizon(added, horizon):
        raise WriteError(f"{name}: the appended events did not read back equal")
    return list(events[len(old_events) :])


def with_horizon(events: Sequence[Event], horizon: PartialDate | None) -> list[Event]:
    """`events` as their file gives them back: each without a horizon of its own takes the
    file's."""
    return [e if e.current_to or horizon is None else replace(e, current_to=horizon)
            for e in events]  # fmt: skip


def _horizon_of(old: _Old) -> PartialDate | None:
    """The store file's `current_to`, which each of its events carries unless it has its own."""
    if old.cached is not None:
        return old.cached.current_to()
    if old.info is not None and old.info.current_to is not None:
        return PartialDate.parse(old.info.current_to)
    return None


def _replace_appending(target: Path, name: str, addition: bytes, old: _Old) -> Fingerprint | None:
    """Write the old bytes (copied in chunks, their CRC checked against what was validated) and
    `addition` into a temporary file, then replace the store with it."""
    import zlib

    def fill(handle: BinaryIO) -> None:
        crc = 0
        try:
            with open(target, "rb") as source:
                while chunk := source.read(_CHUNK):
                    crc = zlib.crc32(chunk, crc)
                    handle.write(chunk)
        except FileNotFoundError:
            pass
        if crc != old.crc:
            raise Changed()
        handle.write(addition)

    def unchanged() -> bool:
        try:
            info = os.stat(target)
        except FileNotFoundError:
            return old.fingerprint is None and old.crc == 0
        if old.fingerprint is not None and Fingerprint.of(info) != old.fingerprint:
            return False
        return crc_of_file(target) == old.crc

    return replace_with(target, fill, unchanged=unchanged, display=name)


class locked_store:
    """An exclusive lock on the store file itself (`flock` on its inode), so that no lock file
    stands beside the store (it would show up in `git status`) and every writer takes the same
    lock whatever its environment or user.

    Each write replaces the file with a new inode: once the lock is held, the path must still
    name the locked inode, else the lock is taken again on the file now there. A store that
    does not exist yet is created under a lock on its folder, once the path is seen still free
    with that lock held. The kernel releases the lock when the holder exits or is killed."""

    def __init__(self, target: Path):
        self.target = target
        self.fd = -1

    def __enter__(self):
        import fcntl

        while True:
            fd, folder = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                os.close(fd)
                raise WriteError(f"{self.target}: cannot lock the store: {exc.strerror or exc}; "
                                 "nothing was written") from exc  # fmt: skip
            if self._still_current(fd, folder):
                self.fd = fd
                return self
            os.close(fd)

    def _open(self) -> tuple[int, bool]:
        """A descriptor of the store, or of its folder when there is no store yet."""
        flags = os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            return os.open(self.target, flags), False
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise WriteError(f"{self.target}: cannot open the store to lock it: "
                             f"{exc.strerror or exc}; nothing was written") from exc  # fmt: skip
        try:
            return os.open(self.target.parent, flags | os.O_DIRECTORY), True
        except OSError as exc:
            raise WriteError(f"{self.target.parent}: cannot open the folder to lock it: "
                             f"{exc.strerror or exc}; nothing was written") from exc  # fmt: skip

    def _still_current(self, fd: int, folder: bool) -> bool:
        try:
            now = os.stat(self.target)
        except FileNotFoundError:
            return folder  # locked the folder, and the store is still to be created
        if folder:
            return False  # created meanwhile: lock the file instead
        locked = os.fstat(fd)
        return (now.st_dev, now.st_ino) == (locked.st_dev, locked.st_ino)

    def __exit__(self, *exc_info):
        os.close(self.fd)  # closing releases the lock


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_stale_temporaries(target: Path) -> None:
    """Remove temporary files left by a killed writer; we hold the lock, so none is live."""
    prefix = _temporary_prefix(target)
    for leftover in target.parent.glob(f"{glob_escape(prefix)}*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def replace_file(
    path: Path, data: bytes, *, expected_old: bytes | None = None, display: str | None = None
) -> None:
    """Replace the store file at `path` with `data` atomically, by `safefile.write_bytes`: a
    fsynced temporary file in the same folder, then `os.replace`; permissions, owner and group
    kept; a symlink written through to its target; a read-only or hard-linked file, or anything
    that is not a regular file, refused. With `expected_old`, the file must still hold exactly
    those bytes just before the replace (else nothing is written)."""
    from ..safefile import write_bytes

    write_bytes(path, data, expected_old=expected_old, display=display)


def replace_with(
    path: Path,
    fill: Callable[[BinaryIO], object],
    *,
    unchanged: Callable[[], bool] | None = None,
    display: str | None = None,
) -> Fingerprint | None:
    """Replace the store file at `path` atomically with what `fill(handle)` writes, by
    `safefile.write_with` (the rules of `replace_file`). With `unchanged`, it must return True
    just before the replace (else nothing is written). Returns the new file's fingerprint."""
    from ..safefile import write_with

    written = write_with(path, fill, unchanged=unchanged, display=display)
    try:
        return Fingerprint.of(os.stat(written))
    except OSError:
        return None
