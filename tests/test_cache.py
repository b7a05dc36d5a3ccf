"""The parsed-store cache answers exactly like parsing, and is never trusted blindly."""

import os
import sqlite3
import subprocess
import sys

import pytest

from reetimeline import store
from reetimeline.store import cache as cache_module
from tests.conftest import CURATED

QUERIES = [
    ["list"],
    ["list", "-m", "dysprosium"],
    ["list", "-m", "Dy", "--exact"],
    ["list", "-m", "rare-earths", "-c", "JP", "--reverse"],
    ["list", "-c", "G7", "--limit", "3"],
    ["list", "-c", "DE", "--exact"],
    ["list", "-k", "export-control", "-k", "tariff"],
    ["list", "-t", "DUAL-USE"],
    ["list", "-q", "mofcom"],
    ["list", "-q", "ЖЖЖ-nothing"],
    ["list", "--since", "2025-04", "--until", "2025-10-30"],
    ["list", "--since", "2010-09-20", "--until", "2010"],
    ["list", "-m", "gallium", "--json"],
    ["list", "--json", "--reverse", "--limit", "5"],
    ["list", "-m", "cobalt", "--json"],
    ["countdown", "--as-of", "2026-11-25"],
    ["countdown", "--as-of", "2026-01-12", "--json"],
    ["countdown", "--as-of", "2026-01-12", "--within", "30"],
    ["countdown", "--as-of", "2025-11-10", "--all", "-m", "gallium", "--json"],
    ["status", "--as-of", "2026-06-01"],
    ["status", "--as-of", "2026-06-01", "-m", "holmium", "--json"],
    ["status", "--as-of", "2026-11-25", "-c", "US", "--json"],
    ["status", "--as-of", "2025-10-01", "-m", "gallium", "-c", "US"],
    ["status", "--as-of", "2010-10-01"],
    ["show", "china-bans-ga-ge-sb-to-us", "--json", "--as-of", "2026-01-01"],
    ["show", "october-9-export-control-package", "--as-of", "2026-01-01"],
    # later dates of an event, extended ends, issuers, destinations, confidence
    ["list", "--since", "2026-12", "--json"],
    ["list", "--since", "2026-11-26", "--until", "2026-11-30"],
    ["list", "--to", "US", "--by", "CN"],
    ["list", "--to", "JP", "--exact", "--confirmed"],
    ["countdown", "--as-of", "2026-11-25", "--within", "60", "--json"],
    ["status", "--as-of", "2026-11-25", "--json"],
    ["status", "--as-of", "2026-11-28", "-m", "gallium", "--to", "US"],
    ["show", "busan-trump-xi-summit", "--as-of", "2026-11-25", "--json"],
    # counts in SQL, with and without a filter
    ["stats"],
    ["stats", "--json"],
    ["stats", "-c", "JP", "--json"],
    ["stats", "--by", "mineral", "-k", "export-control"],
]


@pytest.mark.parametrize("args", QUERIES, ids=[" ".join(q) for q in QUERIES])
def test_the_cache_answers_like_parsing(run, args, monkeypatch):
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    parsed = run(*args)
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    building = run(*args)  # parses and builds the cache
    cached = run(*args)  # answers from the cache
    assert parsed.exit_code == building.exit_code == cached.exit_code == 0
    assert building.stdout == parsed.stdout
    assert cached.stdout == parsed.stdout
    assert cached.stderr == parsed.stderr


def test_merging_a_cached_and_a_parsed_store(run, write_store, tmp_path, monkeypatch):
    mine = write_store(
        '[[events]]\nid = "mine"\ndate = 2025-10-09\ntitle = "My note"\ncategory = "other"\n'
        'minerals = ["Dy"]\nsuspends = ["china-bans-ga-ge-sb-to-us"]\n'
    )
    args = ["--store", str(CURATED), "--store", str(mine), "list", "-m", "dysprosium"]
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    parsed = run(*args)
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    run(*args)
    assert run(*args).stdout == parsed.stdout
    assert "My note" in parsed.stdout


