"""The weekly briefing: what changed between two dates, and what restricts what where (fixture
stores, `--as-of`, never the clock)."""

from reetimeline.api import answers
from reetimeline.engine import query
from tests.conftest import json_of

CHANGING = """
current_to = 2025-12-31

[[events]]
id = "controls"
date = 2025-10-01
title = "Controls"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "pause"
date = 2025-11-05
expires = 2025-11-20
title = "Controls suspended"
category = "suspension"
suspends = ["controls"]
sources = [
    { title = "A", url = "https://example.com/a" },
    { title = "B", url = "https://example.com/b" },
]

[[events]]
id = "pause-extended"
date = 2025-11-15
expires = 2026-01-31
title = "Suspension extended"
category = "suspension"
extends = ["pause"]
confidence = "reported"

[[events]]
id = "tariff"
date = 2025-01-01
title = "Tariff"
category = "tariff"
issuer = "US"
applies_to = ["CN"]

[[events]]
id = "ruling"
date = 2025-11-25
title = "Ruling ends the tariff"
category = "other"
ends = ["tariff"]

[[events]]
id = "licensing"
date = 2025-11-03
effective = 2025-11-12
title = "Licensing"
category = "export-control"
minerals = ["germanium"]
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "short-pause"
date = 2025-11-26
effective = 2025-11-28
expires = 2025-11-29
title = "Two-day pause"
category = "suspension"
suspends = ["licensing"]

[[events]]
id = "meeting"
date = 2025-11-18
title = "Meeting"
category = "meeting"
"""


def test_changes_in_a_window_in_order(run, write_store):
    store = write_store(CHANGING)
    rows = json_of(run("--store", str(store), "changes", "--since", "2025-11-01", "--until",
                       "2025-11-30", "--as-of", "2025-12-31", "--json"))  # fmt: skip
    assert [(r["date"], r["id"], r["change"], r["by"], r["confidence"]) for r in rows] == [
        ("2025-11-03", "licensing", "announced", None, "confirmed"),
        ("2025-11-05", "controls", "suspended", "pause", "confirmed"),
        ("2025-11-12", "licensing", "took-effect", None, "confirmed"),
        ("2025-11-15", "controls", "extended", "pause-extended", "reported"),
        ("2025-11-18", "meeting", "event", None, "confirmed"),
        ("2025-11-25", "tariff", "ended", "ruling", "confirmed"),
        ("2025-11-26", "short-pause", "event", None, "confirmed"),
        ("2025-11-28", "licensing", "suspended", "short-pause", "confirmed"),
        ("2025-11-30", "licensing", "resumed", "short-pause", "confirmed"),
    ]
    assert [r["cited"] for r in rows][1] == 0  # the measure's own sources
    assert rows[3]["note"] == "pause now ends 2026-01-31"


def test_changes_default_to_the_last_seven_days_and_flag_unreported_ones(run, write_store):
    store = write_store(CHANGING.replace("current_to = 2025-12-31", "current_to = 2025-11-10"))
    rows = json_of(run("--store", str(store), "changes", "--as-of", "2025-11-30", "--json"))
    assert [(r["date"], r["id"], r["change"]) for r in rows] == [
        (
            "2025-11-25",
            "tariff",
            "ended",
        ),
        ("2025-11-26", "short-pause", "event"),
        ("2025-11-28", "licensing", "unconfirmed"),
        ("2025-11-30", "licensing", "unconfirmed"),
    ]
    assert rows[2]["note"] == (
        "was due to be suspended; nothing reported (data: events.toml current to 2025-11-10, 20 "
        "days ago)"
    )


def test_changes_for_people_in_a_pipe(run, write_store):
    store = write_store(CHANGING)
    result = run("--store", str(store), "changes", "--since", "2025-11-24", "--until", "2025-11-26",
                 "--as-of", "2025-12-31")  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "date\tchange\tconfidence\tcited\tby\ttitle\tid\n"
        "2025-11-25\tended\tsources: confirmed\t0\truling\tTariff\ttariff\n"
        "2025-11-26\tevent\tsources: confirmed\t0\t\tTwo-day pause\tshort-pause\n"
    )


