"""Plain-text views, for output that is not a terminal (pipes, files). No Rich here: plain
writes are about a hundred times cheaper than Rich tables and start faster.

Text from a store is data: `text.visible()` turns control, format, bidirectional and
default-ignorable characters into visible escapes before anything is shown to a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..engine.states import Status, Target
from ..model import Event
from ..text import joined, visible
from .words import (
    CONFIDENCE_HEADING,
    cell_text,
    confidence_words,
    describe_days,
    kind_text,
    status_note,
)

if TYPE_CHECKING:
    from .detail import Detail


# Piped `list`, `countdown` and `status` end every line with the event's id, so a program can
# always take the last field to `show` it (and no line ends in an empty field).
# The confidence column is headed `sources` and says `sources: confirmed`
# (`words.confidence_words`): beside a state such as `unconfirmed`, a bare `confirmed` read as a
# second state.
LIST_HEADER = f"date\tcategory\tkind\ttitle\tminerals\tcountries\t{CONFIDENCE_HEADING}\tid"


def list_line(e: Event) -> str:
    """One piped `list` row; the cache keeps this line ready for each event."""
    # joined, then made visible: the same text as each name made visible and then joined
    fields = (str(e.date), e.category, kind_text(e), visible(e.title),
              visible(", ".join(e.minerals)), visible(", ".join(e.countries)),
              confidence_words(e.confidence), e.id)  # fmt: skip
    return "\t".join(fields)


def json_fragment(event: Event, source: str | None = None) -> str:
    """The event as it stands inside `json.dumps(events, indent=2)`: indented one level, so that
    fragments joined with ",\n" between "[\n" and "\n]" print the same list; `source` where it
    comes from (`from`: `curated`, `user` or `team:NAME`)."""
    import json  # here: the other piped views do without it

    from .formats.jsonfile import with_source

    text = json.dumps(with_source(event, source), ensure_ascii=False, indent=2)
    return "\n".join("  " + line for line in text.split("\n"))


COUNTDOWN_HEADER = f"date\tkind\tdays\twhen\t{CONFIDENCE_HEADING}\ttitle\tid"


def countdown_lines(targets: Iterable[Target]) -> Iterator[str]:
    yield COUNTDOWN_HEADER
    for t in targets:
        yield countdown_line(t)


def countdown_line(t: Target) -> str:
    """One piped `countdown` row (a row's confidence can differ from its event's: an extended
    end is as sure as its extensions)."""
    return "\t".join((str(t.date), t.kind, str(t.days), describe_days(t),
                      confidence_words(t.confidence), visible(t.event.title),
                      t.event.id))  # fmt: skip


STATUS_HEADER = f"state\tsince\tuntil\t{CONFIDENCE_HEADING}\tkind\ttitle\tnote\tid"


def status_lines(statuses: Iterable[Status]) -> Iterator[str]:
    yield STATUS_HEADER
    for s in statuses:
        yield status_line(s)


def status_line(s: Status) -> str:
    return "\t".join((s.state, str(s.since or ""), str(s.until or ""),
                      confidence_words(s.confidence), kind_text(s.event), visible(s.event.title),
                      status_note(s), s.event.id))  # fmt: skip


def stats_lines(sections: dict[str, list[tuple[str, int]]]) -> Iterator[str]:
    yield "by\tkey\tcount"
    for by, rows in sections.items():
        for key, count in rows:
            yield f"{by}\t{key}\t{count}"


def vocab_lines(entries: list[dict]) -> Iterator[str]:
    yield "name\tlabel\taliases\tgroups\tmembers"
    for e in entries:
        yield "\t".join(
            (e["name"], visible(e["label"]), joined(e["aliases"]), joined(e["groups"]),
             joined(e["members"]))
        )  # fmt: skip


def matrix_lines(grid, *, show_ids: bool = False) -> Iterator[str]:
    """`status --matrix`: a row per mineral, a column per destination; each cell its controls
    by kind (`words.cell_text`), with their ids in brackets with `show_ids`."""
    yield "\t".join(("mineral", *grid.destinations))
    for mineral in grid.minerals:
        cells = [cell_text(grid.cells[mineral, d], show_ids=show_ids) for d in grid.destinations]
        yield "\t".join((mineral, *cells))


def changes_lines(rows) -> Iterator[str]:
    """`changes`: a row per change, by date, with how sure its sources are and how many it
    cites; the id of what changed last, as in every view."""
    yield f"date\tchange\t{CONFIDENCE_HEADING}\tcited\tby\ttitle\tid"
    for c in rows:
        yield "\t".join((c.date.isoformat(), c.change, confidence_words(c.confidence),
                         str(len(c.event.sources)),
                         c.by.id if c.by else "", visible(c.event.title), c.event.id))  # fmt: skip


def detail_lines(detail: Detail) -> Iterator[str]:
    """Piped `show`: the title, the id and category, a `label<TAB>text` line per fact (an empty
    label continues the fact above), the summary, the numbered sources with each link on a
    line of its own, and how current the data is."""
    event = detail.event
    yield visible(event.title)
    yield f"{event.id}\t{event.category}"
    yield ""
    for fact in detail.facts:
        yield f"{fact.label}\t{''.join(text for text, _role in fact.pieces)}"
    if event.summary:
        yield ""
        yield visible(event.summary, keep_newlines=True)
    if event.sources:
        yield ""
        yield "sources"
        for number, source in enumerate(event.sources, 1):
            publisher = f" ({visible(source.publisher)})" if source.publisher else ""
            yield f"[{number}] {visible(source.title)}{publisher}"
            if source.url is not None:  # a reference by its title has no link
                yield f"    {visible(source.url)}"
    if detail.data_note:
        yield ""
        yield f"data: {detail.data_note}"
