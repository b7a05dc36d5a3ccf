"""The picture in README is the tool's own output for the curated store."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the command README gives to regenerate docs/timeline.svg
COMMAND = "reetimeline timeline --since 2026-06 --as-of 2026-11-25 --svg docs/timeline.svg"


def test_readme_shows_the_committed_picture_and_how_to_make_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "![" in readme and "docs/timeline.svg" in readme
    assert COMMAND in readme


def test_the_picture_is_what_the_tool_draws_today(run, tmp_path):
    made = tmp_path / "timeline.svg"
    args = COMMAND.split()[1:]
    args[args.index("docs/timeline.svg")] = str(made)
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert made.read_text(encoding="utf-8") == (ROOT / "docs" / "timeline.svg").read_text(
        encoding="utf-8"
    ), f"docs/timeline.svg is stale: regenerate it with `{COMMAND}`"
