"""The briefing page: one self-contained HTML file (CSS and SVG inline; no script, font, image or
any other request), readable on a phone and with JavaScript off. Every piece of store text is
escaped; only http and https source links are written.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..engine.briefing import CELL_STATES, Change, Life, Matrix
from ..engine.states import TODAY_ORDER, Status, Target
from ..model import Event
from ..text import visible
from .linking import writable
from .words import (
    MATRIX_LEGEND,
    REPORTED_MARK,
    cell_piece_atoms,
    change_note,
    describe_days,
    flow_words,
    history_note,
    horizon_note,
    kind_text,
    older_note,
    provenance_words,
    state_words,
    status_note,
)

if TYPE_CHECKING:
    from ..store import Provenance

# Okabe-Ito colours: distinct for the common colour-vision deficiencies, and each state also
# has its own label in the legend and in every table cell.
STATE_COLOURS = {
    "announced": "#56B4E9",  # sky blue
    "in-force": "#D55E00",  # vermillion
    "suspended": "#E69F00",  # orange
    "expired": "#999999",  # grey
    "ended": "#666666",  # dark grey
    "unconfirmed": "#CC79A7",  # reddish purple, hatched
    "none": "#FFFFFF",
}
STATE_LABELS = {
    "announced": "announced",
    "in-force": "in force",
    "suspended": "suspended",
    "expired": "expired",
    "ended": "ended",
    "unconfirmed": "unconfirmed (after the data's horizon)",
    "none": "none",
}


SHORT_LABELS = {**STATE_LABELS, "unconfirmed": "unconfirmed", "none": "–"}


class Report(NamedTuple):
    as_of: dt.date
    filters: str  # the filters as typed, for the header ("all events" when none)
    data_note: str  # how current the data is
    matrix: Matrix
    deadlines: Sequence[Target]
    changes: Sequence[Change]
    changes_from: dt.date
    lives: Sequence[Life]
    chart_start: dt.date
    chart_end: dt.date
    statuses: Sequence[Status]  # today first (`states.today_first`), the old history left out
    events: Sequence[Event]  # newest first
    history_ids: frozenset[str]  # the ids of `events`: what the page's ids link to
    title: str = "Critical-minerals briefing"
    within: int = 90  # the deadlines' reach, in days after the as-of date
    # where each event on the page that is not from the curated store comes from, by id
    sources: Mapping[str, Provenance] = {}
    # the measures that expired or ended more than a year before the as-of date (left out of
    # today's measures and of the life chart)
    left_out: int = 0
    # the history's reach: the events of that many days up to the as-of date (None: every
    # event), and how many older events it leaves out
    history: int | None = None
    older: int = 0
    old_in_history: bool = True  # whether the history shows the `left_out` measures


DEADLINE_DAYS = 90
CHANGE_DAYS = 30
HISTORY_DAYS = 365  # the history's default reach: the last twelve months
TITLE = "Critical-minerals briefing"
# today's measures, in groups by state: what binds now first, what is over last
# the heading of each state's group of today's measures; the groups run in the order of every
# view of today (`states.TODAY_ORDER`), the two past states in one group
STATE_HEADINGS = {
    "in-force": "in force",
    "suspended": "suspended",
    "unconfirmed": "unconfirmed: a change was due after the data's horizon",
    "announced": "announced, not yet in force",
    "ended": "ended or expired",
    "expired": "ended or expired",
}
STATE_GROUPS = tuple(
    (heading, tuple(s for s in TODAY_ORDER if STATE_HEADINGS[s] == heading))
    for heading in dict.fromkeys(STATE_HEADINGS[s] for s in TODAY_ORDER)
)


def make(loaded, flt, as_of: dt.date, filters: str, answers, grid: Matrix, *,
         title: str | None = None, within: int | None = None, recent: int | None = None,
         history: int | None = HISTORY_DAYS) -> Report:  # fmt: skip
    """Everything the page shows, from a loaded store and a filter (`answers`: the module
    api.answers, passed in by the command: the output layer does not import upward; `grid`:
    the matrix, the one `status --matrix` draws with the same options). `within`: the
    deadlines from the as-of date to that many days after it (default 90); `recent`: what
    changed in that many days up to the as-of date (default 30); `history`: the events dated
    in that many days up to the as-of date, newest first (default a year; None: every event).
    The life chart draws the measures today's list shows (the old ones left out)."""
    from ..engine.briefing import lives
    from ..engine.states import is_history, today_view

    within = DEADLINE_DAYS if within is None else within
    recent = CHANGE_DAYS if recent is None else recent
    knowledge = answers.knowledge(loaded, as_of, confirmed=flt.confirmed)
    horizon = answers.horizon(loaded)
    every_state = answers.today(loaded, flt, as_of, show_all=True).rows  # computed once
    today = answers.Today(*today_view(every_state, as_of))
    old = {s.event.id for s in every_state if is_history(s, as_of)}
    every = loaded.select(flt, reverse=True)
    events = every if history is None else _recent(every, as_of, history)
    measures = [s.event for s in today.rows]
    # the chart starts a month before the earliest measure it draws, at most four years back
    earliest = min((m.date.first() for m in measures), default=as_of)
    chart_start = max(earliest - dt.timedelta(days=30), dt.date(as_of.year - 4, 1, 1))
    chart_end = as_of + dt.timedelta(days=max(within, 60))
    changes_from = as_of - dt.timedelta(days=recent)
    deadlines = answers.countdown(loaded, flt, as_of, within=within)
    changes = answers.changes(loaded, flt, as_of, changes_from, as_of)
    shown = [*measures, *events, *(t.event for t in deadlines), *(c.event for c in changes),
             *(c.by for c in changes if c.by is not None)]  # fmt: skip
    sources = loaded.not_curated(shown)
    return Report(
        as_of=as_of,
        filters=filters,
        data_note=horizon_note(horizon, as_of),
        matrix=grid,
        deadlines=deadlines,
        changes=changes,
        changes_from=changes_from,
        lives=lives(measures, knowledge, horizon, chart_end),
        chart_start=chart_start,
        chart_end=chart_end,
        statuses=today.rows,
        events=events,
        history_ids=frozenset(e.id for e in events),
        title=title or TITLE,
        within=within,
        sources=sources,
        left_out=today.left_out,
        history=history,
        older=len(every) - len(events),
        old_in_history=old <= {e.id for e in events},
    )


