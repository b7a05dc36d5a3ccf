"""The config file: stores used with the curated one, colour and paging; the command line beats
the environment, which beats the file, which beats the defaults; a bad file is one line per
problem naming the file, line and key (exit 1)."""

import json
import os
import re
from pathlib import Path

import pytest

from reetimeline.cli import printing
from reetimeline.store import curated_store_path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TEAM_EVENT = '[[events]]\nid = "team-note"\ndate = 2026-11-20\ntitle = "Note"\ncategory = "other"\n'


@pytest.fixture
def config():
    """Write the config file where the tool looks for it ($XDG_CONFIG_HOME, set by conftest)."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_config_stores_are_used_with_the_curated_store(run, config, tmp_path):
    path = config('stores = ["team/", "~/more.toml"]\n')
    (path.parent / "team").mkdir()
    (path.parent / "team" / "a.toml").write_text(TEAM_EVENT, encoding="utf-8")
    home_store = Path(os.environ["HOME"]) / "more.toml"
    home_store.write_text(TEAM_EVENT.replace("team-note", "home-note"), encoding="utf-8")
    result = run("check")
    assert result.stdout == (
        f"ok: 82 events in {curated_store_path()}, {path.parent / 'team' / 'a.toml'}, "
        f"{home_store}\n"
    )
    # the command line and the environment name the stores on their own
    alone = tmp_path / "alone.toml"
    alone.write_text(TEAM_EVENT.replace("team-note", "alone"), encoding="utf-8")
    assert run("--store", str(alone), "check").stdout == f"ok: 1 event in {alone}\n"
    by_env = run("check", env={"REETIMELINE_STORE": str(alone)})
    assert by_env.stdout == f"ok: 1 event in {alone}\n"
    report = json.loads(run("doctor", "--json").stdout)
    assert report["config"] == {"path": str(path), "read": True}
    assert [s["path"] for s in report["stores"]][1:] == [
        str(path.parent / "team" / "a.toml"), str(home_store)]  # fmt: skip


def test_doctor_says_where_the_config_file_is_and_whether_it_was_read(run, config):
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    assert f"config      {path} (not found)\n" in run("doctor").stdout
    config('color = "never"\n')
    text = run("doctor").stdout
    assert f"config      {path} (read)\n" in text
    assert "colour      off (color = never in the config file)\n" in text
    assert "pager       off (not asked for)\n" in text


@pytest.mark.parametrize(
    ("setting", "args", "env", "coloured"),
    [
        ('color = "always"', [], {}, True),
        ('color = "ALWAYS"', [], {}, True),
        ('color = "always"', [], {"NO_COLOR": "1"}, False),
        ('color = "always"', ["--color", "never"], {}, False),
        ('color = "always"', ["--color", "auto"], {}, False),  # auto, given: piped, no colour
        ('color = "never"', [], {"FORCE_COLOR": "1"}, True),
        ('color = "never"', ["--color", "always"], {}, True),
        ('color = "auto"', [], {}, False),
    ],
)
def test_color_precedence(run, config, setting, args, env, coloured):
    config(setting + "\n")
    result = run(*args, "list", "-m", "gallium", env=env)
    assert result.exit_code == 0, result.stderr
    assert bool(ANSI.search(result.stdout)) is coloured


@pytest.mark.parametrize(
    ("setting", "args", "env", "paged", "why"),
    [
        ("pager = true", [], {}, True, "pager = true in the config file"),
        ("pager = true", [], {"REETIMELINE_PAGER": "0"}, False, "REETIMELINE_PAGER=0"),
        ("pager = false", [], {"REETIMELINE_PAGER": "1"}, True, "REETIMELINE_PAGER=1"),
        ("pager = true", ["--no-pager"], {}, False, "--no-pager"),
        ("", ["--pager"], {"REETIMELINE_PAGER": "off"}, True, "--pager"),
        ("", [], {}, False, "not asked for"),
    ],
)  # fmt: skip
def test_pager_precedence(run, config, monkeypatch, setting, args, env, paged, why):
    config(setting + "\n")
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
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    assert run(*args, "list", "-m", "gallium", env=env).exit_code == 0
    assert pages == ([True] if paged else [])
    report = json.loads(run(*args, "doctor", "--json", env=env).stdout)
    assert (report["pager"], report["pager_why"]) == (paged, why)


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ('colour = "never"\n',
         ["{path}:1: colour: unknown key (did you mean 'color'?); the keys are stores, color, "
          "pager, feed, trusted_root and stale_after_days"]),
        ('stores = "team/"\npager = "yes"\n',
         ['{path}:1: stores: must be a list of paths, like stores = ["~/team-events/"]',
          "{path}:2: pager: 'yes' is not true or false"]),
        ("# mine\n\ncolor = 3\n", ["{path}:3: color: 3 is not one of: auto, always, never"]),
        ('stores = [""]\n', ["{path}:1: stores: holds an empty path"]),
        ("[stores]\nx = 1\n",
         ['{path}:1: stores: must be a list of paths, like stores = ["~/team-events/"]']),
        ('color = "never\n', ["{path}:1:15: TOML syntax error: Illegal character '\\n'"]),
        (b"pager = true\n\xff\n", ["{path}:2: not UTF-8 text"]),
        ("color = " + "[" * 1000 + "]" * 1000 + "\n",
         ["{path}: TOML arrays or tables nested more than 400 levels deep"]),
        ("stores = " + "{ a = " * 500 + "1" + " }" * 500 + "\n",
         ["{path}: TOML arrays or tables nested more than 400 levels deep"]),
    ],
)  # fmt: skip
def test_a_bad_config_file_is_one_line_per_problem(run, config, text, problems):
    path = config("")
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    for command in (["list"], ["doctor"], ["check"]):
        result = run(*command)
        assert (result.exit_code, result.stdout) == (1, ""), command
        assert result.stderr == "".join(p.format(path=path) + "\n" for p in problems)


def test_a_config_file_that_is_a_folder(run, config):
    path = config("")
    path.unlink()
    path.mkdir()
    result = run("list")
    assert (result.exit_code, result.stderr) == (
        1, f"{path}: is a folder, not a config file (a regular file or a pipe)\n")  # fmt: skip


def test_a_config_file_that_is_a_symlink_loop(run, config):
    path = config("")
    path.unlink()
    path.symlink_to(path.name)
    for command in (["list"], ["doctor"]):
        result = run(*command)
        assert (result.exit_code, result.stdout, result.stderr) == (
            1, "", f"{path}: cannot read: Too many levels of symbolic links\n")  # fmt: skip


def test_a_store_that_is_a_symlink_loop_is_one_line(run, tmp_path):
    loop = tmp_path / "a.toml"
    loop.symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(loop)
    for command in (["list"], ["status"], ["countdown"], ["show", "x"], ["stats"]):
        result = run("--store", str(loop), *command)
        assert (result.exit_code, result.stdout, result.stderr) == (
            1, "", f"{loop}: cannot read: Too many levels of symbolic links\n"), command
    result = run("--store", str(loop), "add", "--date", "2026", "--title", "New")
    assert (result.exit_code, result.stderr) == (
        1, f"{loop}: a symlink loop (too many levels of symbolic links); nothing was written\n")


def test_readme_example_config_is_read_as_it_says(config, tmp_path):
    from reetimeline.cli.config import read_config

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    # the config example (the other TOML block is a store event)
    [example] = [b for b in re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
                 if "[[events]]" not in b]  # fmt: skip
    path = config(example)
    home = Path(os.environ["HOME"])
    assert read_config(path) == (
        path,
        True,
        (home / "work" / "team-events", path.parent / "watchlist.toml"),
        "auto",
        False,
        None,  # feed, trusted_root and stale_after_days (`reetimeline update`) are not set
        None,
        30,
    )
