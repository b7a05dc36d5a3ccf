"""Plain-text views, for output that is not a terminal (pipes, files). No Rich here: plain
writes are about a hundred times cheaper than Rich tables and start faster.

Text from a store is data: `text.visible()` turns control, format, bidirectional and
default-ignorable characters into visible escapes before anything is shown to a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .model import Event
from .query import Status, Target, describe_days
from .text import visible


def joined(items: Iterable[str]) -> str:
    return ", ".join(visible(i) for i in items)


LIST_HEADER = "date\tcategory\ttitle\tminerals\tcountries"


def list_line(e: Event) -> str:
    fields = (str(e.date), e.category, visible(e.title), joined(e.minerals), joined(e.countries))
    return "\t".join(fields)


def countdown_lines(targets: Iterable[Target]) -> Iterator[str]:
    yield "date\tkind\tdays\twhen\tid\ttitle"
    for t in targets:
        when = describe_days(t.kind, t.days)
        yield f"{t.date}\t{t.kind}\t{t.days}\t{when}\t{t.event.id}\t{visible(t.event.title)}"


def status_lines(statuses: Iterable[Status]) -> Iterator[str]:
    yield "state\tuntil\tid\ttitle\tnote"
    for s in statuses:
        until = str(s.until or "")
        yield "\t".join((s.state, until, s.event.id, visible(s.event.title), status_note(s)))


def status_note(s: Status) -> str:
    """The human sentence behind a state: who suspends it, or which suspension lapsed when."""
    if s.state == "suspended" and s.by is not None:
        end = f" until {s.until}" if s.until else " with no end date"
        return f"suspended by {s.by.id}{end}"
    if s.state == "announced" and s.until:
        return f"takes effect {s.until}"
    if s.state == "expired" and s.since:
        return f"expired {s.since}"
    if s.state == "in-force" and s.lapsed is not None and s.lapsed.expires is not None:
        return f"suspension by {s.lapsed.id} lapsed on {s.lapsed.expires}"
    if s.state == "in-force" and s.until:
        return f"expires {s.until}"
    return ""


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
