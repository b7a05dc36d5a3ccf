"""Honest answers: states, deadlines and date windows on small stores built here, always with
`--as-of` (never the clock)."""

import dataclasses
import datetime as dt

import pytest

from reetimeline.engine.states import Horizon
from reetimeline.model import PartialDate
from tests.conftest import json_of

MEASURE = """
current_to = 2026-10-10

[[events]]
id = "controls"
date = 2025-10-09
effective = 2025-11-08
title = "Export controls on holmium"
category = "export-control"
minerals = ["holmium"]
countries = ["CN"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "pause"
date = 2025-11-07
title = "Controls suspended for a year"
category = "suspension"
minerals = ["holmium"]
countries = ["CN", "US"]
issuer = "CN"
applies_to = ["all"]
expires = 2026-11-10
suspends = ["controls"]
"""

EXTENSION = """
[[events]]
id = "pause-extended"
date = 2026-09-28
title = "Suspension extended to January"
category = "suspension"
countries = ["CN", "US"]
issuer = "CN"
applies_to = ["all"]
expires = 2027-01-10
extends = ["pause"]
confidence = "reported"
"""


def state_of(run, store, as_of, event_id="controls", *options):
    rows = json_of(run("--store", str(store), "status", "--as-of", as_of, "--json", *options))
    [row] = [r for r in rows if r["id"] == event_id]
    return row


@pytest.fixture
def extended(write_store):
    return write_store(MEASURE + EXTENSION)


@pytest.fixture
def lapsing(write_store):
    return write_store(MEASURE)


def test_an_extension_moves_the_end_from_its_own_date(run, extended):
    row = state_of(run, extended, "2026-11-25")
    assert {k: row[k] for k in ("state", "since", "until", "by", "extended_by", "confidence")} == {
        "state": "suspended",
        "since": "2025-11-07",
        "until": "2027-01-10",
        "by": "pause",
        "extended_by": "pause-extended",
        "confidence": "reported",
    }
    assert row["note"] == (
        "suspended by pause until 2027-01-10, extended by pause-extended; it never took effect"
    )
    # the day before the extension was announced, the original end stands
    row = state_of(run, extended, "2026-09-27")
    assert (row["state"], row["until"], row["extended_by"], row["confidence"]) == (
        "suspended", "2026-11-10", None, "confirmed")  # fmt: skip


def test_a_lapse_after_the_horizon_that_nobody_reported_is_unconfirmed(run, lapsing):
    row = state_of(run, lapsing, "2026-11-25")
    assert {
        k: row[k]
        for k in ("state", "since", "until", "by", "scheduled", "last_known", "current_to")
    } == {
        "state": "unconfirmed",
        "since": "2026-11-11",
        "until": None,
        "by": "pause",
        "scheduled": "in-force",
        "last_known": "suspended",
        "current_to": "2026-10-10",
    }
    assert row["note"] == (
        "the suspension by pause was scheduled to end 2026-11-10 (the measure never took effect);"
        " no event in the stores says what happened (events.toml current to 2026-10-10, 46 days"
        " ago)"
    )
    # before the horizon's end... the schedule is a fact up to the horizon and beyond, until the
    # scheduled change
    row = state_of(run, lapsing, "2026-10-01")
    assert (row["state"], row["until"]) == ("suspended", "2026-11-10")
    row = state_of(run, lapsing, "2026-11-10")
    assert (row["state"], row["until"]) == ("suspended", "2026-11-10")


def test_without_a_horizon_the_schedule_is_taken_as_it_stands(run, write_store):
    store = write_store(MEASURE.replace("current_to = 2026-10-10", ""))
    row = state_of(run, store, "2026-11-25")
    assert (row["state"], row["since"], row["lapsed"], row["current_to"]) == (
        "in-force", "2026-11-11", "pause", None)  # fmt: skip
    assert row["note"] == "suspension by pause ended 2026-11-10"


def test_a_suspension_on_or_before_the_effective_day_means_it_never_took_effect(run, extended):
    row = state_of(run, extended, "2025-11-07")
    assert (row["state"], row["since"], row["until"], row["never_took_effect"]) == (
        "suspended", "2025-11-07", "2026-11-10", True)  # fmt: skip
    # the day before, nobody knew of the suspension: the measure was to take effect on 11-08
    row = state_of(run, extended, "2025-11-06")
    assert (row["state"], row["since"], row["until"]) == ("announced", "2025-10-09", "2025-11-07")
    record = json_of(run("--store", str(extended), "show", "controls", "--as-of", "2025-11-20",
                         "--json"))  # fmt: skip
    effective = next(t for t in record["targets"] if t["kind"] == "effective")
    assert (effective["days"], effective["when"]) == (
        -12,
        "due 12 days ago, never reached: suspended before it took effect",
    )
    assert record["state"]["state"] == "suspended"
    assert record["state"]["never_took_effect"] is True


