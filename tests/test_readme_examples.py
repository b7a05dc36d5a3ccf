"""Every `reetimeline` example in README runs as written, on a fixed "today" (2026-11-25), and
where README shows what an example prints, it prints exactly that."""

import datetime as dt
import re
import shlex
from pathlib import Path

import pytest

import reetimeline.cli.options

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 25)
# `--install-completion` edits the shell's start-up files: not something a test may run
NOT_RUN = ("--install-completion",)

COLLEAGUE = """\
id,date,title,category,sources
colleague-note,2026-11-20,A colleague's note,other,Note <https://example.com/note>
"""


def examples() -> list[tuple[str, str | None]]:
    """(command line, the output README shows for it or None), in README order, past the two
    opening commands (install and test, checked by test_docs.py)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = list(re.finditer(r"```(\w*)\n(.*?)\n```", text, flags=re.S))
    out = []
    shell_blocks = [b for b in blocks if b.group(1) == "sh"][2:]
    for block in shell_blocks:
        following = next((b for b in blocks if b.start() > block.end()), None)
        shows = (
            following is not None
            and following.group(1) == ""
            and text[block.end() : following.start()].strip() == ""
        )
        lines = block.group(2).replace("\\\n", " ").splitlines()
        commands = [line for line in lines if line.startswith("reetimeline ")]
        for command in commands:
            expected = following.group(2) + "\n" if shows and len(commands) == 1 else None
            out.append((command, expected))
    return out


def argv(command: str) -> list[str]:
    """The arguments of a README line: comments, pipes and redirections cut off."""
    command = re.sub(r"\s+#\s.*$", "", command)
    command = re.split(r"\s(?:\||>>|>)\s", command)[0]
    return shlex.split(command)[1:]


EXAMPLES = examples()


def test_readme_has_examples_with_their_output():
    assert len(EXAMPLES) > 30
    assert len([e for e in EXAMPLES if e[1] is not None]) == 2


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_readme_example_works(run, command, expected, monkeypatch, tmp_path):
    if any(word in command for word in NOT_RUN):
        pytest.skip("edits the shell's start-up files")
    monkeypatch.setattr(reetimeline.cli.options, "today", lambda: TODAY)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "colleague.csv").write_text(COLLEAGUE, encoding="utf-8")
    (tmp_path / "docs").mkdir()  # the examples that remake README's pictures run in a checkout
    team = tmp_path / "team-events"
    team.mkdir()
    (team / "alice.toml").write_text(
        '[[events]]\nid = "alice-note"\ndate = 2026-11-01\ntitle = "Note"\ncategory = "other"\n',
        encoding="utf-8",
    )
    shared = tmp_path / "team"
    shared.mkdir()
    (shared / "shared.toml").write_text(
        '[[events]]\nid = "team-pause"\ndate = 2026-11-20\ntitle = "Pause"\n'
        'category = "suspension"\nsuspends = ["china-bans-ga-ge-sb-to-us"]\n',
        encoding="utf-8",
    )
    result = run(*argv(command))
    assert result.exit_code == 0, result.stderr
    assert result.stdout or result.stderr
    if expected is not None:
        assert result.stdout == expected
