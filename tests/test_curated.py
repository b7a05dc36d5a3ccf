"""The curated store, current to what the sources say and honest where they stop (always with
`--as-of`, never the clock)."""

import re

import pytest

from reetimeline.model import MEASURE_CATEGORIES, RESTRICTION_CATEGORIES
from reetimeline.store import curated_store_path, load
from tests.conftest import json_of


@pytest.fixture(scope="module")
def curated():
    return load([curated_store_path()])


def states(run, *args):
    rows = json_of(run("status", *args, "--json"))
    return {r["id"]: r for r in rows}


def test_status_today_says_what_is_known_and_what_is_not(run):
    rows = states(run, "--as-of", "2026-11-25")
    october = rows["october-9-export-control-package"]
    assert {k: october[k] for k in ("state", "since", "until", "by", "current_to")} == {
        "state": "unconfirmed",
        "since": "2026-11-11",
        "until": None,
        "by": "mofcom-suspends-october-measures",
        "current_to": "2026-10-08",
    }
    assert october["note"] == (
        "the suspension by mofcom-suspends-october-measures was scheduled to end 2026-11-10 (the "
        "measure never took effect); no event in the stores says what happened (curated store "
        "current to 2026-10-08, 48 days ago)"
    )
    ban = rows["china-bans-ga-ge-sb-to-us"]
    assert (ban["state"], ban["since"], ban["until"], ban["by"], ban["confidence"]) == (
        "suspended",
        "2025-11-09",
        "2026-11-27",
        "mofcom-suspends-us-ga-ge-sb-ban",
        "confirmed",
    )
    for tariff in ("us-fentanyl-tariff-on-china", "us-reciprocal-tariffs-liberation-day"):
        assert (rows[tariff]["state"], rows[tariff]["since"], rows[tariff]["by"]) == (
            "ended",
            "2026-02-24",
            "scotus-ieepa-tariffs-struck-down",
        )
    surcharge = rows["us-section-122-surcharge"]
    assert (surcharge["state"], surcharge["since"]) == ("expired", "2026-07-25")


def test_the_us_specific_ban_is_unconfirmed_after_its_suspension_was_due_to_end(run):
    rows = json_of(run("status", "--as-of", "2026-11-28", "-m", "gallium", "--to", "US",
                       "--json"))  # fmt: skip
    assert [(r["id"], r["state"]) for r in rows] == [
        ("ga-ge-export-licensing", "in-force"),
        ("china-bans-ga-ge-sb-to-us", "unconfirmed"),
    ]
    assert rows[1]["since"] == "2026-11-28"


def test_what_restricts_gallium_to_the_us(run):
    rows = json_of(run("status", "-m", "gallium", "--to", "US", "--as-of", "2026-06-01",
                       "--json"))  # fmt: skip
    assert [(r["id"], r["state"], r["until"]) for r in rows] == [
        ("ga-ge-export-licensing", "in-force", None),
        ("china-bans-ga-ge-sb-to-us", "suspended", "2026-11-27"),
    ]


def test_the_next_deadlines(run):
    rows = json_of(run("countdown", "--as-of", "2026-11-25", "--within", "60", "--json"))
    assert [(r["id"], r["kind"], r["date"], r["days"], r["extended_by"], r["confidence"])
            for r in rows] == [
        ("mofcom-suspends-us-ga-ge-sb-ban", "expires", "2026-11-27", 2, None, "confirmed"),
        ("dfars-magnet-sourcing-rule", "effective", "2027-01-01", 37, None, "confirmed"),
        ("busan-trump-xi-summit", "expires", "2027-01-10", 46,
         "mofcom-eighth-round-readout-kl-extension", "reported"),
    ]  # fmt: skip


def test_show_says_the_truce_runs_to_its_extended_end(run):
    result = run("show", "busan-trump-xi-summit", "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:7] == [
        "Trump–Xi Busan summit: one-year truce",
        "busan-trump-xi-summit\ttruce",
        "",
        "runs until\t2027-01-10 (extended by mofcom-eighth-round-readout-kl-extension, reported; "
        "originally 2026-11-10)",
        "date\t2025-10-30  391 days ago",
        "was to end\t2026-11-10  due 15 days ago, replaced by "
        "mofcom-eighth-round-readout-kl-extension",
        "now ends\t2027-01-10  in 46 days, extended by mofcom-eighth-round-readout-kl-extension "
        "(reported)",
    ]
    record = json_of(run("show", "busan-trump-xi-summit", "--as-of", "2026-11-25", "--json"))
    assert (record["runs_until"], record["extended_by"], record["state"]) == (
        "2027-01-10",
        ["mofcom-eighth-round-readout-kl-extension"],
        None,
    )


def test_check_passes_and_says_how_current(run):
    result = run("check")
    assert (result.exit_code, result.stderr) == (0, "")


def test_every_event_is_sourced_readable_and_citable(curated):
    for event in curated.events:
        assert event.sources, event.id
        assert not re.search(r"\(E\d+\)", event.summary or ""), event.id
        for source in event.sources:
            assert "rest_route" not in source.url and "wp-json" not in source.url, event.id
            assert "echo-test" not in source.url, event.id


def test_every_measure_says_who_imposes_it_and_on_whom(curated):
    restrictions = [e for e in curated.events if e.category in RESTRICTION_CATEGORIES]
    assert len([e for e in restrictions if e.category in MEASURE_CATEGORIES]) == 23
    for event in restrictions:
        assert event.issuer and event.applies_to, event.id


def test_the_curated_store_needs_current_to(run, tmp_path, monkeypatch):
    text = curated_store_path().read_text(encoding="utf-8")
    assert "\ncurrent_to = 2026-10-08\n" in text
    copy = tmp_path / "events.toml"
    copy.write_text(text.replace("\ncurrent_to = 2026-10-08\n", "\n"), encoding="utf-8")
    # another store may omit it
    assert run("--store", str(copy), "check").exit_code == 0
    import reetimeline.store

    monkeypatch.setattr(reetimeline.store, "curated_store_path", lambda: copy.resolve())
    result = run("--store", str(copy), "check")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (1, (
        f"{copy}: current_to: missing; the curated store says up to which day its facts were "
        "checked (docs/curating.md)"))  # fmt: skip


def test_what_changed_since_the_horizon_is_unconfirmed(run):
    rows = json_of(run("changes", "--as-of", "2026-11-25", "--since", "2026-11-01", "--json"))
    assert [(r["date"], r["id"], r["change"], r["by"], r["note"]) for r in rows] == [
        ("2026-11-10", "bis-affiliates-rule", "unconfirmed", "bis-affiliates-rule-suspended",
         "was due to be in force again; nothing reported (data: curated store current to "
         "2026-10-08, 48 days ago)"),
        ("2026-11-11", "china-tariff-commission-suspension", "unconfirmed",
         "china-tariff-commission-suspension", "was due to expire; nothing reported (data: "
         "curated store current to 2026-10-08, 48 days ago)"),
        # it never took effect: suspended from before its effective date
        ("2026-11-11", "october-9-export-control-package", "unconfirmed",
         "mofcom-suspends-october-measures", "was due to take effect; nothing reported (data: "
         "curated store current to 2026-10-08, 48 days ago)"),
    ]  # fmt: skip