ENDED = """
[[events]]
id = "tariff"
date = 2025-02-01
title = "Emergency tariff"
category = "tariff"
countries = ["US", "CN"]
issuer = "US"
applies_to = ["CN"]

[[events]]
id = "ruling"
date = 2026-02-20
title = "Court strikes the tariff down"
category = "other"
countries = ["US"]
ends = ["tariff"]
"""


def test_an_event_that_ends_a_measure(run, write_store):
    store = write_store(ENDED)
    row = state_of(run, store, "2026-03-01", "tariff")
    assert (row["state"], row["since"], row["until"], row["by"]) == (
        "ended", "2026-02-20", None, "ruling")  # fmt: skip
    assert row["note"] == "ended by ruling from 2026-02-20"
    row = state_of(run, store, "2026-02-19", "tariff")
    assert (row["state"], row["since"], row["until"]) == ("in-force", "2025-02-01", None)
    # with an effective date, the end counts from it, and is known from the ruling's date
    store = write_store(ENDED.replace('ends = ["tariff"]', 'ends = ["tariff"]\neffective = '
                                      "2026-02-24"), name="later.toml")  # fmt: skip
    row = state_of(run, store, "2026-02-21", "tariff")
    assert (row["state"], row["until"]) == ("in-force", "2026-02-23")
    row = state_of(run, store, "2026-02-24", "tariff")
    assert (row["state"], row["since"]) == ("ended", "2026-02-24")


def test_countdown_moves_an_extended_end_and_keeps_the_original_as_replaced(run, extended):
    rows = json_of(
        run("--store", str(extended), "countdown", "--as-of", "2026-11-25", "--all", "--json")
    )
    rows = [r for r in rows if r["kind"] == "expires"]
    assert [
        (
            r["id"],
            r["kind"],
            r["date"],
            r["days"],
            r["extended_by"],
            r["superseded"],
            r["confidence"],
        )
        for r in rows
    ] == [
        ("pause", "expires", "2026-11-10", -15, None, True, "confirmed"),
        ("pause", "expires", "2027-01-10", 46, "pause-extended", False, "reported"),
    ]
    assert [r["when"] for r in rows] == [
        "due 15 days ago, replaced by pause-extended",
        "in 46 days, extended by pause-extended",
    ]
    # without --all, the replaced end is left out
    rows = json_of(run("--store", str(extended), "countdown", "--as-of", "2026-11-25", "--json"))
    assert [(r["id"], r["kind"], r["date"], r["superseded"]) for r in rows] == [
        ("pause", "expires", "2027-01-10", False)]  # fmt: skip


def test_countdown_within_never_shows_lapsed_targets(run, lapsing):
    for within in ("30", "0"):
        rows = json_of(run("--store", str(lapsing), "countdown", "--as-of", "2026-11-25",
                           "--within", within, "--json"))  # fmt: skip
        assert rows == []
    rows = json_of(run("--store", str(lapsing), "countdown", "--as-of", "2026-11-25",
                       "--within", "30", "--recent", "20", "--json"))  # fmt: skip
    assert [(r["id"], r["days"], r["unconfirmed"], r["when"]) for r in rows] == [
        ("pause", -15, True, "due 15 days ago, not confirmed: after the data's horizon"),
    ]


def test_since_keeps_events_whose_later_dates_fall_in_the_window(run, write_store):
    store = write_store(MEASURE)
    result = run("--store", str(store), "export", "--format", "ics", "--since", "2026-11-01")
    assert result.exit_code == 0, result.stderr
    vevents = result.stdout.split("BEGIN:VEVENT")[1:]
    assert len(vevents) == 1
    assert "UID:pause-expires@reetimeline" in vevents[0]
    assert "DTSTART;VALUE=DATE:20261110" in vevents[0]
    assert "X-WR-CALDESC:Data: events.toml current to 2026-10-10" in result.stdout
    rows = json_of(run("--store", str(store), "countdown", "--as-of", "2026-10-01", "--since",
                       "today", "--json"))  # fmt: skip
    assert [(r["id"], r["kind"], r["days"]) for r in rows] == [("pause", "expires", 40)]


def test_timeline_shows_only_rows_inside_the_window(run, write_store):
    store = write_store(MEASURE)
    result = run("--store", str(store), "--color", "never", "timeline", "--as-of", "2026-12-01",
                 "--since", "2025-11", "--until", "2025-12")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "2026-11-10" not in result.stdout
    assert "2025-11-07" in result.stdout
    assert "2025-11-08" in result.stdout


