"""The code type-checks: `mypy src` at its default level, as CI runs it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_finds_no_errors_in_src():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found")


def test_only_the_renderer_imports_rich():
    """Views for people are built in one module; everything else hands it data."""
    import re

    importers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "src").rglob("*.py")
        if re.search(r"^\s*(from rich\b|import rich\b)", path.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["src/reetimeline/output/render.py"]
