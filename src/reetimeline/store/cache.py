"""The parsed-store cache: one SQLite file per store file, in $XDG_CACHE_HOME/reetimeline/.

Parsing TOML is the slow part of every command (tomllib reads a few MB a second), so a valid
store file's events are kept, once validated, in SQLite with indexes on what filters ask for,
and with each event's `list` line and `--json` text ready to print. Commands then read only the
rows they need.

The cache is never trusted blindly. A sidecar file (`.sum`) records the store's size,
modification time and CRC-32 of its whole content, the tool and cache versions, and the CRC-32
of the database file itself; any mismatch (a store edited by hand within the same second, a
truncated or foreign cache file, another version of the tool) means the store is parsed again
and the cache rebuilt. Caches are written atomically (temporary files, then `os.replace`).
Only stores without problems are cached: a broken store is reported on every run.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from ..model import Event, Origin, PartialDate, Source, json_fragment
from ..query import Filter

# fields that hold ids of other events (as store/parse.py REFERENCE_FIELDS, without importing
# the parser) and, of those, the ones that change another event's state
_REFERENCES = ("suspends", "extends", "ends", "related")
_RELATIONS = ("suspends", "extends", "ends")

FORMAT = 2
_PRECISION = {"year": 0, "month": 1, "day": 2}
_CHUNK = 1 << 20


class Fingerprint(NamedTuple):
    size: int
    mtime_ns: int
    crc: int


def fingerprint(path: Path) -> Fingerprint:
    """Size, modification time and CRC-32 of the whole content (about 40 ms for 50 MB)."""
    stat = path.stat()
    return Fingerprint(stat.st_size, stat.st_mtime_ns, _crc_of(path))


def _crc_of(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def cache_file(cache_dir: Path, store_path: Path) -> Path:
    # A name from the store's path; the .sum file holds the full path, so a clash only costs
    # a rebuild.
    path = str(store_path.resolve()).encode("utf-8")
    return cache_dir / f"{zlib.crc32(path):08x}{zlib.adler32(path):08x}.sqlite"


def _expected_sum(store_path: Path, fp: Fingerprint, version: str) -> dict[str, str]:
    return {
        "format": str(FORMAT),
        "version": version,
        "store": str(store_path.resolve()),
        "size": str(fp.size),
        "mtime_ns": str(fp.mtime_ns),
        "crc": str(fp.crc),
    }


def _read_sum(path: Path) -> dict[str, str]:
    """The .sum file: one `key<TAB>value` per line (store paths may hold anything but a tab or
    newline, and a path that does not read back equal only costs a rebuild)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def _write_sum(path: Path, summary: dict[str, str]) -> None:
    path.write_text("".join(f"{k}\t{v}\n" for k, v in summary.items()), encoding="utf-8")


# --- reading a cache -------------------------------------------------------------------------


def open_cache(cache_dir: Path, store_path: Path, fp: Fingerprint, version: str):
    """The cache for `store_path` if it is valid for exactly this content, else None."""
    db = cache_file(cache_dir, store_path)
    try:
        summary = _read_sum(db.with_suffix(".sum"))
        db_crc = summary.pop("db_crc", None)
        if summary != _expected_sum(store_path, fp, version) or str(_crc_of(db)) != db_crc:
            return None
        conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
        conn.execute("SELECT count(*) FROM events").fetchone()
    except (OSError, ValueError, sqlite3.Error):
        return None
    return CachedFile(conn, str(store_path))


