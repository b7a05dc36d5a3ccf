"""The Python API (reetimeline.api): the answers of the commands as frozen dataclasses of plain
values, equal to what `--json` prints, field by field."""

import dataclasses
import datetime as dt
import re
import subprocess
import sys
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

import reetimeline
import reetimeline.api as ree
from reetimeline.errors import DataError, UsageError

from .conftest import json_of

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2026, 6, 1)
PLAIN = (str, int, bool, dt.date, type(None))


@pytest.fixture(scope="module")
def curated():
    return ree.load()


def plain(value) -> bool:
    if isinstance(value, tuple):
        return all(plain(v) for v in value)
    return isinstance(value, PLAIN)


def test_status_rows_are_a_dataframe_shaped_list_equal_to_status_json(curated, run):
    rows = ree.status(curated, as_of=DAY)
    frame = [dataclasses.asdict(row) for row in rows]  # what pandas.DataFrame(rows) reads
    printed = json_of(run("status", "--json", "--as-of", "2026-06-01"))
    assert len(frame) == len(printed)
    # the measures of the curated store, packages aside (their listing is the engine's part)
    packages = ("october-9-export-control-package", "china-bans-ga-ge-sb-to-us")
    assert len([r for r in printed if r["id"] not in packages]) == 24
    columns = [f.name for f in dataclasses.fields(ree.StatusRow)]
    assert columns[-1] == "from_"  # `from` in JSON: a Python keyword cannot name a field
    for row, record in zip(frame, printed, strict=True):
        assert list(row) == columns
        assert list(record) == [*columns[:-1], "from"]
        assert (row["from_"], record["from"]) == ("curated", "curated")
        for name in columns[:-1]:
            value = row[name]
            assert plain(value), (name, value)
            assert (list(value) if isinstance(value, tuple) else value) == record[name], name
    first = rows[0]
    assert (first.id, first.state, first.since, first.until) == (
        printed[0]["id"], printed[0]["state"], printed[0]["since"], printed[0]["until"])


def test_a_row_is_frozen(curated):
    row = ree.status(curated, as_of=DAY)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.state = "ended"  # type: ignore[misc]


def test_status_with_filters(curated):
    rows = ree.status(curated, as_of=DAY, minerals=["gallium"], destinations=["US"])
    found = {r.id: (r.state, r.until) for r in rows}  # the package is the engine's to leave out
    assert [found[i] for i in ("ga-ge-export-licensing", "no-46-clause-1-us-military-end-use",
                               "no-46-clause-2-us-ga-ge-sb-ban")] == [
        ("in-force", None), ("in-force", None), ("suspended", "2026-11-27"),
    ]  # fmt: skip


def test_countdown_equals_countdown_json(curated, run):
    rows = ree.countdown(curated, as_of=DAY, within=200, minerals=["gallium"])
    printed = json_of(run("countdown", "--json", "--as-of", "2026-06-01", "--within", "200",
                          "-m", "gallium"))  # fmt: skip
    assert [ree.record(r) for r in rows] == printed
    assert [(r.date, r.days, r.id) for r in rows] == [
        ("2026-07-07", 36, "canada-teck-trail-accelerator-agreement"),
        ("2026-08-24", 84, "alcoa-wagerup-gallium-groundbreaking"),
        ("2026-11-27", 179, "mofcom-suspends-us-ga-ge-sb-ban"),
    ]


def test_changes_equal_changes_json_with_dates_as_dates(curated, run):
    rows = ree.changes(curated, as_of=dt.date(2025, 12, 31), first=dt.date(2025, 11, 1),
                       last=dt.date(2025, 11, 30))  # fmt: skip
    printed = json_of(run("changes", "--json", "--as-of", "2025-12-31", "--since", "2025-11-01",
                          "--until", "2025-11-30"))  # fmt: skip
    assert len(rows) == len(printed) > 3
    assert all(isinstance(r.date, dt.date) for r in rows)
    assert [ree.record(r) for r in rows] == printed


