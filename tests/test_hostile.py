"""Hostile and careless input, round two (issue 13): no escape reaches a terminal, no file is
clobbered, no traceback. The payloads and stores come from `test_hardening`."""

import unicodedata

from reetimeline.vocab import MINERALS, fold

# --- Unicode normal forms --------------------------------------------------------------------


def test_names_match_in_any_normal_form():
    decomposed = unicodedata.normalize("NFD", "диспрозий")
    assert decomposed != "диспрозий"
    assert MINERALS.resolve(decomposed) == "dysprosium"
    assert MINERALS.resolve(unicodedata.normalize("NFD", "ДИСПРОЗИЙ")) == "dysprosium"
    assert fold(unicodedata.normalize("NFD", "Réunion")) == fold("RÉUNION") == "réunion"
    assert fold("İstanbul") == fold(unicodedata.normalize("NFD", "i̇stanbul"))


def test_a_decomposed_mineral_and_text_match_on_the_command_line(run, write_store):
    title = unicodedata.normalize("NFD", "Réunion on dysprosium")
    path = write_store(
        f"""
        [[events]]
        id = "r"
        date = 2025-01-01
        title = "{title}"
        category = "other"
        minerals = ["{unicodedata.normalize("NFD", "диспрозий")}"]
        """
    )
    for args in (["-m", unicodedata.normalize("NFD", "диспрозий")], ["-m", "диспрозий"],
                 ["-q", "réunion"], ["-q", "RÉUNION"], ["-q", title]):  # fmt: skip
        result = run("--store", str(path), "list", "--json", *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert '"id": "r"' in result.stdout, args
