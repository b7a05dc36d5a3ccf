"""The only module that imports Rich: it builds renderables, the CLI prints them.

Store text is never parsed as markup: every piece of it goes into a `rich.text.Text` after
`plain.visible()` has made control characters visible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..engine.states import Status, Target
from ..model import Event
from ..text import joined, visible
from .detail import Detail
from .words import (
    MATRIX_LEGEND,
    REPORTED_MARK,
    cell_entries,
    cell_line_atoms,
    cell_piece_atoms,
    change_note,
    confidence_words,
    describe_days,
    kind_text,
    provenance_words,
    status_note,
    urgency,
)

if TYPE_CHECKING:
    from ..store import Provenance

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
    return Text(f" {REPORTED_MARK}", style=REPORTED_STYLE) if confidence == "reported" else Text("")


def _origin(event_id: str, origins: Mapping[str, Provenance] | None) -> Text:
    """The mark of an event that is not from the curated store ("[your store]"), after its
    title: `origins` holds only those (`Store.provenance`), by id."""
    source = origins.get(event_id) if origins else None
    return Text(f" [{provenance_words(source)}]", style=ORIGIN_STYLE) if source else Text("")


ORIGIN_STYLE = "italic cyan"
MARKERS = {"date": "●", "effective": "▶", "expires": "◆"}


def make_console(*, color: bool, width: int | None = None) -> Console:
    """A console for stdout that never reads store text as markup or emoji; colour only when
    `color` (the command line's decision: --color, NO_COLOR, FORCE_COLOR, a terminal)."""
    return Console(
        markup=False,
        emoji=False,
        highlight=False,
        no_color=not color,
        color_system="auto" if color else None,
        force_terminal=True if color else None,
        width=width,
    )


@contextlib.contextmanager
def progress_bar(label: str, *, min_total: int) -> Iterator:
    """A transient progress bar on stderr; yields `advance(done, total)`, which shows the bar
    only for work of at least `min_total` steps. `label` is shown as text, never markup."""
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = None

        def advance(done: int, total: int) -> None:
            nonlocal task
            if total < min_total:
                return
            if task is None:
                task = bar.add_task(escape(label), total=total)
            bar.update(task, completed=done)

        yield advance


def _text(value: str | None, style: str = "") -> Text:
    return Text(visible(value or ""), style=style)


def category_text(category: str) -> Text:
    return Text(category, style=CATEGORY_STYLES.get(category, "default"))


# --- tables that fit the width they are drawn at ----------------------------------------------
#
# Rich shrinks every column of a table that is too wide, titles first, and splits ids anywhere.
# The tables below choose their columns for the width instead: the title column is never
# narrower than TITLE_MIN, ids are never split (an id column, else the id on a line of its own
# under the title, which is then at least as wide as the longest id), and what gives way first
# is the minerals column, then the countries. Widths are computed here, not by Rich.

TITLE_MIN = 30
# between two columns of a SIMPLE_HEAD table without edges: padding, divider, padding
GAP = 3


class Fitted:
    """A renderable built for the width it is drawn at (the console's, or a cell's)."""

    def __init__(self, build: Callable[[int], RenderableType]):
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        yield self.build(options.max_width)


def _widest(texts: Iterable[Text | str], least: int = 0) -> int:
    return max([least, *(cell_len(t.plain if isinstance(t, Text) else t) for t in texts)])


def _longest_word(texts: Iterable[Text]) -> int:
    return max([0, *(cell_len(word) for t in texts for word in t.plain.split())])


class _Layout(NamedTuple):
    columns: tuple[str, ...]  # the optional columns kept, in order
    stacked: bool  # the id (and notes) on lines of their own under the title
    compact: bool  # the table's own most compact form of its fixed columns
    room: int  # the width left for the title column


def _choose(
    width: int,
    fixed: int,
    optional: dict[str, int],
    candidates: Sequence[tuple[tuple[str, ...], bool, bool]],
    id_width: int,
    title_natural: int,
    *,
    stack_min: int = 0,
    compact_fixed: int = 0,
) -> _Layout:
    """The first of `candidates` (optional columns kept, whether the id is stacked under the
    title, whether the fixed columns are in their compact form), in order of preference, that
    leaves the title TITLE_MIN columns (or all it needs) and keeps ids and the words of notes
    whole. `fixed` (`compact_fixed`) is the width of the columns always shown before the title,
    gaps between them included; `stack_min` what the stacked lines need besides the id."""
    title_need = min(TITLE_MIN, title_natural)
    layout = None
    for cols, stacked, compact in candidates:
        used = (compact_fixed if compact else fixed) + sum(optional[c] + GAP for c in cols)
        used += 0 if stacked else id_width + GAP
        room = width - used - GAP
        need = max(title_need, id_width, stack_min) if stacked else title_need
        layout = _Layout(cols, stacked, compact, room)
        if room >= need:
            return layout
    assert layout is not None
    return layout  # a very narrow terminal: the last, most compact layout, squeezed


def _table(**options) -> Table:
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, **options)