def cached_run(store_path, *args):
    """Run the tool in a subprocess; report whether it parsed TOML (imported the parser)."""
    code = (
        "import sys; from reetimeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('PARSED' if 'reetimeline.store.parse' in sys.modules else 'CACHED')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--store", str(store_path), *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    return result.stdout, result.stderr[-6:]


def test_a_warm_run_reads_no_toml(small_store):
    first = cached_run(small_store, "list")
    assert first[1] == "PARSED"
    assert cached_run(small_store, "list") == (first[0], "CACHED")


def test_a_hand_edit_keeping_size_and_mtime_is_seen(small_store):
    cached_run(small_store, "list")
    stat = small_store.stat()
    text = small_store.read_text(encoding="utf-8")
    edited = text.replace("Ban on gallium exports", "Ban on gallium imports")
    assert len(edited) == len(text)
    small_store.write_text(edited, encoding="utf-8")
    os.utime(small_store, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert small_store.stat().st_size == stat.st_size
    out, how = cached_run(small_store, "list")
    assert how == "PARSED"
    assert "Ban on gallium imports" in out


def _the_cache(small_store):
    return cache_module.Cache(store_cache_dir(), "").db_path(small_store)


def store_cache_dir():
    from pathlib import Path

    return Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline"


@pytest.mark.parametrize(
    "damage",
    ["truncate", "garbage", "foreign", "no-meta", "other-version", "other-store"],
)
def test_a_damaged_cache_is_rebuilt(small_store, damage):
    good, _ = cached_run(small_store, "list")
    db = _the_cache(small_store)
    if damage == "truncate":
        db.write_bytes(db.read_bytes()[:1000])
    elif damage == "garbage":
        db.write_bytes(os.urandom(4096))
    elif damage == "foreign":
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE events (x)")
        conn.commit()
        conn.close()
    else:
        sql = {
            "no-meta": "DELETE FROM meta",
            "other-version": "UPDATE meta SET code = 'old-' || code",
            "other-store": "UPDATE meta SET store = CAST('/elsewhere/events.toml' AS BLOB)",
        }[damage]
        conn = sqlite3.connect(db)
        conn.execute(sql)
        conn.commit()
        conn.close()
    assert cached_run(small_store, "list") == (good, "PARSED")
    assert cached_run(small_store, "list") == (good, "CACHED")


def test_a_broken_store_is_never_cached(write_store):
    path = write_store('[[events]]\nid = "a"\ndate = "2025-02-30"\ntitle = "A"\ncategory = "x"\n')
    for _ in range(2):
        out, how = cached_run(path, "list")
        assert (out, how) == ("", "PARSED")
    assert not any(store_cache_dir().glob("*.sqlite")) if store_cache_dir().exists() else True


def test_external_references_are_checked_across_files_with_caches(run, write_store, tmp_path):
    target = write_store(GOOD_A := '[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\n'
                         'category = "export-control"\n', "a.toml")  # fmt: skip
    suspender = write_store(
        '[[events]]\nid = "s"\ndate = 2025-02-01\ntitle = "S"\ncategory = "suspension"\n'
        'suspends = ["a"]\n',
        "s.toml",
    )
    assert GOOD_A
    for _ in range(2):  # building the caches, then from the caches
        result = run("--store", str(target), "--store", str(suspender), "check")
        assert result.exit_code == 0, result.stderr
    alone = run("--store", str(suspender), "check")
    assert alone.exit_code == 1
    assert alone.stderr.startswith(
        f"{suspender}:1: event 's': suspends: no event 'a' in the stores"
    )


def test_lazy_imports_keep_rich_out_of_programs_output(tmp_path):
    code = (
        "import sys; from reetimeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in ('rich', 'dateutil', 'icalendar') "
        "if m in sys.modules))"
    )
    commands = (
        ["export", "--format", "csv"],
        ["list", "--json"],
        ["list", "-m", "Dy"],
        ["countdown", "--as-of", "2026-01-01"],
        ["status", "--as-of", "2026-01-01"],
        ["show", "busan", "--as-of", "2026-01-01"],
    )
    for args in commands:
        result = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
        )
        assert result.stdout
        assert result.stderr == "", (args, result.stderr)
    # and the formats that need a library load it
    result = subprocess.run(
        [sys.executable, "-c", code, "export", "--format", "ics"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "icalendar" in result.stderr and "rich" not in result.stderr


def test_a_large_store_is_cached_in_the_background(small_store, monkeypatch, tmp_path):
    monkeypatch.setattr(store, "BACKGROUND_CACHE_MIN_EVENTS", 1)
    folder = tmp_path / "cache"
    loaded = store.load([small_store], cache_dir=folder)
    assert [e.id for e in loaded.events] == ["embargo", "ban", "pause", "plan"]
    [pid] = cache_module.background_builds
    assert os.waitpid(pid, 0)[1] == 0
    cache_module.background_builds.clear()
    again = store.load([small_store], cache_dir=folder)
    assert isinstance(again.parts[0], cache_module.CachedFile), "the background cache was not built"
    assert [e.id for e in again.events] == ["embargo", "ban", "pause", "plan"]
