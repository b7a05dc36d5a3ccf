import pytest

from reetimeline.vocab import COUNTRIES_VOCAB, MINERALS, RARE_EARTHS, normalise


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("dysprosium", "dysprosium"),
        ("Dysprosium", "dysprosium"),
        ("Dy", "dysprosium"),
        ("DY", "dysprosium"),
        ("диспрозий", "dysprosium"),
        ("Диспрозий", "dysprosium"),
        ("镝", "dysprosium"),
        ("ジスプロシウム", "dysprosium"),
        ("rare earths", "rare-earths"),
        ("Rare_Earths", "rare-earths"),
        ("REE", "rare-earths"),
        ("HREE", "heavy-rare-earths"),
        ("редкоземельные металлы", "rare-earths"),
        ("稀土", "rare-earths"),
        ("レアアース", "rare-earths"),
        ("лёгкие редкоземельные металлы", "light-rare-earths"),
        ("легкие редкоземельные металлы", "light-rare-earths"),  # ё typed as е
        ("W", "tungsten"),
        ("superhard materials", "superhard-materials"),
        ("lithium batteries", "lithium-batteries"),
        ("сурьма", "antimony"),
        ("镓", "gallium"),
        ("ゲルマニウム", "germanium"),
    ],
)
def test_minerals_resolve_in_all_four_languages(typed, canonical):
    assert MINERALS.resolve(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("South Korea", "KR"),
        ("Korea", "KR"),
        ("Japan", "JP"),
        ("Япония", "JP"),
        ("中国", "CN"),
        ("European Union", "EU"),
        ("g7", "G7"),
        ("Chile", "CL"),
    ],
)
def test_countries_resolve_codes_names_and_aliases(typed, code):
    assert COUNTRIES_VOCAB.resolve(typed) == code


def test_unknown_names_get_a_suggestion():
    assert MINERALS.resolve("dysprosim") is None
    assert MINERALS.suggest("dysprosim") == "dysprosium"
    assert COUNTRIES_VOCAB.suggest("Japna") == "JP"


def test_groups_match_both_ways():
    assert MINERALS.related("dysprosium") == {"dysprosium", "heavy-rare-earths", "rare-earths"}
    assert MINERALS.related("heavy-rare-earths") == {
        "heavy-rare-earths",
        "rare-earths",
        "gadolinium",
        "terbium",
        "dysprosium",
        "holmium",
        "erbium",
        "thulium",
        "ytterbium",
        "lutetium",
        "yttrium",
    }
    assert MINERALS.related("rare-earths") == {
        "rare-earths",
        "light-rare-earths",
        "heavy-rare-earths",
        *RARE_EARTHS,
    }
    assert MINERALS.related("gallium") == {"gallium"}
    assert COUNTRIES_VOCAB.related("JP") == {"JP", "G7"}
    assert COUNTRIES_VOCAB.related("DE") == {"DE", "G7", "EU"}


def test_the_group_lists_are_the_ones_the_format_names():
    assert len(RARE_EARTHS) == 17 == len(set(RARE_EARTHS))
    assert len(COUNTRIES_VOCAB.groups["EU"]) == 27
    assert set(COUNTRIES_VOCAB.groups["G7"]) == {"US", "JP", "DE", "FR", "GB", "IT", "CA", "EU"}


@pytest.mark.parametrize("vocabulary", [MINERALS, COUNTRIES_VOCAB], ids=["minerals", "countries"])
def test_no_alias_stands_for_two_names(vocabulary):
    owners: dict[str, str] = {}
    for entry in vocabulary.entries():
        for name in (entry["name"], entry["label"], *entry["aliases"]):
            key = normalise(name)
            assert owners.setdefault(key, entry["name"]) == entry["name"], name


def test_the_generated_iso_table_matches_pycountry():
    import pycountry  # a test dependency only: the table is generated from it

    from reetimeline.iso3166 import COUNTRIES

    assert set(COUNTRIES) == {c.alpha_2 for c in pycountry.countries}
    assert COUNTRIES["KR"][0] == "South Korea"
