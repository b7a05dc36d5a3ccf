"""The second reviewer's findings on the merged tool: who replaced an end, the order of the
countdown by the day it counts, runs_until of every event with an end in the export, and where
each event comes from in every answer and export."""

from __future__ import annotations

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


def test_an_event_dated_after_the_as_of_date_has_no_runs_until_yet(run):
    rows = exported_csv(run, "--curated-only", "export", "--format", "csv", "--as-of",
                        "2025-01-01")  # fmt: skip
    assert (rows["busan-trump-xi-summit"]["state"],
            rows["busan-trump-xi-summit"]["runs_until"]) == ("", "")  # fmt: skip
