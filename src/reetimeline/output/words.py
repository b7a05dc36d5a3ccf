"""The words every view shares: how a state, a count of days, a change and the data's horizon
read. The engine gives data (states, dates, day counts, the acting events, the horizon); the
sentences are made here, once, for the terminal, piped text, `--json`, `show`, the report and
the exports alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import ALL_DESTINATIONS, MEASURE_CATEGORIES

if TYPE_CHECKING:
    from ..engine.briefing import Change
    from ..engine.states import Horizon, Status, Target
    from ..model import Dated


def counted(count: int, noun: str) -> str:
    """`1 event`, `0 events`, `2 events`: a count with its noun in the right number."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# How sure the sources are (an event's `confidence`: `confirmed`, `reported`) is not a state: a
# row that reads "unconfirmed ... confirmed" says two things. Every view heads the column with
# CONFIDENCE_HEADING, the name `--json` gives the field, and writes its cells with
# `confidence_words` ("sources: confirmed"), so that a cell cannot be taken for the state beside
# it; `--json` keeps the bare value. One name for each meaning: `confidence` how sure the sources
# are, `cited` how many there are (`changes`), `sources` the sources themselves (the exports).
CONFIDENCE_HEADING = "confidence"


def confidence_words(confidence: str) -> str:
    """ "sources: confirmed", "sources: reported": how sure the sources are, never a state."""
    return f"sources: {confidence}"


def exact_hint(asked: Sequence[str], matched: Sequence[tuple[str, ...]]) -> str:
    """The hint under `list -m X` when more rows match X through a group or a member of it
    (`matched`: each row's matched minerals, `query.matched_minerals`) than name X itself: how
    many of each, and that `--exact` keeps the direct ones; "" otherwise."""
    names = set(asked)
    direct = sum(1 for row in matched if names.intersection(row))
    through = len(matched) - direct
    if through <= direct:
        return ""
    via = sorted({m for row in matched for m in row} - names)
    asked_text = " or ".join(asked)
    keeps = "none"
    if direct:
        keeps = f"the {direct} that {'names' if direct == 1 else 'name'} {asked_text}"
    match = "matches" if through == 1 else "match"
    return (f"{through} of the {counted(len(matched), 'row')} {match} {asked_text} only "
            f"through {', '.join(via)}; --exact keeps {keeps}")  # fmt: skip


# a measure's kind in words (`kind = None` on a measure: not classified, read as a control on
# the material, the cautious reading)
KIND_UNKNOWN = "kind unknown"
KIND_WORDS = {
    "licensing": "licensing", "ban": "ban", "informal": "informal restriction",
    "end-use-ban": "end-use ban", "entity-listing": "entity listing",
    "technology": "technology control", "extraterritorial": "extraterritorial control",
    "tariff": "tariff",
}  # fmt: skip


def kind_text(event: Dated) -> str:
    """The kind of a measure as a table shows it ("licensing"; for an
    unclassified export control: "unclassified"); "" for an event that is not a measure."""
    if event.category not in MEASURE_CATEGORIES:
        return ""
    return event.kind or ("tariff" if event.category == "tariff" else "unclassified")


def kind_words(kind: str | None) -> str:
    """ "entity listing", "technology control"; "kind unknown" for None."""
    return KIND_WORDS.get(kind, kind) if kind else KIND_UNKNOWN


def _places(codes: tuple[str, ...], issuer: str | None) -> str:
    if ALL_DESTINATIONS in codes:
        return f"all but {issuer}" if issuer else "all"
    return ", ".join(codes) if codes else "?"


def flow_words(event: Dated) -> str:
    """Which trade a measure restricts: "exports from CN to all but CN" (an export control, to
    its `applies_to` destinations), "imports into US from CN" (a tariff, from its origins); ""
    for an event that is not a measure."""
    if event.category == "export-control":
        return f"exports from {event.issuer or '?'} to {_places(event.applies_to, event.issuer)}"
    if event.category == "tariff":
        return f"imports into {event.issuer or '?'} from {_places(event.applies_to, event.issuer)}"
    return ""


def horizon_note(horizon: Horizon, as_of: dt.date | None) -> str:
    """ "curated store current to 2026-10-08, 48 days ago" (or "" with no horizon)."""
    if horizon.date is None or as_of is None:
        return ""
    days = (as_of - horizon.date.last()).days
    if days == 0:
        ago = "the as-of date"
    elif days > 0:
        ago = f"{days} day{'s' if days != 1 else ''} ago"
    else:
        ago = f"{-days} day{'s' if days != -1 else ''} after the as-of date"
    return f"{horizon.label or 'data'} current to {horizon.date}, {ago}"


