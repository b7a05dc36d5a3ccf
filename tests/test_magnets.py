"""The `magnets` product group (issue 24): NdFeB and samarium-cobalt magnets, and the curated
events that the facts sheets say are about magnets."""

from __future__ import annotations

import json

import pytest

from reetimeline.vocab import MINERALS

# the curated events whose facts name magnets, by date (facts.md, facts-2026.md, facts-measures.md)
MAGNET_EVENTS = [
    "re-processing-technology-export-ban",  # magnet preparation technology (SmCo, NdFeB, cerium)
    "dfars-magnet-sourcing-rule",  # samarium-cobalt and neodymium-iron-boron magnets
    "seven-medium-heavy-ree-controls",  # No. 18: metals, alloys, ..., magnets
    "london-framework-talks",  # framework on rare earths and magnets
    "london-framework-confirmed",  # "the magnets will flow"
    "mp-materials-dod-price-floor",  # a new magnet plant
    "us-magnet-makers-lack-feedstock",
    "rare-earth-licence-freeze-japan-reports",  # rare-earth and magnet shipments to Japan
    "neo-narva-commercial-production",  # NdFeB magnets
]


def ids(result) -> list[str]:
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return [event["id"] for event in json.loads(result.stdout)]


def test_the_group_holds_ndfeb_and_samarium_cobalt_magnets():
    assert MINERALS.groups["magnets"] == ("ndfeb-magnets", "samarium-cobalt-magnets")
    assert MINERALS.related("magnets") == {"magnets", "ndfeb-magnets", "samarium-cobalt-magnets"}
    assert MINERALS.related("ndfeb-magnets") == {"ndfeb-magnets", "magnets"}


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("magnets", "magnets"), ("Magnet", "magnets"), ("permanent magnets", "magnets"),
     ("磁石", "magnets"), ("NdFeB", "ndfeb-magnets"), ("неодимовые магниты", "ndfeb-magnets"),
     ("SmCo", "samarium-cobalt-magnets"), ("钐钴磁体", "samarium-cobalt-magnets")],
)  # fmt: skip
def test_magnets_resolve_by_their_names(typed, canonical):
    assert MINERALS.resolve(typed) == canonical


def test_list_m_magnets_lists_the_events_about_magnets(run):
    assert ids(run("list", "-m", "magnets", "--json")) == MAGNET_EVENTS
    # the singular is a name of the group too
    assert ids(run("list", "-m", "magnet", "--json")) == MAGNET_EVENTS
    # No. 62 is "rare-earth technologies" in the facts sheets, which do not say magnets
    assert "october-9-no-62-rare-earth-technologies" not in MAGNET_EVENTS


def test_list_m_magnets_piped_shows_the_dfars_rule(run):
    lines = run("list", "-m", "magnets").stdout.splitlines()
    assert lines[2] == (
        "2024-05-30\tother\t\tDoD final rule: from 1 Jan 2027 covered magnets and metals for US "
        "defence may not be mined, refined, separated, melted or produced in China\t"
        "rare-earths, neodymium, samarium, tungsten, ndfeb-magnets, samarium-cobalt-magnets\t"
        "US, CN, RU, IR, KP\tsources: confirmed\tdfars-magnet-sourcing-rule"
    )


def test_a_member_finds_what_names_it_and_the_group(run):
    # SmCo: the events that name it or the group, not those that name only NdFeB magnets
    assert ids(run("list", "-m", "SmCo", "--json")) == MAGNET_EVENTS[:-1]
    assert ids(run("list", "-m", "SmCo", "--exact", "--json")) == ["dfars-magnet-sourcing-rule"]
    assert ids(run("list", "-m", "magnets", "--exact", "--json")) == [
        e for e in MAGNET_EVENTS if e not in ("dfars-magnet-sourcing-rule",
                                              "neo-narva-commercial-production")
    ]  # fmt: skip


def test_a_misspelt_magnet_suggests_magnets_not_manganese(run):
    result = run("list", "-m", "magnts")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "reetimeline: error: unknown mineral 'magnts' (did you mean 'magnets'?); "
        "`reetimeline vocab minerals` lists them\n"
    )


def test_vocab_lists_the_group_and_its_members(run):
    rows = {line.split("\t")[0]: line.split("\t") for line in
            run("vocab", "minerals").stdout.splitlines()}  # fmt: skip
    assert rows["magnets"][4] == "ndfeb-magnets, samarium-cobalt-magnets"
    assert rows["ndfeb-magnets"][3] == "magnets"
    assert rows["samarium-cobalt-magnets"][3] == "magnets"


def test_completion_offers_the_group():
    assert MINERALS.complete("magn") == ["magnets", "magnet"]
    assert MINERALS.complete("nd")[:1] == ["ndfeb-magnets"]


def test_the_measures_on_magnets_and_their_row_of_the_matrix(run):
    """The April-2025 licensing names magnets; the DFARS rule is a procurement rule, not a
    measure (order aside: the order of state views is not this test's business)."""
    result = run("status", "--as-of", "2026-11-25", "-m", "magnets", "--exact", "--json")
    assert sorted((r["id"], r["state"]) for r in json.loads(result.stdout)) == [
        ("rare-earth-licence-freeze-japan-reports", "in-force"),
        ("re-processing-technology-export-ban", "in-force"),
        ("seven-medium-heavy-ree-controls", "in-force"),
    ]
    matrix = run("status", "--as-of", "2026-11-25", "--matrix", "-m", "magnets", "--json")
    answer = json.loads(matrix.stdout)
    assert answer["minerals"] == ["ndfeb-magnets", "samarium-cobalt-magnets"]
    assert {(c["mineral"], c["destination"], c["state"]) for c in answer["cells"]} == {
        (mineral, destination, "in-force")
        for mineral in ("ndfeb-magnets", "samarium-cobalt-magnets")
        for destination in ("US", "JP", "KR", "EU", "all")
    }
