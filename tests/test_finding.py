"""Finding things: ids in every view, unique id prefixes, unknown tags, case-insensitive choices,
usage errors that name the option, and the small messages around them."""

import os

import pytest

from reetimeline.cli import printing


def test_show_accepts_a_unique_prefix_of_an_id(run):
    whole = run("show", "busan-trump-xi-summit", "--as-of", "2026-11-25", "--json")
    prefix = run("show", "busan", "--as-of", "2026-11-25", "--json")
    assert (prefix.exit_code, prefix.stderr) == (0, "")
    assert prefix.stdout == whole.stdout


def test_countdown_accepts_a_unique_prefix_too(run):
    whole = run("countdown", "mofcom-suspends-us-ga-ge-sb-ban", "--as-of", "2026-11-25")
    result = run("countdown", "mofcom-suspends-us", "--as-of", "2026-11-25")
    # piped, how current the data is goes to stderr
    assert (result.exit_code, result.stderr) == (
        0, "data: curated store current to 2026-10-08, 48 days ago\n")  # fmt: skip
    assert result.stdout == whole.stdout
    assert [line.split("\t")[-1] for line in result.stdout.splitlines()] == [
        "id", *["mofcom-suspends-us-ga-ge-sb-ban"] * 2]  # fmt: skip


def test_an_ambiguous_prefix_lists_the_candidates(run):
    result = run("show", "mofcom")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "reetimeline: error: 'mofcom' starts 4 ids: mofcom-eighth-round-readout-kl-extension, "
        "mofcom-responds-scotus-ruling, mofcom-suspends-october-measures, "
        "mofcom-suspends-us-ga-ge-sb-ban; give more of it\n",
    )


def test_an_unknown_id_still_gets_a_did_you_mean(run, small_store):
    result = run("--store", str(small_store), "show", "bann")
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: no event 'bann' (did you mean 'ban'?); `reetimeline list -q "
           "WORDS` searches titles, summaries, ids, tags and sources\n",
    )  # fmt: skip


@pytest.mark.parametrize("command", ["list", "countdown", "status", "timeline", "stats", "export"])
def test_an_unknown_tag_is_a_usage_error_with_a_did_you_mean(run, command):
    result = run(command, "-t", "defacto")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "reetimeline: error: --tag: unknown tag 'defacto' (did you mean 'de-facto'?); tags in "
        "the stores: affiliates-rule, court-ruling, de-facto, defence-procurement, dual-use, "
        "forced-labour, section-122, section-301, tariff-threat\n"
    )


def test_tags_match_whatever_their_case(run):
    result = run("list", "-t", "DE-FACTO")
    assert [line.split("\t")[-1] for line in result.stdout.splitlines()[1:]] == [
        "china-halts-rare-earths-to-japan-2010", "rare-earth-licence-freeze-japan-reports",
    ]  # fmt: skip


def test_choices_are_case_insensitive(run, small_store):
    store = ("--store", str(small_store))
    lower = run(*store, "list", "-k", "export-control").stdout
    assert run(*store, "list", "-k", "Export-Control").stdout == lower
    assert lower.count("\n") == 3
    assert run(*store, "export", "-f", "CSV").stdout == run(*store, "export").stdout
    assert run(*store, "--color", "ALWAYS", "list").stdout.startswith("\x1b[")
    assert run(*store, "stats", "--group-by", "Category").exit_code == 0
    assert run("vocab", "Categories").stdout == run("vocab", "categories").stdout


def test_add_takes_category_and_confidence_in_any_case(run, tmp_path):
    target = tmp_path / "mine.toml"
    result = run("--store", str(target), "add", "--date", "2026-11-25", "--title", "T",
                 "-k", "Tariff", "--confidence", "Reported", "--dry-run")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert '"category": "tariff"' in result.stdout and '"confidence": "reported"' in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "25112026"],
         "--date: '25112026' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)"),
        (["--date", "2026-11-25", "--expires", "2026-13"], "--expires: month 13 does not exist"),
        (["--date", "2026-11-25", "--expires", "2026-01-01"],
         "--expires: 2026-01-01 is before the event's date 2026-11-25"),
        (["--date", "2026-11-25", "--suspends", "nothing-here"],
         "--suspends: no event 'nothing-here' in the stores"),
        (["--date", "2026-11-25", "-k", "tarif"],
         "--category: unknown category 'tarif' (did you mean 'tariff'?)"),
    ],
)  # fmt: skip
def test_a_bad_add_option_exits_2_naming_the_option(run, tmp_path, args, message):
    target = tmp_path / "mine.toml"
    result = run("--store", str(target), "add", "--title", "T", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"reetimeline: error: {message}\n",
    )  # fmt: skip
    assert not target.exists()


def test_status_of_a_category_without_measures_says_so(run):
    result = run("status", "-k", "meeting", "--as-of", "2026-11-25")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "reetimeline: error: --category: meeting events are not measures; status shows the "
        "state of export-control and tariff events (try `reetimeline list -k meeting`)\n",
    )
    mixed = run("status", "-k", "meeting", "-k", "tariff", "--as-of", "2026-11-25")
    assert mixed.exit_code == 0
    assert mixed.stdout == run("status", "-k", "tariff", "--as-of", "2026-11-25").stdout


def test_vocab_categories_header_says_category(run, monkeypatch):
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    result = run("--color", "never", "vocab", "categories")
    assert result.stdout.split()[:3] == ["category", "aliases", "groups"]


def test_the_pager_gets_less_r_unless_less_is_set(run, monkeypatch, small_store):
    seen = []
    monkeypatch.setattr("pydoc.pager", lambda text: seen.append((os.environ.get("LESS"), text)))
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("LESS", "placeholder")
    monkeypatch.delenv("LESS")  # restored to the outer value after the test
    run("--store", str(small_store), "--color", "always", "--pager", "list")
    assert "LESS" not in os.environ  # set for the pager only
    monkeypatch.setenv("LESS", "FX")
    run("--store", str(small_store), "--color", "always", "--pager", "list")
    assert [less for less, _text in seen] == ["R", "FX"]
    assert "\x1b[" in seen[0][1]