class CachedFile:
    """One store file's events in SQLite. Rows come in `Event.sort_key` order."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path

    # The SQL form of `query.Filter.matches`; tests check that both select the same events.
    def _where(self, flt: Filter) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        for table, values in (
            ("minerals", flt.minerals),
            ("countries", flt.countries),
            ("tags", flt.tags),
            ("destinations", flt.destinations),
        ):
            if values is not None:
                marks = ",".join("?" * len(values))
                clauses.append(f"e.n IN (SELECT n FROM {table} WHERE name IN ({marks}))")
                args.extend(sorted(values))
        if flt.categories is not None:
            clauses.append(f"e.category IN ({','.join('?' * len(flt.categories))})")
            args.extend(sorted(flt.categories))
        if flt.issuers is not None:
            clauses.append(f"e.issuer IN ({','.join('?' * len(flt.issuers))})")
            args.extend(sorted(flt.issuers))
        if flt.confirmed:
            clauses.append("e.confidence = 'confirmed'")
        if flt.has_window():
            window = []
            if flt.since is not None:
                window.append("t.last >= ?")
                args.append(flt.since.toordinal())
            if flt.until is not None:
                window.append("t.first <= ?")
                args.append(flt.until.toordinal())
            inside = f"e.n IN (SELECT t.n FROM targets t WHERE {' AND '.join(window)})"
            extended = [i for i, ends in (flt.extended or {}).items()
                        if any(flt.in_window(d) for d in ends)]  # fmt: skip
            if extended:
                inside = f"({inside} OR e.id IN ({','.join('?' * len(extended))}))"
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
        return self.conn.execute(sql, args)

    def rows(self, column: str, flt: Filter, *, reverse: bool = False, limit: int | None = None):
        """((first, precision, id), text) of the matching events in date order: the `list`
        line ("list_line") or the JSON fragment ("json", made from the stored record)."""
        if column == "list_line":
            join = "JOIN texts t ON t.n = e.n"
            for first, prec, event_id, text in self._ordered("t.list_line", join, flt, reverse,
                                                             limit):  # fmt: skip
                yield (first, prec, event_id), text
            return
        join = "JOIN records r ON r.n = e.n"
        for first, prec, event_id, record in self._ordered("r.record", join, flt, reverse, limit):
            yield (
                (first, prec, event_id),
                json_fragment(_event_from(marshal.loads(record), self.path)),
            )

    def events(self, flt: Filter | None = None) -> list[Event]:
        join = "JOIN records r ON r.n = e.n"
        rows = self._ordered("r.record", join, flt or Filter(), False, None)
        return [_event_from(marshal.loads(r), self.path) for *_key, r in rows]

    def get(self, event_id: str) -> Event | None:
        row = self.conn.execute(
            "SELECT r.record FROM events e JOIN records r ON r.n = e.n WHERE e.id = ?", (event_id,)
        ).fetchone()
        return _event_from(marshal.loads(row[0]), self.path) if row else None

    def relations(self) -> list[Event]:
        """The events that suspend, extend or end another event."""
        sql = ("SELECT r.record FROM records r WHERE r.n IN "
               "(SELECT n FROM refs WHERE field IN ('suspends', 'extends', 'ends'))")
        return [_event_from(marshal.loads(r), self.path) for (r,) in self.conn.execute(sql)]

    def current_to(self) -> PartialDate | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'current_to'").fetchone()
        return PartialDate.parse(row[0]) if row else None

    def tags(self) -> list[str]:
        return [t for (t,) in self.conn.execute("SELECT DISTINCT name FROM tags")]

    def id_lines(self) -> list[tuple[str, int | None]]:
        return list(self.conn.execute("SELECT id, line FROM events"))

    def ids(self) -> list[str]:
        return [i for (i,) in self.conn.execute("SELECT id FROM events")]

    def external_refs(self) -> list[tuple[str, str, str, int | None]]:
        """(event id, field, referenced id, line) for references to ids outside this file."""
        return list(self.conn.execute("SELECT id, field, ref, line FROM external_refs"))

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def _date_tuple(date: PartialDate | None):
    return None if date is None else (date.year, date.month, date.day)


def _date_from(value) -> PartialDate | None:
    return None if value is None else PartialDate.trusted(*value)


def _event_tuple(e: Event) -> tuple:
    return (
        e.id, _date_tuple(e.date), e.title, e.category, e.summary, e.minerals, e.countries,
        e.tags, _date_tuple(e.effective), _date_tuple(e.expires), e.suspends, e.related,
        e.confidence,
        tuple((s.title, s.url, s.publisher, _date_tuple(s.accessed)) for s in e.sources),
        e.origin.line if e.origin else None, e.issuer, e.applies_to, e.extends, e.ends,
    )  # fmt: skip


def _event_from(t: tuple, path: str) -> Event:
    return Event.trusted(
        id=t[0], date=PartialDate.trusted(*t[1]), title=t[2], category=t[3], summary=t[4],
        minerals=t[5], countries=t[6], tags=t[7], effective=_date_from(t[8]),
        expires=_date_from(t[9]), suspends=t[10], related=t[11], confidence=t[12],
        sources=tuple(Source(s[0], s[1], s[2], _date_from(s[3])) for s in t[13]),
        origin=Origin(path, t[14]), issuer=t[15], applies_to=t[16], extends=t[17], ends=t[18],
    )  # fmt: skip


# --- building a cache ------------------------------------------------------------------------

# Small columns that filters and ordering read stay in `events`; the wide ones live in tables
# of their own, read only for the rows a command prints.
_SCHEMA = """
CREATE TABLE events (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, line INTEGER, first INTEGER NOT NULL,
    last INTEGER NOT NULL, prec INTEGER NOT NULL, category TEXT NOT NULL, issuer TEXT,
    confidence TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE texts (n INTEGER PRIMARY KEY, list_line TEXT NOT NULL, search TEXT NOT NULL);
CREATE TABLE records (n INTEGER PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE minerals (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE countries (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE tags (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE destinations (name TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE targets (n INTEGER NOT NULL, kind TEXT NOT NULL, first INTEGER NOT NULL,
                      last INTEGER NOT NULL);
CREATE TABLE refs (n INTEGER NOT NULL, field TEXT NOT NULL, ref TEXT NOT NULL);
CREATE TABLE external_refs (id TEXT, field TEXT, ref TEXT, line INTEGER);
"""
_INDEXES = """
CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_order ON events (first, prec, id);
CREATE INDEX events_category ON events (category, first);
CREATE INDEX minerals_name ON minerals (name, n);
CREATE INDEX countries_name ON countries (name, n);
CREATE INDEX tags_name ON tags (name, n);
CREATE INDEX destinations_name ON destinations (name, n);
CREATE INDEX targets_last ON targets (last);
CREATE INDEX refs_field ON refs (field, n);
"""


def build_cache(
    cache_dir: Path,
    store_path: Path,
    fp: Fingerprint,
    version: str,
    events: Sequence[Event],
    *,
    list_line,
    search_text,
    current_to: PartialDate | None = None,
) -> None:
    """Write the cache for a valid store file. Failures are silent: a cache is an optimisation,
    and the next run simply parses again."""
    db = cache_file(cache_dir, store_path)
    tmp_db = db.with_name(f".{db.name}.{os.getpid()}.tmp")
    tmp_sum = db.with_name(f".{db.stem}.sum.{os.getpid()}.tmp")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            tmp_db.unlink()
        conn = sqlite3.connect(tmp_db)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
            _fill(conn, events, list_line, search_text)
            if current_to is not None:
                conn.execute("INSERT INTO meta VALUES ('current_to', ?)", (str(current_to),))
            conn.executescript(_INDEXES)
            conn.commit()
        finally:
            conn.close()
        summary = _expected_sum(store_path, fp, version)
        summary["db_crc"] = str(_crc_of(tmp_db))
        _write_sum(tmp_sum, summary)
        os.replace(tmp_db, db)
        os.replace(tmp_sum, db.with_suffix(".sum"))
    except (OSError, sqlite3.Error):
        pass
    finally:
        for leftover in (tmp_db, tmp_sum):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _fill(conn: sqlite3.Connection, events: Sequence[Event], list_line, search_text) -> None:
    ids = {e.id for e in events}
    rows: list[tuple] = []
    texts: list[tuple] = []
    records: list[tuple] = []
    minerals: list[tuple] = []
    countries: list[tuple] = []
    tags: list[tuple] = []
    destinations: list[tuple] = []
    targets: list[tuple] = []
    refs: list[tuple] = []
    external: list[tuple] = []
    for n, e in enumerate(events):
        line = e.origin.line if e.origin else None
        rows.append((n, e.id, line, e.date.first().toordinal(), e.date.last().toordinal(),
                     _PRECISION[e.date.precision], e.category, e.issuer,
                     e.confidence))  # fmt: skip
        texts.append((n, list_line(e), search_text(e)))
        records.append((n, marshal.dumps(_event_tuple(e))))
        minerals.extend((m, n) for m in e.minerals)
        countries.extend((c, n) for c in e.countries)
        tags.extend((t.casefold(), n) for t in e.tags)
        destinations.extend((d, n) for d in e.applies_to)
        targets.extend(
            (n, kind, d.first().toordinal(), d.last().toordinal()) for kind, d in e.targets()
        )
        for name in _REFERENCES:
            refs.extend((n, name, r) for r in getattr(e, name))
            external.extend((e.id, name, r, line) for r in getattr(e, name) if r not in ids)
    conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO texts VALUES (?,?,?)", texts)
    conn.executemany("INSERT INTO records VALUES (?,?)", records)
    for table, values in (("minerals", minerals), ("countries", countries), ("tags", tags),
                          ("destinations", destinations)):
        conn.executemany(f"INSERT INTO {table} VALUES (?,?)", values)
    conn.executemany("INSERT INTO targets VALUES (?,?,?,?)", targets)
    conn.executemany("INSERT INTO refs VALUES (?,?,?)", refs)
    conn.executemany("INSERT INTO external_refs VALUES (?,?,?,?)", external)