def test_changes_are_data_and_their_notes_are_words_of_the_output_layer(write_store):
    """The engine's change records name what the note needs (the change that was due, the
    suspension an extension moved, the horizon); `words.change_note` writes the sentence."""
    import datetime as dt

    from reetimeline.engine.briefing import Change, changes
    from reetimeline.output.words import change_note
    from reetimeline.store import load

    store = load([write_store(CHANGING.replace("current_to = 2025-12-31",
                                               "current_to = 2025-11-10"))])  # fmt: skip
    as_of = dt.date(2025, 11, 30)
    events = store.events
    measures = [e for e in events if e.category in ("export-control", "tariff")]
    others = [e for e in events if e not in measures]
    rows = changes(measures, others, answers.knowledge(store, as_of), answers.horizon(store),
                   dt.date(2025, 11, 1), as_of)  # fmt: skip
    assert "note" not in Change._fields
    extended = next(c for c in rows if c.change == "extended")
    assert (extended.by.id, extended.extended.id, str(extended.by.expires)) == (
        "pause-extended", "pause", "2026-01-31")  # fmt: skip
    assert change_note(extended) == "pause now ends 2026-01-31"
    due = [c for c in rows if c.change == "unconfirmed"]
    assert [(c.date.isoformat(), c.event.id, c.scheduled) for c in due] == [
        ("2025-11-12", "licensing", "took-effect"), ("2025-11-28", "licensing", "suspended"),
        ("2025-11-30", "licensing", "resumed")]  # fmt: skip
    assert (str(due[0].horizon.date), due[0].as_of) == ("2025-11-10", as_of)
    assert [change_note(c) for c in due] == [
        "was due to take effect; nothing reported (data: events.toml current to 2025-11-10, "
        "20 days ago)",
        "was due to be suspended; nothing reported (data: events.toml current to 2025-11-10, "
        "20 days ago)",
        "was due to be in force again; nothing reported (data: events.toml current to "
        "2025-11-10, 20 days ago)",
    ]
    assert {change_note(c) for c in rows if c.change not in ("extended", "unconfirmed")} == {""}


# --- issue 20: the matrix by kind, and changes that follow the measures ------------------------
# The events are built here (the parser reads `kind` in the `data` part of issue 20).


