"""Bad input gets a clear error and loses nothing; hostile text stays inert; writes survive
concurrency and SIGKILL."""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetimeline import store
from reetimeline.errors import DataError, ReeError
from reetimeline.store.parse import EVENT_FIELDS

HEAD = '[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\n'


def event(**fields) -> str:
    """One [[events]] table: the valid base fields, overridden or extended by raw TOML values."""
    base = {"id": '"a"', "date": "2025-01-01", "title": '"A"', "category": '"other"'}
    base.update(fields)
    return "[[events]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items() if v is not None)


# (name, file contents as str or bytes, a fragment of the expected message)
MALFORMED = [
    # TOML syntax, every error class
    ("unclosed string", '[[events]]\nid = "a\n', "TOML syntax error"),
    ("unclosed multiline string", '[[events]]\nsummary = """never closed\n', "TOML syntax error"),
    ("unclosed table header", "[[events\nid = 'a'\n", "TOML syntax error"),
    ("unclosed array", "[[events]]\nminerals = ['a',\n", "TOML syntax error"),
    ("unclosed inline table", "[[events]]\nsources = [{ title = 'x'\n", "TOML syntax error"),
    ("bad escape", '[[events]]\ntitle = "\\q"\n', "TOML syntax error"),
    ("duplicate key", HEAD + 'title = "B"\n', "TOML syntax error"),
    ("invalid literal date", "[[events]]\ndate = 2025-13-45\n", "TOML syntax error"),
    ("missing value", "[[events]]\nid =\n", "TOML syntax error"),
    ("bare words", "this is not toml\n", "TOML syntax error"),
    ("deeply nested arrays", "x = " + "[" * 5000 + "]" * 5000 + "\n", ""),
    # wrong types for every field
    ("id is a number", event(id="5"), "id: 5 is not an id"),
    ("date is a boolean", event(date="true"), "date: must be a date"),
    ("title is a list", event(title="[]"), "title: must be text"),
    ("summary is a number", event(summary="1"), "summary: must be text"),
    ("category is a number", event(category="1"), "category: unknown category 1"),
    ("minerals holds numbers", event(minerals="[1]"), "minerals: must be a list of text"),
    ("countries is text", event(countries='"US"'), "countries: must be a list of text"),
    ("tags is a number", event(tags="1"), "tags: must be a list of text"),
    ("effective is a number", event(effective="5"), "effective: must be a date"),
    ("expires is a table", event(expires="{}"), "expires: must be a date"),
    ("suspends is text", event(suspends='"x"'), "suspends: must be a list of text"),
    ("related holds numbers", event(related="[1]"), "related: must be a list of text"),
    ("confidence is a number", event(confidence="1"), "confidence: 1 is not one of"),
    ("sources is text", event(sources='"x"'), "sources: must be a list of tables"),
    ("sources holds numbers", event(sources="[1]"), "sources: must be a list of tables"),
    ("source title is a number", event(sources='[{ title = 1, url = "https://x.org" }]'),
     "title is missing or not text"),
    ("source url is a number", event(sources='[{ title = "t", url = 1 }]'),
     "url must be text"),
    ("source publisher is a list", event(sources='[{ title = "t", url = "https://x.org", '
                                                 'publisher = [] }]'), "publisher must be text"),
    ("source accessed is a number", event(sources='[{ title = "t", url = "https://x.org", '
                                                  'accessed = 5 }]'), "accessed: must be a date"),
    # meaning
    ("unknown key", event(minreals='["Dy"]'), "unknown field (did you mean 'minerals'?)"),
    ("unknown mineral", event(minerals='["dysprosim"]'), "did you mean 'dysprosium'?"),
    ("unknown country", event(countries='["Japna"]'), "unknown country 'Japna'"),
    ("unknown category", event(category='"tarif"'), "did you mean 'tariff'?"),
    ("impossible date", event(date='"2025-02-30"'), "2025-02 has no day 30"),
    ("expires before date", event(expires="2024-12-31"), "expires: 2024-12-31 is before"),
    ("date-time as date", event(date="2025-01-01T10:00:00"), "is a date-time"),
    ("date-time as effective", event(effective="2025-01-01 10:00:00Z"), "is a date-time"),
    ("time as expires", event(expires="10:00:00"), "is a time"),
    ("duplicate ids in a file", HEAD + "\n" + HEAD, "duplicate id, also at"),
    ("dangling suspends", event(suspends='["gone"]'), "no event 'gone' in the stores"),
    ("javascript url", event(sources='[{ title = "t", url = "javascript:alert(1)" }]'),
     "is not an http, https or mailto: link"),
    ("data url", event(sources='[{ title = "t", url = "data:text/html,x" }]'),
     "is not an http, https or mailto: link"),
    ("events is not an array", "events = 5\n", "'events' must be an array of tables"),
    ("events holds numbers", "events = [1, 2]\n", "'events' must be an array of tables"),
    ("a foreign TOML file", '[project]\nname = "x"\n[tool.ruff]\nline-length = 1\n',
     "unknown top-level key 'project'"),
    ("a newer schema", "schema = 99\n", "schema 99 is not supported"),
    ("binary garbage", bytes(range(256)) * 4, ""),
    ("invalid utf-8", b'title = "\xff\xfe"\n', "not UTF-8 text"),
    ("NUL bytes", b"[[events]]\x00\nid = 'a'\n", "TOML syntax error"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "fragment"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_stores_fail_clearly_and_stay_untouched(run, tmp_path, name, content, fragment):
    path = tmp_path / "events.toml"
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    path.write_bytes(data)
    for command in (["check"], ["list"], ["countdown"], ["status"], ["export", "-f", "csv"]):
        result = run("--store", str(path), *command)
        assert (result.exit_code, result.stdout) == (1, ""), (command, result.stderr)
        lines = result.stderr.splitlines()
        problems = lines[:-1] if command == ["check"] else lines
        assert problems and all(line.startswith(f"{path}") for line in problems)
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr
    assert path.read_bytes() == data
    assert len(MALFORMED) >= 40


def test_duplicate_ids_across_files_and_a_foreign_file_in_a_folder(run, tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "a.toml").write_text(HEAD, encoding="utf-8")
    (folder / "b.toml").write_text(HEAD, encoding="utf-8")
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    result = run("--store", str(folder), "check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{folder / 'b.toml'}:1: event 'a': id: duplicate id, also at {folder / 'a.toml'}:1",
        f"{folder / 'pyproject.toml'}:1: unknown top-level key 'project': a store holds only "
        "[[events]] tables (and an optional schema number and current_to date); is this a store "
        "file?",
    ] or sorted(result.stderr.splitlines()[:2]) == sorted(
        [
            f"{folder / 'b.toml'}:1: event 'a': id: duplicate id, also at {folder / 'a.toml'}:1",
            f"{folder / 'pyproject.toml'}:1: unknown top-level key 'project': a store holds only "
            "[[events]] tables (and an optional schema number and current_to date); is this a "
            "store file?",
        ]
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom", b"\xef\xbb\xbf" + HEAD.encode()),
        ("crlf", HEAD.replace("\n", "\r\n").encode()),
        ("empty", b""),
        ("comments only", b"# nothing here yet\n# really\n"),
        ("a 1 MB title", HEAD.replace('"A"', '"' + "x" * 1_000_000 + '"').encode()),
    ],
)
def test_what_is_not_an_error_works(run, tmp_path, name, content):
    path = tmp_path / "events.toml"
    path.write_bytes(content)
    result = run("--store", str(path), "check")
    assert result.exit_code == 0, result.stderr
    listed = run("--store", str(path), "list", "--json")
    assert listed.exit_code == 0
    assert len(json.loads(listed.stdout)) == (0 if name in ("empty", "comments only") else 1)


@pytest.mark.slow
def test_a_50_mb_store_loads(run, tmp_path):
    path = tmp_path / "big.toml"
    summary = "'" + "Long report text. " * 2700 + "'"  # about 48 KB, a literal string
    with path.open("w", encoding="utf-8") as handle:
        for n in range(1050):
            handle.write(f'[[events]]\nid = "e{n}"\ndate = 2025-01-01\ntitle = "T{n}"\n'
                         f'category = "other"\nsummary = {summary}\n\n')  # fmt: skip
    assert path.stat().st_size > 50_000_000
    result = run("--store", str(path), "list", "--limit", "2")
    assert result.exit_code == 0, result.stderr[:500]
    assert result.stdout.splitlines()[1:] == [
        "2025-01-01\tother\t\tT0\t\t\tsources: confirmed\te0",
        "2025-01-01\tother\t\tT1\t\t\tsources: confirmed\te1",
    ]


# --- property: the loader only ever raises the project's own error ----------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        store.load([path])
    except DataError as error:
        assert all(str(p).startswith(str(path)) for p in error.problems)


toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.dates() | st.datetimes() | st.times(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)  # fmt: skip
field_names = st.sampled_from(EVENT_FIELDS) | st.text(max_size=8)
event_tables = st.dictionaries(field_names, toml_values, max_size=8)
documents = st.fixed_dictionaries(
    {"events": st.lists(event_tables, max_size=4)},
    optional={"schema": toml_values, "other": toml_values},
)


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


@pytest.mark.slow
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_random_toml_documents_never_crash_the_loader(tmp_path, document):
    path = tmp_path / "fuzz.toml"
    path.write_text(tomli_w.dumps(_drop_none(document)), encoding="utf-8")
    with contextlib.suppress(ReeError):
        store.load([path])


# --- interruptions ---------------------------------------------------------------------------


def test_ctrl_c_exits_130_without_traceback(run, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "read", interrupted)
    result = run("list")
    assert result.exit_code == 130
    assert "Traceback" not in result.stderr


def test_sigint_to_a_real_process_exits_130(tmp_path):
    code = (
        "import os, signal, sys\n"
        "import reetimeline.store as s\n"
        "def read(*a, **k):\n    os.kill(os.getpid(), signal.SIGINT)\n    raise SystemExit(9)\n"
        "s.read = read\n"
        "sys.argv = ['reetimeline', 'list']\n"
        "from reetimeline.cli import main\nmain()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 130
    assert "Traceback" not in result.stderr


# --- hostile text ----------------------------------------------------------------------------

HOSTILE = (
    "[bold red]markup[/] [link=https://evil.example]click[/link] \x1b[31mred\x1b[0m "
    "\x1b]8;;https://evil.example\x07osc\x1b]8;;\x07 \x07bell \x9bcsi \u202eevil\u202c "
    "zero\u200bwidth <script>&amp;`code`"
)


@pytest.fixture
def hostile_store(tmp_path):
    path = tmp_path / "hostile.toml"
    record = {
        "id": "h",
        "date": "2026-12",
        "title": HOSTILE,
        "summary": HOSTILE + "\nsecond line",
        "category": "export-control",
        "tags": [HOSTILE.replace(";", ",")],
        "expires": "2027",
        "sources": [{"title": HOSTILE, "url": "https://example.org/a", "publisher": HOSTILE}],
    }
    path.write_text(tomli_w.dumps({"events": [record]}), encoding="utf-8")
    return path


def _assert_inert(text: str) -> None:
    for raw in ("\x1b[31mred", "\x1b]8;;https://evil", "\x07", "\x9b", "\u202e", "\u200b"):
        assert raw not in text, repr(raw)
    assert "\\x1b[31mred" in text
    assert "\\u202eevil" in text
    assert "[bold red]markup[/]" in text


VIEWS = [
    ["list"],
    ["timeline", "--as-of", "2026-11-25"],
    ["show", "h", "--as-of", "2026-11-25"],
    ["countdown", "--as-of", "2026-11-25", "--all"],
    ["status", "--as-of", "2026-12-15"],
]


@pytest.mark.parametrize("color", ["always", "never"])
@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_hostile_text_is_shown_visibly_and_inertly(run, hostile_store, view, color):
    result = run("--color", color, "--store", str(hostile_store), *view)
    assert result.exit_code == 0, result.stderr
    # Rich's own colour codes are fine; nothing from the store may form one.
    cleaned = result.stdout
    import re

    cleaned = re.sub(r"\x1b\[[0-9;]*m", "", cleaned)  # Rich's SGR codes
    cleaned = re.sub(r"\x1b\]8;[^\x1b]*\x1b\\\\", "", cleaned)  # Rich's own hyperlinks
    _assert_inert(cleaned)


def test_hostile_text_is_kept_exactly_in_json_and_csv(run, hostile_store, tmp_path):
    [record] = json.loads(run("--store", str(hostile_store), "list", "--json").stdout)
    assert record["title"] == HOSTILE
    assert record["sources"][0]["title"] == HOSTILE
    exported = tmp_path / "h.csv"
    run("--store", str(hostile_store), "export", "-f", "csv", "-o", str(exported))
    fresh = tmp_path / "fresh.toml"
    assert run("--store", str(fresh), "import", str(exported)).exit_code == 0
    [again] = json.loads(run("--store", str(fresh), "list", "--json").stdout)
    # the same event, now from the store it was imported into
    assert (record.pop("from"), again.pop("from")) == (f"team:{hostile_store.name}",
                                                       "team:fresh.toml")  # fmt: skip
    assert again == record


def test_hostile_text_is_escaped_in_markdown_svg_and_html(run, hostile_store, tmp_path):
    markdown = run("--store", str(hostile_store), "export", "-f", "md").stdout
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "\\[bold red\\]" in markdown and "\x1b" not in markdown
    svg, page = tmp_path / "t.svg", tmp_path / "t.html"
    run("--store", str(hostile_store), "timeline", "--as-of", "2026-11-25", "--svg", str(svg),
        "--html", str(page))  # fmt: skip
    for text in (svg.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")):
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
        assert "\x1b" not in text and "\u202e" not in text


# --- writes that never lose an event ---------------------------------------------------------

OLD = '# keep me\n[[events]]\nid = "old"\ndate = 2025-01-01\ntitle = "Old"\ncategory = "other"\n'


def _jsonl(path: Path, prefix: str, count: int) -> Path:
    lines = [
        json.dumps(
            {
                "id": f"{prefix}-{n}",
                "date": "2025-06-01",
                "title": f"{prefix} {n}",
                "category": "other",
                "minerals": ["gallium"],
            }
        )
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reetimeline", *args]


@pytest.mark.slow
def test_two_concurrent_imports_of_500_events_all_land(tmp_path):
    target = tmp_path / "events.toml"
    target.write_text(OLD, encoding="utf-8")
    files = [_jsonl(tmp_path / f"{p}.jsonl", p, 500) for p in ("left", "right")]
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda f: subprocess.run(
                    _cli("--store", str(target), "import", str(f)),
                    capture_output=True,
                    text=True,
                    env=env,
                ),
                files,
            )
        )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    events = store.load([target]).events
    assert len(events) == 1001
    assert target.read_text(encoding="utf-8").startswith(OLD)


# Forty kills spread over a whole run (start-up, reading, validating, writing, replacing) prove
# the same as a hundred did, in a third of the time.
KILL_RUNS = 40


@pytest.mark.slow
def test_sigkill_at_random_moments_never_damages_the_store(tmp_path):
    target = tmp_path / "events.toml"
    target.write_text(OLD, encoding="utf-8")
    batch = _jsonl(tmp_path / "batch.jsonl", "k", 200)
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    rng = random.Random(20261125)
    expected_ids = {"old"}
    outcomes = {"old": 0, "old+new": 0}
    for run_number in range(KILL_RUNS):
        before = target.read_bytes()
        if run_number % 2:
            command = _cli("--store", str(target), "add", "--date", "2026-01-01", "--title",
                           f"Run {run_number}", "--id", f"add-{run_number}")  # fmt: skip
            new_ids = {f"add-{run_number}"}
        else:
            prefixed = _jsonl(tmp_path / "b.jsonl", f"r{run_number}", 200)
            command = _cli("--store", str(target), "import", str(prefixed))
            new_ids = {f"r{run_number}-{n}" for n in range(200)}
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        ids = {e.id for e in store.load([target]).events}
        after = target.read_bytes()
        assert after.startswith(before)
        if ids == expected_ids:
            assert after == before
            outcomes["old"] += 1
        else:
            assert ids == expected_ids | new_ids
            expected_ids = ids
            outcomes["old+new"] += 1
    # a later writer is not tripped by anything the killed ones left behind
    final = subprocess.run(_cli("--store", str(target), "import", str(batch)), env=env,
                           capture_output=True, text=True)  # fmt: skip
    assert final.returncode == 0, final.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert sum(outcomes.values()) == KILL_RUNS
    print(f"SIGKILL outcomes over {KILL_RUNS} runs: {outcomes}")