def events_table(events: Sequence[Event], *,
                 matched: Sequence[tuple[str, ...]] | None = None,
                 origins: Mapping[str, Provenance] | None = None) -> Fitted:  # fmt: skip
    """`list`: date as written, category, title, minerals, countries, id (see `_choose`). With
    `matched` (`list -m`: each row's minerals that matched), a `matched` column after the
    category, kept at every width: the minerals column is the first to give way. `origins`:
    where each event not from the curated store comes from, marked after its title."""
    return Fitted(lambda width: _events_table(events, width, matched, origins))


def _events_table(events: Sequence[Event], width: int,
                  matched: Sequence[tuple[str, ...]] | None = None,
                  origins: Mapping[str, Provenance] | None = None) -> Table:  # fmt: skip
    # the matched minerals wrap between names: a group asked for may match many members
    matches = [Text(joined(m)) for m in matched] if matched is not None else None
    match_width = 0
    if matches is not None:
        match_width = max(min(_widest(matches, len("matched")), 20), _longest_word(matches))
    dates = [str(e.date) for e in events]
    titles = [Text.assemble(_text(e.title), _reported(e.confidence), _origin(e.id, origins))
              for e in events]  # fmt: skip
    kinds = [kind_text(e) for e in events]
    minerals = [joined(e.minerals) for e in events]
    countries = [joined(e.countries) for e in events]
    id_width = _widest((e.id for e in events), len("id"))
    date_width = _widest(dates, len("date"))
    category_width = _widest((e.category for e in events), len("category"))
    optional = {
        "kind": _widest(kinds, len("kind")),
        "minerals": min(_widest(minerals, len("minerals")), 20),
        "countries": min(_widest(countries, len("countries")), 12),
    }
    # the kind of each measure; no column when none of the events is a measure
    drops = [("minerals", "countries"), ("countries",), ()]
    if any(kinds):
        drops = [("kind", "minerals", "countries"), ("kind", "countries"), ("kind",), ()]
    candidates = [(cols, False, False) for cols in drops] + [(cols, True, False) for cols in drops]
    fixed = date_width + GAP + category_width
    if matches is not None:
        # what matched keeps its column; compact: the category goes under the title and id
        fixed += match_width + GAP
        candidates.append(((), True, True))
    layout = _choose(width, fixed, optional, candidates, id_width, _widest(titles),
                     compact_fixed=date_width + GAP + match_width)  # fmt: skip
    title_width = min(layout.room, max(_widest(titles), id_width if layout.stacked else 0))
    table = _table(leading=1 if layout.stacked else 0)
    table.add_column("date", width=date_width, no_wrap=True)
    if not layout.compact:
        table.add_column("category", width=category_width, no_wrap=True)
    if matches is not None:
        table.add_column("matched", width=match_width)
    head = "title / id / category" if layout.compact else "title / id"
    table.add_column(head if layout.stacked else "title", width=max(title_width, 1),
                     overflow="fold")  # fmt: skip
    for name in layout.columns:
        table.add_column(name, width=optional[name])
    if not layout.stacked:
        table.add_column("id", width=id_width, no_wrap=True)
    for i, (e, date, title, kind, mineral, country) in enumerate(
            zip(events, dates, titles, kinds, minerals, countries, strict=True)):  # fmt: skip
        cells = {"kind": Text(kind), "minerals": Text(mineral), "countries": Text(country)}
        row = [Text(date)] if layout.compact else [Text(date), category_text(e.category)]
        if matches is not None:
            row.append(matches[i])
        under = [category_text(e.category)] if layout.compact else []
        row.append(_with_id(title, e.id, *under) if layout.stacked else title)
        row += [cells[name] for name in layout.columns]
        if not layout.stacked:
            row.append(_id(e.id))
        table.add_row(*row)
    return table


def _id(event_id: str) -> Text:
    return Text(event_id, style="dim", no_wrap=True, overflow="fold")


