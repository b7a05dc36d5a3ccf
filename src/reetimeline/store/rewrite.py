"""Replacing events of a store file in place (`import --update`), atomically, under the lock
that appending takes.

The text of each replaced event's `[[events]]` table (from its header to the last key line
before the next header) is swapped for the new table; every other byte stays: the header
comments, the other events with their comments and order, the blank lines and comments between
tables. New events are appended at the end, as `append_events` writes them. The result is parsed
whole and must read back as exactly the old events with the replaced ones swapped and the new
ones after them, or nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import DataError, Problem, WriteError
from ..model import Event, PartialDate
from .files import MAX_STORE_BYTES
from .parse import header_offsets, parse_toml, read_document, string_spans
from .write import locked_store, read_whole, render_events_toml, replace_file, with_horizon


class Rewritten(NamedTuple):
    updated: list[Event]  # as read back (or as they would be, in a dry run)
    added: list[Event]
    unchanged: list[str]  # ids


def update_events(
    path: Path,
    events: Sequence[Event],
    *,
    verify: Callable[[Sequence[Event]], None] | None = None,
    dry_run: bool = False,
) -> Rewritten:
    """Put `events` into the store file at `path`: an event whose id the file holds replaces it
    when it differs (an event without a `current_to` of its own takes the file's, as it would
    once written), an event that is the same is left, any other event is appended. The caller
    has made sure that no id of `events` belongs only to another store. `verify(events)`, if
    given, is called with every event of the file as it would be (the references between them,
    which an event replaced may break) and raises to refuse."""
    target = Path(os.path.realpath(path))
    name = str(path)
    with locked_store(target):
        source, text, document, old, info = read_whole(target, name)
        horizon = PartialDate.parse(info.current_to) if info.current_to else None
        index = {e.id: i for i, e in enumerate(old)}
        updated: dict[int, Event] = {}
        added: list[Event] = []
        unchanged: list[str] = []
        for event in with_horizon(events, horizon):
            position = index.get(event.id)
            if position is None:
                added.append(event)
            elif old[position] == event:
                unchanged.append(event.id)
            else:
                updated[position] = event
        result = Rewritten([updated[i] for i in sorted(updated)], added, unchanged)
        expected = [updated.get(i, e) for i, e in enumerate(old)] + added
        if verify is not None and updated:
            verify(expected)
        if dry_run or not (updated or added):
            return result
        offsets = header_offsets(text) if old else []
        if updated and (not info.appendable or len(offsets) != len(old)):
            raise DataError([Problem(name, "--update replaces events written as [[events]] "
                                     "tables; this file's events are not all tables: nothing "
                                     "was written")])  # fmt: skip
        new_text = _replaced(text, offsets, updated, horizon, info.newline)
        if added:
            new_text = _appended(new_text, added, horizon, info.newline)
        read_back = _read_back(name, new_text, document)
        if read_back != expected:
            raise WriteError(f"{name}: the rewritten store did not read back as the events "
                             "expected; nothing was written")  # fmt: skip
        data = new_text.encode("utf-8")
        if len(data) > MAX_STORE_BYTES:
            raise DataError([Problem(name, f"would grow to {len(data):,} bytes, more than the "
                                     f"{MAX_STORE_BYTES >> 20} MiB a store may hold; nothing "
                                     "was written")])  # fmt: skip
        replace_file(target, data, expected_old=source.data, display=name)
    by_id = {e.id: e for e in read_back}
    return Rewritten([by_id[e.id] for e in result.updated], [by_id[e.id] for e in added],
                     unchanged)  # fmt: skip


def _replaced(
    text: str,
    offsets: Sequence[int],
    updated: dict[int, Event],
    horizon: PartialDate | None,
    newline: str,
) -> str:
    """`text` with the table of each event at an index of `updated` swapped for the new one."""
    if not updated:
        return text
    pieces: list[str] = []
    done = 0
    for index in sorted(updated):
        begin = offsets[index]
        end = offsets[index + 1] if index + 1 < len(offsets) else len(text)
        end = begin + _table_length(text[begin:end])
        table = render_events_toml([updated[index]], horizon).rstrip("\n")
        pieces += [text[done:begin], table.replace("\n", newline)]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _table_length(span: str) -> int:
    """How much of `span` (a table's text up to the next header) is the table itself: the
    blank and comment lines at its end belong to what follows (the next event's comments),
    unless they are inside a multi-line string of the table."""
    strings = string_spans(span)
    last_string_end = strings[-1][1] if strings else 0
    lines = span.splitlines(keepends=True)
    length = len(span)
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        if length - len(lines[-1]) < last_string_end:
            break
        length -= len(lines.pop())
    return len(span[:length].rstrip("\r\n"))


def _appended(text: str, added: Sequence[Event], horizon: PartialDate | None, newline: str) -> str:
    addition = render_events_toml(added, horizon).replace("\n", newline)
    if not text or text.endswith(("\n\n", "\r\n\r\n")):
        separator = ""
    else:
        separator = newline if text.endswith("\n") else newline * 2
    return text + separator + addition


def _read_back(name: str, text: str, old_document: dict) -> list[Event]:
    document, problem = parse_toml(name, text)
    if problem:
        raise WriteError(f"{name}: refusing to write text that does not parse: {problem}")
    if {k: v for k, v in document.items() if k != "events"} != {
        k: v for k, v in old_document.items() if k != "events"
    }:
        raise WriteError(f"{name}: the rewritten store changed more than its events; nothing "
                         "was written")  # fmt: skip
    events, problems, _info = read_document(name, text, document)
    if problems:
        raise DataError(problems)
    return events
