"""The only module that imports Rich: it builds renderables, the CLI prints them.

Store text is never parsed as markup: every piece of it goes into a `rich.text.Text` after
`plain.visible()` has made control characters visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from .model import Event
from .plain import joined, visible
from .states import End, Status, Target, describe_days, status_note, urgency

# One colour per category, chosen from the 16 standard colours so that they read on dark and
# light backgrounds alike (no white, no bright yellow).
CATEGORY_STYLES = {
    "export-control": "red",
    "suspension": "yellow",
    "tariff": "magenta",
    "truce": "green",
    "meeting": "cyan",
    "agreement": "blue",
    "investment": "bright_green",
    "price": "bright_magenta",
    "statement": "bright_blue",
    "military": "bright_red",
    "other": "default",
}
URGENCY_STYLES = {"now": "bold red", "soon": "yellow", "later": "default", "past": "dim"}
STATE_STYLES = {
    "announced": "cyan",
    "in-force": "bold red",
    "suspended": "yellow",
    "expired": "dim",
    "ended": "dim",
    "unconfirmed": "bold magenta",
}
REPORTED_STYLE = "italic yellow"


def _reported(confidence: str) -> Text:
    """The mark of a fact that rests on reports: shown wherever the fact is."""
    return Text(" (reported)", style=REPORTED_STYLE) if confidence == "reported" else Text("")
MARKERS = {"date": "●", "effective": "▶", "expires": "◆"}


def _text(value: str | None, style: str = "") -> Text:
    return Text(visible(value or ""), style=style)


def category_text(category: str) -> Text:
    return Text(category, style=CATEGORY_STYLES.get(category, "default"))


def events_table(events: Sequence[Event]) -> Table:
    """`list`: date as written, category, title, minerals, countries."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("date", no_wrap=True)
    table.add_column("category", no_wrap=True)
    table.add_column("title", ratio=3)
    table.add_column("minerals", ratio=1)
    table.add_column("countries", ratio=1)
    for e in events:
        table.add_row(
            Text(str(e.date)),
            category_text(e.category),
            Text.assemble(_text(e.title), _reported(e.confidence)),
            Text(joined(e.minerals)),
            Text(joined(e.countries)),
        )
    return table


def _target_label(target: Target) -> Text:
    title = visible(target.event.title)
    if target.kind == "effective":
        verb = "takes effect" if target.days > 0 else ("takes effect today" if target.days == 0
                                                       else "took effect")  # fmt: skip
        if target.never or target.unconfirmed:
            verb = "due to take effect"
        label = Text.assemble((f"{verb}: ", "italic"), title)
    elif target.kind == "expires":
        verb = "expires" if target.days >= 0 else "expired"
        if target.superseded or target.unconfirmed:
            verb = "was due to end"
        label = Text.assemble((f"{verb}: ", "italic"), title)
    else:
        label = Text(title)
    notes = []
    if target.extended_by is not None:
        notes.append(f"extended by {target.extended_by.id}")
    if target.superseded:
        by = target.replaced_by
        if by is None:
            notes.append("replaced")
        else:
            verb = "ended earlier" if target.event.id in by.ends else "replaced"
            notes.append(f"{verb} by {by.id}")
    if target.never:
        notes.append("never reached: suspended before")
    if target.unconfirmed:
        notes.append("not confirmed")
    if notes:
        label.append(f" ({'; '.join(notes)})", style="dim")
    label.append_text(_reported(target.confidence))
    return label


