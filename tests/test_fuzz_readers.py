"""A fuzz test for each reader (issue 21): the TOML store, the config file, CSV, xlsx and JSON
imports are fed generated hostile input through the command line, in-process. Whatever comes
in: the exit code is 0, 1 or 2, never a traceback (the runner re-raises any exception); every
line on stderr is one problem naming its file; and after a refusal the target store is
byte-identical, after an import it holds the old event and exactly the new ones.

Each test runs a bounded number of examples, so the five take a few seconds together."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_hostile_imports import HEADER, SHEET_END, SHEET_START, _inline, workbook

FUZZ = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                       HealthCheck.too_slow])  # fmt: skip
OLD = '[[events]]\nid = "old"\ndate = 2025-01-01\ntitle = "Old"\ncategory = "other"\n'

# text a hostile file is made of: controls, bidi, surrogate escapes, quotes, separators, markup,
# formula starts, long runs, dates in every shape
HOSTILE = st.one_of(
    st.text(max_size=12),
    st.sampled_from([
        "\x00", "\x1b[2J", "\x1b]0;t\x07", "\u202e", "\u2028", "\ufeff", "\r", "\r\n", "\t", ",",
        ";", '"', "'", "\\", "|", " | ", "; ", "<", ">", "&", "&amp;", "=1+1", "@SUM(A1)",
        "2026-02-30", "25/11/2026", "31.12.2026", "2026", "0000-01-01", "9999-12-31", "id",
        "date", "title", "category", "sources", "T <https://example.org/>", "x" * 300,
        "dysprosium", "export-control", "[[events]]", "{", "}", "[", "]", "_x000D_",
    ]),
)  # fmt: skip


@pytest.fixture
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _target(folder: Path) -> Path:
    target = folder / "events.toml"
    target.write_text(OLD, encoding="utf-8")
    return target


def _check(result, target: Path, named: tuple[str, ...]) -> None:
    """Exit 0, 1 or 2; each stderr line a problem naming its file (or the import's report);
    the target store old, or old plus every event the import said it added."""
    assert result.exit_code in (0, 1, 2), result.stderr
    data = target.read_text(encoding="utf-8")
    if result.exit_code:
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert lines, "a refusal says why"
        for line in lines:
            assert line.startswith(named) or line.startswith("reetimeline: "), line
        assert data == OLD
        return
    assert data.startswith(OLD)
    added = [e["id"] for e in tomllib.loads(data)["events"]][1:]
    if added:
        events = f"{len(added)} event{'s' if len(added) != 1 else ''}"
        assert result.stderr.startswith(f"added {events} to {target}"), result.stderr


def _import(run, target: Path, path: Path, *options: str):
    return run("--store", str(target), "import", str(path), *options)


# --- the TOML store -------------------------------------------------------------------------

toml_pieces = st.lists(HOSTILE | st.sampled_from([
    "\n", "[[events]]\n", 'id = "x"\n', "date = 2026-01-01\n", 'title = "T"\n',
    'category = "other"\n', "minerals = [", '"gallium"', "]\n", "current_to = 2026-10-01\n",
    "expires = ", "suspends = [\"old\"]\n", '"""', "'''", " = ", "\\u0000", "{ a = 1 }",
]), max_size=24).map("".join)  # fmt: skip


@FUZZ
@given(toml_pieces)
def test_fuzzed_stores(run, folder, text):
    target = folder / "events.toml"
    target.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = target.read_bytes()
    for command in (["check"], ["list"], ["status", "--as-of", "2026-12-06"]):
        result = run("--store", str(target), *command)
        assert result.exit_code in (0, 1), result.stderr
        if result.exit_code:  # each problem names the store; `check` ends with a count
            for line in result.stderr.splitlines():
                assert line.startswith(str(target)) or line.endswith(f" in {target}"), line
    result = run("--store", str(target), "add", "--date", "2026-01-02", "--title", "Fuzz",
                 "--id", "fuzz-added")  # fmt: skip
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code:
        assert target.read_bytes() == before
        assert all(line.startswith(str(target)) for line in result.stderr.splitlines())
    else:
        assert target.read_bytes().startswith(before)


