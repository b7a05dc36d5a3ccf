"""Today first: the state views put what matters now first and leave out old history unless
--all; countdown hides replaced ends unless --all, and lists an extension chain's ends once."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import json_of

CHAIN = """
[[events]]
id = "ban"
date = 2026-01-05
title = "Ban"
category = "export-control"
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "pause"
date = 2026-02-01
expires = 2026-06-30
title = "Pause"
category = "suspension"
suspends = ["ban"]

[[events]]
id = "pause-ext-1"
date = 2026-06-01
expires = 2026-09-30
title = "Pause extended"
category = "suspension"
extends = ["pause"]

[[events]]
id = "pause-ext-2"
date = 2026-09-01
expires = 2026-12-31
title = "Pause extended again"
category = "suspension"
extends = ["pause-ext-1"]
"""


def _expiries(run, store, *options):
    rows = json_of(run("--store", str(store), "countdown", "--as-of", "2026-10-01", "--json",
                       *options))  # fmt: skip
    return [(r["id"], r["date"], r["days"], r["superseded"], r["extended_by"], r["replaced_by"],
             r["when"]) for r in rows if r["kind"] == "expires"]  # fmt: skip


@pytest.mark.parametrize("second_extends", ["pause-ext-1", "pause"])
def test_countdown_all_lists_a_chain_of_two_extensions_once(run, write_store, second_extends):
    """E0 (the pause's own end), E1 (the first extension's) and E2 (the second's): E2 once as
    the end, E0 and E1 once each as replaced, whether the second extension extends the first
    (a chain) or the pause itself (the later extension applies)."""
    store = write_store(CHAIN.replace('extends = ["pause-ext-1"]',
                                      f'extends = ["{second_extends}"]'))  # fmt: skip
    # the pause's own end was replaced by the first extension either way
    assert _expiries(run, store, "--all") == [
        ("pause", "2026-06-30", -93, True, None, "pause-ext-1",
         "due 93 days ago, replaced by pause-ext-1"),
        ("pause", "2026-09-30", -1, True, "pause-ext-1", "pause-ext-2",
         "due 1 day ago, extended by pause-ext-1, replaced by pause-ext-2"),
        ("pause", "2026-12-31", 91, False, "pause-ext-2", None, "in 91 days, extended by "
         "pause-ext-2"),
    ]  # fmt: skip
    # without --all, only the end that stands
    assert _expiries(run, store) == [
        ("pause", "2026-12-31", 91, False, "pause-ext-2", None, "in 91 days, extended by "
         "pause-ext-2"),
    ]  # fmt: skip


def test_countdown_of_a_chain_before_the_second_extension(run, write_store):
    """On a day before the second extension was dated, the first one's end stands (the second
    is not known yet: its end is a row of its own)."""
    store = write_store(CHAIN)
    rows = json_of(run("--store", str(store), "countdown", "--as-of", "2026-08-01", "--all",
                       "--json"))  # fmt: skip
    assert [(r["id"], r["date"], r["superseded"], r["extended_by"], r["replaced_by"])
            for r in rows if r["kind"] == "expires"] == [
        ("pause", "2026-06-30", True, None, "pause-ext-1"),
        ("pause", "2026-09-30", False, "pause-ext-1", None),
        ("pause-ext-2", "2026-12-31", False, None, None),
    ]  # fmt: skip


def test_countdown_of_one_extension_in_a_chain_by_its_id(run, write_store):
    """`countdown ID` of the first extension: its own end, replaced by the second, and the end
    that stands (what it extends is not chosen, so its ends are its own rows)."""
    store = write_store(CHAIN)
    rows = json_of(run("--store", str(store), "countdown", "pause-ext-1", "--as-of",
                       "2026-10-01", "--all", "--json"))  # fmt: skip
    assert [(r["id"], r["kind"], r["date"], r["superseded"], r["extended_by"], r["replaced_by"])
            for r in rows] == [
        ("pause-ext-1", "date", "2026-06-01", False, None, None),
        ("pause-ext-1", "expires", "2026-09-30", True, None, "pause-ext-2"),
        ("pause-ext-1", "expires", "2026-12-31", False, "pause-ext-2", None),
    ]  # fmt: skip
    rows = json_of(run("--store", str(store), "countdown", "pause-ext-1", "--as-of",
                       "2026-10-01", "--json"))  # fmt: skip
    assert [(r["kind"], r["date"], r["superseded"]) for r in rows] == [
        ("date", "2026-06-01", False), ("expires", "2026-12-31", False)]  # fmt: skip


def test_the_curated_chains_list_each_end_once(run):
    """The curated store's extensions (the Geneva truce extended to November 2025, the Busan
    truce to January 2027) at a fixed date: each end once, the replaced ones marked."""
    rows = json_of(run("countdown", "--as-of", "2026-12-06", "--all", "--json"))
    ends = [(r["id"], r["date"], r["superseded"], r["extended_by"], r["replaced_by"])
            for r in rows if r["kind"] == "expires"
            and r["id"] in ("geneva-joint-statement", "busan-trump-xi-summit",
                            "tariff-truce-extension-to-nov",
                            "mofcom-eighth-round-readout-kl-extension")]  # fmt: skip
    assert ends == [
        ("geneva-joint-statement", "2025-08-12", True, None, "tariff-truce-extension-to-nov"),
        ("geneva-joint-statement", "2025-11-10", False, "tariff-truce-extension-to-nov", None),
        ("busan-trump-xi-summit", "2026-11-10", True, None,
         "mofcom-eighth-round-readout-kl-extension"),
        ("busan-trump-xi-summit", "2027-01-10", False,
         "mofcom-eighth-round-readout-kl-extension", None),
    ]  # fmt: skip
    # without --all the replaced ends are gone
    rows = json_of(run("countdown", "--as-of", "2026-12-06", "--json"))
    assert [r for r in rows if r["superseded"]] == []


# every state on 2026-12-06, two of each where the order within a state shows
STATES = """
[[events]]
id = "in-force-old"
date = 2025-06-01
title = "In force since 2025"
category = "export-control"

