"""The project installs (not editable) and the installed command finds its curated store from
any folder. The new environment borrows the test environment's dependencies through a .pth
file, so the test needs no network; the project itself is built and installed for real."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_installed_wheel_answers_from_another_folder(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # dependencies (typer, rich, ... and the build backend) from the test environment
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-build-isolation", "--no-index", str(ROOT)],
        check=True,
        cwd=tmp_path,
    )  # fmt: skip
    installed = site / "reetimeline" / "events.toml"
    assert installed.read_bytes() == (ROOT / "events.toml").read_bytes()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REETIMELINE")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = subprocess.run(
        [venv / "bin" / "reetimeline", "check"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"ok: 80 events in {installed}\n"

    result = subprocess.run(
        [venv / "bin" / "reetimeline", "list", "-m", "dysprosium", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert '"id": "seven-medium-heavy-ree-controls"' in result.stdout

    # the installed curated store is never written, however it is named
    link = tmp_path / "link.toml"
    link.symlink_to(installed)
    before = installed.read_bytes()
    for store, command in (
        (installed, ["add", "--date", "2026", "--title", "Mine"]),
        (link, ["add", "--date", "2026", "--title", "Mine"]),
        (installed.parent, ["import", "x.csv"]),
    ):
        if True:
            result = subprocess.run(
                [venv / "bin" / "reetimeline", "--store", str(store), *command],
                cwd=elsewhere, env=env, capture_output=True, text=True,
            )  # fmt: skip
            assert (result.returncode, result.stdout) == (2, ""), result.stderr
            target = installed if store != link else link
            assert result.stderr == (
                f"reetimeline: error: {target} is the store installed with the tool; write to "
                "your own store (--store FILE, or leave --store out for your user store)\n"
            )
    assert installed.read_bytes() == before