def _with_id(title: Text, event_id: str, *notes: Text) -> Text:
    """A title with the id (and notes) on lines of their own below it."""
    out = title.copy()
    out.append("\n")
    out.append(event_id, style="dim")
    for note in notes:
        out.append("\n")
        out.append_text(note)
    return out


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
    targets: Sequence[Target],
    as_of: dt.date,
    *,
    today_label: str = "today",
    data_note: str = "",
    palette: Mapping[str, str] = CATEGORY_STYLES,
    links: bool = False,
) -> Group:
    """The vertical timeline: year headings, a coloured marker per dated target, the "today" rule
    between past and future, and "in N days" on future rows; how current the data is last.

    `palette` colours the markers by category; with `links`, the first row of each event ends
    with its sources as numbered links ([1] [2]), for a picture that can be clicked."""
    parts: list[RenderableType] = []
    linked: set[str] = set()
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
        style = palette.get(target.event.category, "default")
        when = f"in {target.days} day{'s' if target.days != 1 else ''}" if target.days > 0 else (
            "today" if target.days == 0 else "")  # fmt: skip
        label = _target_label(target)
        if links and target.event.id not in linked:
            linked.add(target.event.id)
            label.append_text(_source_links(target.event))
        grid.add_row(
            Text(MARKERS[target.kind], style=style),
            Text(str(target.date), style="dim" if target.days < 0 or target.superseded else ""),
            label,
            Text(when, style=URGENCY_STYLES[urgency(target.days)]),
        )
    if not ruled:
        parts.append(Rule(f"{today_label} {as_of.isoformat()}", style="bold"))
    if data_note:
        parts.append(Text(f"data: {data_note}", style="dim"))
    return Group(*parts)


def _source_links(event: Event) -> Text:
    out = Text()
    for number, source in enumerate(event.sources, 1):
        if _safe_link(source.url):
            out.append(" ")
            out.append(f"[{number}]", style=f"link {source.url}")
    return out


# --- pictures for reports (SVG, HTML) --------------------------------------------------------
#
# Colours that stay apart for readers with the common colour-vision deficiencies: the palette of
# Okabe and Ito (2008), on a dark background, with its black turned near-white. It has eight
# colours for eleven categories: the three rarest (price, military, other) share a grey, and the
# legend says so; the marker's shape says the kind of date.

PICTURE_PALETTE = {
    "export-control": "#D55E00",  # vermillion
    "suspension": "#F0E442",  # yellow
    "tariff": "#CC79A7",  # reddish purple
    "truce": "#009E73",  # bluish green
    "meeting": "#56B4E9",  # sky blue
    "agreement": "#0072B2",  # blue
    "investment": "#E69F00",  # orange
    "statement": "#F2F2F2",  # near-white (black, on a dark background)
    "price": "#8C8C8C",
    "military": "#8C8C8C",
    "other": "#8C8C8C",
}
_BACKGROUND = (30, 30, 30)
_FOREGROUND = (225, 225, 225)
_MARKER_NAMES = {"date": "event", "effective": "takes effect", "expires": "expires or ends"}


def _picture_theme():
    """The 16 terminal colours of a picture, from the same palette (the rest of the styles:
    urgency, states, "reported", dim text)."""
    from rich.terminal_theme import TerminalTheme

    def rgb(code: str) -> tuple[int, int, int]:
        return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)

    normal = [(0, 0, 0), rgb("#D55E00"), rgb("#009E73"), rgb("#F0E442"), rgb("#0072B2"),
              rgb("#CC79A7"), rgb("#56B4E9"), _FOREGROUND]  # fmt: skip
    bright = [(128, 128, 128), (240, 120, 40), (60, 200, 160), (250, 240, 140), (60, 150, 220),
              (225, 150, 200), (140, 205, 240), (255, 255, 255)]  # fmt: skip
    return TerminalTheme(_BACKGROUND, _FOREGROUND, normal, bright)


def picture(
    targets: Sequence[Target],
    as_of: dt.date,
    *,
    today_label: str,
    data_note: str,
    caption: str,
    links: bool = False,
) -> Group:
    """The timeline for a report: a caption (what was selected, the as-of date, how current the
    data is), a legend of category colours and marker shapes, then the timeline in colours
    that stay distinct for colour-blind readers."""
    head = Text(caption, style="bold")
    head.append(f"\nas of {as_of.isoformat()}")
    if data_note:
        head.append(f"; data: {data_note}")
    shown = [c for c in PICTURE_PALETTE if any(t.event.category == c for t in targets)]
    by_colour: dict[str, list[str]] = {}
    for category in shown:
        by_colour.setdefault(PICTURE_PALETTE[category], []).append(category)
    from rich.columns import Columns

    # one cell per colour, so that an entry never breaks across lines
    legend = Columns([Text.assemble(("● ", colour), ", ".join(names))
                      for colour, names in by_colour.items()], padding=(0, 3))  # fmt: skip
    kinds = Text("   ".join(f"{MARKERS[k]} {name}" for k, name in _MARKER_NAMES.items()),
                 style="dim")  # fmt: skip
    body = timeline(targets, as_of, today_label=today_label, palette=PICTURE_PALETTE,
                    links=links)  # fmt: skip
    return Group(head, Text(""), legend, kinds, Text(""), body)


