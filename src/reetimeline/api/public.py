"""The Python API's functions and rows (`reetimeline.api` re-exports them: see its docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..model import ALARM_ON
from . import answers

if TYPE_CHECKING:
    from ..engine.briefing import Matrix
    from ..engine.query import Filter
    from ..output.formats.cells import Sheet
    from ..store import Store

# --- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """One event as the store has it (`list --json`). `sources`: (title, url, publisher); the
    url is None for a reference to a document by its title. `from_` (`from` in JSON) where it
    comes from: `curated`, `user` or `team:NAME` (None: not known)."""

    id: str
    date: str
    precision: str
    title: str
    summary: str | None
    category: str
    minerals: tuple[str, ...]
    countries: tuple[str, ...]
    tags: tuple[str, ...]
    effective: str | None
    expires: str | None
    suspends: tuple[str, ...]
    related: tuple[str, ...]
    confidence: str
    issuer: str | None
    applies_to: tuple[str, ...]
    extends: tuple[str, ...]
    ends: tuple[str, ...]
    kind: str | None
    partial: bool
    part_of: str | None
    confirms: tuple[str, ...]
    current_to: str | None
    sources: tuple[tuple[str, str | None, str | None], ...]
    from_: str | None = None


@dataclass(frozen=True)
class StatusRow:
    """The state of one measure on the as-of date (`status --json`): `kind` what it restricts
    (None: not classified), `flow` which trade ("exports from CN to all but CN"), `part_of` its
    package; `since` and `until` are the first and last scheduled day of the state, as
    written; `by` the suspending or ending event; `partial_by` and `partial_until` the partial
    suspension that covers it while it stays in force, and its last day (`partial_unconfirmed`:
    that day passed after the horizon and nothing reports what followed); `reported_by` the
    event that reports the scheduled change behind the state (`confirms`); `current_to` the
    horizon that applies to the state (the store's of the event that scheduled its change, else
    the measure's); `note` the state in words; `history` whether a view of today leaves it out
    unless asked for all (expired or ended more than a year before the as-of date); `from_`
    (`from` in JSON) where the measure comes from: `curated`, `user` or `team:NAME` (None: not
    known)."""

    id: str
    title: str
    category: str
    kind: str | None
    flow: str
    part_of: str | None
    state: str
    since: str | None
    until: str | None
    by: str | None
    extended_by: str | None
    confidence: str
    never_took_effect: bool
    scheduled: str | None
    last_known: str | None
    lapsed: str | None
    partial_by: str | None
    partial_until: str | None
    partial_unconfirmed: bool
    issuer: str | None
    applies_to: tuple[str, ...]
    reported_by: str | None
    current_to: str | None
    note: str
    history: bool
    from_: str | None = None

    # the fields that hold dates (as written: a day, a month or a year): date cells in xlsx
    DATES: ClassVar[tuple[str, ...]] = ("since", "until", "partial_until", "current_to")


@dataclass(frozen=True)
class TargetRow:
    """One dated target, counted in calendar days from the as-of date (`countdown --json`):
    `kind` is date, effective or expires; `days` is negative for a date that has passed;
    `from_` (`from` in JSON) where the event comes from (`Provenance.code`: `curated`, `user`,
    `team:NAME`)."""

    id: str
    title: str
    category: str
    kind: str
    date: str
    precision: str
    days: int
    when: str
    confidence: str
    extended_by: str | None
    superseded: bool
    replaced_by: str | None
    unconfirmed: bool
    from_: str | None = None

    DATES: ClassVar[tuple[str, ...]] = ("date",)


@dataclass(frozen=True)
class ChangeRow:
    """One change on one day of a window (`changes --json`): `confidence` how sure the sources
    are, `cited` how many sources the event cites, `from_` (`from` in JSON) where the event
    comes from (`Provenance.code`)."""

    date: dt.date
    id: str
    title: str
    category: str
    change: str
    by: str | None
    confidence: str
    cited: int
    note: str
    from_: str | None = None

    DATES: ClassVar[tuple[str, ...]] = ("date",)


@dataclass(frozen=True)
class ControlRow:
    """One measure in a matrix cell: its id, kind (None: not classified), state, the first and
    last day of that state, and the state in words."""

    id: str
    kind: str | None
    state: str
    since: str | None
    until: str | None
    confidence: str
    note: str


@dataclass(frozen=True)
class MatrixCell:
    """One cell of the grid of minerals by destinations (`status --matrix`): `state` is the
    state of the strictest control on the material (None when none applies); `material` the
    controls on the material itself (ban, licensing, informal, unclassified), strictest kind
    first; `targeted` (end-use bans, entity listings) and `technology` (technology,
    extraterritorial) the controls shown apart; `text` the cell in words."""

    mineral: str
    destination: str
    state: str | None
    material: tuple[ControlRow, ...]
    targeted: tuple[ControlRow, ...]
    technology: tuple[ControlRow, ...]
    text: str

    DATES: ClassVar[tuple[str, ...]] = ()


def record(row: Any) -> dict[str, Any]:
    """A row as the command line's `--json` prints it: tuples as lists, dates as ISO text, a
    field named for a Python keyword (`from_`) without its underscore."""

    def plain(value: Any) -> Any:
        if is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    return {_json_name(f.name): plain(getattr(row, f.name)) for f in fields(row)}


def _json_name(field: str) -> str:
    """A row's field as `--json` names it: `from_` is `from`."""
    return field.rstrip("_")


def sheet(name: str, row_type: type, rows: Sequence[Any], *, about: Iterable[tuple[str, Any]],
          document: Any = None) -> Sheet:  # fmt: skip
    """An answer's rows as one table for `-o FILE` (csv, xlsx, json): its columns are the fields
    of `row_type` (those of its `--json` records, defined once by the row class), its records
    those `record` makes, its date columns the class's `DATES`."""
    from ..output.formats.cells import Sheet

    dates = frozenset(getattr(row_type, "DATES", ()))
    return Sheet(name, tuple(_json_name(f.name) for f in fields(row_type)), dates,
                 [record(row) for row in rows], tuple(about), document)  # fmt: skip


def _id(event: Any) -> str | None:
    return event.id if event is not None else None


def _text(date: Any) -> str | None:
    return str(date) if date else None


def event_row(event: Any, source: str | None = None) -> EventRow:
    """An event of the store as a row; `source` where it comes from (`Provenance.code`)."""
    return EventRow(
        event.id, str(event.date), event.date.precision, event.title, event.summary,
        event.category, tuple(event.minerals), tuple(event.countries), tuple(event.tags),
        _text(event.effective), _text(event.expires), tuple(event.suspends),
        tuple(event.related), event.confidence, event.issuer, tuple(event.applies_to),
        tuple(event.extends), tuple(event.ends), event.kind, event.partial, event.part_of,
        tuple(event.confirms), _text(event.current_to),
        tuple((s.title, s.url, s.publisher) for s in event.sources), source,
    )  # fmt: skip


def status_row(s: Any, source: str | None = None) -> StatusRow:
    """The engine's state of a measure as a row; `source` where it comes from
    (`Provenance.code`)."""
    from ..engine.states import is_history
    from ..output.words import flow_words, status_note

    event = s.event
    return StatusRow(
        event.id, event.title, event.category, event.kind, flow_words(event), event.part_of,
        s.state, _text(s.since), _text(s.until), _id(s.by), _id(s.extended_by), s.confidence,
        s.never_took_effect, s.scheduled, s.last_known, _id(s.lapsed),
        _id(getattr(s, "partial_by", None)), _text(getattr(s, "partial_until", None)),
        bool(getattr(s, "partial_unconfirmed", False)), event.issuer, tuple(event.applies_to),
        _id(getattr(s, "reported_by", None)), _text(s.horizon.date or event.current_to),
        status_note(s), s.as_of is not None and is_history(s, s.as_of), source,
    )  # fmt: skip


def control_row(control: Any) -> ControlRow:
    """A control of the engine's matrix cell as a row."""
    from ..output.words import status_note

    s = control.status
    return ControlRow(s.event.id, control.kind, s.state, _text(s.since), _text(s.until),
                      s.confidence, status_note(s))  # fmt: skip


def matrix_cell(mineral: str, destination: str, cell: Any) -> MatrixCell:
    """The engine's matrix cell as a row."""
    from ..output.words import cell_text

    return MatrixCell(mineral, destination, cell.state,
                      tuple(control_row(c) for c in cell.material),
                      tuple(control_row(c) for c in cell.targeted),
                      tuple(control_row(c) for c in cell.technology), cell_text(cell))  # fmt: skip


def target_row(t: Any, source: str | None = None) -> TargetRow:
    """The engine's dated target as a row; `source` where its event comes from
    (`Provenance.code`)."""
    from ..output.words import describe_days

    return TargetRow(
        t.event.id, t.event.title, t.event.category, t.kind, str(t.date), t.date.precision,
        t.days, describe_days(t), t.confidence, _id(t.extended_by), t.superseded,
        _id(t.replaced_by), t.unconfirmed, source,
    )  # fmt: skip


def change_row(c: Any, source: str | None = None) -> ChangeRow:
    """The engine's change as a row; `source` where its event comes from (`Provenance.code`)."""
    from ..output.words import change_note

    return ChangeRow(c.date, c.event.id, c.event.title, c.event.category, c.change, _id(c.by),
                     c.confidence, len(c.event.sources), change_note(c), source)  # fmt: skip


# --- loading and filtering ---------------------------------------------------------------------


def load(*paths: str | Path, curated: bool = True, cache_dir: str | Path | None = None) -> Store:
    """The stores to ask: the curated store (unless `curated=False`) and every store file or
    folder in `paths`, validated together. With `cache_dir`, files are cached there as the
    command line caches them (it uses ~/.cache/reetimeline). Raises DataError listing every
    problem."""
    from .. import store

    files = [Path(p) for p in paths]
    if curated:
        files.insert(0, store.curated_store_path())
    return store.load(files, cache_dir=Path(cache_dir) if cache_dir is not None else None)


def _date(value: Any, what: str) -> Any:
    from ..errors import UsageError
    from ..model import PartialDate

    if value is None or isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.date):
        return PartialDate.parse(value.isoformat())
    try:
        return PartialDate.parse(str(value))
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from None


