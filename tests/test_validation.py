"""The rules of the data, each in one place (validate.py): one validator of an event, one
reference check, one range of dates. Every way in (a store read cold or cached, `add`, `import`,
an option) says the same, in one line per problem naming file, line, event and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetimeline.errors import Problem
from reetimeline.model import EARLIEST, LATEST, Event, Origin, PartialDate, Source
from reetimeline.validate import EVENT_FIELDS, parse_event

NO_CACHE = {"REETIMELINE_NO_CACHE": "1"}
BASE = '[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\n'


# --- the fast path's four crashes ------------------------------------------------------------

MALFORMED = [
    ('confidence = ["reported"]', "confidence: ['reported'] is not one of: confirmed, reported"),
    ('minerals = [["gallium"]]', "minerals: must be a list of text; item 1 is a list"),
    ("countries = [{ a = 1 }]", "countries: must be a list of text; item 1 is a table"),
    ("confidence = { x = 1 }", "confidence: {'x': 1} is not one of: confirmed, reported"),
]


@pytest.mark.parametrize(("line", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
def test_each_malformed_field_is_one_problem_line_with_and_without_the_cache(
    run, tmp_path, line, message, env
):
    path = tmp_path / "s.toml"
    path.write_text(BASE + line + "\n", encoding="utf-8")
    expected = f"{path}:6: event 'a': {message}"
    for _twice in range(2):  # a second run would find a cache if one had been built
        result = run("--store", str(path), "check", env=env)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == f"{expected}\n1 problem in {path}\n"
        result = run("--store", str(path), "list", env=env)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected + "\n")


# --- one validator, any value in any field ---------------------------------------------------

VALID = {
    "id": "a", "date": dt.date(2025, 1, 1), "title": "A", "category": "export-control",
    "summary": "S", "minerals": ["Dy"], "countries": ["US"], "tags": ["t"],
    "effective": "2025-02", "expires": dt.date(2026, 1, 1), "related": ["b"],
    "confidence": "reported", "issuer": "CN", "applies_to": ["all"],
    "sources": [{"title": "T", "url": "https://example.com/a", "publisher": "P"}],
}  # fmt: skip

_scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "a", "Dy", "US", "all", "reported", "2025", "2025-13", "9999-12-31",
                     "0001-01-01", "https://x.org", "javascript:x", "export-control", "a;b"]),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.times(),
)  # fmt: skip
toml_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
field_names = st.one_of(st.sampled_from(EVENT_FIELDS), st.text(min_size=1, max_size=8))


def _assert_one_answer(raw: dict, path: str = "f.toml") -> tuple[Event | None, list[Problem]]:
    event, problems = parse_event(raw, path=path, line=3, label="#1")
    assert (event is None) == bool(problems)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert (problem.path, problem.line) == (path, 3)
        assert problem.field and problem.message and problem.event_id
    return event, problems


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(field_names, toml_values)
def test_any_toml_value_in_any_field_is_an_event_or_problems_never_an_exception(name, value):
    raw = {**VALID, name: value}
    event, problems = _assert_one_answer(raw)
    if name not in EVENT_FIELDS:
        assert [(p.field, p.message[:13]) for p in problems] == [(name, "unknown field")]
    if event is not None:
        assert event.id == "a" and event.origin == Origin("f.toml", 3)


@settings(max_examples=600)
@given(st.sampled_from([f for f in EVENT_FIELDS if f not in ("id",)]), toml_values)
def test_a_value_in_a_field_of_an_event_with_only_the_required_fields(name, value):
    raw = {"id": "a", "date": "2025", "title": "A", "category": "other", name: value}
    _assert_one_answer(raw)


# The few examples also run through the command line: a store written with the value.
CLI_EXAMPLES = [
    ("confidence", ["reported"]), ("minerals", [["gallium"]]), ("countries", [{"a": 1}]),
    ("confidence", {"x": 1}), ("tags", [1.5, "a"]), ("expires", dt.datetime(2026, 1, 1, 10)),
    ("sources", [{"title": ["T"], "url": {"u": 1}}]), ("date", [dt.date(2025, 1, 1)]),
    ("related", [[]]), ("issuer", ["CN"]), ("applies_to", [{"x": "all"}]), ("title", 5),
    ("extends", [True]), ("nested", [[1, [2]], {"a": {"b": []}}]), ("effective", dt.time(1)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value"), CLI_EXAMPLES, ids=[n for n, _v in CLI_EXAMPLES])
def test_the_command_line_check_says_what_the_validator_says(run, tmp_path, name, value):
    raw = {**VALID, "related": [], name: value}
    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps({"events": [raw]}), encoding="utf-8")
    _event, problems = parse_event(raw, path=str(path), line=1, label="#1")
    assert problems and {p.field for p in problems} == {name}
    for env in (NO_CACHE, {}):
        result = run("--store", str(path), "check", env=env)
        assert (result.exit_code, result.stdout) == (1, "")
        *lines, summary = result.stderr.splitlines()
        assert [line.split(f": event 'a': {name}: ", 1)[1] for line in lines] == [
            p.message for p in problems
        ]
        assert all(line.startswith(f"{path}:") for line in lines)
        count = len(problems)
        assert summary == f"{count} problem{'s' if count > 1 else ''} in {path}"


_tag = st.text(min_size=1, max_size=8).filter(
    lambda t: t.strip() and not {"\n", "\r", ";"} & set(t)
)
_id = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
_day = st.dates(dt.date(2025, 1, 1), LATEST)
# (field, a valid value as written, what the event holds)
valid_replacements = st.one_of(
    _tag.filter(lambda t: "\u2028" not in t).map(lambda t: ("title", t, t)),
    st.text(max_size=20).map(lambda t: ("summary", t, t)),
    st.sampled_from(["other", "meeting", "truce", "statement"]).map(lambda c: ("category", c, c)),
    st.sampled_from([(["Dy"], ("dysprosium",)), (["Ga", "gallium"], ("gallium",)), ([], ())]).map(
        lambda m: ("minerals", *m)
    ),
    st.lists(_tag, max_size=3).map(lambda t: ("tags", t, tuple(dict.fromkeys(t)))),
    st.lists(_id, max_size=3).map(lambda r: ("related", r, tuple(dict.fromkeys(r)))),
    st.dates(EARLIEST, LATEST).map(lambda d: ("effective", d, PartialDate.from_date(d))),
    _day.map(lambda d: ("expires", d, PartialDate.from_date(d))),
    st.integers(1000, 8999).map(lambda y: ("date", str(y), PartialDate(y))),
    st.sampled_from(["confirmed", "reported"]).map(lambda c: ("confidence", c, c)),
)


@given(valid_replacements)
def test_a_valid_replacement_is_accepted_and_kept(replacement):
    name, value, held = replacement
    raw = {"id": "a", "date": "2025", "title": "A", "category": "other", name: value}
    event, problems = _assert_one_answer(raw)
    assert problems == []
    assert event is not None and getattr(event, name) == held


def test_an_event_with_every_field_is_built_exactly():
    raw = {**VALID, "tags": ["b", "a", "b"], "related": ["y", "y"], "minerals": ["Dy", "镝"],
           "countries": ["USA"], "expires": "2026", "suspends": ["m"]}  # fmt: skip
    event, problems = parse_event(raw, path="f", line=7, label="#1")
    assert problems == []
    assert event == Event(
        id="a", date=PartialDate(2025, 1, 1), title="A", category="export-control",
        summary="S", minerals=("dysprosium",), countries=("US",), tags=("b", "a"),
        effective=PartialDate(2025, 2), expires=PartialDate(2026), suspends=("m",),
        related=("y",), confidence="reported", issuer="CN", applies_to=("all",),
        sources=(Source("T", "https://example.com/a", "P"),),
    )  # fmt: skip
    assert event.origin == Origin("f", 7)
    # an import names rows, not lines: the event has no line
    event, _problems = parse_event(raw, path="f.csv", line=2, label="#1", unit="row")
    assert event is not None and event.origin == Origin("f.csv", None)


def test_problems_are_listed_in_the_order_of_fields_whatever_the_order_written():
    raw = {"confidence": "x", "title": "", "extends": ["b"], "minreals": [], "id": "a",
           "issuer": 3, "category": "meeting", "date": "2025-02-30"}  # fmt: skip
    _event, problems = parse_event(raw, path="f", line=1, label="#1")
    assert [(p.field, p.message) for p in problems] == [
        ("minreals", "unknown field (did you mean 'minerals'?)"),
        ("date", "2025-02 has no day 30 (it has 28)"),
        ("title", "is empty"),
        ("confidence", "'x' is not one of: confirmed, reported"),
        ("issuer", "only export-control, tariff, suspension events have issuer"),
        ("issuer", 'must be one country or group as text, like "CN", not a number'),
        ("extends", "an extension needs its own `expires`: the new end"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "A\udcff", "holds text that is not Unicode"),
        ("summary", "\ud800", "holds text that is not Unicode"),
        ("tags", ["\udc80"], "holds text that is not Unicode"),
        ("sources", [{"title": "T\udcff", "url": "https://x.org"}],
         "sources[1]: holds text that is not Unicode"),
    ],
)  # fmt: skip
def test_text_that_is_not_unicode_is_refused(field, value, message):
    """As an import from JSON can hold (a lone surrogate): never written to a store."""
    _event, problems = parse_event({**VALID, field: value}, path="f", line=1, label="#1")
    assert [p.field for p in problems] == [field]
    assert problems[0].message.startswith(message)


# --- one range of dates ----------------------------------------------------------------------

FAR = """\
[[events]]
id = "controls"
date = 2025-04-04
title = "Controls"
category = "export-control"
issuer = "CN"
applies_to = ["all"]
expires = 9999-12-31