[[events]]
id = "in-force-new"
date = 2026-01-01
title = "In force since 2026"
category = "export-control"

[[events]]
id = "suspended"
date = 2025-01-01
title = "Suspended"
category = "export-control"

[[events]]
id = "pause"
date = 2026-10-01
expires = 2027-01-01
title = "Pause"
category = "suspension"
suspends = ["suspended"]

[[events]]
id = "unconfirmed"
date = 2024-01-01
expires = 2026-11-01
current_to = 2026-10-01
title = "Due to expire after the horizon"
category = "export-control"

[[events]]
id = "announced"
date = 2026-11-01
effective = 2027-03-01
title = "Announced"
category = "tariff"

[[events]]
id = "ended"
date = 2024-01-01
title = "Ended this year"
category = "export-control"

[[events]]
id = "ruling"
date = 2026-03-01
title = "Ruling"
category = "statement"
ends = ["ended"]

[[events]]
id = "expired-this-year"
date = 2024-01-01
expires = 2026-06-30
title = "Expired this year"
category = "export-control"

[[events]]
id = "expired-a-year-ago"
date = 2024-01-01
expires = 2025-12-05
title = "Expired on the day a year before the day after"
category = "export-control"

[[events]]
id = "expired-before"
date = 2024-01-01
expires = 2025-12-04
title = "Expired a day earlier"
category = "export-control"

[[events]]
id = "ended-long-ago"
date = 2010-01-01
title = "Ended long ago"
category = "export-control"