def _event(event_id: str, date: str, category: str, **fields):
    from reetimeline.model import Event, PartialDate

    for name in ("effective", "expires", "current_to"):
        if name in fields:
            fields[name] = PartialDate.parse(fields[name])
    for name in ("minerals", "applies_to", "suspends", "extends"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return Event(id=event_id, date=PartialDate.parse(date), title=event_id, category=category,
                 **fields)  # fmt: skip


_KINDS = [
    _event("technology-ban", "2023-12-21", "export-control", minerals=["rare-earths"],
           issuer="CN", applies_to=["all"], kind="technology", current_to="2026-10-08"),
    _event("no-57", "2025-10-09", "export-control", effective="2025-11-08",
           minerals=["holmium"], issuer="CN", applies_to=["all"], kind="licensing",
           current_to="2026-10-08"),
    _event("pause", "2025-11-07", "suspension", expires="2026-11-10", suspends=["no-57"],
           current_to="2026-10-08"),
    _event("military", "2024-12-03", "export-control", minerals=["holmium"], issuer="CN",
           applies_to=["KR"], kind="end-use-ban", current_to="2026-10-08"),
    _event("old-informal", "2024-01-01", "export-control", minerals=["holmium"], issuer="CN",
           applies_to=["KR"], kind="informal", current_to="2026-10-08"),
    _event("unclassified", "2024-02-01", "export-control", minerals=["holmium"], issuer="CN",
           applies_to=["KR"], current_to="2026-10-08"),
    _event("kr-tariff", "2024-01-01", "tariff", minerals=["holmium"], issuer="KR",
           applies_to=["CN"], kind="tariff", current_to="2026-10-08"),
]  # fmt: skip


def _grid(events, day: str, destinations, minerals):
    import datetime as dt

    from reetimeline.engine.briefing import matrix
    from reetimeline.engine.states import Horizon, Knowledge, statuses

    as_of = dt.date.fromisoformat(day)
    known = Knowledge([e for e in events if e.suspends], as_of)
    return matrix(statuses(events, known, Horizon()), destinations, minerals)


def test_a_cell_says_what_restricts_the_material_by_kind_strictest_first():
    from reetimeline.engine.briefing import Cell, Control

    grid = _grid(_KINDS, "2026-12-06", ("KR", "CN"), ["holmium"])
    cell = grid.cells["holmium", "KR"]
    assert isinstance(cell, Cell) and isinstance(cell.material[0], Control)

    def listed(controls):
        return [(c.status.event.id, c.kind, c.status.state) for c in controls]

    # the stricter licensing is unconfirmed: it heads the cell, never hidden behind the
    # informal control in force; unclassified is read as a control on the material, last
    assert listed(cell.material) == [("no-57", "licensing", "unconfirmed"),
                                     ("old-informal", "informal", "in-force"),
                                     ("unclassified", None, "in-force")]  # fmt: skip
    assert listed(cell.targeted) == [("military", "end-use-ban", "in-force")]
    assert listed(cell.technology) == [("technology-ban", "technology", "in-force")]
    assert cell.state == "unconfirmed"
    # a control issued by CN never restricts exports to CN; a tariff is no export control
    assert grid.cells["holmium", "CN"] == Cell((), (), ())
    assert grid.cells["holmium", "CN"].state is None


def test_a_technology_control_is_never_the_minerals_own_state():
    events = [_KINDS[0], _KINDS[1], _KINDS[2]]
    cell = _grid(events, "2026-12-06", ("KR",), ["holmium"]).cells["holmium", "KR"]
    assert (cell.state, [(c.status.event.id, c.status.state) for c in cell.material]) == (
        "unconfirmed", [("no-57", "unconfirmed")])  # fmt: skip
    assert [(c.status.event.id, c.status.state) for c in cell.technology] == [
        ("technology-ban", "in-force")]  # fmt: skip
    # with the technology control alone, no material control applies
    cell = _grid(events[:1], "2026-12-06", ("KR",), ["holmium"]).cells["holmium", "KR"]
    assert (cell.state, cell.material, len(cell.technology)) == (None, (), 1)


TRUCE = """
current_to = 2026-10-08

[[events]]
id = "busan"
date = 2025-10-30
expires = 2026-11-10
title = "Truce"
category = "truce"
minerals = ["rare-earths"]
countries = ["US", "CN"]

[[events]]
id = "truce-extended"
date = 2026-09-28
expires = 2027-01-10
title = "Truce extended"
category = "truce"
countries = ["CN", "US"]
extends = ["busan"]
confidence = "reported"

[[events]]
id = "elsewhere"
date = 2026-09-25
title = "A meeting on lithium"
category = "meeting"
minerals = ["lithium"]
"""


def test_an_extension_of_a_truce_is_an_extended_change_that_follows_its_minerals(write_store):
    import datetime as dt

    from reetimeline.store import load

    store = load([write_store(TRUCE)])
    as_of, first, last = dt.date(2026, 10, 1), dt.date(2026, 9, 20), dt.date(2026, 9, 30)
    rows = answers.changes(store, query.make_filter(minerals=["dysprosium"]), as_of, first, last)
    assert [(str(c.date), c.event.id, c.change, c.by.id, c.extended.id, c.confidence)
            for c in rows] == [
        ("2026-09-28", "busan", "extended", "truce-extended", "busan", "reported")]  # fmt: skip
    rows = answers.changes(store, query.Filter(), as_of, first, last)
    assert [(str(c.date), c.event.id, c.change, c.by.id if c.by else None) for c in rows] == [
        ("2026-09-25", "elsewhere", "event", None),
        ("2026-09-28", "busan", "extended", "truce-extended")]  # fmt: skip
    # a filter the truce does not match leaves its extension out
    rows = answers.changes(store, query.make_filter(minerals=["lithium"]), as_of, first, last)
    assert [(c.event.id, c.change) for c in rows] == [("elsewhere", "event")]


def test_a_reported_lapse_is_a_change_with_the_reports_confidence_and_a_package_has_none():
    import datetime as dt

    from reetimeline.engine.briefing import changes
    from reetimeline.engine.states import Horizon, Knowledge

    package = _event("package", "2025-10-09", "export-control", issuer="CN",
                     applies_to=["all"], current_to="2026-10-08")  # fmt: skip
    part = _event("part", "2025-10-09", "export-control", issuer="CN", applies_to=["all"],
                  part_of="package", kind="licensing", current_to="2026-10-08")  # fmt: skip
    pause = _event("pause", "2025-11-07", "suspension", expires="2026-11-10",
                   suspends=["package"], current_to="2026-10-08")  # fmt: skip
    events = [package, part, pause]
    as_of, first, last = dt.date(2026, 12, 6), dt.date(2026, 11, 1), dt.date(2026, 11, 30)

    def listed(events):
        known = Knowledge(events, as_of)
        measures = [e for e in events if e.category == "export-control"]
        others = [e for e in events if e.category != "export-control"]
        return [(str(c.date), c.event.id, c.change, c.scheduled, c.confidence)
                for c in changes(measures, others, known, Horizon(), first, last)]  # fmt: skip

    assert listed(events) == [("2026-11-11", "part", "unconfirmed", "resumed", "confirmed")]
    report = _event("lapsed", "2026-11-20", "statement", confidence="reported")
    report = report.__class__(**{**report.__dict__, "confirms": ("pause",)})
    assert listed([*events, report]) == [
        ("2026-11-11", "part", "resumed", None, "reported"),
        ("2026-11-20", "lapsed", "event", None, "reported")]  # fmt: skip