[[events]]
id = "pause"
date = 2025-11-07
title = "Pause"
category = "suspension"
suspends = ["controls"]
expires = 9999-12-31

[[events]]
id = "ancient"
date = 0001-01-01
title = "Long ago"
category = "other"
"""
RANGE = "is out of range: give a date from 1000-01-01 to 8999-12-31"
NO_END = "for a measure with no end date, leave `expires` out"
EXPORTS = ("csv", "json", "jsonl", "md", "ics", "timelinejs", "xlsx")


def _commands(folder: Path) -> list[list[str]]:
    return [
        ["list"], ["status"], ["show", "pause"], ["countdown"], ["changes"],
        ["status", "--matrix"], ["report", "-o", str(folder / "r.html")],
        ["timeline", "--svg", str(folder / "t.svg")],
        *(["export", "--format", f, "-o", str(folder / f"out.{f}")] for f in EXPORTS),
    ]  # fmt: skip


@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
def test_dates_out_of_range_are_refused_by_check_and_every_command_alike(run, tmp_path, env):
    path = tmp_path / "far.toml"
    path.write_text(FAR, encoding="utf-8")
    lines = [
        f"{path}:8: event 'controls': expires: 9999-12-31 {RANGE}; {NO_END}",
        f"{path}:16: event 'pause': expires: 9999-12-31 {RANGE}; {NO_END}",
        f"{path}:20: event 'ancient': date: 0001-01-01 {RANGE}",
    ]
    result = run("--store", str(path), "check", env=env)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "\n".join([*lines, f"3 problems in {path}"]) + "\n"
    for command in _commands(tmp_path):
        result = run("--store", str(path), *command, env=env)
        assert (result.exit_code, result.stdout, result.stderr.splitlines()) == (1, "", lines), (
            command
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["far.toml"]  # nothing written


EDGE = """\
[[events]]
id = "controls"
date = 1000-01-01
title = "Controls"
category = "export-control"
issuer = "CN"
applies_to = ["all"]
expires = 8999-12-31