def test_list_events_equals_list_json(curated, run):
    rows = ree.list_events(curated, minerals=["dysprosium"], since="2025")
    printed = json_of(run("list", "--json", "-m", "dysprosium", "--since", "2025"))
    assert len(rows) == len(printed) > 5
    for row, record in zip(rows, printed, strict=True):
        sources = [{"title": t, "url": u, **({"publisher": p} if p else {})}
                   for t, u, p in row.sources]  # fmt: skip
        assert {**ree.record(row), "sources": sources} == {
            **record, "sources": [{k: v for k, v in s.items() if k != "accessed"}
                                  for s in record["sources"]]}  # fmt: skip


def test_matrix_equals_the_cells_of_status_matrix_json(curated, run):
    cells = ree.matrix(curated, as_of=DAY, minerals=["gallium", "germanium"])
    printed = json_of(run("status", "--matrix", "--json", "--as-of", "2026-06-01",
                          "-m", "gallium", "-m", "germanium"))  # fmt: skip
    assert [ree.record(c) for c in cells] == printed["cells"]
    assert len(cells) == 10
    # the strictest control on the material heads the cell: No. 46's ban, suspended that day
    assert (cells[0].mineral, cells[0].destination, cells[0].state) == ("gallium", "US",
                                                                         "suspended")  # fmt: skip
    assert "ga-ge-export-licensing" in [m.id for m in cells[0].material]


def test_export_csv_equals_the_command(curated, run):
    text = ree.export(curated, "csv", as_of=DAY, minerals=["gallium"])
    result = run("export", "--format", "csv", "--as-of", "2026-06-01", "-m", "gallium")
    assert result.exit_code == 0
    # RFC 4180 lines end in CRLF; Click's test runner reads them as "\n"
    assert text.count("\r\n") == text.count("\n") > 1
    assert text.replace("\r\n", "\n") == result.stdout
    assert text.startswith("id,date,")


def test_export_xlsx_is_bytes(curated):
    data = ree.export(curated, "xlsx", as_of=DAY, minerals=["gallium"])
    assert isinstance(data, bytes)
    assert data[:2] == b"PK"


def test_unknown_names_and_formats_are_usage_errors(curated):
    with pytest.raises(UsageError, match="dysprosim"):
        ree.status(curated, as_of=DAY, minerals=["dysprosim"])
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        ree.export(curated, "pdf", as_of=DAY)


def test_load_adds_stores_and_reports_their_problems(small_store, write_store):
    both = ree.load(small_store)
    alone = ree.load(small_store, curated=False)
    assert alone.count() == 4
    assert both.count() == ree.load().count() + 4
    broken = write_store('[[events]]\nid = "x"\ndate = 2025-01-01\n', name="broken.toml")
    with pytest.raises(DataError):
        ree.load(broken, curated=False)


def test_the_package_names_the_api_lazily():
    assert reetimeline.status is ree.status
    assert reetimeline.list_events is ree.list_events
    with pytest.raises(AttributeError):
        _ = reetimeline.nothing_here
    code = "import sys, reetimeline; print('reetimeline.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_the_readme_example_prints_what_readme_shows():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python API") :]
    code, shown = re.findall(r"```(?:python)?\n(.*?)\n```", section, flags=re.S)[:2]
    printed = StringIO()
    with redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown + "\n"


@pytest.mark.parametrize("args", [["--version"], ["list", "-m", "dysprosium"]])
def test_the_console_script_does_not_load_the_api(args):
    """The command line asks `api.answers` (the store's answers through the engine); the rows of
    the Python API (`api.public`) are for programs and cost start-up."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "reetimeline", *args],
                         capture_output=True, text=True, check=True)  # fmt: skip
    loaded = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()}
    assert "reetimeline.cli.run" in loaded
    assert "reetimeline.api.public" not in loaded


def test_changes_refuses_a_backwards_window_as_the_command_line_does():
    from reetimeline.errors import UsageError

    with pytest.raises(UsageError, match="first 2026-12-05 is after last 2026-12-01"):
        reetimeline.api.changes(reetimeline.api.load(), first=dt.date(2026, 12, 5),
                                last=dt.date(2026, 12, 1), as_of=dt.date(2026, 12, 6))