def where(
    *,
    minerals: Iterable[str] = (),
    countries: Iterable[str] = (),
    categories: Iterable[str] = (),
    tags: Iterable[str] = (),
    text: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    exact: bool = False,
    issuers: Iterable[str] = (),
    destinations: Iterable[str] = (),
    confirmed: bool = False,
    kinds: Iterable[str] = (),
    origins: Iterable[str] = (),
) -> Filter:
    """The filter the keyword arguments describe (as the command line's filter options)."""
    from ..engine.query import make_filter

    return make_filter(
        minerals=list(minerals), countries=list(countries),
        categories=[c.casefold() for c in categories], tags=list(tags), text=text,
        since=_date(since, "since"), until=_date(until, "until"), exact=exact,
        issuers=list(issuers), destinations=list(destinations), confirmed=confirmed,
        kinds=[k.casefold() for k in kinds], origins=list(origins),
    )  # fmt: skip


def _ask(stores: Store | None, flt: Filter | None, filters: dict[str, Any]) -> tuple:
    """The stores (default: the curated store) and the filter (default: from `filters`)."""
    return (stores if stores is not None else load(),
            flt if flt is not None else where(**filters))


# --- the use cases -----------------------------------------------------------------------------


def list_events(stores: Store | None = None, *, reverse: bool = False, limit: int | None = None,
                flt: Filter | None = None, **filters: Any) -> list[EventRow]:  # fmt: skip
    """The events that match, sorted by date (newest first with `reverse`), at most `limit`."""
    stores, flt = _ask(stores, flt, filters)
    return [event_row(e, stores.provenance(e).code)
            for e in stores.select(flt, reverse=reverse, limit=limit)]


