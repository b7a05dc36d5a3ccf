"""The second reviewer's findings on the merged tool: who replaced an end, the order of the
countdown by the day it counts, runs_until of every event with an end in the export, and where
each event comes from in every answer and export."""

from __future__ import annotations

import json

import pytest

from .conftest import json_of

# a measure, its suspension, and two extensions of the suspension (the second replaces the
# end the first set)
TWO_EXTENSIONS = """
[[events]]
id = "m1"
date = 2026-01-05
title = "Measure one"
category = "export-control"
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "s1"
date = 2026-02-01
expires = 2026-06-01
title = "Suspension one"
category = "suspension"
suspends = ["m1"]

[[events]]
id = "x1"
date = 2026-05-01
expires = 2026-09-01
title = "Extension one"
category = "suspension"
extends = ["s1"]

[[events]]
id = "x2"
date = 2026-08-01
expires = 2027-03-01
title = "Extension two"
category = "suspension"
extends = ["s1"]
"""


def test_each_replaced_end_names_the_extension_that_replaced_it(run, write_store):
    """x1 replaced the suspension's own end (2026-06-01), x2 replaced x1's (2026-09-01): in
    the JSON, the piped words and `show`."""
    store = write_store(TWO_EXTENSIONS)
    rows = json_of(run("--store", str(store), "countdown", "--all", "--as-of", "2026-12-06",
                       "--json"))  # fmt: skip
    assert [(r["date"], r["days"], r["superseded"], r["extended_by"], r["replaced_by"], r["when"])
            for r in rows if r["kind"] == "expires"] == [
        ("2026-06-01", -188, True, None, "x1", "due 188 days ago, replaced by x1"),
        ("2026-09-01", -96, True, "x1", "x2", "due 96 days ago, extended by x1, replaced by x2"),
        ("2027-03-01", 85, False, "x2", None, "in 85 days, extended by x2"),
    ]  # fmt: skip
    piped = run("--store", str(store), "countdown", "--all", "--as-of", "2026-12-06").stdout
    assert (
        "2026-06-01\texpires\t-188\tdue 188 days ago, replaced by x1\tsources: confirmed\t"
        "Suspension one\ts1"
    ) in piped.splitlines()
    shown = run("--store", str(store), "show", "s1", "--as-of", "2026-12-06").stdout
    assert "was to end\t2026-06-01  due 188 days ago, replaced by x1" in shown.splitlines()
    assert (
        "was to end\t2026-09-01  due 96 days ago, extended by x1, replaced by x2"
        in shown.splitlines()
    )


PERIODS = """
[[events]]
id = "a-year"
date = "2010"
title = "A year"
category = "other"

[[events]]
id = "a-month"
date = "2010-07"
title = "A month"
category = "other"

[[events]]
id = "b-month"
date = "2025-12"
title = "B month"
category = "other"

[[events]]
id = "b-day"
date = 2025-12-08
title = "B day"
category = "other"

[[events]]
id = "c-month"
date = "2026-12"
title = "C month, around the as-of date"
category = "other"

[[events]]
id = "c-day"
date = 2026-12-01
title = "C day"
category = "other"
"""


def test_countdown_lists_targets_in_the_order_of_their_day_counts(run, write_store):
    """A month or year behind counts from its last day, one ahead to its first, one around the
    as-of date is 0: the list runs by that count, so the order and the days agree."""
    store = write_store(PERIODS)
    rows = json_of(run("--store", str(store), "countdown", "--all", "--as-of", "2026-12-06",
                       "--json"))  # fmt: skip
    assert [(r["id"], r["date"], r["days"]) for r in rows] == [
        ("a-month", "2010-07", -5972),
        ("a-year", "2010", -5819),
        ("b-day", "2025-12-08", -363),
        ("b-month", "2025-12", -340),
        ("c-day", "2026-12-01", -5),
        ("c-month", "2026-12", 0),
    ]
    piped = run("--store", str(store), "countdown", "--all", "--as-of", "2026-12-06").stdout
    assert [line.split("\t")[:3] for line in piped.splitlines()[1:]] == [
        ["2010-07", "date", "-5972"],
        ["2010", "date", "-5819"],
        ["2025-12-08", "date", "-363"],
        ["2025-12", "date", "-340"],
        ["2026-12-01", "date", "-5"],
        ["2026-12", "date", "0"],
    ]


def exported_csv(run, *args: str) -> dict[str, dict[str, str]]:
    import csv
    import io

    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout, newline=""))}


