"""Today first: the state views put what matters now first and leave out old history unless
--all; countdown hides replaced ends unless --all, and lists an extension chain's ends once."""

from __future__ import annotations

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
    e0_by = "pause-ext-1" if second_extends == "pause-ext-1" else "pause-ext-2"
    assert _expiries(run, store, "--all") == [
        ("pause", "2026-06-30", -93, True, None, e0_by, f"due 93 days ago, replaced by {e0_by}"),
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
    """On a day before the second extension was dated, the first one's end stands."""
    store = write_store(CHAIN)
    rows = json_of(run("--store", str(store), "countdown", "--as-of", "2026-08-01", "--all",
                       "--json"))  # fmt: skip
    assert [(r["id"], r["date"], r["superseded"], r["extended_by"], r["replaced_by"])
            for r in rows if r["kind"] == "expires"] == [
        ("pause", "2026-06-30", True, None, "pause-ext-1"),
        ("pause", "2026-09-30", False, "pause-ext-1", None),
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