def status(stores: Store | None = None, *, as_of: dt.date, flt: Filter | None = None,
           ids: Collection[str] | None = None, **filters: Any) -> list[StatusRow]:  # fmt: skip
    """The state of each matching measure on `as_of` (`reetimeline status --json`), today first
    and history included (each row's `history` says whether the view leaves it out without
    --all); with `ids`, only those measures."""
    stores, flt = _ask(stores, flt, filters)
    rows = answers.today(stores, flt, as_of, ids=ids, show_all=True).rows
    return [status_row(s, stores.provenance(s.event).code) for s in rows]


def countdown(stores: Store | None = None, *, as_of: dt.date, within: int | None = None,
              recent: int | None = None, show_all: bool = False, flt: Filter | None = None,
              **filters: Any) -> list[TargetRow]:  # fmt: skip
    """Calendar days from `as_of` to every dated target (`reetimeline countdown`): every
    upcoming one and those lapsed in the last 30 days; `within` days ahead only (lapsed ones
    only with `recent`); `show_all` also those lapsed long ago, and the ends an extension or an
    end replaced (`superseded`)."""
    stores, flt = _ask(stores, flt, filters)
    rows = answers.countdown(stores, flt, as_of, within=within, recent=recent,
                             show_all=show_all)  # fmt: skip
    return [target_row(t, stores.provenance(t.event).code) for t in rows]