def test_export_gives_every_event_with_an_end_its_runs_until_as_show_says_it(run):
    """Truces and suspensions (extensions applied) have their last day in `runs_until`, the
    same as `show --json`; `state` stays for measures."""
    rows = exported_csv(run, "--curated-only", "export", "--format", "csv", "--as-of",
                        "2026-11-25")  # fmt: skip
    expected = {
        "busan-trump-xi-summit": ("truce", "", "2027-01-10"),
        "geneva-joint-statement": ("truce", "", "2025-11-10"),
        "mofcom-suspends-october-measures": ("suspension", "", "2026-11-10"),
        "mofcom-suspends-us-ga-ge-sb-ban": ("suspension", "", "2026-11-27"),
        "us-section-122-surcharge": ("tariff", "expired", "2026-07-24"),
        "ga-ge-export-licensing": ("export-control", "in-force", ""),
    }
    assert {i: (rows[i]["category"], rows[i]["state"], rows[i]["runs_until"])
            for i in expected} == expected  # fmt: skip
    for event_id in ("busan-trump-xi-summit", "mofcom-suspends-october-measures"):
        record = json_of(run("--curated-only", "show", event_id, "--as-of", "2026-11-25",
                             "--json"))  # fmt: skip
        assert record["runs_until"] == rows[event_id]["runs_until"]


def test_export_xlsx_runs_until_of_a_truce_is_a_date_cell(run, tmp_path):
    import datetime as dt

    import openpyxl

    path = tmp_path / "e.xlsx"
    result = run("--curated-only", "export", "--format", "xlsx", "--as-of", "2026-11-25", "-o",
                 str(path))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {r[header.index("id")].value: (r[header.index("state")].value,
                                           r[header.index("runs_until")])
             for r in sheet.iter_rows(min_row=2)}  # fmt: skip
    state, until = cells["busan-trump-xi-summit"]
    assert (state, until.value, until.number_format) == (
        None, dt.datetime(2027, 1, 10), "yyyy-mm-dd")  # fmt: skip


def test_an_event_dated_after_the_as_of_date_has_no_runs_until_yet(run):
    rows = exported_csv(run, "--curated-only", "export", "--format", "csv", "--as-of",
                        "2025-01-01")  # fmt: skip
    assert (rows["busan-trump-xi-summit"]["state"],
            rows["busan-trump-xi-summit"]["runs_until"]) == ("", "")  # fmt: skip


# --- where each event comes from, in every answer and export ---------------------------------

TEAM = """
[[events]]
id = "bob-ga-ban"
date = 2026-11-02
expires = 2026-12-31
title = "Bob: Ga ban rumour"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["US"]
confidence = "reported"
sources = [{ title = "Call with a trader", url = "https://example.com/call" }]
"""

MINE = "2026-11-20-quote-for-tb-metal"


@pytest.fixture
def stores(run, write_store, tmp_path, monkeypatch):
    """The curated store, a team store from the config file and a note in the user store."""
    team = write_store(TEAM, name="bob.toml", folder=tmp_path / "team")
    config = tmp_path / "config" / "reetimeline" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"stores = [{json.dumps(str(team))}]\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    added = run("add", "--date", "2026-11-20", "--title", "Quote for Tb metal", "-k", "price",
                "-m", "terbium", "--source-title", "E-mail", "--source-url",
                "https://example.com/quote")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return team


def test_countdown_json_says_where_each_event_comes_from_in_its_last_field(run, stores):
    rows = json_of(run("countdown", "--as-of", "2026-11-25", "--json"))
    froms = {(r["id"], r["kind"]): r["from"] for r in rows}
    assert froms.pop(("bob-ga-ban", "date")) == "team:bob.toml"
    assert froms.pop(("bob-ga-ban", "expires")) == "team:bob.toml"
    assert froms.pop((MINE, "date")) == "user"
    assert set(froms.values()) == {"curated"}
    assert {list(r)[-1] for r in rows} == {"from"}


def test_changes_json_says_where_each_event_comes_from_in_its_last_field(run, stores):
    rows = json_of(run("changes", "--since", "2026-11-01", "--until", "2026-11-25", "--as-of",
                       "2026-11-25", "--json"))  # fmt: skip
    mine = [(r["date"], r["change"], r["from"]) for r in rows
            if r["id"] in (MINE, "bob-ga-ban")]  # fmt: skip
    assert mine == [("2026-11-02", "took-effect", "team:bob.toml"),
                    ("2026-11-20", "event", "user")]  # fmt: skip
    assert {r["from"] for r in rows if r["id"] not in (MINE, "bob-ga-ban")} == {"curated"}
    assert {list(r)[-1] for r in rows} == {"from"}


