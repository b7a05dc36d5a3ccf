import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetimeline.errors import DataError
from reetimeline.model import PartialDate
from reetimeline.store import load, read

GOOD = """
[[events]]
id = "a"
date = 2025-04-04
title = "A"
category = "export-control"
"""


def problems_of(path) -> list[str]:
    _store, problems = read([path])
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("value", "date", "precision"),
    [
        ("2025-04-04", "2025-04-04", "day"),
        ('"2025-04-04"', "2025-04-04", "day"),
        ('"2025-04"', "2025-04", "month"),
        ('"2025"', "2025", "year"),
    ],
)
def test_each_date_form_loads_with_its_precision(write_store, value, date, precision):
    path = write_store(f'[[events]]\nid = "a"\ndate = {value}\ntitle = "A"\ncategory = "other"\n')
    [event] = load([path]).events
    assert str(event.date) == date
    assert event.date.precision == precision


# One failing store per rule: (the event's lines after the header, the exact message).
RULES = [
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nminreals = ["Dy"]',
        "{f}:7: event 'a': minreals: unknown field (did you mean 'minerals'?)",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nminerals = ["dysprosim"]',
        "{f}:7: event 'a': minerals: unknown mineral 'dysprosim' (did you mean 'dysprosium'?)",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\ncountries = ["Japna"]',
        "{f}:7: event 'a': countries: unknown country 'Japna' (did you mean 'JP'?)",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "export-controls"',
        "{f}:6: event 'a': category: unknown category 'export-controls' "
        "(did you mean 'export-control'?)",
    ),
    (
        'id = "A b"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"',
        "{f}:3: event 'A b': id: 'A b' is not an id: use lowercase letters, digits and hyphens",
    ),
    (
        'date = 2025-01-01\ntitle = "A"\ncategory = "other"',
        "{f}:2: event #1: id: missing (every event needs an id)",
    ),
    (
        'id = "a"\ntitle = "A"\ncategory = "other"',
        "{f}:2: event 'a': date: missing (every event needs a date)",
    ),
    (
        'id = "a"\ndate = "2025-02-30"\ntitle = "A"\ncategory = "other"',
        "{f}:4: event 'a': date: 2025-02 has no day 30 (it has 28)",
    ),
    (
        'id = "a"\ndate = 2025-01-01T10:00:00\ntitle = "A"\ncategory = "other"',
        "{f}:4: event 'a': date: 2025-01-01T10:00:00 is a date-time; write a date (YYYY-MM-DD)",
    ),
    (
        'id = "a"\ndate = 2025\ntitle = "A"\ncategory = "other"',
        "{f}:4: event 'a': date: must be a date (YYYY-MM-DD, YYYY-MM or YYYY), not a number",
    ),
    (
        'id = "a"\ndate = 2025-05-01\nexpires = 2025-04-30\ntitle = "A"\ncategory = "other"',
        "{f}:5: event 'a': expires: 2025-04-30 is before the event's date 2025-05-01",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A\\nB"\ncategory = "other"',
        "{f}:5: event 'a': title: must be one line",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = 5\ncategory = "other"',
        "{f}:5: event 'a': title: must be text, not a number",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nminerals = "gallium"',
        "{f}:7: event 'a': minerals: must be a list of text, like [\"gallium\"]",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nconfidence = "rumour"',
        "{f}:7: event 'a': confidence: 'rumour' is not one of: confirmed, reported",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\n'
        'sources = [{ title = "x", url = "javascript:alert(1)" }]',
        "{f}:7: event 'a': sources: sources[1]: url: 'javascript:alert(1)' is not an http, "
        "https or mailto: link",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\n'
        'sources = [{ title = "x", url = "https://x.org", pubisher = "P" }]',
        "{f}:7: event 'a': sources: sources[1]: unknown field 'pubisher' "
        "(did you mean 'publisher'?)",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nsuspends = ["nope"]',
        "{f}:2: event 'a': suspends: no event 'nope' in the stores",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nrelated = ["a"]',
        "{f}:2: event 'a': related: 'a' is this event itself",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\nrelated = ["gone"]',
        "{f}:2: event 'a': related: no event 'gone' in the stores",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\ntags = ["a;b"]',
        "{f}:7: event 'a': tags: tags must be non-empty single-line text without ';'",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"',
        "{f}:2: event 'a': category: missing (one of: export-control, suspension, tariff, truce, "
        "meeting, agreement, investment, price, statement, military, other)",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\n'
        'sources = [{ url = "https://x.org" }]',
        "{f}:7: event 'a': sources: sources[1]: title is missing or not text",
    ),
    (
        'id = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\neffective = "soon"',
        "{f}:7: event 'a': effective: 'soon' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)",
    ),
]