def changes(stores: Store | None = None, *, as_of: dt.date, first: dt.date | None = None,
            last: dt.date | None = None, flt: Filter | None = None,
            **filters: Any) -> list[ChangeRow]:  # fmt: skip
    """What changed from `first` to `last`, both included (default: the 7 days before `as_of`
    to `as_of`), as known on `as_of` (`reetimeline changes`); `first` or `last` after `as_of`
    is a `UsageError` (changes look back)."""
    first, last = answers.window(as_of, first, last, names=("first", "last", "as_of"))
    stores, flt = _ask(stores, flt, filters)
    return [change_row(c, stores.provenance(c.event).code)
            for c in answers.changes(stores, flt, as_of, first, last)]


def matrix_grid(stores: Store, flt: Filter, as_of: dt.date, *,
                destinations: Sequence[str] = (), minerals: Sequence[str] = (),
                exact: bool = False) -> Matrix:  # fmt: skip
    """The engine's grid of minerals by destinations (what `status --matrix` draws): the
    destinations as named (default US, JP, KR, EU and all); the rows `minerals` (a group by its
    members unless `exact`), else the minerals the measures name. `flt` selects the measures
    (its destinations are ignored: they are the columns)."""
    from ..engine import briefing
    from ..engine.query import resolve_names
    from ..vocab import COUNTRIES_VOCAB, MINERALS

    columns: tuple[str, ...] = briefing.DEFAULT_DESTINATIONS
    if destinations:
        columns = tuple(dict.fromkeys(
            "all" if name.casefold() == "all"
            else resolve_names([name], COUNTRIES_VOCAB, option="--to")[0]
            for name in destinations))  # fmt: skip
    rows = None
    if minerals:
        named: list[str] = []
        for name in resolve_names(list(minerals), MINERALS, option="--mineral"):
            named.extend(_members(name, MINERALS.groups) if not exact else [name])
        rows = list(dict.fromkeys(named))
    states = answers.status(stores, flt._replace(destinations=None), as_of)
    return briefing.matrix(states, columns, rows)


def _members(name: str, groups: Any) -> list[str]:
    """A group's single minerals (through its subgroups); a mineral itself."""
    if name not in groups:
        return [name]
    return [m for member in groups[name] for m in _members(member, groups)]


def matrix(stores: Store | None = None, *, as_of: dt.date, destinations: Sequence[str] = (),
           minerals: Sequence[str] = (), exact: bool = False, flt: Filter | None = None,
           **filters: Any) -> list[MatrixCell]:  # fmt: skip
    """The grid of `status --matrix`, one row per cell (mineral by destination)."""
    stores, flt = _ask(stores, flt, dict(filters, exact=exact))
    grid = matrix_grid(stores, flt, as_of, destinations=destinations, minerals=minerals,
                       exact=exact)  # fmt: skip
    return [matrix_cell(m, d, grid.cells[m, d]) for m in grid.minerals for d in grid.destinations]


def export(stores: Store | None = None, fmt: str = "csv", *, as_of: dt.date,
           stamp: dt.datetime | None = None, alarm_days: int | None = None, bom: bool = False,
           alarm_on: Sequence[str] = ALARM_ON, flt: Filter | None = None,
           **filters: Any) -> str | bytes:  # fmt: skip
    """The matching events in a format of `reetimeline export` (csv, json, jsonl, ics, md,
    timelinejs: text; xlsx: bytes). `stamp` is the time the file says it was made (default:
    midnight UTC of `as_of`); ICS expiries are as known on `as_of`."""
    stores, flt = _ask(stores, flt, filters)
    return answers.export(stores, flt, fmt, as_of=as_of, stamp=stamp, alarm_days=alarm_days,
                          bom=bom, alarm_on=alarm_on)  # fmt: skip