def test_relative_dates_count_from_as_of(run, lapsing):
    rows = json_of(run("--store", str(lapsing), "countdown", "--as-of", "2025-11-01", "--since",
                       "today", "--until", "+7d", "--json"))  # fmt: skip
    assert [(r["id"], r["kind"], r["date"]) for r in rows] == [
        ("pause", "date", "2025-11-07"),
        ("controls", "effective", "2025-11-08"),
    ]


@pytest.mark.parametrize("option", ["--since", "--until", "--as-of"])
def test_ambiguous_slashed_dates_are_refused_naming_both_readings(run, lapsing, option):
    result = run("--store", str(lapsing), "status", option, "01/06/2026")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"reetimeline: error: {option}: '01/06/2026' is ambiguous: 1 June 2026 (2026-06-01) "
        "day-first, or January 6 2026 (2026-01-06) month-first; write it as YYYY-MM-DD\n"
    )


def test_dotted_dates_are_day_first(run, lapsing):
    dotted = json_of(run("--store", str(lapsing), "status", "--as-of", "01.06.2026", "--json"))
    iso = json_of(run("--store", str(lapsing), "status", "--as-of", "2026-06-01", "--json"))
    assert dotted == iso
    rows = json_of(run("--store", str(lapsing), "list", "--since", "01.06.2026", "--json"))
    assert [r["id"] for r in rows] == ["pause"]  # its expiry, 2026-11-10, is after 1 June


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["countdown", "--as-of", "0001-01-01"],
         "--as-of: '0001-01-01' is out of range: give a date from 1000-01-01 to 8999-12-31"),
        (["list", "--since", "+3000000d"],
         "--since: '+3000000d' is out of range: give a date from 1000-01-01 to 8999-12-31"),
        (["list", "--since", "1 June 2026 10:00 ABC"],
         "--since: '1 June 2026 10:00 ABC' has a time of day; give a date (YYYY-MM-DD)"),
    ],
)  # fmt: skip
def test_dates_out_of_range_are_usage_errors(run, lapsing, args, message):
    result = run("--store", str(lapsing), *args)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"reetimeline: error: {message}\n")  # fmt: skip


def test_countdown_at_the_end_of_the_range(run, lapsing):
    result = run("--store", str(lapsing), "countdown", "--as-of", "8999-12-31", "--within", "1")
    assert (result.exit_code, result.stderr) == (
        0, "no dated targets in that window (try --all)\n"
           "data: events.toml current to 2026-10-10, 2546918 days ago\n")  # fmt: skip


DESTINATIONS = """
[[events]]
id = "licensing"
date = 2023-07-03
title = "Licensing for every destination"
category = "export-control"
minerals = ["gallium"]
countries = ["CN"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "us-ban"
date = 2024-12-03
title = "Ban on exports to the US"
category = "export-control"
minerals = ["gallium"]
countries = ["CN", "US"]
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "japan-ban"
date = 2026-01-06
title = "Ban on exports to Japan"
category = "export-control"
minerals = ["gallium"]
countries = ["CN", "JP"]
issuer = "CN"
applies_to = ["JP"]

[[events]]
id = "g7-tariff"
date = 2026-03-01
title = "G7 tariff"
category = "tariff"
minerals = ["gallium"]
countries = ["G7"]
issuer = "G7"
applies_to = ["CN"]
confidence = "reported"
"""


def ids_of(run, store, *args):
    return [r["id"] for r in json_of(run("--store", str(store), *args, "--json"))]


def test_to_and_by_answer_what_restricts_what_where(run, write_store):
    store = write_store(DESTINATIONS)
    as_of = ("--as-of", "2026-06-01")
    # a tariff restricts imports into its issuer (the G7, which holds the US) from CN
    # (every one is in force: the newest first)
    assert ids_of(run, store, "status", *as_of, "-m", "gallium", "--to", "US") == [
        "g7-tariff", "us-ban", "licensing"]  # fmt: skip
    assert ids_of(run, store, "status", *as_of, "--to", "JP") == [
        "g7-tariff", "japan-ban", "licensing"]  # fmt: skip
    assert ids_of(run, store, "status", *as_of, "--to", "JP", "--exact") == ["japan-ban"]
    # a group as destination: measures on any member, on the group, or on all
    assert ids_of(run, store, "status", *as_of, "--to", "G7") == [
        "g7-tariff", "japan-ban", "us-ban", "licensing"]  # fmt: skip
    # every control here is issued by CN: none restricts exports to CN; the tariff does not
    # restrict imports into CN either
    assert ids_of(run, store, "status", *as_of, "--to", "CN") == []
    assert ids_of(run, store, "status", *as_of, "--by", "CN") == [
        "japan-ban", "us-ban", "licensing"]  # fmt: skip
    assert ids_of(run, store, "status", *as_of, "--by", "US") == []
    assert ids_of(run, store, "status", *as_of, "--by", "G7") == ["g7-tariff"]
    assert ids_of(run, store, "status", *as_of, "--confirmed") == [
        "japan-ban", "us-ban", "licensing"]  # fmt: skip