def _recent(events: Sequence[Event], as_of: dt.date, days: int) -> list[Event]:
    """The events whose date reaches into the `days` days up to the as-of date (a month or a
    year by its last day), or after it."""
    after = as_of - dt.timedelta(days=days)
    return [e for e in events if e.date.last() > after]


def _e(text: object) -> str:
    # control and bidi characters made visible, then escaped for text and attributes alike
    return html.escape(visible(str(text), keep_newlines=True), quote=True)


CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #5b5b5b; --rule: #d6d6d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; overflow-wrap: break-word; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
p.meta { margin: .1rem 0; color: var(--muted); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .3rem .45rem; border-bottom: 1px solid var(--rule);
         vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
td.date, td.days { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.days { text-align: right; }
.state { display: inline-block; padding: 0 .4rem; border-radius: .25rem; white-space: nowrap;
         border: 1px solid rgba(0,0,0,.35); }
.state-in-force, .state-ended { color: #fff; }
.state-unconfirmed { background-image: repeating-linear-gradient(45deg, transparent 0 4px,
                     rgba(255,255,255,.55) 4px 7px); }
.reported { font-style: italic; color: #7a4d00; white-space: nowrap; }
.mine { display: inline-block; font-size: .8rem; padding: 0 .35rem; border-radius: .25rem;
        border: 1px dashed #7a4d00; color: #7a4d00; background: #fff6e0; }
ul.ids { margin: .2rem 0 0; padding-left: 1rem; font-size: .8rem; color: var(--muted); }
details summary { cursor: pointer; font-size: .8rem; color: var(--muted); }
details.more p { margin: .25rem 0; }
#matrix td { min-width: 6.5rem; }
#matrix .count { display: none; }
#matrix th[scope="row"] { position: sticky; left: 0; background: #fff; }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em;
            overflow-wrap: break-word; }
ul.events { list-style: none; padding: 0; margin: 0; }
ul.events > li { padding: .5rem 0; border-bottom: 1px solid var(--rule); }
ol.sources { margin: .25rem 0 0 1.25rem; padding: 0; font-size: .9rem; }
ol.sources a { overflow-wrap: anywhere; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; padding: 0; list-style: none;
          font-size: .9rem; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { width: 1.4rem; height: .9rem; border: 1px solid rgba(0,0,0,.35); display: inline-block; }
svg.life { display: block; width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.life.narrow { display: none; max-width: 34rem; }
footer { margin: 2rem 0 1rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 600px) {
  main { padding: .75rem; }
  .scroll { overflow-x: visible; }
  table.cards, table.cards tbody, table.cards tr, table.cards th, table.cards td {
    display: block; width: 100%; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
                      clip: rect(0 0 0 0); white-space: nowrap; }
  table.cards tr { border: 1px solid var(--rule); border-radius: .4rem; margin: 0 0 .6rem;
                   padding: .3rem .6rem; }
  table.cards td, table.cards th { border: 0; padding: .15rem 0; min-width: 0; }
  table.cards td[data-label]::before { content: attr(data-label); display: inline-block;
    min-width: 5.5rem; margin-right: .4rem; font-weight: 600; color: var(--muted); }
  table.cards td:empty { display: none; }
  table.cards td.days { text-align: left; }
  table.cards td.date { white-space: normal; }
  #matrix th[scope="row"] { position: static; font-size: 1.05rem; }
  /* a phone's matrix: each destination's badge and number of controls on a line or two */
  #matrix tr { display: grid; grid-template-columns: 1fr 1fr; gap: .1rem .6rem; }
  #matrix th[scope="row"] { grid-column: 1 / -1; }
  #matrix tr { padding: .3rem .5rem; }
  #matrix td { width: auto; min-width: 0; }
  #matrix td[data-label]::before { min-width: 1.5rem; margin-right: .25rem; }
  #matrix .count { display: inline; font-size: .8rem; color: var(--muted); white-space: nowrap; }
  #matrix ul.ids { display: none; }
  /* a phone's card of a measure: state, dates and kind side by side above the measure */
  #states table.cards td:not([data-label="measure"]) { display: inline-block; width: auto;
    margin-right: .9rem; }
  #states table.cards td:not([data-label="measure"])::before { min-width: 0; }
  #states table.cards td:empty { display: none; }
  #states table.cards td[data-label="measure"]::before { display: none; }
  svg.life:not(.narrow) { display: none; }
  svg.life.narrow { display: block; }
}
"""
for _name, _colour in STATE_COLOURS.items():
    CSS += f".state-{_name}, .swatch-{_name} {{ background-color: {_colour}; }}\n"
CSS += (
    ".swatch-unconfirmed { background-image: repeating-linear-gradient(45deg, transparent 0 "
    "3px, rgba(255,255,255,.6) 3px 5px); }\n"
)


def _state(state: str, *, short: bool = False) -> str:
    label = (SHORT_LABELS if short else STATE_LABELS).get(state, state)
    return f'<span class="state state-{_e(state)}">{_e(label)}</span>'


def _reported(confidence: str) -> str:
    return f' <span class="reported">{REPORTED_MARK}</span>' if confidence == "reported" else ""


def _breakable(event_id: str) -> str:
    """An id escaped, with a break opportunity after each hyphen: a narrow column wraps it
    between words, never one letter per line."""
    return "-<wbr>".join(_e(part) for part in event_id.split("-"))


def _id(event_id: str, linked: bool = True) -> str:
    """An id, linked to its event in the history when the history shows it."""
    if not linked:
        return f'<span class="id">{_breakable(event_id)}</span>'
    return f'<a class="id" href="#{_e(event_id)}">{_breakable(event_id)}</a>'


def _in_history(report: Report) -> Callable[[str], str]:
    """The page's id: linked to the history when the event is in it (not when `--history`
    left it out)."""
    return lambda event_id: _id(event_id, event_id in report.history_ids)


def _mine(report: Report, event_id: str) -> str:
    """The mark of an event that is not from the curated store, naming where it comes from."""
    where = report.sources.get(event_id)
    if where is None:
        return ""
    return f' <span class="mine">not curated: {_e(provenance_words(where))}</span>'


def render(report: Report) -> str:
    """The whole page as text: what matters this week first (the next deadlines, what changed,
    the matrix, today's measures by state), then the life chart and the history, newest
    first."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may be fetched: no script, style, font, image or frame from anywhere
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(report.title)}, {report.as_of.isoformat()}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{_e(report.title)}</h1>",
        f'<p class="meta">As of <strong>{report.as_of.isoformat()}</strong>; '
        f"filters: {_e(report.filters)}.</p>",
        f'<p class="meta">Data: {_e(report.data_note or "no store says up to when its facts were checked")}.'  # noqa: E501
        " A change due after that day that no event reports is shown as <em>unconfirmed</em>;"
        f" facts that rest on press reports are marked <em>{REPORTED_MARK}</em>.</p>",
        _not_curated_note(report),
        "</header>",
        _legend(report),
        _deadlines(report),
        _changes(report),
        _matrix(report.matrix, lambda event_id: _mine(report, event_id), _in_history(report)),
        _states(
            report.statuses,
            lambda event_id: _mine(report, event_id),
            _old_note(report),
            _in_history(report),
        ),
        _life_chart(report),
        _events(report),
        "<footer>Made by reetimeline from its sourced store. Every event lists its sources; "
        "dates are as the sources give them (a month or a year when no day is known).</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _not_curated_note(report: Report) -> str:
    if not report.sources:
        return ""
    count = len(report.sources)
    stores = sorted({provenance_words(p) for p in report.sources.values()})
    return (f'<p class="meta"><span class="mine">not curated</span> {count} event'
            f"{'s' if count != 1 else ''} on this page come{'s' if count == 1 else ''} from "
            f"{_e(', '.join(stores))}, not from the curated store; "
            "<code>reetimeline report --curated-only</code> leaves "
            f"{'it' if count == 1 else 'them'} out.</p>")  # fmt: skip


def _cited(title: str, url: str | None) -> str:
    """A source: its title linked to its URL, or the title alone (escaped) when it has no link
    to write (a document reference, or a link a page must not follow)."""
    if writable(url):
        return f'<a href="{_e(url)}" rel="noreferrer noopener">{_e(title)}</a>'
    return _e(title)


def _legend(report: Report) -> str:
    items = "".join(
        f'<li><span class="swatch swatch-{s}"></span>{_e(STATE_LABELS[s])}</li>'
        for s in ("announced", "in-force", "suspended", "unconfirmed", "expired", "ended")
    )
    items += f'<li><span class="reported">{REPORTED_MARK}</span> rests on press reports</li>'
    if report.sources:
        items += ('<li><span class="mine">not curated</span> from a store other than the '
                  "curated one</li>")  # fmt: skip
    return f'<section aria-label="legend"><ul class="legend">{items}</ul></section>'


def _matrix(grid: Matrix, mark: Callable[[str], str] = lambda _id: "",
            ident: Callable[[str], str] = _id) -> str:  # fmt: skip
    """Minerals by destinations. Each cell: the badge of its headline state (the strictest
    control on the material itself), how many controls apply, then each control (a line says
    its state only when it differs from the badge); a phone shows the badges and counts."""
    rows = []
    for mineral in grid.minerals:
        cells = []
        for destination in grid.destinations:
            cell = grid.cells[mineral, destination]
            cells.append(f'<td data-label="{_e(destination)}">{_cell(cell, mark, ident)}</td>')
        rows.append(f'<tr><th scope="row">{_e(mineral)}</th>{"".join(cells)}</tr>')
    intro = ('<p class="meta">Exports of each mineral to each destination (naming it, a group '
             "holding it, or all). The badge: the state of the strictest control on the "
             "material itself; a control says its own state only when it differs from the "
             "badge; no badge: no control on the material.</p>"
             '<details class="legend-more"><summary>how to read a cell</summary>'
             f'<p class="meta">{_e(MATRIX_LEGEND)}.</p></details>')  # fmt: skip
    return _section(
        "matrix",
        "What restricts what, where",
        ("mineral", *grid.destinations),
        rows,
        "no measures",
        intro,
    )


def _cell(cell, mark: Callable[[str], str], ident: Callable[[str], str]) -> str:
    controls = [*cell.material, *cell.targeted, *cell.technology]
    if not controls:
        return _state("none", short=True)
    headline = cell.state
    lines = []
    for (group, atoms, measure_id), control in zip(cell_piece_atoms(cell), controls,
                                                   strict=True):  # fmt: skip
        if control.status.state == headline:
            atoms = tuple(a for a in atoms if a != state_words(headline))
        lines.append(f'<li class="{group}">{_e(" ".join(atoms))} {ident(measure_id)}'
                     f"{mark(measure_id)}</li>")  # fmt: skip
    count = len(controls)
    counted = f"{count} control{'s' if count != 1 else ''}"
    if headline is None:
        counted = "+ " + counted  # none on the material: the legend's '+'
    badge = _state(headline, short=True) + " " if headline is not None else ""
    return (f'{badge}<span class="count">{counted}</span>'
            f'<ul class="ids">{"".join(lines)}</ul>')  # fmt: skip


def _row(cells: Sequence[tuple[str, str, str]]) -> str:
    """A table row of (column, class, html) cells, each labelled with its column for the
    narrow screen's cards."""
    return "<tr>" + "".join(
        f'<td data-label="{_e(label)}"' + (f' class="{kind}"' if kind else "") + f">{body}</td>"
        for label, kind, body in cells
    ) + "</tr>"  # fmt: skip


def _table(columns: Sequence[str], rows: Sequence[str], empty: str) -> str:
    """A table that scrolls sideways on a middling screen and is a stack of cards on a narrow
    one."""
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in columns)
    body = "".join(rows) or f'<tr><td colspan="{len(columns)}">{_e(empty)}</td></tr>'
    return (f'<div class="scroll"><table class="cards"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")  # fmt: skip


def _section(section: str, heading: str, columns: Sequence[str], rows: Sequence[str],
             empty: str, intro: str = "") -> str:  # fmt: skip
    """A section with a heading and a table."""
    return (f'<section id="{section}"><h2>{_e(heading)}</h2>{intro}'
            f"{_table(columns, rows, empty)}</section>")  # fmt: skip


def _deadlines(report: Report) -> str:
    ident = _in_history(report)
    return _section("deadlines", "Next deadlines", ("date", "days", "when", "what"), [
        _row([("date", "date", _e(t.date)), ("days", "days", str(t.days)),
              ("when", "", _e(describe_days(t))),
              ("what", "", f"{_e(t.kind)}: {_e(t.event.title)}{_reported(t.confidence)} "
                           f"{ident(t.event.id)}{_mine(report, t.event.id)}")])
        for t in report.deadlines
    ], f"no deadlines in the next {report.within} days")  # fmt: skip


def _changes(report: Report) -> str:
    heading = f"What changed, {report.changes_from.isoformat()} to {report.as_of.isoformat()}"
    ident = _in_history(report)
    return _section("changes", heading, ("date", "change", "what", "by", "cited"), [
        _row([("date", "date", c.date.isoformat()), ("change", "", _e(c.change)),
              ("what", "", f"{_e(c.event.title)}{_reported(c.confidence)} {ident(c.event.id)}"
                           f"{_mine(report, c.event.id)}"
               + (f"<br><small>{_e(note)}</small>" if (note := change_note(c)) else "")),
              ("by", "", ident(c.by.id) + _mine(report, c.by.id) if c.by else ""),
              ("cited", "days", str(len(c.event.sources)))])
        for c in report.changes
    ], "no changes")  # fmt: skip


def _old_note(report: Report) -> str:
    """The line saying how many old measures today's list and the chart leave out."""
    if not report.left_out:
        return ""
    return history_note(report.left_out, report.old_in_history)


def _states(statuses: Sequence[Status], mark: Callable[[str], str] = lambda _id: "",
            old_note: str = "", ident: Callable[[str], str] = _id) -> str:  # fmt: skip
    """Today's measures, in groups by state (`STATE_GROUPS`), each in the order given; `mark`:
    the mark after a measure's id (where it comes from, when not the curated store);
    `old_note`: how many that expired or ended more than a year ago are left out."""
    columns = ("state", "since", "until", "kind", "measure")
    parts = ['<section id="states"><h2>Every measure today</h2>']
    for heading, states in STATE_GROUPS:
        rows = [
            _row([("state", "", _state(s.state)), ("since", "date", _e(s.since or "")),
                  ("until", "date", _e(s.until or "")), ("kind", "", _e(kind_text(s.event))),
                  ("measure", "", f"{_e(s.event.title)} {ident(s.event.id)}{mark(s.event.id)}"
                                  f"<br><small>{_e(flow_words(s.event))}</small>"
                                  f"<br><small>{_e(status_note(s))}</small>"
                                  f"{_reported(s.confidence)}")])
            for s in statuses if s.state in states
        ]  # fmt: skip
        if rows:
            parts.append(f"<h3>{_e(heading)} ({len(rows)})</h3>{_table(columns, rows, '')}")
    if len(parts) == 1:
        parts.append(f"<p>{_e('no measures')}</p>")
    if old_note:
        parts.append(f"<p><small>{_e(old_note)}</small></p>")
    parts.append("</section>")
    return "".join(parts)


def _more(event: Event) -> str:
    """An event's summary and sources, folded under one line: the history lists titles, a tap
    opens one."""
    links = "".join(
        f"<li>{_cited(s.title, s.url)}" + (f" ({_e(s.publisher)})" if s.publisher else "")
        + "</li>"
        for s in event.sources
    )  # fmt: skip
    count = len(event.sources)
    said = [*(["summary"] if event.summary else []),
            *([f"{count} source{'s' if count != 1 else ''}"] if count else [])]  # fmt: skip
    if not said:
        return ""
    return (f'<details class="more"><summary>{" and ".join(said)}</summary>'
            + (f"<p>{_e(event.summary)}</p>" if event.summary else "")
            + (f'<ol class="sources">{links}</ol>' if links else "")
            + "</details>")  # fmt: skip


def _events(report: Report) -> str:
    if report.history is None:
        parts = ['<section id="events"><h2>Events by year, newest first</h2>']
    else:
        since = report.as_of - dt.timedelta(days=report.history)
        parts = [f'<section id="events"><h2>Events after {since.isoformat()}, newest first</h2>']
    year = None
    for event in report.events:
        if event.date.year != year:
            if year is not None:
                parts.append("</ul>")
            year = event.date.year
            parts.append(f'<h3>{year}</h3><ul class="events">')
        dates = [f"takes effect {event.effective}"] if event.effective else []
        dates += [f"expires {event.expires}"] if event.expires else []
        parts.append(
            f'<li id="{_e(event.id)}"><strong>{_e(event.date)}</strong> · {_e(event.category)}'
            f" · {_e(event.title)}{_reported(event.confidence)}{_mine(report, event.id)}"
            + (f" <small>({_e(', '.join(dates))})</small>" if dates else "")
            + _more(event)
            + "</li>"
        )
    if year is not None:
        parts.append("</ul>")
    if report.older:
        parts.append(f'<p class="meta">{_e(older_note(report.older, report.history))}</p>')
    parts.append("</section>")
    return "".join(parts)


# --- the life chart --------------------------------------------------------------------------
# Two drawings of the same lives: a wide one (a label column beside the bars, the last five
# years) and, below 600 px, a narrow one (each label above its bar, the last two years), both
# drawn at about the size they are shown so that their text stays 11 px or more.

ROW = 22
LABEL = 260  # the label column's least width in the wide chart
MAX_LABEL = 430  # and its most: the plot keeps at least 520 px
WIDTH = 960
NARROW_WIDTH = 360
NARROW_ROW = 34
CHAR = 6.6  # px: the width of a character of the chart's 12 px text, a little generous
AS_OF_LABEL = "as of {}"


def _patterns() -> str:
    """The chart's patterns, in an SVG of their own that is always displayed (a pattern inside
    a hidden SVG does not paint)."""
    return (
        '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" '
        f'fill="{STATE_COLOURS["unconfirmed"]}"/><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="#fff" stroke-width="2.5"/></pattern>'
        '<pattern id="reported" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" '
        'stroke-opacity=".35" stroke-width="1.5"/></pattern>'
        "</defs></svg>"
    )


def _bands(item: Life, start: dt.date, x, y: float, height: float) -> list[str]:
    out = []
    for band in item.bands:
        if band.last < start:
            continue
        left, right = x(max(band.first, start)), x(band.last + dt.timedelta(days=1))
        width = max(round(right - left, 1), 0.5)
        fill = "url(#hatch)" if band.state == "unconfirmed" else STATE_COLOURS[band.state]
        opacity = ' fill-opacity=".45"' if band.scheduled else ""
        tip = f"{STATE_LABELS[band.state]} {band.first} to {band.last}" + (
            " (scheduled)" if band.scheduled else "") + (
            " (reported)" if band.confidence == "reported" else "")  # fmt: skip
        out.append(f'<rect x="{left}" y="{y}" width="{width}" height="{height}" fill="{fill}"'
                   f"{opacity}><title>{_e(tip)}</title></rect>")  # fmt: skip
        if band.confidence == "reported":
            out.append(f'<rect x="{left}" y="{y}" width="{width}" height="{height}" '
                       'fill="url(#reported)" stroke="#000" stroke-dasharray="3 2" '
                       'stroke-width=".8"/>')  # fmt: skip
    return out


def _as_of_line(as_of: dt.date, line: float, top: float, bottom: float, width: float,
                label_y: float) -> str:  # fmt: skip
    """The as-of line and its label, on the side of the line where the label fits inside the
    chart."""
    label = AS_OF_LABEL.format(as_of.isoformat())
    fits_right = line + 3 + len(label) * CHAR <= width
    anchor = f'x="{line + 3}"' if fits_right else f'x="{round(line - 3, 1)}" text-anchor="end"'
    return (f'<line x1="{line}" y1="{top}" x2="{line}" y2="{bottom}" stroke="#000" '
            f'stroke-width="1.5"/><text class="as-of" {anchor} y="{label_y}" fill="#000" '
            f'font-weight="600">{_e(label)}</text>')  # fmt: skip


def _chart_label(report: Report, event, label: str, x: float, y: float) -> str:
    """A measure's label, linked to the event in the history when it shows it, its whole title
    as a tooltip; in
    the not-curated mark's colour, saying where it comes from, for an event of another
    store."""
    where = report.sources.get(event.id)
    look = ' fill="#1b1b1b"' if where is None else ' fill="#7a4d00" font-style="italic"'
    note = "" if where is None else f" (not curated: {provenance_words(where)})"
    text = (f'<text x="{x}" y="{y}"{look}><title>{_e(event.title + note)}</title>'
            f"{_e(label)}</text>")  # fmt: skip
    if event.id not in report.history_ids:
        return text  # the history does not show it (--history)
    return f'<a href="#{_e(event.id)}">{text}</a>'


def _cut(title: str, room: int) -> str:
    """A title in at most `room` characters: whole, or cut after a word with "…" (mid-word only
    when its first word alone is longer than the room)."""
    if len(title) <= room:
        return title
    head = title[: room - 1]
    if title[room - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-") + "…"


def _wide_chart(report: Report) -> str:
    start, end = report.chart_start, report.chart_end
    span = max((end - start).days, 1)
    longest = max((len(item.event.title) for item in report.lives), default=0)
    label = min(max(LABEL, round(longest * CHAR) + 8), MAX_LABEL)
    room = int((label - 8) / CHAR)
    plot = WIDTH - label - 10

    def x(day: dt.date) -> float:
        return round(label + plot * (day - start).days / span, 1)

    height = 30 + ROW * len(report.lives) + 20
    out = [
        f'<svg class="life" viewBox="0 0 {WIDTH} {height}" role="img" '
        'xmlns="http://www.w3.org/2000/svg" aria-labelledby="life-title">',
        '<title id="life-title">The life of each measure: when it was announced, in force, '
        "suspended, ended, or unconfirmed</title>",
    ]
    for year in range(start.year + 1, end.year + 1):
        tick = x(dt.date(year, 1, 1))
        # a year too near the right edge is written left of its line, never cut by the edge
        place = (f'x="{tick + 2}"' if tick + 2 + 5 * CHAR <= WIDTH
                 else f'x="{round(tick - 2, 1)}" text-anchor="end"')  # fmt: skip
        out.append(f'<line x1="{tick}" y1="18" x2="{tick}" y2="{height - 16}" stroke="#ccc"/>'
                   f'<text {place} y="14" fill="#555">{year}</text>')  # fmt: skip
    for row, item in enumerate(report.lives):
        y = 24 + row * ROW
        out.append(_chart_label(report, item.event, _cut(item.event.title, room), 0, y + 13))
        out += _bands(item, start, x, y, ROW - 6)
    out.append(_as_of_line(report.as_of, x(report.as_of), 18, height - 16, WIDTH, height - 3))
    out.append("</svg>")
    return "".join(out)


def _narrow_chart(report: Report) -> str:
    """The phone's chart: the last two years up to the chart's end, each measure's label above
    its bar, the measures whose life reaches into that window."""
    end = report.chart_end
    start = max(report.chart_start, dt.date(report.as_of.year - 1, 1, 1))
    span = max((end - start).days, 1)
    margin = 4

    def x(day: dt.date) -> float:
        return round(margin + (NARROW_WIDTH - 2 * margin) * (day - start).days / span, 1)

    shown = [item for item in report.lives if any(b.last >= start for b in item.bands)]
    height = 36 + NARROW_ROW * len(shown) + 6
    out = [
        f'<svg class="life narrow" viewBox="0 0 {NARROW_WIDTH} {height}" role="img" '
        'xmlns="http://www.w3.org/2000/svg" aria-labelledby="life-title-narrow">',
        f'<title id="life-title-narrow">The life of each measure since {start.year}</title>',
    ]
    for year in range(start.year, end.year + 1):
        for month in (1, 7):
            day = dt.date(year, month, 1)
            if not start <= day <= end:
                continue
            tick = x(day)
            colour = "#bbb" if month == 1 else "#e4e4e4"
            out.append(f'<line x1="{tick}" y1="{16 if month == 1 else 20}" x2="{tick}" '
                       f'y2="{height - 4}" stroke="{colour}"/>')  # fmt: skip
            if month == 1 and tick + 2 + 4 * CHAR <= NARROW_WIDTH:
                out.append(f'<text x="{tick + 2}" y="12" fill="#555">{year}</text>')
    per_line = int((NARROW_WIDTH - 2 * margin) / CHAR)
    for row, item in enumerate(shown):
        y = 36 + row * NARROW_ROW
        out.append(
            _chart_label(report, item.event, _cut(item.event.title, per_line), margin, y + 10)
        )
        out += _bands(item, start, x, y + 14, 12)
    out.append(_as_of_line(report.as_of, x(report.as_of), 16, height - 4, NARROW_WIDTH, 28))
    out.append("</svg>")
    return "".join(out)


def _life_chart(report: Report) -> str:
    note = ('<p class="meta">Bands after the as-of line are what the schedule says, drawn pale; '
            "hatched purple: a change was due after the data's horizon and nothing reports it; "
            "dashed outline: the stretch rests on press reports"
            + ("; a label in brown italics: not curated" if report.sources else "")
            + ". The chart draws the measures of today's list"
            + (f"; {_e(_old_note(report))}" if report.left_out else "")
            + ".</p>")  # fmt: skip
    return (f'<section id="life"><h2>The life of each measure</h2>{note}{_patterns()}'
            f"{_wide_chart(report)}{_narrow_chart(report)}</section>")  # fmt: skip


__all__ = ["CELL_STATES", "Report", "render"]
