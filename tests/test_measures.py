"""Issue 20's must-show list on the curated store as of 2026-12-06 (horizon 2026-10-08): what
restricts what, from where to where, and how.

The engine's part is tested on stores built in tests/test_states.py, test_briefing.py and
test_query.py. These tests ask the curated store, split into parts with kinds, and the command
line."""

from __future__ import annotations

import datetime as dt

import pytest

from reetimeline.api import answers
from reetimeline.engine import briefing, query
from reetimeline.store import curated_store_path, load
from tests.conftest import json_of

DAY = dt.date(2026, 12, 6)
TEAM_NOTE = """
current_to = 2026-12-05

[[events]]
id = "team-note"
date = 2026-12-01
title = "A note of the team"
category = "other"
"""


@pytest.fixture(scope="module")
def curated():
    return load([curated_store_path()])


def _parts(store, package: str, day: dt.date = DAY):
    """The statuses of the parts of `package`, by kind then id."""
    known = answers.knowledge(store, day)
    parts = set(known.parts.get(package, ()))
    rows = answers.status(store, query.Filter(), day)
    return sorted(((s.event.kind, s.event.id, s) for s in rows if s.event.id in parts),
                  key=lambda row: (row[0] or "", row[1]))  # fmt: skip


def _gallium_to_us(store):
    flt = query.make_filter(minerals=["gallium"], origins=["CN"], destinations=["US"])
    rows = answers.status(store, flt, DAY)
    return [(s.event.id, s.event.kind, s.event.part_of, s.state,
             str(s.since) if s.state == "unconfirmed" else None) for s in rows]  # fmt: skip


def test_gallium_from_cn_to_us(curated):
    rows = _gallium_to_us(curated)
    assert ("ga-ge-export-licensing", "licensing", None, "in-force", None) in rows
    clauses = [(kind, state, since) for _id, kind, part_of, state, since in rows
               if part_of == "china-bans-ga-ge-sb-to-us"]  # fmt: skip
    assert sorted(clauses) == [("ban", "unconfirmed", "2026-11-28"),
                               ("end-use-ban", "in-force", None)]  # fmt: skip


def test_the_holmium_cell_for_kr_holds_no_57_unconfirmed(curated):
    states = answers.status(curated, query.Filter(), DAY)
    cell = briefing.matrix(states, ("KR",), ["holmium"]).cells["holmium", "KR"]
    assert [(c.kind, c.status.state, c.status.event.part_of) for c in cell.material] == [
        ("licensing", "unconfirmed", "october-9-export-control-package")]  # fmt: skip
    assert cell.state == "unconfirmed"
    assert "re-processing-technology-export-ban" in [c.status.event.id for c in cell.technology]


def test_to_cn_lists_no_control_issued_by_cn_and_to_us_no_relief(curated):
    to_cn = answers.status(curated, query.make_filter(destinations=["CN"]), DAY)
    assert [s.event.id for s in to_cn
            if s.event.issuer == "CN" and s.event.category == "export-control"] == []
    # China's tariff on US goods restricts imports into China: a flow to CN
    assert [s.event.id for s in to_cn if s.event.issuer == "CN"] == [
        "china-additional-tariff-on-us-goods"]  # fmt: skip
    to_us = answers.status(curated, query.make_filter(destinations=["US"]), DAY)
    assert {s.event.category for s in to_us} <= {"export-control", "tariff"}
    assert "china-tariff-commission-suspension" not in [s.event.id for s in to_us]


def test_the_october_9_package_by_parts_on_two_days(curated):
    on = _parts(curated, "october-9-export-control-package", dt.date(2025, 10, 20))
    # No. 61 (extraterritorial) and No. 62 (technology) from 2025-10-09; No. 55, 57 and 58
    # (licensing) and No. 56 (technology) due 2025-11-08
    assert sorted((kind, s.state) for kind, _id, s in on) == [
        ("extraterritorial", "in-force"), ("licensing", "announced"),
        ("licensing", "announced"), ("licensing", "announced"), ("technology", "announced"),
        ("technology", "in-force")]  # fmt: skip
    no_57 = [s for _kind, _id, s in on if "holmium" in s.event.minerals]
    assert [(s.event.kind, s.state) for s in no_57] == [("licensing", "announced")]
    on = _parts(curated, "october-9-export-control-package", dt.date(2025, 11, 20))
    assert [(s.state, str(s.until), s.by.id) for _kind, _id, s in on] == [
        ("suspended", "2026-11-10", "mofcom-suspends-october-measures")] * 6
    assert "october-9-export-control-package" not in [
        s.event.id for s in answers.status(curated, query.Filter(), dt.date(2025, 11, 20))]


def test_a_team_file_with_a_later_horizon_changes_no_state(curated, write_store):
    team = write_store(TEAM_NOTE, "team/notes.toml")
    both = load([curated_store_path(), team])
    assert _gallium_to_us(both) == _gallium_to_us(curated)
    assert answers.horizon(both).date == answers.horizon(curated).date


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_export_imported_into_a_new_store_gives_the_same_states(run, tmp_path, fmt):
    exported = tmp_path / f"curated.{fmt}"
    assert run("export", "-f", fmt, "-o", str(exported)).exit_code == 0
    new = tmp_path / "new.toml"
    assert run("--store", str(new), "import", str(exported)).exit_code == 0

    def states(*store):
        rows = json_of(run(*store, "status", "-m", "gallium", "--to", "US", "--as-of",
                           "2026-12-06", "--json"))  # fmt: skip
        return [(r["id"], r["state"], r["since"]) for r in rows]

    assert states("--store", str(new)) == states()


def test_changes_for_dysprosium_list_the_truce_extension(run):
    rows = json_of(run("changes", "-m", "dysprosium", "--since", "2026-09-20", "--until",
                       "2026-09-30", "--as-of", "2026-10-01", "--json"))  # fmt: skip
    assert [(r["date"], r["id"], r["change"], r["by"]) for r in rows] == [
        ("2026-09-28", "busan-trump-xi-summit", "extended",
         "mofcom-eighth-round-readout-kl-extension")]  # fmt: skip


def test_the_truce_extension_is_an_extended_change_for_dysprosium(curated):
    """The engine's answer on the curated store today (the command line's `--since` for
    `changes` is the views' part)."""
    rows = answers.changes(curated, query.make_filter(minerals=["dysprosium"]),
                           dt.date(2026, 10, 1), dt.date(2026, 9, 20), dt.date(2026, 9, 30))
    assert [(str(c.date), c.event.id, c.change, c.by.id) for c in rows] == [
        ("2026-09-28", "busan-trump-xi-summit", "extended",
         "mofcom-eighth-round-readout-kl-extension")]  # fmt: skip


def test_list_to_a_destination_keeps_the_reliefs_that_name_it(run):
    """`list` selects events: a suspension of exports to the US is about that flow and is
    listed; `status`, which lists restrictions, never shows it."""
    listed = run("list", "--to", "US", "-k", "suspension")
    assert [line.rsplit("\t", 1)[1] for line in listed.stdout.splitlines()[1:]] == [
        "china-tariff-commission-suspension", "mofcom-suspends-october-measures",
        "mofcom-suspends-us-ga-ge-sb-ban"]  # fmt: skip
    states = json_of(run("status", "--to", "US", "--as-of", "2026-12-06", "--json"))
    assert {r["category"] for r in states} == {"export-control", "tariff"}