# --- the config file ------------------------------------------------------------------------

config_pieces = st.lists(HOSTILE | st.sampled_from([
    "\n", "stores = [", '"~/x/"', "]", 'color = "', "never", "auto", '"\n', "pager = ", "true",
    "false", "\n[stores]\n", "color = [" * 3, "a.b = 1\n", "= 1\n", "'",
]), max_size=20).map("".join)  # fmt: skip


@FUZZ
@given(config_pieces)
def test_fuzzed_config_files(run, folder, text):
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    target = _target(folder)
    result = run("--store", str(target), "list")
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code:
        assert result.stdout == ""
        assert all(line.startswith(str(path)) for line in result.stderr.splitlines())
        assert result.stderr


# --- CSV ------------------------------------------------------------------------------------

COLUMNS = ["id", "date", "title", "category", "minerals", "sources", "expires", "summary"]
csv_files = st.tuples(
    st.just(COLUMNS[:4]) | st.lists(st.sampled_from([*COLUMNS, "titel", ""]), min_size=1,
                                    max_size=6),
    st.lists(st.lists(HOSTILE, max_size=7), max_size=5),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)


@FUZZ
@given(csv_files)
def test_fuzzed_csv_imports(run, folder, case):
    header, rows, separator, dayfirst = case
    path = folder / "in.csv"
    text = "\r\n".join(separator.join(line) for line in [header, *rows])
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    target = _target(folder)
    result = _import(run, target, path, *(["--dayfirst"] if dayfirst else []))
    _check(result, target, (str(path), str(target)))


# --- xlsx -----------------------------------------------------------------------------------

cell_xml = st.one_of(
    st.builds(_inline, st.sampled_from(["A2", "B2", "C2", "D2", "E2", "ZZZ2", "", "A"]), HOSTILE),
    st.sampled_from([
        '<c r="B2"><v>46388</v></c>', '<c r="B2" s="1"><v>46388</v></c>', '<c t="s"><v>7</v></c>',
        '<c r="C2"><f>1+1</f><v>2</v></c>', '<c t="b"><v>1</v></c>', '<c t="d"><v>2026-01-01</v>'
        "</c>", '<c t="e"><v>#N/A</v></c>', "<c/>", '<row r="3">', "</row>", "&", "&amp;",
        "<!-- x -->", "<?pi x?>", '<c r="A2" t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t>'
        "</rPh></is></c>", "</sheetData>", "<!DOCTYPE x>", "\x00", "]]>", "<![CDATA[x]]>",
    ]),
)  # fmt: skip
sheets = st.tuples(st.lists(cell_xml, max_size=8), st.integers(0, 400))


@FUZZ
@given(sheets)
def test_fuzzed_xlsx_imports(run, folder, case):
    cells_xml, cut = case
    sheet = (SHEET_START + HEADER + '<row r="2">' + "".join(cells_xml) + "</row>" + SHEET_END)
    if cut:
        sheet = sheet[: len(sheet) - cut]
    path = workbook(folder / "in.xlsx", sheet)
    target = _target(folder)
    _check(_import(run, target, path), target, (str(path), str(target)))


# --- JSON -----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from([*COLUMNS, "url", "x"]) | HOSTILE, children, max_size=5),
    max_leaves=10,
)
events = st.fixed_dictionaries(
    {"id": HOSTILE, "date": HOSTILE, "title": HOSTILE, "category": st.just("other")},
    optional=dict.fromkeys(("sources", "minerals", "expires", "summary"), json_values),
)


@FUZZ
@given(st.one_of(json_values, st.lists(events | json_values, max_size=4)),
       st.sampled_from(["json", "jsonl"]), st.integers(0, 40))  # fmt: skip
def test_fuzzed_json_imports(run, folder, value, fmt, cut):
    path = folder / f"in.{fmt}"
    if fmt == "jsonl" and isinstance(value, list):
        text = "\n".join(json.dumps(v, ensure_ascii=False) for v in value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    if cut:
        text = text[: max(0, len(text) - cut)]
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    target = _target(folder)
    _check(_import(run, target, path), target, (str(path), str(target)))
