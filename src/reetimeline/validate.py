"""The rules between events: ids are unique and references name events that exist.

One reference check, used by `check` (within a file and across files, parsed or cached), `add`
and `import`. The rules of a single event's fields are `store.parse.parse_event`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter

from .errors import Problem
from .model import Event, Origin
from .vocab import did_you_mean

# Every field of Event that holds ids of other events; each is checked, cached and looked up the
# same way (store/cache.py keeps them in one `refs` table).
REFERENCE_FIELDS: tuple[str, ...] = ("suspends", "extends", "ends", "related")


def reference_problems(
    events: Iterable[Event],
    exists: Callable[[str], bool],
    candidates: Callable[[], Iterable[str]],
    *,
    where: str = "<unknown>",
    itself: bool = True,
) -> list[Problem]:
    """A reference to the event itself (unless not `itself`), or to an id for which `exists`
    is false (with the closest of `candidates()` as a did-you-mean). `where` names events
    without an origin."""
    problems: list[Problem] = []
    fields = attrgetter(*REFERENCE_FIELDS)
    for event in events:
        named = fields(event)
        if not any(named):  # most events refer to nothing
            continue
        for name, refs in zip(REFERENCE_FIELDS, named, strict=True):
            for ref in refs:
                if ref == event.id:
                    if itself:
                        message = f"'{ref}' is this event itself"
                        problems.append(_problem(event, name, message, where))
                elif not exists(ref):
                    hint = did_you_mean(ref, candidates())
                    message = f"no event '{ref}' in the stores{hint}"
                    problems.append(_problem(event, name, message, where))
    return problems


def check_references(
    events: Sequence[Event],
    *,
    external_ok: bool = False,
    unparsed: Sequence[tuple[str, int | None]] = (),
    path: str = "?",
) -> list[Problem]:
    """Duplicate ids among `events` (one file), and their references (unless `external_ok`:
    references to ids outside these events are then left for the check across files).

    `unparsed` are the (id, line) of the file's events that have problems of their own: their
    ids still count, so a duplicate of one is reported and a reference to one is not (the
    event's own problems say what is wrong with it)."""
    problems: list[Problem] = []
    first: dict[str, Event] = {}
    for event in events:
        if event.id in first:
            also = where_of(first[event.id])
            problems.append(_problem(event, "id", f"duplicate id, also at {also}"))
        else:
            first[event.id] = event
    known: Mapping[str, object] = first
    if unparsed:
        problems = _duplicates_with_unparsed(events, unparsed, path)
        known = dict.fromkeys([*first, *(i for i, _line in unparsed)])
    exists = (lambda _ref: True) if external_ok else known.__contains__
    return problems + reference_problems(events, exists, lambda: known)


def _duplicates_with_unparsed(
    events: Sequence[Event], unparsed: Sequence[tuple[str, int | None]], path: str
) -> list[Problem]:
    """Duplicate ids in one file among its events and the ids of its unparsed events, each
    reported at the later of the two, in file order."""
    claims: list[tuple[int, str, Event | None, int | None]] = [
        (e.origin.line if e.origin and e.origin.line else 0, e.id, e, None) for e in events
    ]
    claims += [(line or 0, i, None, line) for i, line in unparsed]
    claims.sort(key=lambda claim: claim[0])  # stable: ties keep the order above
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for _order, event_id, event, line in claims:
        if event_id in first:
            message = f"duplicate id, also at {first[event_id]}"
            if event is not None:
                problems.append(_problem(event, "id", message))
            else:
                problems.append(Problem(path, message, line, None, event_id, "id"))
        elif event is not None:
            first[event_id] = where_of(event)
        else:
            first[event_id] = f"{path}:{line}" if line else path
    return problems


def cross_file_problems(
    owners: Iterable[tuple[str, str, int | None]],
    parsed: Sequence[Event],
    external: Iterable[tuple[str, str, str, str, int | None]],
) -> list[Problem]:
    """Problems only visible across files: an id in two files, and references between files.

    `owners`: (id, file, line) of every event in every file, in file order; `parsed`: the events
    parsed now; `external`: (file, event id, field, referenced id, line) of each cached file's
    references to ids outside it."""
    problems: list[Problem] = []
    where: dict[str, str] = {}
    first_path: dict[str, str] = {}
    for event_id, path, line in owners:
        here = f"{path}:{line}" if line else path
        if event_id in where and first_path[event_id] != path:
            problems.append(Problem(path, f"duplicate id, also at {where[event_id]}", line, None,
                                    event_id, "id"))  # fmt: skip
        where.setdefault(event_id, here)
        first_path.setdefault(event_id, path)
    # references to the event itself were reported with the event's own file
    problems += reference_problems(parsed, where.__contains__, lambda: where, itself=False)
    for path, event_id, name, ref, line in external:
        if ref not in where:
            problems.append(Problem(path, f"no event '{ref}' in the stores", line, None,
                                    event_id, name))  # fmt: skip
    return problems


def where_of(event: Event) -> str:
    origin = event.origin
    if origin is None:
        return "?"
    return f"{origin.path}:{origin.line}" if origin.line else origin.path


def _problem(event: Event, field_name: str, message: str, where: str = "<unknown>") -> Problem:
    origin = event.origin or Origin(where)
    return Problem(origin.path, message, origin.line, None, event.id, field_name)