def timeline(
    targets: Sequence[Target], as_of: dt.date, *, today_label: str = "today", data_note: str = ""
) -> Group:
    """The vertical timeline: year headings, a coloured marker per dated target, the "today" rule
    between past and future, and "in N days" on future rows; how current the data is last."""
    parts: list[RenderableType] = []
    grid: Table | None = None
    year: int | None = None
    ruled = False

    def new_grid() -> Table:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=1, no_wrap=True)
        table.add_column(width=10, no_wrap=True)
        table.add_column(ratio=1)
        table.add_column(justify="right", no_wrap=True)
        parts.append(table)
        return table

    for target in targets:
        if not ruled and target.days > 0:
            parts.append(Rule(f"{today_label} {as_of.isoformat()}", style="bold"))
            ruled = True
            grid = None
        if target.date.year != year:
            year = target.date.year
            parts.append(Text(str(year), style="bold underline"))
            grid = None
        if grid is None:
            grid = new_grid()
        style = CATEGORY_STYLES.get(target.event.category, "default")
        when = f"in {target.days} day{'s' if target.days != 1 else ''}" if target.days > 0 else (
            "today" if target.days == 0 else "")  # fmt: skip
        grid.add_row(
            Text(MARKERS[target.kind], style=style),
            Text(str(target.date), style="dim" if target.days < 0 or target.superseded else ""),
            _target_label(target),
            Text(when, style=URGENCY_STYLES[urgency(target.days)]),
        )
    if not ruled:
        parts.append(Rule(f"{today_label} {as_of.isoformat()}", style="bold"))
    if data_note:
        parts.append(Text(f"data: {data_note}", style="dim"))
    return Group(*parts)