def status_note(s: Status) -> str:
    """The sentence behind a state: by what, until when, how sure; when an event reports that
    the scheduled change behind the state happened (`confirms`, or an `ends` that records a
    lapse), it is named ("reported by ...")."""
    note = _status_note(s)
    reporter = getattr(s, "reported_by", None)
    if reporter is not None and s.state != "unconfirmed":
        note = f"{note}; reported by {reporter.id}" if note else f"reported by {reporter.id}"
    return note


def _status_note(s: Status) -> str:
    if s.state == "unconfirmed":
        assert s.by is not None and s.since is not None
        if s.last_known == "suspended" and s.scheduled == "in-force":
            what = (
                f"the suspension by {s.lapsed.id if s.lapsed else s.by.id} was scheduled to "
                f"end {s.since.previous()}"
            )
            if s.never_took_effect:
                what += " (the measure never took effect)"
        elif s.scheduled == "in-force":
            what = f"it was scheduled to take effect {s.since}"
        elif s.scheduled == "expired":
            what = f"it was scheduled to expire after {s.since.previous()}"
        elif s.scheduled == "ended":
            what = f"{s.by.id} was to end it from {s.since}"
        else:
            what = f"a suspension by {s.by.id} was scheduled from {s.since}"
        data = horizon_note(s.horizon, s.as_of)
        return f"{what}; no event in the stores says what happened" + (f" ({data})" if data else "")
    if s.state == "suspended" and s.by is not None:
        end = f" until {s.until}" if s.until else " with no end date"
        extended = f", extended by {s.extended_by.id}" if s.extended_by else ""
        never = "; it never took effect" if s.never_took_effect else ""
        return f"suspended by {s.by.id}{end}{extended}{never}"
    if s.state == "announced" and s.until:
        return f"takes effect {s.until.following()}"
    if s.state == "expired" and s.since:
        return f"expired after {s.since.previous()}"
    if s.state == "ended" and s.by is not None:
        return f"ended by {s.by.id} from {s.since}"
    partly = partial_note(s)
    if partly:
        return partly
    if s.state == "in-force" and s.lapsed is not None and s.since is not None:
        return f"suspension by {s.lapsed.id} ended {s.since.previous()}"
    if s.state == "in-force" and s.until:
        return f"in force until {s.until}"
    return ""


def partial_note(s: Status) -> str:
    """ "in force; in part suspended by X until 2026-11-10": a measure that a partial
    suspension or truce (`partial = true`) covers stays in force. The engine's Status names the
    partial suspension (`partial_by`), its last day (`partial_until`) and whether that day
    passed after the horizon with nothing reported (`partial_unconfirmed`)."""
    by = getattr(s, "partial_by", None)
    if s.state != "in-force" or by is None:
        return ""
    until = getattr(s, "partial_until", None)
    if getattr(s, "partial_unconfirmed", False) and until is not None:
        data = horizon_note(s.horizon, s.as_of)
        return (
            f"in force; the part suspended by {by.id} was due back in force after {until}; "
            "no event in the stores says what happened" + (f" ({data})" if data else "")
        )
    end = f" until {until}" if until else " with no end date"
    return f"in force; in part suspended by {by.id}{end}"


def describe_days(target: Target) -> str:
    """How a countdown row reads: "in 302 days", "today", "expired 15 days ago", then its
    notes after commas ("extended by ...", "not confirmed: after the data's horizon")."""
    text = days_text(target.days, target.kind,
                     due=target.unconfirmed or target.never or target.superseded)  # fmt: skip
    if target.extended_by is not None:
        text += f", extended by {target.extended_by.id}"
    if target.superseded:
        by = target.replaced_by
        if by is None:
            text += ", superseded"
        elif target.event.id in by.ends:
            text += f", ended earlier by {by.id}"
        else:
            text += f", replaced by {by.id}"
    if target.never:
        text += ", never reached: suspended before it took effect"
    if target.unconfirmed:
        text += UNCONFIRMED_NOTE
    return text


UNCONFIRMED_NOTE = ", not confirmed: after the data's horizon"


_LAPSED = {"expires": "expired ", "effective": "took effect "}