@pytest.mark.parametrize(("body", "message"), RULES)
def test_each_rule_names_file_line_event_and_field(write_store, body, message):
    path = write_store("# a comment\n[[events]]\n" + body + "\n")
    assert problems_of(path) == [message.format(f=path)]


def test_every_problem_is_reported_at_once(write_store):
    path = write_store(
        """
        [[events]]
        id = "a"
        date = "2025-13"
        title = "A"
        category = "nope"
        minerals = ["unobtainium"]
        """
    )
    assert problems_of(path) == [
        f"{path}:3: event 'a': date: month 13 does not exist",
        f"{path}:5: event 'a': category: unknown category 'nope'",
        f"{path}:6: event 'a': minerals: unknown mineral 'unobtainium'",
    ]


def test_duplicate_ids_name_both_lines_even_across_files(write_store, tmp_path):
    first = write_store(GOOD, "one.toml", tmp_path / "team")
    second = write_store("# two\n# comments\n" + GOOD, "two.toml", tmp_path / "team")
    assert problems_of(tmp_path / "team") == [
        f"{second}:4: event 'a': id: duplicate id, also at {first}:1"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[events]]\nid = "a\n', "{f}:2:8: TOML syntax error: Illegal character '\\n'"),
        ("a = 1\na = 2\n", "{f}:2:6: TOML syntax error: Cannot overwrite a value"),
        ("events = 5\n", "{f}:1: 'events' must be an array of tables ([[events]])"),
        (
            '[project]\nname = "x"\n',
            "{f}:1: unknown top-level key 'project': a store holds only [[events]] tables "
            "(and an optional schema number and current_to date); is this a store file?",
        ),
        ("schema = 2\n", "{f}: schema 2 is not supported (this version reads 1)"),
    ],
)
def test_file_level_problems(write_store, text, message):
    path = write_store(text)
    assert problems_of(path) == [message.format(f=path)]


