"""Completion of values, colour rules, stats, vocab, doctor and paging."""

import json
import re

import pytest
from typer.testing import CliRunner

from reetimeline.cli import app, printing
from reetimeline.cli.application import hoist_global_options

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def complete(words: str) -> list[str]:
    """Call the completion entry point as bash's script does, with the cursor on the last word
    (tests/test_completion_shells.py drives real shells)."""
    parts = words.split(" ")
    result = CliRunner().invoke(
        app,
        [],
        env={"_REETIMELINE_COMPLETE": "complete_bash", "COMP_WORDS": words,
             "COMP_CWORD": str(len(parts) - 1)},
        prog_name="reetimeline",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


G_CODES = ["GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR",
           "GS", "GT", "GU", "GW", "GY", "G7"]  # fmt: skip


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("reetimeline list -m dys", ["dysprosium"]),
        ("reetimeline status --kind en", ["end-use-ban", "entity-listing"]),
        ("reetimeline add --kind te", ["technology"]),
        ("reetimeline list -m дисп", ["диспрозий"]),
        ("reetimeline list -m 镝", ["镝"]),
        ("reetimeline list -m heavy", ["heavy-rare-earths", "heavy\\ rare\\ earth"]),  # for bash
        ("reetimeline list -m DY", ["dysprosium", "Dy"]),
        ("reetimeline list -c us", ["US", "USA"]),
        ("reetimeline list -t DUAL", ["dual-use"]),
        ("reetimeline export -f J", ["json", "jsonl"]),
        ("reetimeline import x.csv -f X", ["xlsx"]),
        ("reetimeline --color A", ["auto", "always"]),
        ("reetimeline add --confidence R", ["reported"]),
        ("reetimeline add -k SUSP", ["suspension"]),
        ("reetimeline status --to ALL", ["all"]),
        ("reetimeline add --suspends china-bans-g", ["china-bans-ga-ge-sb-to-us"]),
        ("reetimeline list -c Jap", ["Japan"]),
        ("reetimeline list -c G", G_CODES),
        ("reetimeline countdown -k ex", ["export-control"]),
        ("reetimeline list -t dual", ["dual-use"]),
        ("reetimeline show busan", ["busan-trump-xi-summit"]),
        ("reetimeline countdown mofcom-suspends-us", ["mofcom-suspends-us-ga-ge-sb-ban"]),
        ("reetimeline vocab co", ["countries"]),
        ("reetimeline stats --group-by mi", ["mineral"]),
    ],
)  # fmt: skip
def test_completion_of_values(words, expected):
    got = complete(words)
    if words.endswith(" G"):
        assert got[: len(expected)] == expected
    else:
        assert got == expected


def test_completion_offers_no_text_a_terminal_would_act_on(write_store):
    path = write_store(
        '[[events]]\nid = "a"\ndate = 2026-01-01\ntitle = "A"\ncategory = "other"\n'
        'tags = ["safe", "s\\u001b[2Jevil\\u0007"]\n'
    )
    assert complete(f"reetimeline --store {path} list -t s") == ["safe"]


@pytest.mark.parametrize(
    ("shell", "start"),
    [("bash", "_reetimeline_completion() {"), ("zsh", "#compdef reetimeline"),
     ("fish", "complete --command reetimeline")],
)  # fmt: skip
def test_completion_scripts_are_offered(shell, start):
    # the shell named, not the one the command runs in (Typer's option alone detects it)
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="reetimeline")
    assert result.exit_code == 0
    assert result.stdout.startswith(start) and "_REETIMELINE_COMPLETE" in result.stdout


# --- colour ----------------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdout is a terminal (CliRunner's is not)."""
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)