def days_text(days: int, kind: str, *, due: bool = False) -> str:
    """ "in 302 days", "today", "expired 15 days ago"; `due` for a date that passed without
    being reached ("due 3 days ago")."""
    if days == 0:
        return "today"
    count = f"{abs(days)} day{'s' if abs(days) != 1 else ''}"
    if days > 0:
        return f"in {count}"
    return f"due {count} ago" if due else f"{_LAPSED.get(kind, '')}{count} ago"


def urgency(days: int) -> str:
    """How a count is styled: "past", "now" (7 days or less ahead), "soon" (30 days or less)
    or "later"."""
    if days < 0:
        return "past"
    if days <= 7:
        return "now"
    return "soon" if days <= 30 else "later"


# what an unreported change was due to do, for the note of an `unconfirmed` change
_DUE = {"took-effect": "take effect", "resumed": "be in force again", "expired": "expire",
        "ended": "end", "suspended": "be suspended", "announced": "be announced"}  # fmt: skip


def change_note(c: Change) -> str:
    """The note under a change: what an unreported change was due to do and how current the
    data is; the new end of an extended suspension; else ""."""
    if c.change == "unconfirmed" and c.scheduled is not None:
        return (f"was due to {_DUE[c.scheduled]}; nothing reported "
                f"(data: {horizon_note(c.horizon, c.as_of)})")  # fmt: skip
    if c.change == "extended" and c.extended is not None and c.by is not None:
        return f"{c.extended.id} now ends {c.by.expires}"
    return ""


# --- the matrix: what restricts a mineral to a destination, by kind ----------------------------

# after a control whose sources are press reports, in every matrix (terminal, piped, sheets,
# JSON, the page): the one place it is made is `control_atoms`
REPORTED_MARK = "(reported)"

MATRIX_LEGEND = (
    "each cell: the controls on the material itself (ban, licensing, informal; every buyer), "
    "strictest first, each with its state; '+' marks controls that hit only named entities or "
    "military users (end-use ban, entity listing) and controls on technology or foreign-made "
    "items (technology, extraterritorial), never the mineral's own state; 'technology only': "
    "no control on the material; 'kind unknown': an unclassified control, read as one on the "
    f"material; '{REPORTED_MARK}': the control rests on press reports "
    f"({confidence_words('reported')}); 'unconfirmed' is a state (a change was due after the "
    "data's horizon and nothing reports it), not how sure the sources are"
)


def state_words(state: str) -> str:
    """ "in force" for `in-force`; other states as they are."""
    return state.replace("-", " ")


# A line of a matrix cell is made of atoms: pieces a narrow cell may put on lines of their own,
# never splitting one. Each word of a kind is an atom, a state is one ("in force" whole), and
# what belongs to a piece stays on it: "+" to the kind after it, "×2" and an id's number to the
# state before them.


def control_atoms(control) -> tuple[str, ...]:
    """One control of a matrix cell in atoms: ("licensing", "in force"), ("ban",
    "unconfirmed"), ("licensing", "in force,", "in part suspended"), and `REPORTED_MARK` after
    a control that rests on press reports: ("informal", "restriction", "in force",
    "(reported)")."""
    status = control.status
    atoms = [*kind_words(control.kind).split(" "), state_words(status.state)]
    if status.state == "in-force" and getattr(status, "partial_by", None) is not None:
        atoms[-1] += ","
        atoms.append("in part suspended")
    if status.confidence == "reported":
        atoms.append(REPORTED_MARK)
    return tuple(atoms)


def _marked(atoms: tuple[str, ...]) -> tuple[str, ...]:
    return (f"+ {atoms[0]}", *atoms[1:])


def cell_entry_atoms(cell) -> list[tuple[str, tuple[str, ...], str]]:
    """Each control of a matrix cell as (group, atoms, measure id), in order, the targeted and
    technology ones marked "+"."""
    pieces = [("material", control_atoms(c), c.status.event.id) for c in cell.material]
    pieces += [("targeted", _marked(control_atoms(c)), c.status.event.id) for c in cell.targeted]
    pieces += [("technology", _marked(control_atoms(c)), c.status.event.id)
               for c in cell.technology]  # fmt: skip
    return pieces


def cell_entries(cell) -> list[tuple[str, str, str]]:
    """Each control of a matrix cell as (group, words, measure id), in order, the targeted and
    technology ones marked "+ "."""
    return [(group, " ".join(atoms), i) for group, atoms, i in cell_entry_atoms(cell)]