def countdown_table(targets: Sequence[Target]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("date", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("when", ratio=1, overflow="fold")
    table.add_column("event", ratio=2, overflow="fold")
    for t in targets:
        style = URGENCY_STYLES[urgency(t.days)]
        if t.superseded or t.unconfirmed or t.never:
            style = "dim"
        table.add_row(
            Text(str(t.date)),
            Text(t.kind, style=CATEGORY_STYLES.get(t.event.category, "default")),
            Text(describe_days(t), style=style),
            Text.assemble(
                _text(t.event.title), _reported(t.confidence), ("  " + t.event.id, "dim")
            ),
        )
    return table


def status_table(statuses: Sequence[Status]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("state", no_wrap=True)
    table.add_column("since", no_wrap=True)
    table.add_column("until", no_wrap=True)
    table.add_column("measure", ratio=2, overflow="fold")
    table.add_column("note", ratio=2, overflow="fold")
    for s in statuses:
        table.add_row(
            Text(s.state, style=STATE_STYLES[s.state]),
            Text(str(s.since) if s.since else ""),
            Text(str(s.until) if s.until else ""),
            Text.assemble(_text(s.event.title), (f"  {s.event.id}", "dim")),
            Text.assemble(status_note(s), _reported(s.confidence)),
        )
    return table


def event_detail(
    event: Event,
    *,
    targets: Sequence[Target],
    acting: Sequence[Event],
    lookup,
    state: Status | None = None,
    end: End | None = None,
    data_note: str = "",
) -> Group:
    """`show`: one event in full: its state (for a measure), how long it runs (for an event
    with an end), every date with its count, what acts on it, sources."""
    head = Text.assemble(
        (visible(event.title), "bold"), "\n", (event.id, "dim"), "  ", category_text(event.category)
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1)
    if state is not None:
        since = f" since {state.since}" if state.since else ""
        facts.add_row("state", Text.assemble(
            (state.state, STATE_STYLES[state.state]), since,
            f" until {state.until}" if state.until else "", _reported(state.confidence)))
        if note := status_note(state):
            facts.add_row("", Text(note))
    if end is not None and end.date is not None and (end.chain or end.ended_by):
        how = (f"ended early by {end.ended_by.id}" if end.ended_by else
               f"extended by {end.chain[-1].id}")  # fmt: skip
        confidence = "reported" if any(x.confidence == "reported" for x in end.chain) else ""
        facts.add_row("runs until", Text.assemble(
            str(end.date), f" ({how}", (", reported", REPORTED_STYLE) if confidence else "",
            f"; originally {event.expires})"))  # fmt: skip
    for t in targets:
        role = {"date": "date", "effective": "takes effect", "expires": "expires"}[t.kind]
        if t.kind == "expires" and (t.superseded or t.extended_by):
            role = "was to end" if t.superseded else "now ends"
        facts.add_row(
            role,
            Text.assemble(
                str(t.date),
                (f"  ({t.date.precision})", "dim") if t.date.precision != "day" else "",
                "  ",
                (describe_days(t), "dim" if t.superseded or t.unconfirmed or t.never
                 else URGENCY_STYLES[urgency(t.days)]),
                _reported(t.confidence) if t.extended_by else "",
            ),
        )
    reported = event.confidence == "reported"
    facts.add_row("confidence", Text(event.confidence, style="yellow" if reported else ""))
    if event.issuer:
        facts.add_row("imposed by", Text(event.issuer))
    if event.applies_to:
        facts.add_row("applies to", Text(joined(event.applies_to)))
    if event.minerals:
        facts.add_row("minerals", Text(joined(event.minerals)))
    if event.countries:
        facts.add_row("countries", Text(joined(event.countries)))
    if event.tags:
        facts.add_row("tags", Text(joined(event.tags)))
    for label, ids in (("suspends", event.suspends), ("extends", event.extends),
                       ("ends", event.ends), ("related", event.related)):  # fmt: skip
        for ref in ids:
            other = lookup(ref)
            facts.add_row(label, Text.assemble(ref, "  ", _text(other.title if other else "")))
            label = ""
    for field, verb in (("suspends", "suspended by"), ("extends", "extended by"),
                        ("ends", "ended by")):  # fmt: skip
        label = verb
        for other in acting:
            if event.id not in getattr(other, field):
                continue
            until = f" until {other.expires}" if other.expires and field != "ends" else ""
            facts.add_row(label, Text.assemble(other.id, (until, "yellow"),
                                               _reported(other.confidence), "  ",
                                               _text(other.title)))  # fmt: skip
            label = ""
    parts: list[RenderableType] = [head, Text(""), facts]
    if event.summary:
        parts += [Text(""), Text(visible(event.summary, keep_newlines=True))]
    if event.sources:
        parts.append(Text("\nsources", style="bold"))
        for number, source in enumerate(event.sources, 1):
            line = Text(f"[{number}] ")
            line.append(visible(source.title))
            if source.publisher:
                line.append(f" ({visible(source.publisher)})", style="dim")
            line.append("\n    ")
            # the link is http(s) only, checked by the store; shown as text, clickable where the
            # terminal supports it
            line.append(visible(source.url), style=f"link {source.url}" if _safe_link(source.url)
                        else "")  # fmt: skip
            parts.append(line)
    if data_note:
        parts.append(Text(f"\ndata: {data_note}", style="dim"))
    return Group(*parts)


def _safe_link(url: str) -> bool:
    return url.startswith(("http://", "https://")) and visible(url) == url and " " not in url


STATS_TITLES = {
    "year": "events per year",
    "category": "events per category",
    "mineral": "busiest minerals",
    "country": "busiest countries",
}


def stats_charts(sections: dict[str, list[tuple[str, int]]], *, bar_width: int = 40) -> Group:
    """`stats`: a bar chart per section, bars scaled to the largest count."""
    parts: list[RenderableType] = []
    for by, rows in sections.items():
        table = Table(title=STATS_TITLES[by], title_justify="left", box=None, show_header=False,
                      pad_edge=False)  # fmt: skip
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        top = max((count for _key, count in rows), default=0)
        for key, count in rows:
            length = max(1, round(bar_width * count / top)) if top else 0
            style = CATEGORY_STYLES.get(key, "cyan") if by == "category" else "cyan"
            table.add_row(Text(key), Text("█" * length, style=style), Text(str(count)))
        parts += [table, Text("")]
    return Group(*parts[:-1])


def vocab_table(kind: str, entries: list[dict]) -> Table:
    """`vocab`: names, labels, aliases and groups people may type."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column({"minerals": "mineral", "countries": "code", "categories": "category"}[kind],
                     no_wrap=True)
    if kind == "countries":
        table.add_column("name")
    table.add_column("aliases", ratio=2)
    table.add_column("groups / members", ratio=1)
    for e in entries:
        cells = [Text(e["name"])]
        if kind == "countries":
            cells.append(Text(visible(e["label"])))
        cells.append(Text(joined(e["aliases"])))
        cells.append(Text(joined(e["groups"] or e["members"]), style="dim"))
        table.add_row(*cells)
    return table
