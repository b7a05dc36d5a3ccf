"""Exporters: one function per format, each returning text, chosen from `EXPORTERS`.

Every format is written by the library that owns it where there is one (csv, json, icalendar);
text from the store is escaped as each format needs, and only http and https links are written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from ...engine.states import Target
from ...links import check_url
from ...model import Event, PartialDate, event_to_record
from ...text import visible

# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "date", "title", "summary", "category", "minerals", "countries", "tags", "effective",
    "expires", "suspends", "related", "confidence", "issuer", "applies_to", "extends", "ends",
    "sources", "source_publishers", "source_accessed",
)  # fmt: skip
# the columns made from `event_to_record` (the rest are the sources)
_RECORD_COLUMNS = CSV_COLUMNS[: CSV_COLUMNS.index("sources")]
LIST_SEPARATOR = "; "
SOURCE_SEPARATOR = " | "
# A cell that a spreadsheet would run as a formula starts with one of these; it gets a leading
# apostrophe. Cells that already start with apostrophes before such a character get one more,
# so that import can always remove exactly one.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """Make a cell inert in spreadsheets (`=1+1` becomes `'=1+1`); `restore` undoes it."""
    return "'" + cell if _FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell[1:]) else cell


def _escape_item(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def split_items(cell: str) -> list[str]:
    """Split a ` | `-joined cell, honouring `\\|` and `\\\\` escapes."""
    items, current, i = [], [], 0
    while i < len(cell):
        char = cell[i]
        if char == "\\" and i + 1 < len(cell):
            current.append(cell[i + 1])
            i += 2
            continue
        if cell.startswith(SOURCE_SEPARATOR, i):
            items.append("".join(current))
            current = []
            i += len(SOURCE_SEPARATOR)
            continue
        current.append(char)
        i += 1
    items.append("".join(current))
    return items


def _join_list(items: Sequence[str]) -> str:
    return LIST_SEPARATOR.join(items)


def csv_row(event: Event) -> dict[str, str]:
    """One event as CSV cells (before formula neutralisation).

    Lists are joined with `; `. Sources are `title <url>` joined with ` | `; their publishers
    and access dates stand in two parallel columns joined the same way (empty where unknown).
    `|` and `\\` inside source titles and publishers are escaped with a backslash.
    """
    record = event_to_record(event)
    row = {}
    for column in _RECORD_COLUMNS:
        value = record[column]
        if isinstance(value, list):
            row[column] = _join_list(value)
        else:
            row[column] = "" if value is None else str(value)
    sources = event.sources
    row["sources"] = SOURCE_SEPARATOR.join(f"{_escape_item(s.title)} <{s.url}>" for s in sources)
    has_publisher = any(s.publisher for s in sources)
    has_accessed = any(s.accessed for s in sources)
    row["source_publishers"] = (
        SOURCE_SEPARATOR.join(_escape_item(s.publisher or "") for s in sources)
        if has_publisher
        else ""
    )
    row["source_accessed"] = (
        SOURCE_SEPARATOR.join(str(s.accessed or "") for s in sources) if has_accessed else ""
    )
    return row


def to_csv(events: Sequence[Event], **_options) -> str:
    """RFC 4180 CSV (CRLF line ends) with a header row and one row per event."""
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for event in events:
        writer.writerow({k: neutralise(v) for k, v in csv_row(event).items()})
    return out.getvalue()


# --- JSON ------------------------------------------------------------------------------------


def to_json(events: Sequence[Event], **_options) -> str:
    """The `list --json` schema: a list of event objects."""
    import json

    return json.dumps([event_to_record(e) for e in events], ensure_ascii=False, indent=2) + "\n"


def to_jsonl(events: Sequence[Event], **_options) -> str:
    """One `list --json` object per line."""
    import json

    return "".join(json.dumps(event_to_record(e), ensure_ascii=False) + "\n" for e in events)


# --- iCalendar -------------------------------------------------------------------------------

TARGET_PREFIX = {"date": "", "effective": "Takes effect: ", "expires": "Expires: "}


def _ics_text(text: str) -> str:
    """A TEXT value: RFC 5545 (3.3.11) allows no control characters in it, and a calendar is
    read by people, so what `visible()` escapes is escaped; icalendar escapes the newlines."""
    return visible(text.replace("\r\n", "\n"), keep_newlines=True)


def _ics_link(event: Event) -> str | None:
    links = [s.url for s in event.sources if check_url(s.url) is None and visible(s.url) == s.url]
    return links[0] if links else None


def _description(event: Event, target: Target | None = None) -> str:
    parts = []
    if event.summary:
        parts.append(event.summary)
    if event.sources:
        lines = [f"[{n}] {s.title} {s.url}" for n, s in enumerate(event.sources, 1)]
        parts.append("Sources:\n" + "\n".join(lines))
    confidence = target.confidence if target is not None else event.confidence
    parts.append(f"reetimeline id: {event.id} ({event.category}, {confidence})")
    return "\n\n".join(parts)


def to_ics(
    events: Sequence[Event],
    *,
    stamp: dt.datetime,
    alarm_days: int | None = None,
    targets: Sequence[Target] | None = None,
    data_note: str = "",
    **_options,
) -> str:
    """iCalendar (RFC 5545) through the icalendar library: one all-day VEVENT per dated target.

    `targets` are the rows to write (from `states.targets`: an extended expiry is written at its
    new date, an end that was replaced says so); without them, every date of `events`. A month
    or year becomes an event spanning that month or year. DTEND is exclusive (the day after the
    last day). UID is `<id>-<kind>@reetimeline` (`<id>-expires-original@reetimeline` for an end
    that was replaced), stable across exports so that a calendar updates instead of
    duplicating. `alarm_days` adds a VALARM that many days before each current `expires`.
    `stamp` is the DTSTAMP of every VEVENT (the time of the export); `data_note` (how current
    the data is) goes into the calendar's description.
    """
    import icalendar

    from ... import __version__

    if targets is None:
        targets = [Target(e, kind, date, 0, e.confidence) for e in events
                   for kind, date in e.targets()]  # fmt: skip
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//reetimeline//reetimeline {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "reetimeline")
    if data_note:
        calendar.add("x-wr-caldesc", _ics_text(f"Data: {data_note}"))
    for target in targets:
        event, kind, date = target.event, target.kind, target.date
        vevent = icalendar.Event()
        uid_kind = f"{kind}-original" if target.superseded else kind
        vevent.add("uid", f"{event.id}-{uid_kind}@reetimeline")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", date.first())
        vevent.add("dtend", date.last() + dt.timedelta(days=1))
        vevent.add("summary", _ics_text(_ics_summary(target)))
        vevent.add("description", _ics_text(_description(event, target)))
        vevent.add("categories", [event.category])
        link = _ics_link(event)
        if link:
            vevent.add("url", link)
        vevent.add("transp", "TRANSPARENT")
        if alarm_days is not None and kind == "expires" and not target.superseded:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _ics_text(f"In {alarm_days} days: {_ics_summary(target)}"))
            alarm.add("trigger", dt.timedelta(days=-alarm_days))
            vevent.add_component(alarm)
        calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")


def _ics_summary(target: Target) -> str:
    text = TARGET_PREFIX[target.kind] + target.event.title
    notes = []
    if target.superseded:
        notes.append("replaced" + (f" by {target.replaced_by.id}" if target.replaced_by else ""))
    if target.extended_by is not None:
        notes.append(f"extended by {target.extended_by.id}")
    if target.confidence == "reported":
        notes.append("reported")
    return text + (f" ({'; '.join(notes)})" if notes else "")


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~])")
# what starts a block at the start of a line: a list item (`-`, `1.`, `1)`), a setext underline
_MD_LINE_START = re.compile(r"^(\d*)([-=]|(?<=\d)[.)])", flags=re.M)
# indentation: four spaces make a code block (inside a list item, four more than its text);
# Markdown drops a paragraph line's leading spaces anyway, so they are dropped here
_MD_INDENT = re.compile(r"^[ \t]+", flags=re.M)


def md_escape(text: str) -> str:
    """Escape text so Markdown shows it as written: no emphasis, links, HTML, code, lists or
    terminal control."""
    # control, bidi and zero-width characters are made visible: a briefing is read by people,
    # often with `cat` in a terminal
    text = _MD_INDENT.sub("", visible(text.replace("\r\n", "\n"), keep_newlines=True))
    escaped = _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return _MD_LINE_START.sub(r"\1\\\2", escaped)  # `1\) x`, `\- x`: the mark escaped


def to_md(events: Sequence[Event], *, data_note: str = "", **_options) -> str:
    """A briefing: events by year, each with its dates and summary, sources as footnotes;
    `data_note` (how current the data is) under the heading."""
    lines = ["# Critical-minerals briefing", ""]
    if data_note:
        lines += [f"Data: {md_escape(data_note)}.", ""]
    notes: list[str] = []
    year = None
    for event in events:
        if event.date.year != year:
            year = event.date.year
            lines += [f"## {year}", ""]
        refs = ""
        for source in event.sources:
            if check_url(source.url) is not None:
                continue
            notes.append(
                f"[^{len(notes) + 1}]: [{md_escape(source.title)}](<{source.url}>)"
                + (f", {md_escape(source.publisher)}" if source.publisher else "")
            )
            refs += f"[^{len(notes)}]"
        extra = [f"takes effect {event.effective}"] if event.effective else []
        extra += [f"expires {event.expires}"] if event.expires else []
        if event.issuer and event.applies_to:
            extra.append(f"imposed by {event.issuer} on {', '.join(event.applies_to)}")
        extra += ["reported"] if event.confidence == "reported" else []
        tail = f" ({', '.join(extra)})" if extra else ""
        lines.append(
            f"- **{event.date}** · {event.category} · {md_escape(event.title)}{tail}{refs}"
        )
        if event.summary:
            lines.append("")
            lines.extend(f"  {line}" for line in md_escape(event.summary).splitlines())
        lines.append("")
    if notes:
        lines += ["## Sources", "", *notes, ""]
    return "\n".join(lines)


# --- TimelineJS ------------------------------------------------------------------------------


def _tl_date(date: PartialDate) -> dict[str, int]:
    out = {"year": date.year}
    if date.month is not None:
        out["month"] = date.month
    if date.day is not None:
        out["day"] = date.day
    return out


def _tl_text(event: Event) -> str:
    import html

    parts = []
    if event.summary:
        parts.append(f"<p>{html.escape(event.summary)}</p>")
    links = [
        f'<a href="{html.escape(s.url)}">{html.escape(s.title)}</a>'
        for s in event.sources
        if check_url(s.url) is None
    ]
    if links:
        parts.append("<p>Sources: " + "; ".join(links) + "</p>")
    return "".join(parts)


def to_timelinejs(events: Sequence[Event], *, data_note: str = "", **_options) -> str:
    """The JSON that TimelineJS3 reads: a slide per event with precision-correct dates, grouped
    by category; suspension windows as eras."""
    import html
    import json

    slides = []
    eras = []
    for event in events:
        slide = {
            "unique_id": event.id,
            "start_date": _tl_date(event.date),
            "text": {"headline": html.escape(event.title), "text": _tl_text(event)},
            "group": event.category,
        }
        if event.expires is not None:
            slide["end_date"] = _tl_date(event.expires)
        credits = ", ".join(s.publisher or s.title for s in event.sources)
        if credits:
            slide["media"] = {"url": "", "credit": html.escape(credits)}
        slides.append(slide)
        if event.suspends and event.expires is not None:
            eras.append(
                {
                    "start_date": _tl_date(event.starts()),
                    "end_date": _tl_date(event.expires),
                    "text": {"headline": html.escape(event.title)},
                }
            )
    document = {
        "title": {
            "text": {
                "headline": "reetimeline",
                "text": "Critical-minerals timeline"
                + (f" (data: {html.escape(data_note)})" if data_note else ""),
            }
        },
        "events": slides,
        "eras": eras,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- registry --------------------------------------------------------------------------------


def to_xlsx(events: Sequence[Event], **options) -> bytes:
    """An Excel workbook: see `xlsx.py` beside this module (openpyxl is loaded only here)."""
    from .xlsx import to_xlsx as write

    return write(events, **options)


class Exporter(NamedTuple):
    write: Callable[..., str | bytes]
    suffix: str
    description: str
    binary: bool = False  # `write` returns bytes, not text


EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter(to_csv, ".csv", "RFC 4180 CSV, one row per event, formulas neutralised"),
    "json": Exporter(to_json, ".json", "the `list --json` schema"),
    "jsonl": Exporter(to_jsonl, ".jsonl", "one `list --json` object per line"),
    "ics": Exporter(to_ics, ".ics", "iCalendar: an all-day event per date, effective, expiry"),
    "md": Exporter(to_md, ".md", "a Markdown briefing by year with footnoted sources"),
    "timelinejs": Exporter(to_timelinejs, ".json", "TimelineJS3 JSON, suspensions as eras"),
    "xlsx": Exporter(
        to_xlsx, ".xlsx", "an Excel workbook: dates as dates, sources as links", binary=True
    ),
}


def write_text_atomically(path: Path, text: str | bytes) -> None:
    """Write a whole output file (text as UTF-8) atomically (no half-written file on failure); a
    character device or FIFO (`/dev/null`, a named pipe) is written into and stays what it is."""
    from ...safefile import write_bytes

    write_bytes(path, text.encode("utf-8") if isinstance(text, str) else text, streams=True)
