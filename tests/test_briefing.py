"""The weekly briefing: what changed between two dates, and what restricts what where (fixture
stores, `--as-of`, never the clock)."""

from reetimeline.api import answers
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
    assert [r["sources"] for r in rows][1] == 0  # the measure's own sources
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
        "date\tchange\tconfidence\tsources\tby\ttitle\tid\n"
        "2025-11-25\tended\tconfirmed\t0\truling\tTariff\ttariff\n"
        "2025-11-26\tevent\tconfirmed\t0\t\tTwo-day pause\tshort-pause\n"
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