def life_picture(lives, start: dt.date, end: dt.date, as_of: dt.date, *, width: int,
                 caption: str, data_note: str) -> Group:  # fmt: skip
    """`timeline --measures` for a report: the caption, the as-of date and how current the data
    is (as `picture` heads the timeline), then the life chart with its legend."""
    head = Text(caption, style="bold")
    head.append(f"\nas of {as_of.isoformat()}")
    if data_note:
        head.append(f"; data: {data_note}")
    return Group(head, Text(""), life_chart(lives, start, end, as_of, width=width))


def _record(renderable: RenderableType, width: int) -> Console:
    import io

    recorder = Console(file=io.StringIO(), record=True, width=width, force_terminal=True,
                       color_system="truecolor", markup=False, emoji=False,
                       highlight=False)  # fmt: skip
    recorder.print(renderable)
    return recorder


def _template_text(text: str) -> str:
    """Text for a `str.format` template of Rich's exports: escaped for XML/HTML, braces
    doubled."""
    import html

    return html.escape(text).replace("{", "{{").replace("}", "}}")


# Rich's SVG template without the fake window (traffic lights and title bar) and without fonts
# fetched from the network: a background, the title as a heading, then the text.
_SVG = """\
<svg class="rich-terminal" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" \
role="img" aria-labelledby="{unique_id}-title">
    <title id="{unique_id}-title">@TITLE@</title>
    <style>
    .{unique_id}-matrix {{
        font-family: "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace;
        font-size: {char_height}px;
        line-height: {line_height}px;
        font-variant-east-asian: full-width;
    }}
    .{unique_id}-heading {{
        font-size: 20px;
        font-weight: bold;
        font-family: "DejaVu Sans", Arial, Helvetica, sans-serif;
    }}
    {styles}
    </style>
    <defs>
    <clipPath id="{unique_id}-clip-terminal">
      <rect x="0" y="0" width="{terminal_width}" height="{terminal_height}" />
    </clipPath>
    {lines}
    </defs>
    <rect x="0" y="0" width="{width}" height="{height}" fill="@BACKGROUND@" />
    <text class="{unique_id}-heading" x="{terminal_x}" y="30" fill="@FOREGROUND@">@TITLE@</text>
    <g transform="translate({terminal_x}, {terminal_y})" \
clip-path="url(#{unique_id}-clip-terminal)">
    {backgrounds}
    <g class="{unique_id}-matrix">
    {matrix}
    </g>
    </g>
</svg>
"""