def _technology_only(cell, first: tuple[str, ...]) -> tuple[str, ...]:
    """The first line of a cell that only technology controls restrict, led by "technology
    only:" instead of "+"."""
    if cell.material or cell.targeted or not cell.technology:
        return first
    return ("technology only:", first[0].removeprefix("+ "), *first[1:])


def cell_piece_atoms(cell) -> list[tuple[str, tuple[str, ...], str]]:
    """The lines of a matrix cell, each (group, atoms, measure id): the material controls
    first (strictest kind first), then "+ entity listing in force" for the targeted and
    technology controls; when only technology controls apply, the first reads "technology
    only: ..."."""
    pieces = cell_entry_atoms(cell)
    if pieces:
        group, atoms, measure_id = pieces[0]
        pieces[0] = (group, _technology_only(cell, atoms), measure_id)
    return pieces


def cell_pieces(cell) -> list[tuple[str, str, str]]:
    """`cell_piece_atoms` with each line's words joined."""
    return [(group, " ".join(atoms), i) for group, atoms, i in cell_piece_atoms(cell)]


def cell_line_atoms(cell) -> list[tuple[str, tuple[str, ...]]]:
    """The lines of a matrix cell without ids, each (words, the line's atoms): controls of the
    same kind in the same state said once, with their number ("+ technology control
    unconfirmed ×2")."""
    counts: dict[tuple[str, ...], int] = {}
    for _group, atoms, _id in cell_entry_atoms(cell):
        counts[atoms] = counts.get(atoms, 0) + 1
    lines = [(" ".join(atoms), atoms if n == 1 else (*atoms[:-1], f"{atoms[-1]} ×{n}"))
             for atoms, n in counts.items()]  # fmt: skip
    if lines:
        lines[0] = (lines[0][0], _technology_only(cell, lines[0][1]))
    return lines


def cell_lines(cell) -> list[tuple[str, str]]:
    """`cell_line_atoms` with each line's atoms joined: (words, the line)."""
    return [(words, " ".join(atoms)) for words, atoms in cell_line_atoms(cell)]


def cell_text(cell, *, show_ids: bool = False) -> str:
    """A matrix cell on one line: "ban unconfirmed; licensing in force; + end-use ban in
    force" (each control with its id in brackets with `show_ids`, else controls alike said
    once with their number); "none" when nothing applies."""
    if show_ids:
        lines = [f"{words} ({i})" for _group, words, i in cell_pieces(cell)]
    else:
        lines = [line for _words, line in cell_lines(cell)]
    return "; ".join(lines) if lines else "none"


def history_note(count: int, in_history: bool = True) -> str:
    """The page's line under today's measures and the life chart: "2 measures that expired or
    ended more than a year ago are only in the history below", or, when the history does not
    reach back to them, "... are left out; reetimeline report --history all shows them"."""
    if in_history:
        return f"{_old_measures(count)} only in the history below"
    return (f"{_old_measures(count)} left out; reetimeline report --history all shows "
            f"{'it' if count == 1 else 'them'} in the history")  # fmt: skip


def older_note(count: int, days: int | None) -> str:
    """The page's line under a history cut to its last `days` days: "48 older events are left
    out; reetimeline report --history all shows every event, --history DAYS those of the last
    DAYS days"."""
    events = "1 older event is" if count == 1 else f"{count} older events are"
    return (f"{events} left out (the history shows {days} days up to the as-of date); "
            "reetimeline report --history all shows every event, --history DAYS those of "
            "the last DAYS days")  # fmt: skip


def _old_measures(count: int) -> str:
    if count == 1:
        return "1 measure that expired or ended more than a year ago is"
    return f"{count} measures that expired or ended more than a year ago are"


def left_out_note(count: int) -> str:
    """The line under a view of today that left out past measures (`states.is_history`):
    "2 measures that expired or ended more than a year ago are left out; --all shows them"."""
    return f"{_old_measures(count)} left out; --all shows {'it' if count == 1 else 'them'}"


def provenance_words(source) -> str:
    """Where an event comes from (a `store.Provenance`), in words: "curated store", "your
    store" or "team store NAME" (the name made visible by the store)."""
    if source.kind == "curated":
        return "curated store"
    if source.kind == "user":
        return "your store"
    return f"team store {source.name}" if source.name else "a team store"
