"""Reading the stores in use for a command: problems said on stderr, broken files left out
(exit 1 after the answer), tags checked against the stores."""

import datetime as dt

from .. import store
from ..errors import EXIT_DATA, DataError, UsageError
from ..model import Event
from .options import FilterArgs
from .paths import cache_dir, settings, store_paths, user_store_path
from .printing import say
from .typer_adapter import current_context


def load_store(filters: FilterArgs | None = None) -> store.Store:
    """The stores in use; with `filters`, their tags are checked against the stores' tags.

    A store file with problems is left out and the others answer: every problem is said on
    stderr with a line naming the files left out, and the command exits 1 after its answer.
    When every file has problems there is nothing to answer from: every problem, exit 1."""
    loaded, problems = store.read(store_paths(), cache_dir=cache_dir(), leave_out_broken=True,
                                  deferred=settings().deferred)
    loaded.user_store = user_store_path()  # for where each event comes from (provenance)
    if problems:
        if not loaded.files:
            raise DataError(problems)
        for problem in problems:
            say(str(problem))
        say(left_out_line(loaded.left_out))
        exit_after_answer(EXIT_DATA)
    if loaded.is_empty() and not problems:
        say("no events in " + ", ".join(str(p) for p in loaded.files or store_paths()))
    elif filters is not None and filters.tag:
        check_tags(filters.tag, loaded)
    return loaded


def left_out_line(left_out) -> str:
    """ "left out: team/bob.toml (3 problems); run `reetimeline check`" """
    files = ", ".join(f"{path} ({count} problem{'s' if count != 1 else ''})"
                      for path, count in left_out)  # fmt: skip
    return f"left out: {files}; run `reetimeline check`"


EXIT_AFTER = "reetimeline.exit_after_answer"


def exit_after_answer(code: int) -> None:
    """Let the command answer, then exit with `code` (see `application.Commands.invoke`)."""
    ctx = current_context()
    if ctx is not None:
        ctx.meta[EXIT_AFTER] = max(code, ctx.meta.get(EXIT_AFTER, 0))


def check_tags(tags: list[str], loaded: store.Store) -> None:
    """A tag no event in the stores has is a usage error with a did-you-mean, like an unknown
    mineral: a typo must not look like an empty answer. Tags match case-insensitively."""
    known = sorted({t.casefold() for t in loaded.tags()})
    for tag in tags:
        if tag.casefold() in known:
            continue
        from ..vocab import did_you_mean

        shown = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
        raise UsageError(
            f"--tag: unknown tag '{tag}'{did_you_mean(tag.casefold(), known)}"
            + (f"; tags in the stores: {shown}" if known else "; no event in the stores has a tag")
        )


def selected(filters: FilterArgs, as_of: dt.date | None = None, **kwargs) -> list[Event]:
    flt = filters.build(as_of)  # usage errors before the store is read
    loaded = load_store(filters)
    events = loaded.select(flt, **kwargs)
    if not events and not loaded.is_empty():
        say("no events match")
    return events


def say_if_nothing_matched(count: int, loaded: store.Store) -> None:
    if count == 0 and not loaded.is_empty():
        say("no events match")


def _no_such_event(event_id: str, loaded: store.Store) -> UsageError:
    """ "no event 'october9' (did you mean 'october-9-export-control-package'?); ..." with the
    closest ids (compared without punctuation or case) and a hint to search."""
    from ..engine.query import Filter, title_matches
    from ..vocab import closest_ids, hint

    close = [] if " " in event_id.strip() else closest_ids(event_id, loaded.ids())
    if not close:  # words, as in 'Announcement No. 70': the events they find, those whose
        found = loaded.select(Filter(text=event_id))  # title has them first
        found.sort(key=lambda e: not title_matches(event_id, e))
        close = [e.id for e in found[:3]] or closest_ids(event_id, loaded.ids())
    suggestion = hint(close[0] if close else None)
    if len(close) > 1:
        named = [f"'{i}'" for i in close]
        suggestion = f" (did you mean {', '.join(named[:-1])} or {named[-1]}?)"
    return UsageError(f"no event '{event_id}'{suggestion}; `reetimeline list -q WORDS` searches "
                      "titles, summaries, ids, tags and sources")  # fmt: skip


def event_by_id(event_id: str, loaded: store.Store):
    """The event with this id, or the only one whose id starts with it; several candidates or
    none are a usage error that names them (or the closest id)."""
    event = loaded.get(event_id)
    if event is not None:
        return event
    wanted = event_id.casefold()
    candidates = sorted(i for i in loaded.ids() if i.casefold().startswith(wanted))
    if len(candidates) == 1:
        return loaded.get(candidates[0])
    if not candidates:
        raise _no_such_event(event_id, loaded)
    shown = ", ".join(candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    raise UsageError(f"'{event_id}' starts {len(candidates)} ids: {shown}{more}; give more of it")


def matrix_of(loaded, filters, day):
    """The matrix that `status --matrix` and `report` draw for the same options: the
    destinations (--to) are the columns, the minerals (-m) the rows."""
    from .. import api

    # the destinations are the columns: measures are selected by mineral, not by --to
    flt = filters._replace(to=None).build(day)
    return api.matrix_grid(loaded, flt, day, destinations=filters.to or (),
                           minerals=filters.mineral or (), exact=filters.exact)  # fmt: skip