_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>@TITLE@</title>
<style>
{stylesheet}
body {{
    color: {foreground};
    background-color: {background};
    margin: 1.5em;
}}
h1 {{
    font-family: "DejaVu Sans", Arial, Helvetica, sans-serif;
    font-size: 1.4em;
}}
pre {{
    font-family: "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}}
a {{
    color: inherit;
}}
</style>
</head>
<body>
<h1>@TITLE@</h1>
<pre><code style="font-family:inherit">{code}</code></pre>
</body>
</html>
"""


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def picture_svg(renderable: RenderableType, *, width: int, title: str) -> str:
    """The renderable as an SVG picture with `title` as its heading (and accessible name)."""
    template = (_SVG.replace("@TITLE@", _template_text(title))
                .replace("@BACKGROUND@", _hex(_BACKGROUND))
                .replace("@FOREGROUND@", _hex(_FOREGROUND)))  # fmt: skip
    return _record(renderable, width).export_svg(theme=_picture_theme(), code_format=template,
                                                 title=title)  # fmt: skip


def picture_html(renderable: RenderableType, *, width: int, title: str) -> str:
    """The renderable as an HTML page with `title` as its heading; links stay links."""
    template = _HTML.replace("@TITLE@", _template_text(title))
    return _record(renderable, width).export_html(theme=_picture_theme(), code_format=template)


def countdown_table(targets: Sequence[Target],
                    origins: Mapping[str, Provenance] | None = None) -> Fitted:  # fmt: skip
    """`countdown`: date, kind, when, the event's title (notes such as "extended by ..." under
    it), id (see `_choose`)."""
    return Fitted(lambda width: _countdown_table(targets, width, origins))


def _countdown_table(targets: Sequence[Target], width: int,
                     origins: Mapping[str, Provenance] | None = None) -> Table:  # fmt: skip
    whens: list[Text] = []
    titles: list[tuple[Text, Text | None]] = []
    for t in targets:
        when, _comma, notes = describe_days(t).partition(", ")
        style = URGENCY_STYLES[urgency(t.days)]
        if t.superseded or t.unconfirmed or t.never:
            style = "dim"
        whens.append(Text(when, style=style))
        title = Text.assemble(_text(t.event.title), _reported(t.confidence),
                              _origin(t.event.id, origins))  # fmt: skip
        titles.append((title, Text(notes, style="dim") if notes else None))
    id_width = _widest((t.event.id for t in targets), len("id"))
    date_width = _widest((str(t.date) for t in targets), len("date"))
    kind_width = _widest((t.kind for t in targets), len("kind"))
    # "took effect 1035 days ago" may wrap to two lines before the title gives way
    when_width = min(_widest(whens, len("when")), 13)
    note_word = _longest_word(n for _t, n in titles if n is not None)
    natural = _widest([t for t, _n in titles] + [n for _t, n in titles if n is not None])
    # compact: the kind goes before the title ("expires: ..."), as in the timeline, where an
    # event's own date is the plain title
    layout = _choose(
        width, date_width + kind_width + when_width + 2 * GAP, {},
        [((), False, False), ((), True, False), ((), True, True)], id_width,
        natural + (len("effective: ") if natural else 0), stack_min=note_word,
        compact_fixed=date_width + when_width + GAP,
    )  # fmt: skip
    title_width = min(layout.room, max(natural, id_width if layout.stacked else 0))
    table = _table(leading=1 if layout.stacked else 0)
    table.add_column("date", width=date_width, no_wrap=True)
    if not layout.compact:
        table.add_column("kind", width=kind_width, no_wrap=True)
    table.add_column("when", width=when_width)
    head = "event / id" if layout.stacked else "event"
    table.add_column(head, width=max(title_width, 1), overflow="fold")
    if not layout.stacked:
        table.add_column("id", width=id_width, no_wrap=True)
    for t, when_text, (title_text, note_text) in zip(targets, whens, titles, strict=True):
        extra: list[Text] = [note_text] if note_text is not None else []
        kind = Text(t.kind, style=CATEGORY_STYLES.get(t.event.category, "default"))
        if layout.compact and t.kind != "date":
            title_text = Text.assemble(kind, ": ", title_text)
        if layout.stacked:
            event = _with_id(title_text, t.event.id, *extra)
        else:
            event = Text("\n").join([title_text, *extra])
        row: list[Text] = [Text(str(t.date)), *([] if layout.compact else [kind]), when_text, event]
        if not layout.stacked:
            row.append(_id(t.event.id))
        table.add_row(*row)
    return table


def status_table(statuses: Sequence[Status],
                 origins: Mapping[str, Provenance] | None = None) -> Fitted:  # fmt: skip
    """`status`: state, since, until, the measure's title, the note, id (see `_choose`: when
    stacked, the id and the note stand under the title)."""
    return Fitted(lambda width: _status_table(statuses, width, origins))


def _status_note(s: Status) -> Text:
    note = status_note(s)
    if note:
        return Text.assemble(note, _reported(s.confidence))
    if s.confidence == "reported":
        return Text(confidence_words(s.confidence), style=REPORTED_STYLE)
    return Text("")


def _status_table(statuses: Sequence[Status], width: int,
                  origins: Mapping[str, Provenance] | None = None) -> Table:  # fmt: skip
    titles = [Text.assemble(_text(s.event.title), _origin(s.event.id, origins))
              for s in statuses]  # fmt: skip
    notes = [_status_note(s) for s in statuses]
    id_width = _widest((s.event.id for s in statuses), len("id"))
    state_width = _widest((s.state for s in statuses), len("state"))
    # a note wraps between words; its longest word (often an id) is never split
    note_word = _longest_word(notes)
    kinds = [kind_text(s.event) for s in statuses]
    optional = {"note": max(min(_widest(notes), 40), note_word, len("note")),
                "kind": _widest(kinds, len("kind"))}  # fmt: skip
    fixed = state_width + 2 * (10 + GAP)
    # the note and the kind are never dropped: each has a column, or stands under the title with
    # the id; compact: since and until share a column, one above the other
    layout = _choose(width, fixed, optional,
                     [(("kind", "note"), False, False), (("kind",), True, False),
                      ((), True, False), ((), True, True)], id_width,
                     _widest(titles), stack_min=note_word,
                     compact_fixed=state_width + 10 + GAP)  # fmt: skip
    title_width = min(layout.room, max(_widest(titles), id_width if layout.stacked else 0,
                                       _widest(notes) if layout.stacked else 0))  # fmt: skip
    if "note" in layout.columns:
        # title and note share the room in proportion to what they need, each above its least
        flex = layout.room + optional["note"]
        title_natural, note_natural = _widest(titles), _widest(notes, len("note"))
        if title_natural + note_natural <= flex:
            title_width, optional["note"] = title_natural, note_natural
        else:
            share = flex * title_natural // (title_natural + note_natural)
            title_width = max(TITLE_MIN, min(share, flex - max(note_word, len("note"))))
            optional["note"] = flex - title_width
    table = _table(leading=1 if layout.stacked else 0)
    table.add_column("state", width=state_width, no_wrap=True)
    if layout.compact:
        table.add_column("since\nuntil", width=10, no_wrap=True)
    else:
        table.add_column("since", width=10, no_wrap=True)
        table.add_column("until", width=10, no_wrap=True)
    if "kind" in layout.columns:
        table.add_column("kind", width=optional["kind"], no_wrap=True)
    head = "measure / id / note" if layout.stacked else "measure"
    table.add_column(head, width=max(title_width, 1), overflow="fold")
    if "note" in layout.columns:
        table.add_column("note", width=optional["note"])
    if not layout.stacked:
        table.add_column("id", width=id_width, no_wrap=True)
    for s, title, note, kind in zip(statuses, titles, notes, kinds, strict=True):
        since, until = str(s.since) if s.since else "", str(s.until) if s.until else ""
        row = [Text(s.state, style=STATE_STYLES[s.state])]
        if layout.compact:
            row.append(Text(f"{since or '–'}\n{until}" if until else since))
        else:
            row += [Text(since), Text(until)]
        if "kind" in layout.columns:
            row.append(Text(kind))
        if layout.stacked:
            under = [Text(f"kind: {kind}", style="dim")] if "kind" not in layout.columns else []
            row.append(_with_id(title, s.event.id, *under, *([note] if note.plain else [])))
        else:
            row += [title, note]
            row.append(_id(s.event.id))
        table.add_row(*row)
    return table


def event_detail(detail: Detail) -> Group:
    """`show`: the facts of `detail.event_detail`, then the summary and the numbered sources."""
    event = detail.event
    head = Text.assemble(
        (visible(event.title), "bold"), "\n", (event.id, "dim"), "  ", category_text(event.category)
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1)
    for fact in detail.facts:
        facts.add_row(
            fact.label, Text.assemble(*((text, _style(role)) for text, role in fact.pieces))
        )
    parts: list[RenderableType] = [head, Text(""), facts]
    if event.summary:
        parts += [Text(""), Text(visible(event.summary, keep_newlines=True))]
    if event.sources:
        parts.append(Text("\nsources", style="bold"))
        indent = len(f"[{len(event.sources)}]") + 1
        for number, source in enumerate(event.sources, 1):
            # the title wraps under itself; the link stands on a line of its own, at the same
            # indent, never wrapped or cropped (print with crop=False) so that it can be clicked
            # and copied whole; the terminal folds it if it is wider than the screen
            entry = Table.grid(padding=(0, 1))
            entry.add_column(width=indent - 1, no_wrap=True)
            entry.add_column(ratio=1)
            title = Text(visible(source.title))
            if source.publisher:
                title.append(f" ({visible(source.publisher)})", style="dim")
            entry.add_row(f"[{number}]", title)
            parts.append(entry)
            # the link is http(s) only, checked by the store; clickable where the terminal can
            if source.url is None:  # a reference by its title: no link line
                continue
            link = f"link {source.url}" if _safe_link(source.url) else ""
            url = Text.assemble(" " * indent, (visible(source.url), link))
            url.no_wrap, url.overflow = True, "ignore"
            parts.append(url)
    if detail.data_note:
        parts.append(Text(f"\ndata: {detail.data_note}", style="dim"))
    return Group(*parts)


def _style(role: str) -> str:
    """The style of a piece of a `detail.Fact` by its role."""
    kind, _, value = role.partition(":")
    if kind == "state":
        return STATE_STYLES[value]
    if kind == "urgency":
        return URGENCY_STYLES[value]
    return {"reported": REPORTED_STYLE, "warn": "yellow"}.get(role, role)


def _safe_link(url: str | None) -> bool:
    if url is None:  # a reference by its title
        return False
    return url.startswith(("http://", "https://")) and visible(url) == url and " " not in url


LIFE_STYLES = {
    "announced": "cyan",
    "in-force": "red",
    "suspended": "yellow",
    "expired": "bright_black",
    "ended": "bright_black",
    "unconfirmed": "magenta",
}
# one character per state, so that the chart reads without colour too
LIFE_CHARS = {"announced": "╌", "in-force": "█", "suspended": "▒", "expired": "─", "ended": "─",
              "unconfirmed": "?"}  # fmt: skip


def life_chart(lives, start: dt.date, end: dt.date, as_of: dt.date, *, width: int = 60,
               data_note: str = "") -> Group:  # fmt: skip
    """`timeline --measures`: a row per measure, its states as bands across time.

    ╌ announced, █ in force, ▒ suspended, ─ expired or ended, ? unconfirmed (a change due after
    the data's horizon that nobody reported); ┃ marks the as-of date, and what follows it is the
    schedule (dim). A * marks a measure whose life rests on reports."""
    span = max((end - start).days + 1, 1)

    def column(day: dt.date) -> int:
        return min(width - 1, max(0, (day - start).days * width // span))

    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=34)
    table.add_column(width=1, no_wrap=True)  # * when the measure's life rests on reports
    table.add_column(no_wrap=True)
    axis = [" "] * width
    taken = -1  # the last column a year label covers
    for year in range(start.year, end.year + 1):
        at = min(column(max(dt.date(year, 1, 1), start)), width - 4)
        following = column(dt.date(year + 1, 1, 1)) if year < end.year else width
        if at <= taken or (year == start.year and following - at < 6 and year < end.year):
            continue  # no room: the next year's label says more
        axis[at : at + 4] = str(year)
        taken = at + 4
    table.add_row(Text(""), Text(""), Text("".join(axis).rstrip(), style="dim"))
    now = column(as_of)
    for item in lives:
        cells: list[tuple[str, str]] = [(" ", "")] * width
        for band in item.bands:
            if band.last < start or band.first > end:
                continue
            first, last = column(max(band.first, start)), column(min(band.last, end))
            style = LIFE_STYLES[band.state] + (" dim" if band.scheduled else "")
            for i in range(first, last + 1):
                cells[i] = (LIFE_CHARS[band.state], style)
        if start <= as_of <= end:
            cells[now] = ("┃", "bold")
        bar = Text()
        for char, style in cells:
            bar.append(char, style=style)
        bar.rstrip()
        reported = any(b.confidence == "reported" for b in item.bands)
        table.add_row(_text(item.event.title), Text("*" if reported else " ",
                                                     style=REPORTED_STYLE), bar)  # fmt: skip
    legend = Text.assemble(
        *(part for state in ("announced", "in-force", "suspended", "ended", "unconfirmed")
          for part in ((LIFE_CHARS[state], LIFE_STYLES[state]), f" {state} ")),
        "┃ ", as_of.isoformat(), " ", ("*", REPORTED_STYLE), " reported",
    )  # fmt: skip
    parts: list[RenderableType] = [table, legend]
    if data_note:
        parts.append(Text(f"data: {data_note}", style="dim"))
    return Group(*parts)


CELL_STYLES = {"in-force": "bold red", "suspended": "yellow", "unconfirmed": "bold magenta",
               "announced": "cyan", "none": "dim"}  # fmt: skip


def matrix_table(grid, *, show_ids: bool = False) -> RenderableType:
    """`status --matrix`: minerals by destinations; each cell its controls by kind
    (`words.cell_piece_atoms`): the material controls first, strictest kind first, each styled
    by its state, then the targeted and technology controls, dim, marked "+". With ids, each
    line ends with the measure's number and the ids are listed under the table, whole (an id
    split across lines cannot be copied). The legend says how to read a cell.

    A cell wraps only between the atoms of its lines (`words`), never inside a kind or a state
    word. When a column per destination cannot hold the longest atom, the matrix is drawn long:
    a row per mineral and destination, each control on a line of its own."""
    cells, numbers = _matrix_cells(grid, show_ids)
    table = Fitted(lambda width: _matrix_layout(grid, cells, width))
    legend = Text(MATRIX_LEGEND, style="dim")
    if not numbers:
        return Group(table, legend)
    key = Table.grid(padding=(0, 1))
    key.add_column(justify="right", no_wrap=True)
    key.add_column(no_wrap=True, overflow="ignore")
    for measure_id, number in numbers.items():
        key.add_row(Text(str(number), style="dim"), Text(measure_id))
    return Group(table, legend, Text("measures:", style="dim"), key)


# a cell: its lines, each (atoms, style)
_CellLines = list[tuple[tuple[str, ...], str]]


def _matrix_cells(grid, show_ids: bool) -> tuple[dict[tuple[str, str], _CellLines], dict]:
    """Each cell's lines as atoms with their styles (a material control by its state, the
    others dim), and the measures' numbers in the order they first appear."""
    numbers: dict[str, int] = {}
    out: dict[tuple[str, str], _CellLines] = {}
    for mineral in grid.minerals:
        for destination in grid.destinations:
            cell = grid.cells[mineral, destination]
            controls = [*cell.material, *cell.targeted, *cell.technology]
            styles = [CELL_STYLES[c.status.state] if i < len(cell.material) else "dim"
                      for i, c in enumerate(controls)]  # fmt: skip
            lines: _CellLines = []
            if show_ids:
                for (_group, atoms, measure_id), style in zip(cell_piece_atoms(cell), styles,
                                                              strict=True):  # fmt: skip
                    number = numbers.setdefault(measure_id, len(numbers) + 1)
                    lines.append(((*atoms[:-1], f"{atoms[-1]} {number}"), style))
            else:
                # alike controls share a line (and a state, so a style)
                style_of = {w: st for (_g, w, _i), st in zip(cell_entries(cell), styles,
                                                             strict=True)}  # fmt: skip
                lines = [(atoms, style_of[words]) for words, atoms in cell_line_atoms(cell)]
            out[mineral, destination] = lines
    return out, numbers


