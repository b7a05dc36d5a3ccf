"""README's promises: the two opening commands, and CI running exactly the test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)[:2]


def test_readme_opens_with_install_and_run_then_the_test_command():
    install, tests = readme_commands()
    assert "pip install ." in install and "reetimeline list --mineral dysprosium" in install
    assert "python -m pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    _install, tests = readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci_lines
