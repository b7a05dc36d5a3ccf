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
    """`status --json` by id; `--store X` and `--with-curated` first go before the command."""
    options = list(args)
    stores: list[str] = []
    while options and options[0] in ("--store", "--with-curated"):
        taken = 2 if options[0] == "--store" else 1
        stores += options[:taken]
        options = options[taken:]
    rows = json_of(run(*stores, "status", *options, "--json"))
    return {r["id"]: r for r in rows}


def test_status_today_says_what_is_known_and_what_is_not(run):
    rows = states(run, "--as-of", "2026-11-25")
    ban = rows["no-46-clause-2-us-ga-ge-sb-ban"]
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


# the measures on gallium to the US (the parts of No. 46 by their own ids; the package itself
# is the engine's to leave out of `status`)
GALLIUM_TO_US = ("ga-ge-export-licensing", "no-46-clause-1-us-military-end-use",
                 "no-46-clause-2-us-ga-ge-sb-ban")  # fmt: skip


def test_the_us_specific_ban_is_unconfirmed_after_its_suspension_was_due_to_end(run):
    rows = states(run, "--as-of", "2026-11-28", "-m", "gallium", "--to", "US")
    assert [(rows[i]["state"], rows[i]["since"], rows[i]["until"]) for i in GALLIUM_TO_US] == [
        ("in-force", "2023-08-01", None),
        ("in-force", "2024-12-03", None),  # clause 1: No. 72 never suspended it
        ("unconfirmed", "2026-11-28", None),  # clause 2: its suspension was due to end 11-27
    ]


