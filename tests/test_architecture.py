"""The layers of ARCHITECTURE.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(src: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package under `src` with the project's contracts."""
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=src,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def lint_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """`lint` of a copy of the package in which `module` (a path under it) gains `line`."""
    shutil.copytree(ROOT / "src" / "reetimeline", tmp_path / "reetimeline",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    changed = tmp_path / "reetimeline" / module
    changed.write_text(changed.read_text() + f"\n{line}  # noqa\n")
    return lint(tmp_path)


def test_the_layers_contract_holds():
    result = lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^Contracts: \d+ kept, 0 broken\.$", result.stdout, re.M)


def test_the_contract_catches_the_store_importing_the_output_layer(tmp_path):
    result = lint_with(tmp_path, "store/files.py", "from ..output import plain")
    assert result.returncode == 1
    assert "reetimeline.store is not allowed to import reetimeline.output" in result.stdout
    assert "reetimeline.store.files -> reetimeline.output.plain" in result.stdout


def test_the_contract_catches_the_engine_reaching_the_store(tmp_path):
    result = lint_with(tmp_path, "engine/states.py", "from .. import store")
    assert result.returncode == 1
    assert "reetimeline.engine is not allowed to import reetimeline.store" in result.stdout
