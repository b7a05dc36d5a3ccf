"""SIGTERM and SIGHUP during a write (issue 21): the temporary file is removed, the old file is
left as it was, and the signal still ends the process (killed by it, as a shell expects)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reetimeline import safefile
from reetimeline.errors import WriteError

OLD = '[[events]]\nid = "old"\ndate = 2025-01-01\ntitle = "Old"\ncategory = "other"\n'
# the write is interrupted at its fsync, when the temporary file holds every byte
DURING_FSYNC = (
    "import os, signal, sys, time\n"
    "import reetimeline._entry as entry\n"
    "number = getattr(signal, sys.argv.pop())\n"
    "def interrupted_fsync(fd):\n"
    "    os.kill(os.getpid(), number)\n"
    "    time.sleep(5)\n"
    "os.fsync = interrupted_fsync\n"
    "sys.argv[0] = 'reetimeline'\n"
    "entry.main()\n"
)


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("command", ["add", "import", "export"])
def test_a_signal_during_a_write_removes_the_temporary_file(tmp_path, name, command):
    target = tmp_path / ("out.csv" if command == "export" else "events.toml")
    target.write_text(OLD, encoding="utf-8")
    batch = tmp_path.parent / f"{tmp_path.name}-batch.jsonl"
    batch.write_text('{"id": "new", "date": "2026", "title": "New", "category": "other"}\n')
    args = {
        "add": ["--store", str(target), "add", "--date", "2026", "--title", "New"],
        "import": ["--store", str(target), "import", str(batch)],
        "export": ["export", "-o", str(target), "-m", "gallium"],
    }[command]
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    result = subprocess.run([sys.executable, "-c", DURING_FSYNC, *args, name],
                            capture_output=True, text=True, env=env, timeout=30)  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (-getattr(signal, name), "", "")
    assert target.read_text(encoding="utf-8") == OLD
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_handler_of_the_callers_own_runs_and_the_write_is_refused(tmp_path):
    """In a program that handles SIGTERM itself (and returns), the write is undone and refused;
    its handler still gets the signal, once."""
    target = tmp_path / "file.txt"
    target.write_text("old", encoding="utf-8")
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, _frame: seen.append(number))

    def fill(handle):
        handle.write(b"new")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises during this

    try:
        with pytest.raises(WriteError) as caught:
            safefile.write_with(target, fill, display="file.txt")
    finally:
        after = signal.signal(signal.SIGTERM, previous)
    assert str(caught.value) == "file.txt: interrupted by SIGTERM; the file is unchanged"
    assert seen == [signal.SIGTERM]
    assert after is not previous and after is not signal.SIG_DFL  # the caller's handler is back
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_an_ignored_signal_stays_ignored_during_a_write(tmp_path):
    """Under `nohup` SIGHUP is ignored: the write goes on and completes."""
    target = tmp_path / "file.txt"
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def fill(handle):
        os.kill(os.getpid(), signal.SIGHUP)
        handle.write(b"new")

    try:
        safefile.write_with(target, fill)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert target.read_text(encoding="utf-8") == "new"


TERM_RUNS = 20
ROWS = 10_000


@pytest.mark.slow
def test_sigterm_at_20_moments_of_an_import_of_10000_rows(tmp_path):
    """SIGTERM at 20 seeded moments spread over the measured length of an import (start-up,
    reading, validating, writing): no `.tmp` is left, and the store is the old one or the old
    one plus all the new rows."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(f'{{"id": "n{n}", "date": "2026-01-01", "title": "Row {n}", '
                             '"category": "other"}\n' for n in range(ROWS)))  # fmt: skip
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}

    def command(folder: Path) -> list[str]:
        folder.mkdir()
        (folder / "events.toml").write_text(OLD, encoding="utf-8")
        return [sys.executable, "-m", "reetimeline", "--store", str(folder / "events.toml"),
                "import", str(batch)]  # fmt: skip

    def measured(number: int) -> float:
        start = time.perf_counter()
        subprocess.run(command(tmp_path / f"measure{number}"), env=env, check=True,
                       capture_output=True)  # fmt: skip
        return time.perf_counter() - start

    with ThreadPoolExecutor(2) as pool:  # measured two at a time, as the runs below go
        span = max(pool.map(measured, range(2)))
    rng = random.Random(20261206)
    moments = [rng.uniform(0.05, 1.1) * span for _ in range(TERM_RUNS)]

    def terminated(number: int) -> tuple[Path, int, str]:
        folder = tmp_path / f"run{number}"
        process = subprocess.Popen(command(folder), env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(moments[number])
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
        return folder, process.returncode, err.decode("utf-8", "replace")

    new_ids = {f"n{n}" for n in range(ROWS)}
    outcomes = {"old": 0, "old+new": 0}
    with ThreadPoolExecutor(2) as pool:
        for folder, code, err in pool.map(terminated, range(TERM_RUNS)):
            assert [p.name for p in folder.iterdir()] == ["events.toml"], code
            assert "Traceback" not in err
            data = (folder / "events.toml").read_text(encoding="utf-8")
            if data == OLD:
                assert code == -signal.SIGTERM, (code, err)
                outcomes["old"] += 1
            else:
                assert data.startswith(OLD)
                ids = {e["id"] for e in tomllib.loads(data)["events"]}
                assert ids == {"old"} | new_ids
                assert code in (0, -signal.SIGTERM), (code, err)
                outcomes["old+new"] += 1
    print(f"SIGTERM outcomes over {TERM_RUNS} imports of {ROWS} rows "
          f"(a run takes {span:.2f} s): {outcomes}")  # fmt: skip
    # how many landed in each phase depends on the machine's load while the test runs; the
    # write itself is interrupted deterministically in the test above
    assert sum(outcomes.values()) == TERM_RUNS
