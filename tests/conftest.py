"""Shared fixtures. Tests point the tool at stores through the same variables users have
($REETIMELINE_STORE, $XDG_DATA_HOME) and never depend on the real clock (`--as-of`)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from reetimeline.cli import app
from reetimeline.store.files import packaged_store_path

# Deterministic property tests: the same examples on every run and every machine.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("deterministic")

# the packaged store: read before `isolated_env`, so never one that `update` installed here
CURATED = packaged_store_path()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path_factory):
    """No test sees the developer's own stores, config file, colour settings or terminal
    width."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("HOME", str(home))
    # every store is cached, however small (by default small files are parsed: store/cache.py)
    monkeypatch.setenv("REETIMELINE_CACHE_MIN_BYTES", "0")
    for name in ("REETIMELINE_STORE", "REETIMELINE_PAGER", "NO_COLOR", "FORCE_COLOR", "TERM",
                 "COLUMNS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def _command():
    """The Click command behind the app, built once: building it from the Typer app takes about
    30 ms, which `CliRunner.invoke` would spend on every run (a program builds it once too, and
    a Click command keeps no state between runs)."""
    import typer.main
    import typer.testing

    command = typer.main.get_command(app)
    build = typer.testing._get_command
    typer.testing._get_command = lambda typer_app: command if typer_app is app else build(typer_app)
    yield command
    typer.testing._get_command = build


def json_of(result: Result):
    """The JSON a successful command printed."""
    import json

    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def run(_command):
    """Run the CLI in-process; returns exit code, stdout and stderr separately."""

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        result = runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def write_store(tmp_path):
    """Write a store file from dedented TOML text and return its path."""

    def write(text: str, name: str = "events.toml", folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


SMALL_STORE = """
    # a small store for exact rendering tests
    [[events]]
    id = "ban"
    date = 2024-12-03
    title = "Ban on gallium exports"
    category = "export-control"
    minerals = ["gallium"]
    countries = ["CN", "US"]
    sources = [{ title = "Report", url = "https://example.com/ban" }]

    [[events]]
    id = "pause"
    date = 2025-11-09
    title = "Ban suspended"
    category = "suspension"
    minerals = ["gallium"]
    countries = ["CN", "US"]
    expires = 2026-11-27
    suspends = ["ban"]
    sources = [{ title = "Report", url = "https://example.com/pause" }]

    [[events]]
    id = "embargo"
    date = "2010-09"
    title = "Informal halt of rare-earth shipments"
    category = "export-control"
    minerals = ["rare earths"]
    countries = ["Japan", "China"]
    expires = "2010-11"

    [[events]]
    id = "plan"
    date = "2026"
    title = "Deep-sea mining test"
    category = "investment"
    minerals = ["Dy"]
    countries = ["JP"]
    effective = 2026-02-01
"""


@pytest.fixture
def small_store(write_store):
    return write_store(SMALL_STORE)