def test_what_restricts_gallium_to_the_us(run):
    rows = states(run, "-m", "gallium", "--to", "US", "--as-of", "2026-06-01")
    assert [(rows[i]["state"], rows[i]["until"], rows[i]["by"]) for i in GALLIUM_TO_US] == [
        ("in-force", None, None),
        ("in-force", None, None),
        ("suspended", "2026-11-27", "mofcom-suspends-us-ga-ge-sb-ban"),
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
    # 23 before issue 20, then: the six parts of October 9 and the two of No. 46, China's
    # additional tariff; two tariff cuts became (partial) suspensions
    assert len([e for e in restrictions if e.category in MEASURE_CATEGORIES]) == 30
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
    rows = json_of(run("changes", "--as-of", "2026-11-25", "--since", "2026-11-01", "--until",
                       "2026-11-25", "--json"))  # fmt: skip
    found = {(r["date"], r["id"], r["change"], r["by"]) for r in rows}
    lapsed = {("2026-11-11", part, "unconfirmed", "mofcom-suspends-october-measures")
              for part in OCTOBER_PARTS}  # fmt: skip
    assert lapsed | {("2026-11-10", "bis-affiliates-rule", "unconfirmed",
                      "bis-affiliates-rule-suspended")} <= found  # fmt: skip
    assert "october-9-export-control-package" not in {r["id"] for r in rows}


# --- issue 20: kinds, packages and their parts, reliefs, per-event horizons --------------------

# facts-measures.md section 2: the kind of every measure of the curated store
KINDS = {
    "china-halts-rare-earths-to-japan-2010": "informal",
    "ga-ge-export-licensing": "licensing",
    "graphite-export-controls": "licensing",
    "re-processing-technology-export-ban": "technology",
    "antimony-export-controls": "licensing",
    "no-46-clause-1-us-military-end-use": "end-use-ban",
    "no-46-clause-2-us-ga-ge-sb-ban": "ban",
    "five-metals-export-controls": "licensing",
    "seven-medium-heavy-ree-controls": "licensing",
    "october-9-no-55-superhard-materials": "licensing",
    "october-9-no-56-rare-earth-equipment": "technology",
    "october-9-no-57-five-rare-earths": "licensing",
    "october-9-no-58-lithium-batteries": "licensing",
    "october-9-no-61-extraterritorial-rules": "extraterritorial",
    "october-9-no-62-rare-earth-technologies": "technology",
    "china-bans-dual-use-exports-to-japan": "end-use-ban",
    "rare-earth-licence-freeze-japan-reports": "informal",
    "china-lists-40-japanese-entities": "entity-listing",
    "china-lists-7-eu-entities": "entity-listing",
    "china-lists-mp-materials-usa-rare-earth": "entity-listing",
    "china-lists-second-40-japanese-entities": "entity-listing",
    "china-lists-14-eu-entities": "entity-listing",
    "bis-affiliates-rule": "entity-listing",
    "us-fentanyl-tariff-on-china": "tariff",
    "us-reciprocal-tariffs-liberation-day": "tariff",
    "china-additional-tariff-on-us-goods": "tariff",
    "us-section-122-surcharge": "tariff",
    "ustr-forced-labor-301-duties": "tariff",
}
OCTOBER_PARTS = (
    "october-9-no-55-superhard-materials", "october-9-no-56-rare-earth-equipment",
    "october-9-no-57-five-rare-earths", "october-9-no-58-lithium-batteries",
    "october-9-no-61-extraterritorial-rules", "october-9-no-62-rare-earth-technologies",
)  # fmt: skip
PACKAGES = ("october-9-export-control-package", "china-bans-ga-ge-sb-to-us")


def test_every_measure_has_the_kind_the_facts_sheet_gives(curated):
    measures = [e for e in curated.events if e.category in MEASURE_CATEGORIES]
    assert {e.id: e.kind for e in measures if e.id not in PACKAGES} == KINDS
    assert [(e.id, e.kind) for e in measures if e.id in PACKAGES] == [
        ("china-bans-ga-ge-sb-to-us", None), ("october-9-export-control-package", None)
    ]  # fmt: skip


def test_the_packages_are_split_into_parts_with_their_own_dates(curated):
    parts = [e for e in curated.events if e.part_of is not None]
    assert [(e.id, e.part_of, str(e.date), str(e.effective), e.minerals) for e in parts] == [
        ("no-46-clause-1-us-military-end-use", "china-bans-ga-ge-sb-to-us", "2024-12-03",
         "2024-12-03", ("gallium", "germanium", "antimony", "graphite", "superhard-materials",
                        "critical-minerals")),
        ("no-46-clause-2-us-ga-ge-sb-ban", "china-bans-ga-ge-sb-to-us", "2024-12-03",
         "2024-12-03", ("gallium", "germanium", "antimony", "superhard-materials")),
        ("october-9-no-55-superhard-materials", "october-9-export-control-package",
         "2025-10-09", "2025-11-08", ("superhard-materials",)),
        ("october-9-no-56-rare-earth-equipment", "october-9-export-control-package",
         "2025-10-09", "2025-11-08", ("rare-earths",)),
        ("october-9-no-57-five-rare-earths", "october-9-export-control-package",
         "2025-10-09", "2025-11-08", ("holmium", "erbium", "thulium", "europium", "ytterbium")),
        ("october-9-no-58-lithium-batteries", "october-9-export-control-package",
         "2025-10-09", "2025-11-08", ("lithium-batteries", "graphite")),
        ("october-9-no-61-extraterritorial-rules", "october-9-export-control-package",
         "2025-10-09", "2025-10-09", ("rare-earths",)),
        ("october-9-no-62-rare-earth-technologies", "october-9-export-control-package",
         "2025-10-09", "2025-10-09", ("rare-earths",)),
    ]  # fmt: skip
    for package in PACKAGES:
        event = curated.get(package)
        assert event is not None
        assert (event.effective, event.expires, event.kind) == (None, None, None)
        sources = event.sources
        assert all(p.sources == sources for p in parts if p.part_of == package)
    # No. 70 suspends the whole package; No. 72 clause 2 of No. 46 only
    assert curated.get("mofcom-suspends-october-measures").suspends == (
        "october-9-export-control-package",
    )
    assert curated.get("mofcom-suspends-us-ga-ge-sb-ban").suspends == (
        "no-46-clause-2-us-ga-ge-sb-ban",
    )


def test_the_reliefs_are_suspensions_and_truces_not_restrictions(curated):
    reliefs = {e.id: e for e in curated.events if e.suspends or e.extends}
    assert {i: (e.category, e.suspends, e.extends, e.partial) for i, e in reliefs.items()} == {
        "geneva-joint-statement": ("truce", ("us-reciprocal-tariffs-liberation-day",
                                             "china-additional-tariff-on-us-goods"), (), True),
        "tariff-truce-extension-to-nov": ("truce", (), ("geneva-joint-statement",), False),
        "us-executive-orders-tariff-cut": ("suspension", ("us-reciprocal-tariffs-liberation-day",),
                                           (), True),
        "china-tariff-commission-suspension": ("suspension",
                                               ("china-additional-tariff-on-us-goods",), (), True),
        "mofcom-suspends-october-measures": ("suspension", ("october-9-export-control-package",),
                                             (), False),
        "mofcom-suspends-us-ga-ge-sb-ban": ("suspension", ("no-46-clause-2-us-ga-ge-sb-ban",), (),
                                            False),
        "bis-affiliates-rule-suspended": ("suspension", ("bis-affiliates-rule",), (), False),
        "mofcom-eighth-round-readout-kl-extension": ("truce", (), ("busan-trump-xi-summit",),
                                                     False),
    }  # fmt: skip
    tariff = curated.get("china-additional-tariff-on-us-goods")
    assert (str(tariff.date), str(tariff.effective), tariff.issuer, tariff.applies_to) == (
        "2025-04-04", "2025-04-10", "CN", ("US",)
    )  # fmt: skip
    assert [s.url for s in tariff.sources] == [
        "https://www.independent.co.uk/asia/china/china-trump-tariffs-rare-earths-trade-war-"
        "b2727424.html"
    ]
    freeze = curated.get("rare-earth-licence-freeze-japan-reports")
    assert freeze.confidence == "reported"
    japan = curated.get("china-bans-dual-use-exports-to-japan")
    assert japan.minerals == ("rare-earths", "critical-minerals")


def test_every_curated_event_carries_the_curated_horizon_beside_a_team_file(tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    (team / "notes.toml").write_text(
        'current_to = 2026-12-05\n\n[[events]]\nid = "team-note"\ndate = 2026-12-01\n'
        'title = "A note"\ncategory = "other"\n', encoding="utf-8")  # fmt: skip
    loaded = load([curated_store_path(), team], cache_dir=None)
    horizons = {e.id: str(e.current_to) for e in loaded.events}
    assert horizons.pop("team-note") == "2026-12-05"
    assert set(horizons.values()) == {"2026-10-08"}
    assert len(horizons) == 80


def test_the_october_parts_have_their_own_dates(run):
    # announced until the day before they were due to take effect (No. 70 is not known yet)
    def on(day: str) -> dict[str, tuple[str, str | None]]:
        rows = states(run, "--as-of", day)
        return {p: (rows[p]["state"], rows[p]["until"]) for p in OCTOBER_PARTS}

    assert on("2025-10-20") == {
        "october-9-no-55-superhard-materials": ("announced", "2025-11-07"),
        "october-9-no-56-rare-earth-equipment": ("announced", "2025-11-07"),
        "october-9-no-57-five-rare-earths": ("announced", "2025-11-07"),
        "october-9-no-58-lithium-batteries": ("announced", "2025-11-07"),
        "october-9-no-61-extraterritorial-rules": ("in-force", None),
        "october-9-no-62-rare-earth-technologies": ("in-force", None),
    }
    assert on("2025-11-20") == dict.fromkeys(OCTOBER_PARTS, ("suspended", "2026-11-10"))


def test_gallium_from_china_to_the_us_by_kind(run):
    rows = states(run, "-m", "gallium", "--from", "CN", "--to", "US", "--as-of", "2026-12-06")
    assert [(rows[i]["kind"], rows[i]["state"], rows[i]["since"]) for i in GALLIUM_TO_US] == [
        ("licensing", "in-force", "2023-08-01"),
        ("end-use-ban", "in-force", "2024-12-03"),
        ("ban", "unconfirmed", "2026-11-28"),
    ]
    assert "china-bans-ga-ge-sb-to-us" not in rows  # a package has no state of its own


def test_a_team_file_with_a_later_horizon_changes_no_curated_state(run, tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    (team / "notes.toml").write_text(
        'current_to = 2026-12-05\n\n[[events]]\nid = "team-note"\ndate = 2026-12-01\n'
        'title = "A note"\ncategory = "other"\n', encoding="utf-8")  # fmt: skip
    alone = states(run, "--as-of", "2026-12-06")
    with_team = states(run, "--store", str(team), "--with-curated", "--as-of", "2026-12-06")
    assert with_team == alone
    assert alone["no-46-clause-2-us-ga-ge-sb-ban"]["state"] == "unconfirmed"
    assert alone["october-9-no-57-five-rare-earths"]["state"] == "unconfirmed"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_export_imported_into_a_new_store_keeps_every_field_and_horizon(run, tmp_path, fmt,
                                                                          curated):  # fmt: skip
    exported = tmp_path / f"curated.{fmt}"
    result = run("export", "--format", fmt, "-o", str(exported), "--as-of", "2026-12-06")
    assert result.exit_code == 0, result.stderr
    new = tmp_path / "new.toml"
    result = run("--store", str(new), "import", str(exported))
    how = " (CSV separated by commas)" if fmt == "csv" else ""
    assert (result.exit_code, result.stderr) == (0, f"added 80 events to {new}{how}\n")
    imported = {e.id: e for e in load([new], cache_dir=None).events}
    assert len(imported) == 80
    for event in curated.events:
        assert imported[event.id] == event, event.id  # every field, current_to included
        assert str(imported[event.id].current_to) == "2026-10-08"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_imported_export_gives_the_curated_states(run, tmp_path, fmt):
    exported = tmp_path / f"curated.{fmt}"
    assert run("export", "--format", fmt, "-o", str(exported)).exit_code == 0
    new = tmp_path / "new.toml"
    assert run("--store", str(new), "import", str(exported)).exit_code == 0
    args = ("-m", "gallium", "--to", "US", "--as-of", "2026-12-06")
    mine = {i: (r["state"], r["since"]) for i, r in states(run, *args).items()}
    theirs = {i: (r["state"], r["since"])
              for i, r in states(run, "--store", str(new), *args).items()}  # fmt: skip
    assert theirs == mine
    assert mine["no-46-clause-2-us-ga-ge-sb-ban"] == ("unconfirmed", "2026-11-28")


def test_the_ics_export_marks_the_unreported_lapses_tentative(run):
    result = run("export", "--format", "ics", "--as-of", "2026-12-06")
    assert result.exit_code == 0, result.stderr
    blocks = re.sub(r"\r?\n[ \t]", "", result.stdout).split("BEGIN:VEVENT")[1:]  # unfolded
    tentative = sorted(
        (re.search(r"DTSTART;VALUE=DATE:(\d+)", b)[1], re.search(r"UID:(\S+)", b)[1],
         re.search(r"SUMMARY:([^\r\n]*)", b)[1].endswith("(not confirmed)"))
        for b in blocks if "STATUS:TENTATIVE" in b
    )  # fmt: skip
    assert tentative == [
        ("20261109", "bis-affiliates-rule-suspended-expires@reetimeline", True),
        ("20261110", "china-tariff-commission-suspension-expires@reetimeline", True),
        ("20261110", "mofcom-suspends-october-measures-expires@reetimeline", True),
        ("20261127", "mofcom-suspends-us-ga-ge-sb-ban-expires@reetimeline", True),
    ]