[[events]]
id = "old-ruling"
date = 2020-01-01
title = "Old ruling"
category = "statement"
ends = ["ended-long-ago"]
"""

TODAY = ["in-force-new", "in-force-old", "suspended", "unconfirmed", "announced", "ended",
         "expired-this-year", "expired-a-year-ago"]  # fmt: skip
LEFT_OUT_2 = (
    "2 measures that expired or ended more than a year ago are left out; --all shows them\n"
)


def test_status_puts_today_first_and_leaves_out_old_history(run, write_store):
    """In force, suspended, unconfirmed, announced, ended, expired, the newest first in each;
    an expiry whose next day is the same day a year before the as-of date stays, one a day
    earlier and an end in 2020 are left out, and counted on stderr."""
    store = write_store(STATES)
    args = ("--store", str(store), "status", "--as-of", "2026-12-06")
    result = run(*args)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "state\tsince\tuntil\tconfidence\tkind\ttitle\tnote\tid"
    assert [(line.split("\t")[0], line.split("\t")[1], line.split("\t")[-1])
            for line in lines[1:]] == [
        ("in-force", "2026-01-01", "in-force-new"),
        ("in-force", "2025-06-01", "in-force-old"),
        ("suspended", "2026-10-01", "suspended"),
        ("unconfirmed", "2026-11-02", "unconfirmed"),
        ("announced", "2026-11-01", "announced"),
        ("ended", "2026-03-01", "ended"),
        ("expired", "2026-07-01", "expired-this-year"),
        ("expired", "2025-12-06", "expired-a-year-ago"),
    ]  # fmt: skip
    assert result.stderr == LEFT_OUT_2
    # --all keeps the history, last; --json lists it always, marked
    every = run(*args, "--all")
    assert (every.exit_code, every.stderr) == (0, "")
    assert [line.split("\t")[-1] for line in every.stdout.splitlines()[1:]] == [
        *TODAY[:-2], "ended-long-ago", *TODAY[-2:], "expired-before"]  # fmt: skip
    for options in ((), ("--all",)):
        rows = json_of(run(*args, "--json", *options))
        assert [(r["id"], r["history"]) for r in rows] == [
            *((i, False) for i in TODAY[:-2]), ("ended-long-ago", True),
            *((i, False) for i in TODAY[-2:]), ("expired-before", True)]  # fmt: skip


def test_status_of_an_id_shows_it_however_old(run, write_store):
    store = write_store(STATES)
    result = run("--store", str(store), "status", "expired-before", "--as-of", "2026-12-06")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [line.split("\t")[-1] for line in result.stdout.splitlines()] == [
        "id", "expired-before"]  # fmt: skip


def test_when_every_match_is_old_the_line_says_so_and_not_that_nothing_matched(run, write_store):
    store = write_store(STATES)
    result = run("--store", str(store), "status", "-q", "long ago", "--as-of", "2026-12-06")
    assert (result.exit_code, result.stdout) == (0, "state\tsince\tuntil\tconfidence\tkind\t"
                                                    "title\tnote\tid\n")  # fmt: skip
    assert result.stderr == ("1 measure that expired or ended more than a year ago is left out; "
                             "--all shows it\n")  # fmt: skip


def test_what_china_restricts_to_japan_today(run):
    """The analyst's question on 2026-12-06: what is in force first, the 2010 embargo only
    with --all."""
    args = ("status", "--by", "CN", "--to", "JP", "--as-of", "2026-12-06")
    result = run(*args)
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert (rows[0][0], rows[0][-1]) == ("in-force", "china-lists-second-40-japanese-entities")
    assert [r[0] for r in rows] == ["in-force"] * 10 + ["unconfirmed"] * 6
    assert "china-halts-rare-earths-to-japan-2010" not in result.stdout
    data = "data: curated store current to 2026-10-08, 59 days ago\n"
    assert result.stderr == ("1 measure that expired or ended more than a year ago is left out; "
                             "--all shows it\n" + data)  # fmt: skip
    every = run(*args, "--all")
    assert every.stderr == data
    last = every.stdout.splitlines()[-1].split("\t")
    assert (last[0], last[1], last[-1]) == ("expired", "2010-12",
                                            "china-halts-rare-earths-to-japan-2010")  # fmt: skip
    assert len(every.stdout.splitlines()) == len(result.stdout.splitlines()) + 1


def test_the_rich_view_has_the_same_order_and_line(run, write_store):
    store = write_store(STATES)
    result = run("--store", str(store), "--color", "always", "status", "--as-of", "2026-12-06",
                 env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    ids = [line.split()[-1] for line in plain.splitlines()[2:] if line.strip()]
    assert [i for i in ids if i in TODAY] == TODAY
    assert "expired-before" not in plain and "ended-long-ago" not in plain
    assert result.stderr.startswith(LEFT_OUT_2)


def test_the_one_year_cut_on_the_29th_of_february():
    from reetimeline.engine.states import history_cut

    assert history_cut(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    assert history_cut(dt.date(2026, 12, 6)) == dt.date(2025, 12, 6)


def test_the_python_api_orders_today_first_with_history(write_store):
    import reetimeline.api as ree

    rows = ree.status(ree.load(write_store(STATES), curated=False), as_of=dt.date(2026, 12, 6))
    assert [(r.id, r.history) for r in rows][-3:] == [
        ("expired-this-year", False),
        ("expired-a-year-ago", False),
        ("expired-before", True),
    ]


def test_all_with_the_matrix_is_a_usage_error(run):
    result = run("status", "--matrix", "--all", "--as-of", "2026-12-06")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "reetimeline: error: --all goes without --matrix: the matrix shows what applies on the "
        "day\n"
    )


def test_a_chain_cut_short_by_an_end_lists_every_extended_end_as_replaced(run, write_store):
    """The pause ended on 2026-11-01: its own end replaced by the first extension, the first's
    by the second, the second's ended earlier; no end stands but the end's own date."""
    store = write_store(CHAIN + """
[[events]]
id = "pause-lifted"
date = 2026-11-01
title = "Pause lifted"
category = "statement"
ends = ["pause"]
""")  # fmt: skip
    rows = json_of(run("--store", str(store), "countdown", "--as-of", "2026-12-06", "--all",
                       "--json"))  # fmt: skip
    assert [(r["id"], r["date"], r["superseded"], r["when"]) for r in rows
            if r["kind"] == "expires"] == [
        ("pause", "2026-06-30", True, "due 159 days ago, replaced by pause-ext-1"),
        ("pause", "2026-09-30", True,
         "due 67 days ago, extended by pause-ext-1, replaced by pause-ext-2"),
        ("pause", "2026-12-31", True,
         "in 25 days, extended by pause-ext-2, ended earlier by pause-lifted"),
    ]  # fmt: skip
