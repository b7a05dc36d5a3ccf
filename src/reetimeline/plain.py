"""Plain-text views, for output that is not a terminal (pipes, files). No Rich here: plain
writes are about a hundred times cheaper than Rich tables and start faster.

Text from a store is data: `visible()` turns control characters, bidirectional overrides and
zero-width characters into visible escapes before anything is shown to a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .model import Event
from .states import Status, Target, describe_days, status_note

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, zero-width and invisible marks.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\u206a-\u206f\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every invisible or terminal-controlling character shown as an escape."""
    if keep_newlines:
        return "\n".join(_INVISIBLE.sub(_escape, line) for line in text.split("\n"))
    return _INVISIBLE.sub(_escape, text)


def joined(items: Iterable[str]) -> str:
    return ", ".join(visible(i) for i in items)


# Piped `list`, `countdown` and `status` end every line with the event's id, so a program can
# always take the last field to `show` it (and no line ends in an empty field).
LIST_HEADER = "date\tcategory\ttitle\tminerals\tcountries\tconfidence\tid"


def list_line(e: Event) -> str:
    """One piped `list` row; the cache keeps this line ready for each event."""
    fields = (str(e.date), e.category, visible(e.title), joined(e.minerals), joined(e.countries),
              e.confidence, e.id)  # fmt: skip
    return "\t".join(fields)


def countdown_lines(targets: Iterable[Target]) -> Iterator[str]:
    yield "date\tkind\tdays\twhen\tconfidence\ttitle\tid"
    for t in targets:
        when = describe_days(t)
        yield (f"{t.date}\t{t.kind}\t{t.days}\t{when}\t{t.confidence}\t"
               f"{visible(t.event.title)}\t{t.event.id}")


def status_lines(statuses: Iterable[Status]) -> Iterator[str]:
    yield "state\tsince\tuntil\tconfidence\ttitle\tnote\tid"
    for s in statuses:
        yield "\t".join((s.state, str(s.since or ""), str(s.until or ""), s.confidence,
                         visible(s.event.title), status_note(s), s.event.id))  # fmt: skip


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
