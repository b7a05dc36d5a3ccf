"""Adding and importing events: core operations that return what they did, and the policy of
which store may be written. The command line only parses options and prints the results."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import DataError, Problem, UsageError
from ..model import Event
from ..store import Store, expand_store_paths, load
from ..store.files import is_installed_store
from ..validate import reference_problems


def writable_store(
    stores: Sequence[Path] | None,
    env_stores: Sequence[Path],
    user_store: Path | None,
    *,
    into: Path | None = None,
    in_use: Sequence[Path] = (),
) -> Path:
    """Where `add` and `import` write: `into` (--into: a store file in use, or a `.toml` file
    of a store folder in use, which the write creates), else --store, else $REETIMELINE_STORE,
    else the user store; never the curated store inside the installed package. A folder means
    its events.toml."""
    if into is not None:
        path = chosen_file(into, in_use)
    elif stores:
        if len(stores) > 1:
            raise UsageError("add and import write to one store: give a single --store")
        path = stores[0]
    elif env_stores:
        path = env_stores[0]
    elif user_store is not None:
        path = user_store
    else:
        raise UsageError("no store to write to: give --store")
    if path.is_dir() and into is None:
        path = path / "events.toml"
    # what cannot be written is refused now, before anything is read: --dry-run agrees
    from ..safefile import target_of

    target_of(path)
    if is_installed_store(path):
        raise UsageError(
            f"{path} is the store installed with the tool; write to your own store "
            "(--store FILE, or leave --store out for your user store)"
        )
    return path


def chosen_file(into: Path, in_use: Sequence[Path]) -> Path:
    """`into` if it is a store file in use, or a `.toml` file directly in a store folder in use
    (each person of a team adds to a file of their own); otherwise a usage error."""
    if into.is_dir():
        raise UsageError(f"--into: {into} is a folder; give a file (like {into / 'NAME.toml'})")
    real = _resolved(into)
    folders = [p for p in in_use if p.is_dir()]
    if real in {_resolved(f) for f in expand_store_paths(in_use)}:
        return into
    if into.suffix == ".toml" and _resolved(into.parent) in {_resolved(f) for f in folders}:
        return into
    if into.suffix != ".toml" and any(_resolved(into.parent) == _resolved(f) for f in folders):
        raise UsageError(f"--into: {into} is not a .toml file; the stores of a folder are its "
                         "*.toml files")  # fmt: skip
    where = (f"give a .toml file in a store folder in use ({', '.join(map(str, folders))})"
             if folders else "no store folder is in use: name one with --store")  # fmt: skip
    raise UsageError(f"--into: {into} is not in the stores in use; {where}")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: safefile refuses it with a message
        return path.absolute()


def context_for_writing(paths: Sequence[Path], target: Path, cache_dir: Path | None) -> Store:
    """The stores in use plus the target, for id and reference checks (a target that does not
    exist yet is created by the write)."""
    in_use = [p for p in paths if p.exists() or p.resolve() != target.resolve()]
    files = {p.resolve() for p in expand_store_paths(in_use)}
    if target.exists() and target.resolve() not in files:
        in_use.append(target)
    return load(in_use, cache_dir=cache_dir)


class _Taken:
    """Ids in the stores in use, asked of the store (and its caches) in batches."""

    def __init__(self, loaded: Store):
        self.loaded = loaded
        self.known: dict[str, bool] = {}

    def prefetch(self, ids: Sequence[str]) -> set[str]:
        found = self.loaded.has(list(ids))
        self.known.update((i, i in found) for i in ids)
        return found

    def __contains__(self, event_id: object) -> bool:
        if not isinstance(event_id, str):
            return False
        if event_id not in self.known:
            self.prefetch([event_id])
        return self.known[event_id]


def _check_references(new: Sequence[Event], taken: _Taken, loaded: Store, where: str) -> None:
    """Every reference of the new events names an event in use or another new one."""
    from ..validate import REFERENCE_FIELDS, refs_of

    own = {e.id for e in new}
    refs = [r for e in new for name in REFERENCE_FIELDS for r in refs_of(e, name)]
    taken.prefetch([r for r in dict.fromkeys(refs) if r not in own])
    mine = {e.id: e for e in new}

    def event_of(ref: str) -> Event | None:  # asked only of what `extends`, `ends`, `part_of` name
        return mine.get(ref) or loaded.get(ref)

    problems = reference_problems(
        new,
        lambda ref: ref in own or ref in taken,
        lambda: [*own, *loaded.ids()],
        where=where,
        event_of=event_of,
    )
    if problems:
        raise DataError(problems)


def renamed(event: Event, taken: Container[str]) -> Event:
    """The event under the first free id of `id`, `id-2`, `id-3`, ..."""
    from ..ids import next_free_id

    return replace(event, id=next_free_id(event.id, taken))


class AddResult(NamedTuple):
    event: Event
    target: Path
    written: bool


def add_event(
    record: dict[str, Any],
    *,
    derived_id: bool,
    target: Path,
    paths: Sequence[Path],
    cache_dir: Path | None,
    dry_run: bool = False,
) -> AddResult:
    """Validate one new event like `check` does (fields, vocabularies, references) and append it
    to `target`. A derived id that is taken becomes `id-2`, ...; a given one is a usage error.
    Without a `confidence`, an event with a source is confirmed and one without (a private
    note) reported."""
    from ..store.parse import parse_event
    from ..store.write import append_events

    if "confidence" not in record:
        record = {**record, "confidence": "confirmed" if record.get("sources") else "reported"}

    event, problems = parse_event(record, path="the command line", line=None, label="#1")
    if problems or event is None:
        raise DataError(problems)
    loaded = context_for_writing(paths, target, cache_dir)
    taken = _Taken(loaded)
    _check_references([event], taken, loaded, "the command line")
    if event.id in taken:
        if not derived_id:
            raise UsageError(f"--id: '{event.id}' already exists")
        event = renamed(event, taken)
    if dry_run:
        return AddResult(event, target, False)
    rename = renamed if derived_id else None
    cache = _cache(cache_dir)
    [written] = append_events(target, [event], other_ids=taken, rename=rename, cache=cache)
    return AddResult(written, target, True)


class ImportResult(NamedTuple):
    added: list[Event]
    skipped: list[str]
    target: Path
    written: bool
    how: str = ""  # how the file was read ("CSV separated by semicolons, day-first dates")
    updated: tuple[Event, ...] = ()  # --update: the events replaced
    unchanged: tuple[str, ...] = ()  # --update: the ids left as they were
    # --update: those of `unchanged` that another store in use holds, equal to the row, with
    # where they come from (`Provenance.code`: `curated`, `user`, `team:NAME`)
    elsewhere: tuple[tuple[str, str], ...] = ()


def import_events(
    file: Path,
    fmt: str,
    *,
    target: Path,
    paths: Sequence[Path],
    cache_dir: Path | None,
    skip_existing: bool = False,
    update: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    dayfirst: bool = False,
) -> ImportResult:
    """Read and validate every row of an export file, then append them all to `target`, or
    nothing. An id already in use is refused, or skipped with `skip_existing`. With `update`,
    an event whose id `target` holds replaces it when it changed (`store.rewrite`), and an id
    that only another store in use holds is refused."""
    from ..output.formats import read
    from ..store.write import append_events

    if update and skip_existing:
        raise UsageError("--update and --skip-existing do not go together: --update replaces "
                         "the events that exist, --skip-existing leaves them")  # fmt: skip
    loaded = context_for_writing(paths, target, cache_dir)
    imported = read(file, fmt, progress=progress, dayfirst=dayfirst)
    new, how = imported.events, imported.how
    rows = _Rows(str(file), imported)
    _refuse_twice(new, rows)
    taken = _Taken(loaded)
    existing = taken.prefetch([e.id for e in new])
    if update:
        return _update(rows, new, existing, taken, loaded, target, cache_dir, how, dry_run)
    duplicates = [e.id for e in new if e.id in existing]
    if duplicates and not skip_existing:
        message = "already exists in the stores in use (use --skip-existing to skip it)"
        raise DataError([rows.problem(i, message) for i in duplicates])
    new = [e for e in new if e.id not in existing]
    _check_references(new, taken, loaded, str(file))
    if dry_run or not new:
        return ImportResult(new, duplicates, target, False, how)
    append_events(target, new, other_ids=taken, cache=_cache(cache_dir))
    return ImportResult(new, duplicates, target, True, how)


class _Rows:
    """Where each imported event stands in its file, for problems that name its row."""

    def __init__(self, path: str, imported: Any):
        self.path, self.unit, self.order = path, imported.unit, imported.numbers
        self.numbers = dict(zip((e.id for e in imported.events), self.order, strict=False))

    def problem(self, event_id: str, message: str) -> Problem:
        number = self.numbers.get(event_id)
        return Problem(self.path, message, number, None, event_id, "id", self.unit)


def _refuse_twice(new: Sequence[Event], rows: _Rows) -> None:
    """Two rows of the file with one id (given in its column: a derived id that repeats gets
    `-2` as `add` gives it): bad data, naming both rows."""
    first: dict[str, int] = {}
    problems = []
    for event, number in zip(new, rows.order, strict=True):
        if event.id in first:
            message = (f"stands twice in the file ({rows.unit}s {first[event.id]} and {number}); "
                       "give each its own id")  # fmt: skip
            problems.append(Problem(rows.path, message, number, None, event.id, "id", rows.unit))
        else:
            first[event.id] = number
    if problems:
        raise DataError(problems)


def _update(
    rows: _Rows,
    new: list[Event],
    existing: set[str],
    taken: _Taken,
    loaded: Store,
    target: Path,
    cache_dir: Path | None,
    how: str,
    dry_run: bool,
) -> ImportResult:
    """`import --update`: the events of `target` are replaced, those of other stores are not
    (the curated store is not the user's to change; a team member's file is theirs). A row whose
    id only another store in use holds is left when it equals that event as the store reads it
    (a sheet `export` wrote, re-imported: counted in `unchanged` and `elsewhere`), and refused,
    naming its row, when it differs."""
    from ..store.rewrite import update_events

    own: set[str] = set()
    if existing and target.exists():
        own = load([target], cache_dir=cache_dir).has(sorted(existing))
    others = {e.id: e for e in new if e.id in existing and e.id not in own}
    held = {i: loaded.get(i) for i in others}
    same = tuple(i for i, event in others.items() if held[i] == event)
    changed = [i for i in others if i not in same]
    where = tuple((i, loaded.provenance(held[i] or others[i]).code) for i in same)
    if changed:
        message = (f"exists in another store in use, not in {target}, and differs from it: "
                   "--update replaces only events of the store it writes to (give the row a new "
                   "id, or --into/--store the store that holds it if it is yours)")  # fmt: skip
        raise DataError([rows.problem(i, message) for i in changed])
    new = [e for e in new if e.id not in others]
    _check_references(new, taken, loaded, rows.path)
    if not target.exists():
        if dry_run or not new:
            return ImportResult(new, [], target, False, how, unchanged=same, elsewhere=where)
        from ..store.write import append_events

        added = append_events(target, new, other_ids=taken, cache=_cache(cache_dir))
        return ImportResult(added, [], target, True, how, unchanged=same, elsewhere=where)

    def verify(after: Sequence[Event]) -> None:  # the file's references, with events replaced
        _check_references(after, taken, loaded, str(target))

    done = update_events(target, new, verify=verify, dry_run=dry_run)
    written = not dry_run and bool(done.updated or done.added)
    return ImportResult(done.added, [], target, written, how, tuple(done.updated),
                        (*done.unchanged, *same), where)  # fmt: skip


def _cache(cache_dir: Path | None):
    if cache_dir is None:
        return None
    from ..store.cache import Cache
    from ..store.files import code_stamp

    return Cache(cache_dir, code_stamp())