def test_the_countdown_and_changes_sheets_end_with_from(run, stores, tmp_path):
    import csv

    path = tmp_path / "c.csv"
    result = run("countdown", "--as-of", "2026-11-25", "-q", "rumour", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0][-1] == "from"
    assert [(r[0], r[3], r[-1]) for r in rows[1:]] == [
        ("bob-ga-ban", "date", "team:bob.toml"),
        ("bob-ga-ban", "expires", "team:bob.toml"),
    ]
    path = tmp_path / "ch.csv"
    result = run("changes", "--since", "2026-11-20", "--until", "2026-11-20", "--as-of",
                 "2026-11-25", "-o", str(path))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0][-1] == "from"
    assert [(r[1], r[-1]) for r in rows[1:]] == [(MINE, "user")]


def test_show_json_targets_say_where_the_event_comes_from(run, stores):
    record = json_of(run("show", "bob-ga-ban", "--as-of", "2026-11-25", "--json"))
    assert [(t["kind"], t["from"]) for t in record["targets"]] == [
        ("date", "team:bob.toml"), ("expires", "team:bob.toml")]  # fmt: skip


def test_the_python_api_rows_say_where_each_event_comes_from(stores, tmp_path):
    import datetime as dt

    from reetimeline import api

    loaded = api.load(str(stores))
    rows = api.countdown(loaded, as_of=dt.date(2026, 11, 25), text="rumour")
    assert [(r.kind, r.from_) for r in rows] == [("date", "team:bob.toml"),
                                                 ("expires", "team:bob.toml")]  # fmt: skip


def test_the_markdown_export_marks_what_is_not_curated(run, stores):
    text = run("export", "--format", "md", "--since", "2026-11-01", "--until",
               "2026-11-20").stdout  # fmt: skip
    lines = [line for line in text.splitlines() if line.startswith("- **")]
    assert "- **2026-11-20** · price · your store · Quote for Tb metal[^" in "\n".join(lines)
    assert (
        "- **2026-11-02** · export-control · team store bob.toml · Bob: Ga ban rumour "
        "(expires 2026-12-31, imposed by CN on US, reported)[^"
    ) in "\n".join(lines)
    marked = [line for line in lines if "store" in line.split(" · ")[2]]
    assert len(marked) == 2


def test_the_ics_export_says_from_your_store_in_the_description(run, stores):
    import icalendar

    text = run("export", "--format", "ics", "--since", "2026-11-10", "--until", "2026-11-20",
               "--as-of", "2026-11-25").stdout  # fmt: skip
    calendar = icalendar.Calendar.from_ical(text)
    descriptions = {str(v["uid"]): str(v["description"]) for v in calendar.walk("VEVENT")}
    assert descriptions[f"{MINE}-date@reetimeline"] == (
        "Sources:\n[1] E-mail https://example.com/quote\n\nFrom: your store\n\n"
        f"reetimeline id: {MINE} (price, confirmed)"
    )
    # the curated events in the window say nothing of where they come from
    curated = [uid for uid, d in descriptions.items() if "From:" not in d]
    assert curated == ["busan-trump-xi-summit-expires-original@reetimeline",
                       "china-tariff-commission-suspension-expires@reetimeline",
                       "mofcom-suspends-october-measures-expires@reetimeline",
                       "us-executive-orders-tariff-cut-expires-original@reetimeline"]  # fmt: skip


def test_the_timelinejs_export_says_where_it_comes_from_in_the_text(run, stores):
    document = json.loads(run("export", "--format", "timelinejs", "--since", "2026-11-01",
                              "--until", "2026-11-20").stdout)  # fmt: skip
    texts = {s["unique_id"]: s["text"]["text"] for s in document["events"]}
    assert texts[MINE] == ('<p>Sources: <a href="https://example.com/quote">E-mail</a></p>'
                           "<p>From: your store</p>")  # fmt: skip
    assert texts["bob-ga-ban"].endswith("<p>From: team store bob.toml</p>")
    assert [i for i, t in texts.items() if "From:" in t] == ["bob-ga-ban", MINE]


def test_three_extensions_of_one_suspension_replace_one_another_in_turn(run, write_store):
    store = write_store(
        TWO_EXTENSIONS
        + """
[[events]]
id = "x3"
date = 2026-11-01
expires = 2027-06-01
title = "Extension three"
category = "suspension"
extends = ["s1"]
"""
    )
    rows = json_of(run("--store", str(store), "countdown", "--all", "--as-of", "2026-12-06",
                       "--json"))  # fmt: skip
    assert [(r["date"], r["superseded"], r["extended_by"], r["replaced_by"])
            for r in rows if r["kind"] == "expires"] == [
        ("2026-06-01", True, None, "x1"),
        ("2026-09-01", True, "x1", "x2"),
        ("2027-03-01", True, "x2", "x3"),
        ("2027-06-01", False, "x3", None),
    ]  # fmt: skip
