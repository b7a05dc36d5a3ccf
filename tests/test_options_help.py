"""Help that reads as words, and numbers typed as people type them (issue 23)."""

from __future__ import annotations

import json

import pytest


def _commands():
    import typer.main

    from reetimeline.cli import app

    group = typer.main.get_command(app)
    return group, [("", group), *sorted(group.commands.items())]


def test_every_option_of_every_command_has_help_and_a_metavar_in_words():
    group, commands = _commands()
    ctx = group.make_context("reetimeline", ["list"], resilient_parsing=True)
    bad = []
    for name, command in commands:
        for param in command.params:
            if param.param_type_name == "option":
                names, text = param.get_help_record(ctx)
                if not param.help:
                    bad.append((name, names, "no help"))
            else:
                names, text = param.make_metavar(ctx), ""
            for raw in ("<", "x<=", "<=x", "x>="):
                if raw in names or raw in text:
                    bad.append((name, names, text))
    assert bad == []


def test_the_help_pages_show_no_raw_metavar(run):
    _group, commands = _commands()
    for name, _command in commands:
        page = run(*([name] if name else []), "--help").stdout
        assert "Options:" in page, name
        for raw in ("<str>", "<int", "<float", "x<=", "<=x", "x>="):
            assert raw not in page, (name, raw)


def test_numeric_options_name_what_they_take(run):
    helps = {
        "list": "  -n, --limit N ",
        "timeline": "  --width COLUMNS ",
        "countdown": "  --within DAYS ",
        "stats": "  --top N ",
        "update": "  --timeout SECONDS ",
        "export": "  --alarm DAYS ",
    }
    for command, line in helps.items():
        assert line in run(command, "--help").stdout, command


NOT_A_NUMBER = [
    (["countdown", "--within", "2m"], "--within: '2m' is not a number of days; write --within 60"),
    (["countdown", "--within", "3 weeks"],
     "--within: '3 weeks' is not a number of days; write --within 21"),
    (["countdown", "--recent", "1y"], "--recent: '1y' is not a number of days; write --recent 365"),
    (["countdown", "--within", "soon"],
     "--within: 'soon' is not a number of days; write --within 30"),
    (["export", "-f", "ics", "--alarm", "1w"],
     "--alarm: '1w' is not a number of days; write --alarm 7"),
    (["export", "-f", "ics", "--alarm", "a week"],
     "--alarm: 'a week' is not a number of days; write --alarm 7"),
    (["list", "-n", "ten"], "--limit: 'ten' is not a whole number; write --limit 10"),
    (["timeline", "--width", "wide"], "--width: 'wide' is not a whole number; write --width 100"),
    (["stats", "--top", "1.5"], "--top: '1.5' is not a whole number; write --top 1"),
    (["countdown", "--within", "3.5"],
     "--within: '3.5' is not a whole number of days; write --within 3"),
    (["countdown", "--within", ""], "--within: give a number of days, e.g. --within 30"),
    (["list", "-n", " "], "--limit: give a whole number, e.g. --limit 10"),
    (["update", "--timeout", "1m"], "--timeout: '1m' is not a number; write --timeout 30"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), NOT_A_NUMBER, ids=[m for _a, m in NOT_A_NUMBER])
def test_a_number_that_is_not_one_says_how_to_write_it(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"reetimeline: error: {message}\n"


def test_one_converter_reads_every_days_option():
    from reetimeline.cli.options import Number

    _group, commands = _commands()
    days = {
        (name, param.name): param.type
        for name, command in commands
        for param in command.params
        if param.name in ("within", "recent", "alarm")
    }
    assert {("countdown", "recent"), ("countdown", "within"), ("export", "alarm")} <= set(days)
    # every such option, also of commands added later (report --within), reads days so
    read_as = {where: (type(t), t.unit) for where, t in days.items()}
    assert read_as == dict.fromkeys(days, (Number, "days"))


def test_days_typed_as_a_number_still_work(run, small_store):
    spaced = run("--store", str(small_store), "countdown", "--as-of", "2026-01-12",
                 "--within", " 60 ", "--json")  # fmt: skip
    plain = run("--store", str(small_store), "countdown", "--as-of", "2026-01-12",
                "--within", "60", "--json")  # fmt: skip
    assert (spaced.exit_code, spaced.stderr) == (0, "")
    assert spaced.stdout == plain.stdout
    rows = [(r["id"], r["kind"], r["days"]) for r in json.loads(plain.stdout)]
    assert rows == [("plan", "date", 0), ("plan", "effective", 20)]


def test_readme_install_gives_a_plain_venv_and_pip_fallback():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    install = readme.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    assert "pipx install ." in install and "uv tool install ." in install
    assert (
        "```sh\n"
        "python3 -m venv ~/.venvs/reetimeline\n"
        "~/.venvs/reetimeline/bin/pip install .\n"
        "mkdir -p ~/.local/bin && ln -sf ~/.venvs/reetimeline/bin/reetimeline "
        "~/.local/bin/reetimeline\n"
        "reetimeline --version\n"
        "```"
    ) in install
