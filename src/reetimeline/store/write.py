"""Writing stores: append events atomically under a lock, keeping every old byte."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem, WriteError
from ..model import Event, PartialDate
from .parse import NEW_STORE_HEADER, EventRecord, decode, events_from_document, parse_toml


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


def render_events_toml(events: Sequence[Event]) -> str:
    """`[[events]]` tables for `events`, to append to a store's text.

    tomli-w may write a short array of tables inline (`events = [...]`), which appended after a
    table would silently become a key of the previous event; so the header is checked and, if
    needed, written by hand before the record's own keys.
    """
    import tomli_w

    chunks = []
    for event in events:
        record = event_to_toml_record(event)
        text = tomli_w.dumps({"events": [record]}, multiline_strings=False)
        if not text.startswith("[[events]]\n"):
            text = "[[events]]\n" + tomli_w.dumps(record)
        chunks.append(text)
    return "\n".join(chunks)


def append_events(
    path: Path, events: Sequence[Event], *, other_ids: Iterable[str] = (), rename=None
) -> list[Event]:
    """Append `events` to the store file at `path`, atomically, under an exclusive lock.

    Every byte already in the file is kept; the new text is re-parsed and must read back as
    exactly the old events plus the new ones before it replaces the file. The file is replaced in
    one `os.replace` of a fsynced temporary file in the same folder, keeping its permissions, and
    a path that is a symlink is written through to its target.

    `other_ids` are the ids of the other stores loaded. An id already taken (the file may have
    grown since the caller read it) is an error, unless `rename(event, taken)` is given: then it
    returns the event under a free id (used for ids the tool derived itself).
    Returns the events as written.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{path}: cannot create the folder {folder}: {exc.strerror}") from exc
    with _locked(target):
        _remove_stale_temporaries(target)
        try:
            old_bytes = target.read_bytes()
        except FileNotFoundError:
            old_bytes = b""
        except OSError as exc:
            raise WriteError(f"{path}: cannot read: {exc.strerror}") from exc
        old_text, problem = decode(str(path), old_bytes)
        if problem:
            raise DataError([problem])
        if not old_text.strip() and not old_bytes:
            old_text = NEW_STORE_HEADER
        old_doc, problem = parse_toml(str(path), old_text)
        if problem:
            raise DataError([problem])
        old_events, problems = events_from_document(str(path), old_text, old_doc)
        if problems:
            raise DataError(problems)

        taken = set(other_ids) | {e.id for e in old_events}
        final: list[Event] = []
        for event in events:
            if event.id in taken:
                if rename is None:
                    raise DataError(
                        [
                            Problem(
                                str(path),
                                "id already exists in the store",
                                None,
                                None,
                                event.id,
                                "id",
                            )
                        ]
                    )
                event = rename(event, taken)
            taken.add(event.id)
            final.append(event)

        addition = render_events_toml(final)
        separator = "" if not old_text or old_text.endswith("\n\n") else (
            "\n" if old_text.endswith("\n") else "\n\n"
        )  # fmt: skip
        new_text = old_text + separator + addition
        _verify_append(str(path), old_doc, new_text, final)
        if old_bytes.startswith(b"\xef\xbb\xbf"):
            new_bytes = b"\xef\xbb\xbf" + new_text.encode("utf-8")
        else:
            new_bytes = new_text.encode("utf-8")
        replace_file(target, new_bytes, expected_old=old_bytes, display=str(path))
    return final


def _verify_append(name: str, old_doc: Mapping[str, Any], new_text: str, added: Sequence[Event]):
    new_doc, problem = parse_toml(name, new_text)
    if problem:
        raise WriteError(f"{name}: refusing to write text that does not parse: {problem}")
    old_events = old_doc.get("events", [])
    new_events = new_doc.get("events", [])
    expected = [event_to_toml_record(e) for e in added]
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
    if list(events[len(old_events) :]) != list(added):
        raise WriteError(f"{name}: the appended events did not read back equal")


def _lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


class _locked:
    """An exclusive lock on a lock file beside the store (kept, so it is never raced on)."""

    def __init__(self, target: Path):
        self.path = _lock_path(target)
        self.fd = -1

    def __enter__(self):
        import fcntl

        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot create the lock file: {exc.strerror}") from exc
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

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
    those bytes just before the replace (else nothing is written). On any failure the old file
    is intact and the temporary file is removed.
    """
    from ..safefile import write_bytes

    write_bytes(path, data, expected_old=expected_old, display=display)