def listed(run, *args, env=None):
    result = run(*args, "list", "-m", "gallium", env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_piped_output_is_plain_text(run):
    out = listed(run)
    assert out.startswith("date\tcategory\tkind\ttitle")
    assert not ANSI.search(out)


def test_force_color_colours_even_when_piped(run):
    out = listed(run, env={"FORCE_COLOR": "1"})
    assert ANSI.search(out) and "export-control" in out


def test_color_always_colours_when_piped(run):
    assert ANSI.search(listed(run, "--color", "always"))


def test_color_is_accepted_after_the_command_name(run):
    result = run("list", "-m", "gallium", "--color", "always")
    assert ANSI.search(result.stdout)
    assert hoist_global_options(["list", "--color=never", "-m", "x", "--pager"]) == [
        "--color=never", "--pager", "list", "-m", "x",
    ]  # fmt: skip


def test_a_terminal_gets_colour(run, terminal):
    assert ANSI.search(listed(run))


def test_no_color_turns_colour_off_on_a_terminal(run, terminal):
    out = listed(run, env={"NO_COLOR": "1"})
    assert "─" in out  # still the table for people
    assert not ANSI.search(out)


def test_color_never_turns_colour_off_on_a_terminal(run, terminal):
    out = listed(run, "--color", "never")
    assert "─" in out and not ANSI.search(out)


def test_term_dumb_turns_colour_off(run, terminal):
    assert not ANSI.search(listed(run, env={"TERM": "dumb"}))


def test_color_never_beats_force_color(run):
    out = listed(run, "--color", "never", env={"FORCE_COLOR": "1"})
    assert not ANSI.search(out)


def test_a_bad_color_value_is_a_usage_error(run):
    result = run("--color", "sometimes", "list")
    assert result.exit_code == 2
    assert "choose auto, always or never" in result.stderr


# --- stats, vocab, doctor, pager ------------------------------------------------------------


def test_stats_counts(run, small_store):
    result = run("--store", str(small_store), "stats")
    assert result.stdout == (
        "by\tkey\tcount\n"
        "year\t2010\t1\nyear\t2024\t1\nyear\t2025\t1\nyear\t2026\t1\n"
        "category\texport-control\t2\ncategory\tinvestment\t1\ncategory\tsuspension\t1\n"
        "mineral\tgallium\t2\nmineral\tdysprosium\t1\nmineral\trare-earths\t1\n"
        "country\tCN\t3\ncountry\tJP\t2\ncountry\tUS\t2\n"
    )
    data = json.loads(
        run("--store", str(small_store), "stats", "--group-by", "country", "--json").stdout
    )
    assert data == {"country": [{"key": "CN", "count": 3}, {"key": "JP", "count": 2},
                                {"key": "US", "count": 2}]}  # fmt: skip


def test_stats_draws_bars(run, small_store):
    out = run("--color", "always", "--store", str(small_store), "stats", "--group-by",
              "category").stdout  # fmt: skip
    lines = [ANSI.sub("", line).rstrip() for line in out.splitlines()]
    assert lines == [
        "events per category",
        "export-control  ████████████████████████████████████████  2",
        "investment      ████████████████████                      1",
        "suspension      ████████████████████                      1",
    ]


def test_stats_rejects_an_unknown_key(run):
    result = run("stats", "--group-by", "colour")
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: --group-by: choose one of year, category, mineral, country\n",
    )  # fmt: skip


def test_stats_by_is_the_issuer_filter_as_everywhere(run):
    by = json.loads(run("stats", "--by", "US", "--group-by", "category", "--json").stdout)
    issuer = run("stats", "--issuer", "US", "--group-by", "category", "--json").stdout
    counts = [("tariff", 4), ("suspension", 2), ("export-control", 1)]
    expected = {"category": [{"key": key, "count": n} for key, n in counts]}
    assert by == json.loads(issuer) == expected
    # the old spelling of the count says where it went
    result = run("stats", "--by", "Mineral")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "reetimeline: error: --by filters by issuing country; count by mineral with "
        "--group-by mineral\n",
    )  # fmt: skip


def test_vocab_lists_what_people_may_type(run):
    minerals = json.loads(run("vocab", "minerals", "--json").stdout)
    dysprosium = next(e for e in minerals if e["name"] == "dysprosium")
    assert dysprosium["aliases"] == ["Dy", "диспрозий", "镝", "ジスプロシウム"]
    assert dysprosium["groups"] == ["rare-earths", "heavy-rare-earths"]
    countries = run("vocab", "countries").stdout.splitlines()
    assert "JP\tJapan\tJPN, Япония, 日本\tG7\t" in countries
    assert (
        run("vocab", "categories").stdout.splitlines()[1] == "export-control\texport-control\t\t\t"
    )
    assert run("vocab", "elements").exit_code == 2


def test_doctor_reports_stores_cache_and_colour(run, small_store, write_store, tmp_path):
    broken = write_store('[[events]]\nid = "x"\n', "broken.toml")
    report = json.loads(
        run("--store", str(small_store), "--store", str(broken), "doctor", "--json").stdout
    )
    assert report["stores"] == [
        {"path": str(small_store), "state": "ok", "problems": 0, "events": 4, "current_to": None},
        {"path": str(broken), "state": "broken", "problems": 3, "events": 0, "current_to": None},
    ]
    assert report["color"] == {"on": False, "why": "stdout is not a terminal"}
    assert report["data"] is None
    text = run("--store", str(small_store), "doctor").stdout
    assert f"store       {small_store}: ok, 4 events\n" in text
    assert "data        no store says up to when its facts were checked\n" in text
    assert "colour      off (stdout is not a terminal)" in text


def test_doctor_says_how_current_the_data_is(run):
    text = run("doctor", "--as-of", "2026-11-25").stdout
    assert ": ok, 80 events, current to 2026-10-08\n" in text
    assert "data        curated store current to 2026-10-08, 48 days ago\n" in text


def test_the_pager_is_used_only_on_a_terminal_when_asked(run, monkeypatch, small_store):
    pages = []

    class FakePager:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            pages.append(True)

        def __exit__(self, *exc):
            return False

    import rich.console

    monkeypatch.setattr(rich.console.Console, "pager", lambda self, **kw: FakePager())
    run("--store", str(small_store), "--pager", "list")
    assert pages == []  # piped: never
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    run("--store", str(small_store), "list")
    assert pages == []  # not asked
    run("--store", str(small_store), "list", "--pager")
    run("--store", str(small_store), "timeline", env={"REETIMELINE_PAGER": "1"})
    assert pages == [True, True]