def test_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "events.toml"
    path.write_bytes(b'# ok\ntitle = "caf\xe9"\n')
    assert problems_of(path) == [f"{path}:2:13: not UTF-8 text (byte 0xe9); is this a store file?"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n", "schema = 1\n"])
def test_empty_and_comment_only_files_are_valid_empty_stores(write_store, text):
    assert load([write_store(text)]).events == ()


def test_bom_and_crlf_are_read(tmp_path):
    path = tmp_path / "events.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    [event] = load([path]).events
    assert event.date == PartialDate(2025, 4, 4)


def test_aliases_are_normalised_to_canonical_names(write_store):
    path = write_store(
        GOOD + 'minerals = ["Dy", "диспрозий", "稀土"]\ncountries = ["USA", "Japan", "ЕС"]\n'
    )
    [event] = load([path]).events
    assert event.minerals == ("dysprosium", "rare-earths")
    assert event.countries == ("US", "JP", "EU")


def test_a_folder_merges_its_toml_files_sorted_by_date(write_store, tmp_path):
    folder = tmp_path / "team"
    write_store(
        GOOD.replace('"a"', '"later"').replace("2025-04-04", "2026-01-01"), "b.toml", folder
    )
    write_store(GOOD, "a.toml", folder)
    (folder / "notes.txt").write_text("not a store")
    store = load([folder])
    assert [e.id for e in store.events] == ["a", "later"]
    assert [p.name for p in store.files] == ["a.toml", "b.toml"]


def test_references_across_files_resolve(write_store, tmp_path):
    a = write_store(GOOD, "a.toml")
    b = write_store(
        '[[events]]\nid = "b"\ndate = 2025-05-01\ntitle = "B"\ncategory = "suspension"\n'
        'suspends = ["a"]\nexpires = 2025-06-01\n',
        "b.toml",
    )
    store = load([a, b])
    assert store.get("b").suspends == ("a",)
    assert store.get("b").expires.first() == dt.date(2025, 6, 1)


def test_load_raises_with_every_problem(write_store):
    path = write_store('[[events]]\nid = "a"\n')
    with pytest.raises(DataError) as error:
        load([path])
    assert error.value.messages() == [
        f"{path}:1: event 'a': date: missing (every event needs a date)",
        f"{path}:1: event 'a': title: missing (every event needs a title)",
        f"{path}:1: event 'a': category: missing (one of: export-control, suspension, tariff, "
        "truce, meeting, agreement, investment, price, statement, military, other)",
    ]


def test_a_missing_store_file_is_named(tmp_path):
    assert problems_of(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: no such store file"]


# --- one parser, serially: what it accepts and the lines it names ---------------------------


def _inline_then_tables(count: int) -> str:
    """An inline `events = [...]` array followed by `[[events]]` tables: not valid TOML."""
    inline = ", ".join(
        f'{{ id = "i{n}", date = 2025-01-01, title = "I", category = "other" }}'
        for n in range(count)
    )
    tables = "".join(
        f'\n[[events]]\nid = "t{n}"\ndate = 2025-01-02\ntitle = "T"\ncategory = "other"\n'
        for n in range(count)
    )
    return f"events = [{inline}]\n{tables}"


@pytest.mark.parametrize("count", [1, 10, 1000, 30000])
def test_an_inline_array_then_tables_is_rejected_at_every_size(run, tmp_path, count):
    path = tmp_path / "events.toml"
    path.write_text(_inline_then_tables(count), encoding="utf-8")
    result = run("--store", str(path), "check")
    assert result.exit_code == 1
    first, summary = result.stderr.splitlines()
    assert first.startswith(f"{path}:3:") and "TOML syntax error" in first
    assert summary == f"1 problem in {path}"


@pytest.mark.parametrize("separator", ["\u2028", "\u0085", "\u2029"])
def test_unusual_line_separators_in_strings_do_not_shift_lines(write_store, separator):
    path = write_store(
        f'[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A{separator}B"\ncategory = "other"\n'
        f'summary = "x{separator}{separator}y"\n\n[[events]]\nid = "b"\ndate = 2025-01-01\n'
        'title = "B"\ncategory = "nope"\n'
    )
    assert problems_of(path) == [f"{path}:12: event 'b': category: unknown category 'nope'"]


def test_header_lines_inside_multiline_strings_are_not_events(write_store):
    path = write_store(
        'schema = 1\n[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "other"\n'
        'summary = """\n[[events]]\nid = "fake"\n"""\nrelated = ["X"]\n'
        "tags = ['''\n[[events]]\n''']\n"
        '[[events]]\nid = "b"\ndate = 2025-01-02\ntitle = "B"\ncategory = "nope"\n'
    )
    assert problems_of(path) == [
        f"{path}:12: event 'a': tags: tags must be non-empty single-line text without ';'",
        f"{path}:11: event 'a': related: 'X' is not an id",
        f"{path}:19: event 'b': category: unknown category 'nope'",
    ]


def test_syntax_errors_name_line_and_column_from_the_parser(write_store):
    path = write_store('[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A\u2028B" x\n')
    assert problems_of(path)[0].startswith(f"{path}:4:15: TOML syntax error: ")


_LINES = ["[[events]]", "  [[ events ]]  # note", "\t[[events]]\t", "x [[events]]",
          "[[events]] y", "[[events]][[events]]", "[[events]]#", "[[ events]]\r", "[events]",
          "id = 'a'", ""]  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_LINES), max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_header_lines_are_found_as_a_line_pattern_finds_them(lines, newline):
    """The header scan (a literal search, then the line checked) finds exactly the lines that
    the pattern of a header alone on its line matches."""
    import re

    from reetimeline.store.parse import header_offsets

    pattern = re.compile(r"^[ \t]*\[\[[ \t]*events[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)
    text = newline.join(lines)
    assert header_offsets(text) == [m.start() for m in pattern.finditer(text)]