def test_a_group_matches_events_that_name_it_and_a_member_its_groups(run, write_store):
    store = write_store(DESTINATIONS)
    assert ids_of(run, store, "list", "-c", "G7") == ["g7-tariff"]
    assert ids_of(run, store, "list", "-c", "JP") == ["japan-ban", "g7-tariff"]
    assert ids_of(run, store, "list", "-c", "JP", "--exact") == ["japan-ban"]


def test_confidence_is_in_every_human_view(run, write_store):
    store = write_store(DESTINATIONS)
    listed = run("--store", str(store), "list", "--by", "G7")
    # piped, how sure the sources are is said so that it cannot be read as a state
    assert listed.stdout.splitlines()[0].split("\t")[6] == "confidence"
    assert listed.stdout.splitlines()[1].split("\t")[6] == "sources: reported"
    shown = run("--store", str(store), "--color", "never", "status", "--as-of", "2026-06-01",
                "--by", "G7")  # fmt: skip
    assert shown.stdout.splitlines()[0].split("\t")[3] == "confidence"
    assert shown.stdout.splitlines()[1].split("\t")[3] == "sources: reported"


def test_curated_g7_filter_names_g7_events_only(run):
    ids = [r["id"] for r in json_of(run("list", "-c", "G7", "--json"))]
    assert "senkaku-boat-collision" not in ids
    assert not [i for i in ids if "maduro" in i]
    assert ids
    for row in json_of(run("list", "-c", "G7", "--json")):
        assert {"G7", "EU"} & set(row["countries"]) or "G7" in row["countries"]


def _partial_dates():
    """Dates of any precision from 2024 to 2027 (test_ready_rows uses them too)."""
    from hypothesis import strategies as st

    from reetimeline.model import PartialDate

    days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
    return st.builds(
        lambda day, precision: PartialDate(
            day.year, day.month if precision > 0 else None, day.day if precision > 1 else None
        ),
        days,
        st.integers(0, 2),
    )


def _day(day: dt.date):
    from reetimeline.model import PartialDate

    return PartialDate(day.year, day.month, day.day)


def _chain_store(links: int, *, reported: int | None = None):
    """A measure, a suspension of it for one day, and `links` extensions, each extending the one
    before by a day; the extension numbered `reported` is only reported."""
    from reetimeline.model import Event

    start = dt.date(2020, 1, 1)
    events = [
        Event("m", _day(dt.date(2019, 1, 1)), "M", "export-control"),
        Event("s0", _day(start), "S0", "suspension", expires=_day(start + dt.timedelta(days=1)),
              suspends=("m",)),
    ]  # fmt: skip
    for i in range(1, links + 1):
        events.append(Event(
            f"x{i}", _day(start + dt.timedelta(days=i)), f"X{i}", "suspension",
            expires=_day(start + dt.timedelta(days=i + 1)),
            extends=("s0" if i == 1 else f"x{i - 1}",),
            confidence="reported" if i == reported else "confirmed",
        ))  # fmt: skip
    return events