def _wrap_atoms(atoms: tuple[str, ...], width: int) -> list[str]:
    """The atoms on as few lines of `width` as they fit, never one split (one wider than
    `width` stands alone, folded by the column); a continued line is indented by two, so that
    it cannot be taken for the next control."""
    lines: list[str] = []
    line = ""
    for atom in atoms:
        if line.strip() and cell_len(line) + 1 + cell_len(atom) > width:
            lines.append(line)
            line = "  " + atom if cell_len(atom) + 2 <= width else atom
        else:
            line = f"{line} {atom}" if line.strip() else line + atom
    lines.append(line)
    return lines


def _cell_text(lines: _CellLines, width: int) -> Text:
    if not lines:
        return Text("–", style=CELL_STYLES["none"])
    text = Text()
    for atoms, style in lines:
        for piece in _wrap_atoms(atoms, width):
            text.append(("\n" if text else "") + piece, style=style)
    return text


def _matrix_layout(grid, cells: dict[tuple[str, str], _CellLines], width: int) -> Table:
    mineral_width = _widest(grid.minerals, len("mineral"))
    count = len(grid.destinations)
    atom = max([0, *(cell_len(a) for lines in cells.values() for atoms, _s in lines
                     for a in atoms)])  # fmt: skip
    share = (width - mineral_width - count * GAP) // count if count else 0
    heads = max([0, *(cell_len(d) for d in grid.destinations)])
    table = _table()
    table.add_column("mineral", width=mineral_width, no_wrap=True)
    if count and share >= max(atom, heads, 1):
        # a column per destination, as wide as its longest line or its share of the width
        for destination in grid.destinations:
            natural = max([1, cell_len(destination), *(
                cell_len(" ".join(atoms)) for m in grid.minerals
                for atoms, _s in cells[m, destination])])  # fmt: skip
            table.add_column(destination, width=min(natural, share), no_wrap=True,
                             overflow="fold")  # fmt: skip
        for mineral in grid.minerals:
            row = [Text(mineral)]
            for destination, column in zip(grid.destinations, table.columns[1:], strict=True):
                row.append(_cell_text(cells[mineral, destination], column.width or share))
            table.add_row(*row)
        return table
    # long: a row per mineral and destination, the mineral said once
    to_width = max(heads, len("to"))
    room = max(1, width - mineral_width - to_width - 2 * GAP)
    table.add_column("to", width=to_width, no_wrap=True)
    table.add_column("controls", width=room, no_wrap=True, overflow="fold")
    for mineral in grid.minerals:
        for i, destination in enumerate(grid.destinations):
            table.add_row(Text(mineral if i == 0 else ""), Text(destination),
                          _cell_text(cells[mineral, destination], room),
                          end_section=i == count - 1)  # fmt: skip
    return table


def changes_table(rows) -> Table:
    """`changes`: what changed, by date. The title gets the width; the id (whole, on a line of
    its own), the number of sources and the event that caused the change go under it."""
    table = _table(leading=1)
    table.add_column("date", no_wrap=True)
    table.add_column("change", no_wrap=True)
    table.add_column("what / id / sources / by", ratio=1, overflow="fold")
    for c in rows:
        state = {"took-effect": "in-force", "resumed": "in-force"}.get(c.change, c.change)
        count = len(c.event.sources)
        about = f"{count} source{'s' if count != 1 else ''}" + (f", by {c.by.id}" if c.by else "")
        notes = [Text(about, style="dim")]
        if note := change_note(c):
            notes.append(Text(note, style="italic"))
        title = Text.assemble(_text(c.event.title), _reported(c.confidence))
        table.add_row(Text(c.date.isoformat()), Text(c.change, style=STATE_STYLES.get(state, "")),
                      _with_id(title, c.event.id, *notes))  # fmt: skip
    return table


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
    table.add_column(
        {"minerals": "mineral", "countries": "code", "categories": "category"}[kind], no_wrap=True
    )
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
