"""JSON and JSON Lines, both ways: the `list --json` schema (a list of event objects, or one
object per line), and reading it back (nulls and empty lists are absent, the derived `precision`
is dropped). Problems name the position in the list (JSON) or the line (JSON Lines)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ...errors import Problem
from ...model import Event, event_to_record
from .cells import Sheet


def with_source(event: Event, source: str | None) -> dict[str, Any]:
    """An event's `list --json` object: its record, and `from` (where it comes from:
    `curated`, `user` or `team:NAME`) when known. Import leaves `from` out."""
    record = event_to_record(event)
    if source is not None:
        record["from"] = source
    return record


def to_json(events: Sequence[Event], *, sources: Callable[[Event], str] | None = None,
            **_options) -> str:  # fmt: skip
    """The `list --json` schema: a list of event objects."""
    return json.dumps([with_source(e, sources(e) if sources else None) for e in events],
                      ensure_ascii=False, indent=2) + "\n"  # fmt: skip


def to_jsonl(events: Sequence[Event], *, sources: Callable[[Event], str] | None = None,
             **_options) -> str:  # fmt: skip
    """One `list --json` object per line."""
    return "".join(json.dumps(with_source(e, sources(e) if sources else None),
                              ensure_ascii=False) + "\n" for e in events)  # fmt: skip


def sheet_to_json(sheet: Sheet, **_options) -> str:
    """An answer exactly as its `--json` prints it."""
    from ...text import json_visible

    document = sheet.records if sheet.document is None else sheet.document
    return json_visible(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


def _record(value: Any) -> Any:
    """A `list --json` object as a store record: nulls and empty lists are absent, the derived
    `precision` is dropped."""
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items()
            if k not in ("precision", "from") and v is not None and v != []}  # fmt: skip


def _not_json(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "not JSON this tool reads: nested too deeply"
    return f"not JSON: {getattr(exc, 'msg', exc)}"


def json_rows(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        problems.append(Problem(name, _not_json(exc), getattr(exc, "lineno", None)))
        return
    if not isinstance(data, list):
        problems.append(Problem(name, "must be a list of events, as `export --format json` writes"))
        return
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            problems.append(Problem(name, "must be an object", number, unit="item"))
            continue
        yield number, _record(item)


def jsonl_rows(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, dict]]:
    # JSON escapes "\n" inside strings; other line separators (U+2028, ...) may stand raw in them
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            problems.append(Problem(name, _not_json(exc), number, unit="line"))
            continue
        if not isinstance(item, dict):
            problems.append(Problem(name, "must be an object", number, unit="line"))
            continue
        yield number, _record(item)