def test_a_long_extension_chain_moves_every_end_to_the_last_extension():
    """2,000 extensions, each of the one before: the suspension and every link but the last
    end where the last extension says (the chains are made once and share their tails), and a
    reported link makes the ends that rest on it reported."""
    from reetimeline.engine.states import Horizon, Knowledge, countdown, end_of, status_of

    events = _chain_store(2000, reported=1000)
    as_of = dt.date(2025, 6, 23)  # the last link's date; it runs to 2025-06-24
    knowledge = Knowledge(events, as_of)
    rows = countdown(events, as_of, knowledge, Horizon(), show_all=True)
    # dates, the superseded ends (the suspension's and every link's but the last), the moved end
    assert len(rows) == 1 + 2001 + 2000 + 1
    assert [(t.event.id, t.kind, str(t.date), t.days) for t in rows[:3]] == [
        ("m", "date", "2019-01-01", -2365),
        ("s0", "date", "2020-01-01", -2000),
        ("s0", "expires", "2020-01-02", -1999),
    ]
    assert rows[2].superseded and rows[2].replaced_by.id == "x1"
    # each replaced end once, on the suspension, replaced by the next link
    replaced = [t for t in rows if t.superseded]
    assert {t.event.id for t in replaced} == {"s0"}
    assert [(str(t.date), t.extended_by and t.extended_by.id, t.replaced_by.id)
            for t in replaced][:3] == [("2020-01-02", None, "x1"), ("2020-01-03", "x1", "x2"),
                                       ("2020-01-04", "x2", "x3")]  # fmt: skip
    assert [t.replaced_by.id for t in replaced] == [f"x{i}" for i in range(1, 2001)]
    # the end that stands, once: the last link's, as sure as its weakest link
    [moved] = [t for t in rows if t.extended_by is not None and not t.superseded]
    assert (moved.event.id, str(moved.date), moved.days, moved.extended_by.id,
            moved.confidence) == ("s0", "2025-06-24", 1, "x2000", "reported")  # fmt: skip
    assert rows[-1] is moved
    assert [(t.event.id, t.kind, str(t.date)) for t in rows[-2:-1]] == [
        ("x2000", "date", "2025-06-23")
    ]
    # a link's moved end rests on the links after it: reported before the reported one
    confidence = {x.id: end_of(x, knowledge).confidence for x in events[2:-1]}
    assert confidence == {**{f"x{i}": "reported" for i in range(1, 1000)},
                          **{f"x{i}": "confirmed" for i in range(1000, 2000)}}  # fmt: skip
    end = end_of(events[1], knowledge)
    assert (str(end.date), len(end.chain), end.chain[0].id, end.chain[-1].id, end.confidence) == (
        "2025-06-24",
        2000,
        "x1",
        "x2000",
        "reported",
    )
    assert [x.id for x in end.chain][998:1001] == ["x999", "x1000", "x1001"]
    state = status_of(events[0], knowledge, Horizon())
    assert (state.state, str(state.since), str(state.until), state.by.id,
            state.extended_by.id, state.confidence) == (
        "suspended", "2020-01-01", "2025-06-24", "s0", "x2000", "reported"
    )  # fmt: skip


def test_a_loop_of_extensions_stops_where_it_meets_a_link_it_passed():
    """x1 extends the suspension and x2; x2 extends x1: each walk passes a link once."""
    from reetimeline.engine.states import Knowledge, end_of

    events = _chain_store(2)
    events[2] = dataclasses.replace(events[2], extends=("s0", "x2"))
    knowledge = Knowledge(events, dt.date(2021, 1, 1))
    ends = {e.id: end_of(e, knowledge) for e in events[1:]}
    assert {i: (str(end.date), [x.id for x in end.chain]) for i, end in ends.items()} == {
        "s0": ("2020-01-04", ["x1", "x2"]),
        "x1": ("2020-01-04", ["x2"]),
        "x2": ("2020-01-03", ["x1"]),
    }


# --- issue 20: the horizon per event, confirms, ends on reliefs, partial suspensions, packages --
# The events are built here (the parser reads the new fields in the `data` part of issue 20).


