"""The briefing page: one self-contained HTML file (CSS and SVG inline; no script, font, image or
any other request), readable on a phone and with JavaScript off. Every piece of store text is
escaped; only http and https source links are written.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import NamedTuple

from ..engine.briefing import CELL_STATES, Change, Life, Matrix
from ..engine.states import Status, Target
from ..links import check_url
from ..model import Event
from ..text import visible
from .words import (
    MATRIX_LEGEND,
    cell_pieces,
    change_note,
    describe_days,
    flow_words,
    horizon_note,
    kind_text,
    status_note,
)

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
    statuses: Sequence[Status]
    events: Sequence[Event]


DEADLINE_DAYS = 90
CHANGE_DAYS = 30


def make(loaded, flt, as_of: dt.date, filters: str, answers, grid: Matrix) -> Report:
    """Everything the page shows, from a loaded store and a filter (`answers`: the module
    api.answers, passed in by the command: the output layer does not import upward; `grid`:
    the matrix, the one `status --matrix` draws with the same options)."""
    from ..engine.briefing import lives

    knowledge = answers.knowledge(loaded, as_of, confirmed=flt.confirmed)
    horizon = answers.horizon(loaded)
    statuses = answers.status(loaded, flt, as_of)
    events = loaded.select(flt)
    measures = [s.event for s in statuses]
    chart_start = min((m.date.first() for m in measures), default=as_of)
    chart_start = dt.date(max(chart_start.year, as_of.year - 4), 1, 1)
    chart_end = as_of + dt.timedelta(days=DEADLINE_DAYS)
    changes_from = as_of - dt.timedelta(days=CHANGE_DAYS)
    return Report(
        as_of=as_of,
        filters=filters,
        data_note=horizon_note(horizon, as_of),
        matrix=grid,
        deadlines=answers.countdown(loaded, flt, as_of, within=DEADLINE_DAYS),
        changes=answers.changes(loaded, flt, as_of, changes_from, as_of),
        changes_from=changes_from,
        lives=lives(measures, knowledge, horizon, chart_end),
        chart_start=chart_start,
        chart_end=chart_end,
        statuses=statuses,
        events=events,
    )


def _e(text: object) -> str:
    # control and bidi characters made visible, then escaped for text and attributes alike
    return html.escape(visible(str(text), keep_newlines=True), quote=True)


CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #5b5b5b; --rule: #d6d6d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
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
ul.ids { margin: .2rem 0 0; padding-left: 1rem; font-size: .8rem; color: var(--muted); }
details summary { cursor: pointer; font-size: .8rem; color: var(--muted); }
#matrix td { min-width: 6.5rem; }
#matrix th[scope="row"] { position: sticky; left: 0; background: #fff; }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em;
            overflow-wrap: anywhere; }
ul.events { list-style: none; padding: 0; margin: 0; }
ul.events > li { padding: .5rem 0; border-bottom: 1px solid var(--rule); }
ol.sources { margin: .25rem 0 0 1.25rem; padding: 0; font-size: .9rem; }
ol.sources a { overflow-wrap: anywhere; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; padding: 0; list-style: none;
          font-size: .9rem; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { width: 1.4rem; height: .9rem; border: 1px solid rgba(0,0,0,.35); display: inline-block; }
svg.life { width: 100%; height: auto; min-width: 36rem; font: 11px system-ui, sans-serif; }
footer { margin: 2rem 0 1rem; color: var(--muted); font-size: .85rem; }
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
    return ' <span class="reported">(reported)</span>' if confidence == "reported" else ""


def _id(event_id: str) -> str:
    return f'<a class="id" href="#{_e(event_id)}">{_e(event_id)}</a>'


def render(report: Report) -> str:
    """The whole page as text."""
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
        f"<title>reetimeline briefing, {report.as_of.isoformat()}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        "<h1>Critical-minerals briefing</h1>",
        f'<p class="meta">As of <strong>{report.as_of.isoformat()}</strong>; '
        f"filters: {_e(report.filters)}.</p>",
        f'<p class="meta">Data: {_e(report.data_note or "no store says up to when its facts were checked")}.'  # noqa: E501
        " A change due after that day that no event reports is shown as <em>unconfirmed</em>;"
        " facts that rest on press reports are marked <em>(reported)</em>.</p>",
        "</header>",
        _legend(),
        _deadlines(report.deadlines),
        _changes(report.changes, report.changes_from, report.as_of),
        _matrix(report.matrix),
        _life_chart(report),
        _states(report.statuses),
        _events(report.events),
        "<footer>Made by reetimeline from its sourced store. Every event lists its sources; "
        "dates are as the sources give them (a month or a year when no day is known).</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _legend() -> str:
    items = "".join(
        f'<li><span class="swatch swatch-{s}"></span>{_e(STATE_LABELS[s])}</li>'
        for s in ("announced", "in-force", "suspended", "unconfirmed", "expired", "ended")
    )
    items += '<li><span class="reported">(reported)</span> rests on press reports</li>'
    return f'<section aria-label="legend"><ul class="legend">{items}</ul></section>'


def _matrix(grid: Matrix) -> str:
    rows = []
    for mineral in grid.minerals:
        cells = []
        for destination in grid.destinations:
            cell = grid.cells[mineral, destination]
            controls = [*cell.material, *cell.targeted, *cell.technology]
            lines = []
            for (group, words, measure_id), control in zip(cell_pieces(cell), controls,
                                                           strict=True):  # fmt: skip
                state = control.status.state
                badge = _state(state, short=True) + " " if group == "material" else ""
                lines.append(f'<li class="{group}">{badge}{_e(words)} {_id(measure_id)}</li>')
            body = f'<ul class="ids">{"".join(lines)}</ul>' if lines else _state("none")
            cells.append(f"<td>{body}</td>")
        rows.append(f'<tr><th scope="row">{_e(mineral)}</th>{"".join(cells)}</tr>')
    intro = (f'<p class="meta">Exports of each mineral to each destination (naming it, a group '
             f"holding it, or all): {_e(MATRIX_LEGEND)}.</p>")  # fmt: skip
    return _section(
        "matrix",
        "What restricts what, where",
        ("mineral", *grid.destinations),
        rows,
        "no measures",
        intro,
    )


def _section(section: str, heading: str, columns: Sequence[str], rows: Sequence[str],
             empty: str, intro: str = "") -> str:  # fmt: skip
    """A section with a heading and a table that scrolls sideways on a narrow screen."""
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in columns)
    body = "".join(rows) or f'<tr><td colspan="{len(columns)}">{_e(empty)}</td></tr>'
    return (
        f'<section id="{section}"><h2>{_e(heading)}</h2>{intro}<div class="scroll"><table>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></section>"
    )


def _deadlines(rows: Sequence[Target]) -> str:
    return _section("deadlines", "Next deadlines", ("date", "days", "when", "what"), [
        f'<tr><td class="date">{_e(t.date)}</td><td class="days">{t.days}</td>'
        f"<td>{_e(describe_days(t))}</td><td>{_e(t.kind)}: {_e(t.event.title)}"
        f"{_reported(t.confidence)} {_id(t.event.id)}</td></tr>"
        for t in rows
    ], "no deadlines in the next 90 days")  # fmt: skip


def _changes(rows: Sequence[Change], first: dt.date, last: dt.date) -> str:
    heading = f"What changed, {first.isoformat()} to {last.isoformat()}"
    return _section("changes", heading, ("date", "change", "what", "by", "sources"), [
        f'<tr><td class="date">{c.date.isoformat()}</td><td>{_e(c.change)}</td>'
        f"<td>{_e(c.event.title)}{_reported(c.confidence)} {_id(c.event.id)}"
        + (f"<br><small>{_e(note)}</small>" if (note := change_note(c)) else "")
        + f"</td><td>{_id(c.by.id) if c.by else ''}</td>"
        f'<td class="days">{len(c.event.sources)}</td></tr>'
        for c in rows
    ], "no changes")  # fmt: skip


def _states(rows: Sequence[Status]) -> str:
    columns = ("state", "since", "until", "kind", "measure")
    return _section("states", "Every measure today", columns, [
        f"<tr><td>{_state(s.state)}</td><td class=\"date\">{_e(s.since or '')}</td>"
        f"<td class=\"date\">{_e(s.until or '')}</td><td>{_e(kind_text(s.event))}</td>"
        f"<td>{_e(s.event.title)} {_id(s.event.id)}<br><small>{_e(flow_words(s.event))}</small>"
        f"<br><small>{_e(status_note(s))}</small>{_reported(s.confidence)}</td></tr>"
        for s in rows
    ], "no measures")  # fmt: skip


def _events(events: Sequence[Event]) -> str:
    parts = ['<section id="events"><h2>Events by year</h2>']
    year = None
    for event in events:
        if event.date.year != year:
            if year is not None:
                parts.append("</ul>")
            year = event.date.year
            parts.append(f'<h3>{year}</h3><ul class="events">')
        dates = [f"takes effect {event.effective}"] if event.effective else []
        dates += [f"expires {event.expires}"] if event.expires else []
        links = "".join(
            f'<li><a href="{_e(s.url)}" rel="noreferrer noopener">{_e(s.title)}</a>'
            + (f" ({_e(s.publisher)})" if s.publisher else "") + "</li>"
            for s in event.sources if check_url(s.url) is None
        )  # fmt: skip
        parts.append(
            f'<li id="{_e(event.id)}"><strong>{_e(event.date)}</strong> · {_e(event.category)}'
            f" · {_e(event.title)}{_reported(event.confidence)}"
            + (f" <small>({_e(', '.join(dates))})</small>" if dates else "")
            + (f"<br>{_e(event.summary)}" if event.summary else "")
            + (f'<ol class="sources">{links}</ol>' if links else "")
            + "</li>"
        )
    if year is not None:
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)


# --- the life chart --------------------------------------------------------------------------

ROW = 22
LABEL = 190
WIDTH = 960


def _life_chart(report: Report) -> str:
    start, end = report.chart_start, report.chart_end
    span = max((end - start).days, 1)
    plot = WIDTH - LABEL - 10

    def x(day: dt.date) -> float:
        return round(LABEL + plot * (day - start).days / span, 1)

    height = 30 + ROW * len(report.lives) + 20
    out = [
        f'<svg class="life" viewBox="0 0 {WIDTH} {height}" role="img" '
        'xmlns="http://www.w3.org/2000/svg" aria-labelledby="life-title">',
        '<title id="life-title">The life of each measure: when it was announced, in force, '
        "suspended, ended, or unconfirmed</title>",
        "<defs>",
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" '
        f'fill="{STATE_COLOURS["unconfirmed"]}"/><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="#fff" stroke-width="2.5"/></pattern>',
        '<pattern id="reported" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" '
        'stroke-opacity=".35" stroke-width="1.5"/></pattern>',
        "</defs>",
    ]
    for year in range(start.year + 1, end.year + 1):
        tick = x(dt.date(year, 1, 1))
        out.append(f'<line x1="{tick}" y1="18" x2="{tick}" y2="{height - 16}" stroke="#ccc"/>'
                   f'<text x="{tick + 2}" y="14" fill="#555">{year}</text>')  # fmt: skip
    for row, item in enumerate(report.lives):
        y = 24 + row * ROW
        label = item.event.title if len(item.event.title) <= 34 else item.event.title[:33] + "…"
        out.append(f'<a href="#{_e(item.event.id)}"><text x="0" y="{y + 13}" fill="#1b1b1b">'
                   f"<title>{_e(item.event.title)}</title>{_e(label)}</text></a>")  # fmt: skip
        for band in item.bands:
            if band.last < start:
                continue
            left, right = x(max(band.first, start)), x(band.last + dt.timedelta(days=1))
            fill = "url(#hatch)" if band.state == "unconfirmed" else STATE_COLOURS[band.state]
            opacity = ' fill-opacity=".45"' if band.scheduled else ""
            tip = f"{STATE_LABELS[band.state]} {band.first} to {band.last}" + (
                " (scheduled)" if band.scheduled else "") + (
                " (reported)" if band.confidence == "reported" else "")  # fmt: skip
            out.append(
                f'<rect x="{left}" y="{y}" width="{max(round(right - left, 1), 0.5)}" '
                f'height="{ROW - 6}" fill="{fill}"{opacity}><title>{_e(tip)}</title></rect>'
            )
            if band.confidence == "reported":
                out.append(f'<rect x="{left}" y="{y}" width="{max(round(right - left, 1), 0.5)}"'
                           f' height="{ROW - 6}" fill="url(#reported)" stroke="#000" '
                           'stroke-dasharray="3 2" stroke-width=".8"/>')  # fmt: skip
    line = x(report.as_of)
    out.append(f'<line x1="{line}" y1="18" x2="{line}" y2="{height - 14}" stroke="#000" '
               f'stroke-width="1.5"/><text x="{line + 3}" y="{height - 3}" fill="#000">as of '
               f"{report.as_of.isoformat()}</text>")  # fmt: skip
    out.append("</svg>")
    note = ('<p class="meta">Bands after the as-of line are what the schedule says, drawn pale; '
            "hatched purple: a change was due after the data's horizon and nothing reports it; "
            "dashed outline: the stretch rests on press reports.</p>")  # fmt: skip
    return (f'<section id="life"><h2>The life of each measure</h2>{note}'
            f'<div class="scroll">{"".join(out)}</div></section>')  # fmt: skip


__all__ = ["CELL_STATES", "Report", "render"]