[[events]]
id = "pause"
date = 2025-11-07
title = "Pause"
category = "suspension"
suspends = ["controls"]
expires = 8999-12-31

[[events]]
id = "year-end"
date = "8999"
title = "The last year"
category = "tariff"
effective = "8999-12"
expires = 8999-12-31

[[events]]
id = "truce"
date = 2026-01-01
title = "Truce"
category = "truce"
expires = 2027-01-01

[[events]]
id = "truce-longer"
date = 2026-06-01
title = "Truce to the end"
category = "truce"
expires = 8999-12-31
extends = ["truce"]
"""


@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
@pytest.mark.parametrize("as_of", ["2026-12-06", "1000-01-01", "8999-12-31"])
def test_the_first_and_last_dates_accepted_work_in_every_command(run, tmp_path, env, as_of):
    path = tmp_path / "edge.toml"
    path.write_text(EDGE, encoding="utf-8")
    assert run("--store", str(path), "check", env=env).exit_code == 0
    for command in _commands(tmp_path):
        result = run("--store", str(path), *command, "--as-of", as_of, env=env) if command[0] in (
            "status", "countdown", "changes", "report"
        ) else run("--store", str(path), *command, env=env)  # fmt: skip
        assert result.exit_code == 0, (command, result.stderr)
    status = run("--store", str(path), "status", "--as-of", as_of, "--json", env=env)
    states = {row["id"]: row["state"] for row in __import__("json").loads(status.stdout)}
    expected = {"1000-01-01": "in-force", "2026-12-06": "suspended", "8999-12-31": "suspended"}
    assert states["controls"] == expected[as_of]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--date", "9999-12-31"], f"--date: 9999-12-31 {RANGE}"),
        (["--date", "2025-01-01", "--expires", "9999-12-31"],
         f"--expires: 9999-12-31 {RANGE}; {NO_END}"),
        (["--date", "0999"], f"--date: 0999 {RANGE}"),
    ],
)  # fmt: skip
def test_add_refuses_a_date_out_of_range_in_the_same_words(run, tmp_path, options, message):
    path = tmp_path / "mine.toml"
    result = run("--store", str(path), "add", "--title", "X", *options)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"reetimeline: error: {message}\n"
    assert not path.exists()


def test_import_refuses_dates_out_of_range_in_the_same_words(run, tmp_path):
    path = tmp_path / "mine.toml"
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,category,expires\nimp,2025-01-01,I,other,9999-12-31\n"
                    "old,0500-01-01,Old,other,\n", encoding="utf-8")  # fmt: skip
    result = run("--store", str(path), "import", str(rows))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[:2] == [
        f"{rows}: row 2: event 'imp': expires: 9999-12-31 {RANGE}; {NO_END}",
        f"{rows}: row 3: event 'old': date: 0500-01-01 {RANGE}",
    ]
    assert not path.exists()


@pytest.mark.parametrize("option", ["--as-of", "--since", "--until"])
def test_options_refuse_dates_out_of_range_in_the_same_words(run, small_store, option):
    command = "countdown" if option == "--as-of" else "list"
    result = run("--store", str(small_store), command, option, "9999-12-31")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(f"{option}: '9999-12-31' {RANGE}\n")


# --- one reference check: `extends` names a suspension or a truce -----------------------------

MEASURE = """\
[[events]]
id = "controls"
date = 2025-04-04
title = "Controls"
category = "export-control"
expires = 2026-01-01
"""
EXTENSION = """\
[[events]]
id = "longer"
date = 2025-10-01
title = "Controls extended"
category = "suspension"
expires = 2027-01-01
extends = ["controls"]
"""
NOT_EXTENDABLE = ("extends: 'controls' is an export-control event; only a suspension or a truce "
                  "can be extended (a measure is ended with `ends`)")  # fmt: skip


@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
def test_extends_naming_a_measure_is_refused_in_one_file(run, tmp_path, env):
    path = tmp_path / "s.toml"
    path.write_text(MEASURE + "\n" + EXTENSION, encoding="utf-8")
    for command in (["check"], ["status"], ["countdown"], ["show", "longer"]):
        result = run("--store", str(path), *command, env=env)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == f"{path}:8: event 'longer': {NOT_EXTENDABLE}"


@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
def test_extends_naming_a_measure_in_another_file_is_refused_parsed_or_cached(run, tmp_path, env):
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "a.toml").write_text(MEASURE, encoding="utf-8")
    (folder / "b.toml").write_text(EXTENSION, encoding="utf-8")
    expected = f"{folder / 'b.toml'}:1: event 'longer': {NOT_EXTENDABLE}"
    for _twice in range(2):  # the second time both files are read from their caches
        result = run("--store", str(folder), "check", env=env)
        assert result.exit_code == 1
        assert result.stderr == f"{expected}\n1 problem in {folder / 'b.toml'}\n"


def test_extends_naming_a_suspension_a_truce_or_an_extension_is_accepted(run, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(EDGE + "\n" + EXTENSION.replace('"controls"', '"truce-longer"').replace(
        '"longer"', '"longest"'), encoding="utf-8")  # fmt: skip
    assert run("--store", str(path), "check").exit_code == 0


def test_add_and_import_refuse_extends_naming_a_measure(run, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MEASURE, encoding="utf-8")
    before = path.read_bytes()
    result = run("--store", str(path), "add", "--title", "X", "--date", "2025-10-01", "-k",
                 "suspension", "--extends", "controls", "--expires", "2027-01-01")  # fmt: skip
    assert (result.exit_code, result.stderr) == (2, f"reetimeline: error: --{NOT_EXTENDABLE}\n")
    rows = tmp_path / "rows.csv"
    header = "id,date,title,category,expires,extends\n"
    rows.write_text(header + "longer,2025-10-01,X,suspension,2027-01-01,controls\n", "utf-8")
    result = run("--store", str(path), "import", str(rows))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{rows}: event 'longer': {NOT_EXTENDABLE}"
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("current_to = 9999-12-31\n" + BASE, 1, f"current_to: 9999-12-31 {RANGE}"),
        (
            BASE + 'sources = [{ title = "T", url = "https://x.org", accessed = 0999-12-31 }]\n',
            6,
            f"event 'a': sources: sources[1]: accessed: 0999-12-31 {RANGE}",
        ),
        (BASE.replace("2025-01-01", '"9000"'), 3, f"event 'a': date: 9000 {RANGE}"),
    ],
)
def test_every_date_of_a_store_keeps_to_the_range(run, tmp_path, text, line, message):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    result = run("--store", str(path), "check")
    assert (result.exit_code, result.stderr) == (
        1,
        f"{path}:{line}: {message}\n1 problem in {path}\n",
    )
