"""How the console script ends (cli/run.py): a failed write to stdout is one line on stderr and
exit 1, never an empty file with exit 0 and never a traceback; text the output's encoding cannot
hold is replaced; a COLUMNS that no table fits falls back to a sane width. Real processes, as
people run them (`python -m reetimeline` goes through `_entry` and `cli.run`)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FULL = "reetimeline: error: cannot write the output: No space left on device\n"
CLOSED = "reetimeline: error: cannot write the output: Bad file descriptor\n"
needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")


def reetimeline(*args: str, stdout=subprocess.PIPE, env: dict[str, str] | None = None,
                close_stdout: bool = False) -> subprocess.CompletedProcess:  # fmt: skip
    """Run the console script; with `close_stdout`, its stdout is closed when it starts."""
    command = [sys.executable, "-m", "reetimeline", *args]
    if close_stdout:
        # the shell closes fd 1 before Python starts, as `reetimeline list >&-` does
        command = ["bash", "-c", 'exec "$@" >&-', "bash", *command]
        stdout = None
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def large_store(tmp_path_factory) -> Path:
    """A store of more than 1 MiB: read cold, the process keeps its parsed document and leaves
    with os._exit, the path where a failed flush was once swallowed."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path = tmp_path_factory.mktemp("large") / "events.toml"
    path.write_text(generate(2300), encoding="utf-8")
    assert path.stat().st_size > 1 << 20
    return path


@needs_dev_full
def test_output_to_a_full_disk_is_one_line_and_exit_1(small_store):
    with open("/dev/full", "w") as full:
        result = reetimeline("--store", str(small_store), "list", stdout=full)
    assert (result.returncode, result.stderr) == (1, FULL)


@needs_dev_full
def test_output_of_a_large_store_read_cold_to_a_full_disk(large_store):
    with open("/dev/full", "w") as full:
        result = reetimeline("--store", str(large_store), "list", stdout=full,
                             env={"REETIMELINE_NO_CACHE": "1"})  # fmt: skip
    assert (result.returncode, result.stderr) == (1, FULL)


@needs_dev_full
def test_binary_output_to_a_full_disk(small_store):
    with open("/dev/full", "w") as full:
        result = reetimeline("--store", str(small_store), "export", "-f", "xlsx", stdout=full)
    assert (result.returncode, result.stderr) == (1, FULL)


def test_output_to_a_closed_stdout_is_one_line_and_exit_1(small_store):
    result = reetimeline("--store", str(small_store), "list", close_stdout=True)
    assert (result.returncode, result.stderr) == (1, CLOSED)


def test_output_of_a_large_store_read_cold_to_a_closed_stdout(large_store):
    result = reetimeline("--store", str(large_store), "status", close_stdout=True,
                         env={"REETIMELINE_NO_CACHE": "1"})  # fmt: skip
    assert (result.returncode, result.stderr) == (1, CLOSED)


def test_a_closed_stdout_is_no_error_for_a_command_that_writes_a_file(small_store, tmp_path):
    out = tmp_path / "events.csv"
    result = reetimeline("--store", str(small_store), "export", "-o", str(out),
                         close_stdout=True)  # fmt: skip
    assert (result.returncode, result.stderr) == (0, f"wrote 4 events to {out}\n")
    assert out.read_text(encoding="utf-8").startswith("id,date,")


def test_an_ascii_stdout_gets_question_marks_for_what_it_cannot_hold():
    result = reetimeline("list", "-m", "dysprosium", env={"PYTHONIOENCODING": "ascii"})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1] == (
        "2010\tinvestment\t\tJapan launches ?100 billion rare-earth security programme\t"
        "rare-earths\tJP, AU\tsources: confirmed\tjapan-100bn-yen-diversification"
    )


def test_show_of_an_event_in_chinese_on_an_ascii_stdout(write_store):
    path = write_store("""
        [[events]]
        id = "mofcom-2025-61"
        date = 2025-10-09
        title = "商务部公告2025年第61号"
        category = "export-control"
        minerals = ["dysprosium"]
        countries = ["CN"]
    """)
    result = reetimeline("--store", str(path), "show", "mofcom-2025-61",
                         "--as-of", "2025-10-10", env={"PYTHONIOENCODING": "ascii"})  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["?????2025??61?", "mofcom-2025-61\texport-control"]


ANSI = re.compile(r"\x1b\[[0-9;]*m")


# `list -m` on a terminal suggests --exact when most rows match through a group
DYSPROSIUM_HINT = ("37 of the 43 rows match dysprosium only through rare-earths; --exact keeps "
                   "the 6 that name dysprosium\n")  # fmt: skip


@pytest.mark.parametrize("columns", ["0", "-3", str(10**9)])
def test_a_columns_no_table_fits_falls_back_to_80(columns):
    result = reetimeline("--color", "always", "list", "-m", "dysprosium",
                         env={"COLUMNS": columns})  # fmt: skip
    assert (result.returncode, result.stderr) == (0, DYSPROSIUM_HINT)
    lines = ANSI.sub("", result.stdout).splitlines()
    assert max(len(line) for line in lines) == 80
    assert sum("Japan launches" in line for line in lines) == 1


# --- a closed pipe: `reetimeline list | head -1` ----------------------------------------------


def _piped_to_head(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`reetimeline ARGS | head -1` under `bash -o pipefail`, as a script runs it: the status is
    the pipeline's, so the tool's own exit status counts."""
    script = Path(sys.executable).with_name("reetimeline")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "reetimeline"]
    return subprocess.run(["bash", "-o", "pipefail", "-c", '"$@" | head -1', "bash", *command,
                           *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})  # fmt: skip


LIST_HEADER = "date\tcategory\tkind\ttitle\tminerals\tcountries\tconfidence\tid\n"


def test_a_closed_pipe_ends_quietly_with_exit_0_on_the_curated_store():
    result = _piped_to_head("list")
    assert (result.returncode, result.stderr, result.stdout) == (0, "", LIST_HEADER)


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["list"], LIST_HEADER),
        (["list", "--json"], "[\n"),
        # --all: no footer of left-out history, which is written when the rows fit the pipe
        # before the reader leaves and not when the pipe closed under them
        (["status", "--all", "--as-of", "2026-06-01"], "state\t"),
        (["countdown", "--all", "--as-of", "2026-06-01"], "date\tkind\tdays\t"),
        (["export", "--format", "csv"], "id,date,title,"),
        (["export", "--format", "jsonl"], '{"id": '),
        (["--color", "always", "list"], "\x1b[1mdate"),
    ],
    ids=["list", "json", "status", "countdown", "csv", "jsonl", "rich"],
)
def test_a_closed_pipe_ends_quietly_with_exit_0_in_every_output_path(large_store, args, first):
    """The store fills the pipe many times over, so the reader leaves while the tool writes:
    `list` wrote 1 MiB of rows in blocks and once exited 1 here."""
    result = _piped_to_head("--store", str(large_store), *args)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(first)
    assert result.stdout.count("\n") == 1


def test_a_closed_pipe_after_a_cold_read_that_leaves_with_os_exit(large_store):
    """Read cold, the process keeps its parsed document and leaves with os._exit: the same
    quiet exit 0."""
    result = _piped_to_head("--store", str(large_store), "list", env={"REETIMELINE_NO_CACHE": "1"})
    assert (result.returncode, result.stderr, result.stdout) == (0, "", LIST_HEADER)