def _event(event_id: str, date: str, category: str, **fields):
    from reetimeline.model import Event, PartialDate

    for name in ("effective", "expires", "current_to"):
        if name in fields:
            fields[name] = PartialDate.parse(fields[name])
    for name in ("minerals", "applies_to", "suspends", "extends", "ends", "confirms"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return Event(id=event_id, date=PartialDate.parse(date), title=event_id, category=category,
                 **fields)  # fmt: skip


def _states(events, day: str):
    """Each measure's status on `day`, by id (the engine over every event: the store's way)."""
    from reetimeline.engine.states import Knowledge, statuses

    as_of = dt.date.fromisoformat(day)
    relations = [e for e in events if e.suspends or e.extends or e.ends or e.confirms
                 or e.part_of]  # fmt: skip
    return {s.event.id: s for s in statuses(events, Knowledge(relations, as_of), Horizon())}


_HORIZON = "2026-10-08"
_MEASURE = _event("controls", "2025-10-09", "export-control", effective="2025-11-08",
                  minerals=["holmium"], issuer="CN", applies_to=["all"], kind="licensing",
                  current_to=_HORIZON)  # fmt: skip
_PAUSE = _event("pause", "2025-11-07", "suspension", expires="2026-11-10", issuer="CN",
                applies_to=["all"], suspends=["controls"], current_to=_HORIZON)  # fmt: skip


def test_a_lapse_after_the_horizon_is_unconfirmed_until_an_event_confirms_it():
    s = _states([_MEASURE, _PAUSE], "2026-12-06")["controls"]
    assert (s.state, str(s.since), s.scheduled, s.last_known, s.by.id, s.confidence) == (
        "unconfirmed", "2026-11-11", "in-force", "suspended", "pause", "confirmed")
    assert (str(s.horizon.date), s.reported_by) == (_HORIZON, None)
    lapsed = _event("lapse-reported", "2026-11-20", "statement", confirms=["pause"],
                    confidence="reported")  # fmt: skip
    s = _states([_MEASURE, _PAUSE, lapsed], "2026-12-06")["controls"]
    assert (s.state, str(s.since), s.until, s.confidence, s.lapsed.id, s.reported_by.id) == (
        "in-force", "2026-11-11", None, "reported", "pause", "lapse-reported")
    # known from its own date on: the day before, the lapse is still unconfirmed
    assert _states([_MEASURE, _PAUSE, lapsed], "2026-11-19")["controls"].state == "unconfirmed"
    # a confirmed report: confirmed
    sure = lapsed.__class__(**{**lapsed.__dict__, "confidence": "confirmed"})
    s = _states([_MEASURE, _PAUSE, sure], "2026-12-06")["controls"]
    assert (s.state, str(s.since), s.confidence) == ("in-force", "2026-11-11", "confirmed")


def test_ends_on_a_suspension_records_its_reported_lapse_or_ends_it_early():
    reported = _event("lapse-ended", "2026-11-20", "statement", ends=["pause"],
                      confidence="reported")  # fmt: skip
    s = _states([_MEASURE, _PAUSE, reported], "2026-12-06")["controls"]
    assert (s.state, str(s.since), s.confidence, s.lapsed.id, s.reported_by.id) == (
        "in-force", "2026-11-11", "reported", "pause", "lapse-ended")
    early = _event("lifted", "2026-06-01", "statement", ends=["pause"])
    s = _states([_MEASURE, _PAUSE, early], "2026-12-06")["controls"]
    assert (s.state, str(s.since), s.confidence, s.lapsed.id) == (
        "in-force", "2026-06-01", "confirmed", "pause")
    assert _states([_MEASURE, _PAUSE, early], "2026-05-31")["controls"].state == "suspended"


def test_a_change_is_a_fact_up_to_the_horizon_of_the_event_that_schedules_it():
    # no horizon on the suspension: its lapse is a fact (today's rule for its own events)
    pause = _PAUSE.__class__(**{**_PAUSE.__dict__, "current_to": None})
    s = _states([_MEASURE, pause], "2026-12-06")["controls"]
    assert (s.state, str(s.since), s.lapsed.id) == ("in-force", "2026-11-11", "pause")
    # a later horizon on the suspension confirms its own lapse; the measure's never does
    pause = _PAUSE.__class__(**{**_PAUSE.__dict__, "current_to": PartialDate.parse("2026-12-05")})
    assert _states([_MEASURE, pause], "2026-12-06")["controls"].state == "in-force"
    measure = _MEASURE.__class__(**{**_MEASURE.__dict__,
                                    "current_to": PartialDate.parse("2026-12-05")})  # fmt: skip
    assert _states([measure, _PAUSE], "2026-12-06")["controls"].state == "unconfirmed"


TWO_STORES_CURATED = """
current_to = 2026-10-08

[[events]]
id = "controls"
date = 2025-10-09
effective = 2025-11-08
title = "Export controls on holmium"
category = "export-control"
minerals = ["holmium"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "pause"
date = 2025-11-07
expires = 2026-11-10
title = "Controls suspended for a year"
category = "suspension"
suspends = ["controls"]
"""

TWO_STORES_TEAM = """
current_to = 2026-12-05

[[events]]
id = "team-note"
date = 2026-12-01
title = "A note of the team"
category = "other"
"""


def test_another_stores_later_horizon_never_confirms_a_change(write_store, tmp_path):
    from reetimeline.api import answers
    from reetimeline.engine.query import Filter
    from reetimeline.store import load

    curated = write_store(TWO_STORES_CURATED, "curated.toml")
    team = write_store(TWO_STORES_TEAM, "team/notes.toml")
    day = dt.date(2026, 12, 6)
    alone = answers.status(load([curated]), Filter(), day)
    both = answers.status(load([curated, team]), Filter(), day)
    assert [(s.event.id, s.state, str(s.since), str(s.horizon.date)) for s in alone] == [
        ("controls", "unconfirmed", "2026-11-11", "2026-10-08")]  # fmt: skip
    assert [(s.event.id, s.state, str(s.since), str(s.horizon.date)) for s in both] == [
        ("controls", "unconfirmed", "2026-11-11", "2026-10-08")]  # fmt: skip
    # the horizon that applies is named after its file; the stores' horizon is the latest
    assert both[0].horizon == Horizon(PartialDate(2026, 10, 8), "curated.toml")
    assert answers.horizon(load([curated, team])) == Horizon(PartialDate(2026, 12, 5),
                                                             "notes.toml")  # fmt: skip
    # the countdown's target is not confirmed either
    rows = answers.countdown(load([curated, team]), Filter(), day)
    assert [(t.event.id, t.kind, str(t.date), t.unconfirmed) for t in rows] == [
        ("pause", "expires", "2026-11-10", True), ("team-note", "date", "2026-12-01", False)]


def test_a_partial_suspension_leaves_the_measure_in_force_and_says_by_what_until_when():
    tariff = _event("tariff", "2025-04-04", "tariff", effective="2025-04-10", issuer="CN",
                    applies_to=["US"], kind="tariff", current_to=_HORIZON)  # fmt: skip
    cut = _event("cut", "2025-11-05", "suspension", effective="2025-11-10",
                 expires="2026-11-10", suspends=["tariff"], partial=True,
                 current_to=_HORIZON)  # fmt: skip
    s = _states([tariff, cut], "2026-06-01")["tariff"]
    assert (s.state, str(s.since), s.by, s.partial_by.id, str(s.partial_until),
            s.partial_unconfirmed) == (
        "in-force", "2025-04-10", None, "cut", "2026-11-10", False)  # fmt: skip
    # before it begins, nothing is suspended in part
    s = _states([tariff, cut], "2025-11-09")["tariff"]
    assert (s.state, s.partial_by) == ("in-force", None)
    # its end passed after its horizon and nothing reports it: the part is unconfirmed
    s = _states([tariff, cut], "2026-12-06")["tariff"]
    assert (s.state, s.partial_by.id, str(s.partial_until), s.partial_unconfirmed) == (
        "in-force", "cut", "2026-11-10", True)  # fmt: skip
    # reported as lapsed: in force, not in part suspended
    lapsed = _event("cut-lapsed", "2026-11-12", "statement", confirms=["cut"])
    s = _states([tariff, cut, lapsed], "2026-12-06")["tariff"]
    assert (s.state, s.partial_by) == ("in-force", None)


def test_a_package_has_no_state_and_what_acts_on_it_acts_on_each_part():
    from reetimeline.engine.states import parts_of

    package = _event("package", "2025-10-09", "export-control", issuer="CN",
                     applies_to=["all"], current_to=_HORIZON)  # fmt: skip
    early = _event("no-61", "2025-10-09", "export-control", part_of="package", issuer="CN",
                   applies_to=["all"], kind="extraterritorial", current_to=_HORIZON)  # fmt: skip
    late = _event("no-57", "2025-10-09", "export-control", effective="2025-11-08",
                  part_of="package", minerals=["holmium"], issuer="CN", applies_to=["all"],
                  kind="licensing", current_to=_HORIZON)  # fmt: skip
    pause = _event("pause", "2025-11-07", "suspension", expires="2026-11-10",
                   suspends=["package"], current_to=_HORIZON)  # fmt: skip
    events = [package, early, late, pause]
    assert parts_of(events) == {"package": ("no-61", "no-57")}
    on = _states(events, "2025-10-20")
    assert {i: (s.state, str(s.since)) for i, s in on.items()} == {
        "no-61": ("in-force", "2025-10-09"), "no-57": ("announced", "2025-10-09")}
    on = _states(events, "2025-11-20")
    assert {i: (s.state, str(s.since), str(s.until), s.by.id, s.never_took_effect)
            for i, s in on.items()} == {
        "no-61": ("suspended", "2025-11-07", "2026-11-10", "pause", False),
        "no-57": ("suspended", "2025-11-07", "2026-11-10", "pause", True)}  # fmt: skip
    on = _states(events, "2026-12-06")
    assert {i: (s.state, str(s.since), s.scheduled) for i, s in on.items()} == {
        "no-61": ("unconfirmed", "2026-11-11", "in-force"),
        "no-57": ("unconfirmed", "2026-11-11", "in-force")}  # fmt: skip
    # a report that the package's suspension lapsed: each part is in force again
    lapsed = _event("lapsed", "2026-11-15", "statement", confirms=["pause"],
                    confidence="reported")  # fmt: skip
    on = _states([*events, lapsed], "2026-12-06")
    assert {i: (s.state, str(s.since), s.confidence) for i, s in on.items()} == {
        "no-61": ("in-force", "2026-11-11", "reported"),
        "no-57": ("in-force", "2026-11-11", "reported")}  # fmt: skip


def test_a_countdown_date_after_the_horizon_is_unconfirmed_until_reported():
    from reetimeline.engine.states import Knowledge, targets

    as_of = dt.date(2026, 12, 6)

    def expiries(events):
        relations = [e for e in events if e.suspends or e.confirms]
        return [(t.event.id, str(t.date), t.days, t.unconfirmed, t.confidence)
                for t in targets(events, as_of, Knowledge(relations, as_of))
                if t.kind == "expires"]  # fmt: skip

    assert expiries([_MEASURE, _PAUSE]) == [("pause", "2026-11-10", -26, True, "confirmed")]
    lapsed = _event("lapse-reported", "2026-11-20", "statement", confirms=["pause"],
                    confidence="reported")  # fmt: skip
    assert expiries([_MEASURE, _PAUSE, lapsed]) == [
        ("pause", "2026-11-10", -26, False, "reported")]  # fmt: skip


PACKAGE = """
current_to = 2026-10-08

[[events]]
id = "package"
date = 2025-10-09
title = "Package of two announcements"
category = "export-control"
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "pause"
date = 2025-11-07
expires = 2026-11-10
title = "Package suspended"
category = "suspension"
suspends = ["package"]
"""


def test_the_parts_of_a_package_and_their_states_for_show(write_store, monkeypatch):
    """A store whose events name a package (the parser reads `part_of` in the data part of
    issue 20: here the parts are added to what the store returns)."""
    from reetimeline.api import answers
    from reetimeline.engine.query import Filter
    from reetimeline.store import Store, load

    store = load([write_store(PACKAGE)])
    horizon = PartialDate(2026, 10, 8)
    parts = [
        _event("no-61", "2025-10-09", "export-control", part_of="package", issuer="CN",
               applies_to=["all"], kind="extraterritorial", current_to="2026-10-08"),
        _event("no-57", "2025-10-09", "export-control", effective="2025-11-08",
               part_of="package", issuer="CN", applies_to=["all"], kind="licensing",
               current_to="2026-10-08"),
    ]  # fmt: skip
    relations = store.relations()
    monkeypatch.setattr(Store, "relations", lambda self: [*relations, *parts])
    monkeypatch.setattr(Store, "get", lambda self, i: next(
        (e for e in [*self.events, *parts] if e.id == i), None))  # fmt: skip
    assert answers.packages(store) == {"package": ("no-61", "no-57")}
    rows = answers.parts(store, "package", dt.date(2025, 10, 20))
    assert [(s.event.id, s.state, str(s.since)) for s in rows] == [
        ("no-57", "announced", "2025-10-09"), ("no-61", "in-force", "2025-10-09")]  # fmt: skip
    rows = answers.parts(store, "package", dt.date(2026, 12, 6))
    assert [(s.event.id, s.state, str(s.since), s.horizon.date) for s in rows] == [
        ("no-57", "unconfirmed", "2026-11-11", horizon),
        ("no-61", "unconfirmed", "2026-11-11", horizon)]  # fmt: skip
    assert answers.parts(store, "pause", dt.date(2026, 12, 6)) == []
    # the package has no state of its own
    assert [s.event.id for s in answers.status(store, Filter(), dt.date(2026, 12, 6))] == []


BAN_PAUSED = """
[[events]]
id = "us-ban"
date = 2024-12-03
title = "Ban on exports to the US"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "pause"
date = 2025-11-09
expires = 2026-11-27
title = "Ban suspended"
category = "suspension"
suspends = ["us-ban"]

[[events]]
id = "pause-extended"
date = 2026-11-20
expires = 2027-11-27
title = "Suspension extended"
category = "suspension"
extends = ["pause"]

[[events]]
id = "japan-rule"
date = 2026-01-06
effective = 2026-12-01
title = "A rule on exports to Japan"
category = "export-control"
issuer = "CN"
applies_to = ["JP"]
"""


def test_a_countdown_by_flow_keeps_the_dates_of_what_acts_on_the_measures(write_store):
    from reetimeline.api import answers
    from reetimeline.engine.query import make_filter
    from reetimeline.store import load

    store = load([write_store(BAN_PAUSED)])
    rows = answers.countdown(store, make_filter(destinations=["US"]), dt.date(2026, 11, 25))
    assert [(t.event.id, t.kind, str(t.date), t.superseded) for t in rows] == [
        ("pause-extended", "date", "2026-11-20", False),
        ("pause", "expires", "2027-11-27", False)]  # fmt: skip
    rows = answers.countdown(store, make_filter(destinations=["US"]), dt.date(2026, 11, 25),
                             recent=30, show_all=True)  # fmt: skip
    assert [(t.event.id, t.kind, str(t.date), t.superseded) for t in rows
            if t.kind == "expires"] == [
        ("pause", "expires", "2026-11-27", True),
        ("pause", "expires", "2027-11-27", False)]  # fmt: skip
    rows = answers.countdown(store, make_filter(destinations=["JP"]), dt.date(2026, 11, 25))
    assert [(t.event.id, t.kind, str(t.date)) for t in rows] == [
        ("japan-rule", "effective", "2026-12-01")]  # fmt: skip
    # --to CN: no control here restricts exports to CN, and nothing acts on one
    assert answers.countdown(store, make_filter(destinations=["CN"]), dt.date(2026, 11, 25)) == []
