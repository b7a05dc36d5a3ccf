"""`import --update`, ids derived on import, the `;` hint for lists written with commas, and
sources without a link (a reference by its title, or a mailto: address)."""

from __future__ import annotations

import csv
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import SMALL_STORE, json_of


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path, rows, columns=None):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _revised_sheet(run, store, tmp_path):
    """The store exported as CSV, with the title of `pause` changed and one new row."""
    exported = tmp_path / "export.csv"
    assert run("--store", str(store), "export", "-o", str(exported)).exit_code == 0
    rows = _rows(exported)
    assert [r["id"] for r in rows] == ["embargo", "ban", "pause", "plan"]
    rows[2]["title"] = "Ban suspended for one year"
    new = dict.fromkeys(rows[0], "")
    new.update(id="quote", date="2026-11-20", title="Supplier quote", category="price")
    return _write_rows(tmp_path / "revised.csv", [*rows, new])


# --- import --update ---------------------------------------------------------------------------


def test_update_replaces_the_changed_event_adds_the_new_one_and_keeps_every_other_byte(
    run, small_store, tmp_path
):
    sheet = _revised_sheet(run, small_store, tmp_path)
    before = small_store.read_text(encoding="utf-8")
    result = run("--store", str(small_store), "import", str(sheet), "--update")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"updated 1, added 1, unchanged 3 in {small_store} (CSV separated by commas)\n"
    )  # fmt: skip
    after = small_store.read_text(encoding="utf-8")
    # the text before the replaced table (the comment, `ban`) and after it is kept byte for byte
    head, _, rest = before.partition('[[events]]\nid = "pause"')
    tail = rest[rest.index('\n\n[[events]]\nid = "embargo"') :]
    assert after.startswith(head + '[[events]]\nid = "pause"\n')
    assert after.index(tail) > len(head)
    assert after.endswith(
        tail + '\n[[events]]\nid = "quote"\ndate = 2026-11-20\ntitle = "Supplier quote"\n'
        'category = "price"\n'
    )
    shown = json_of(run("--store", str(small_store), "list", "--json"))
    assert [(e["id"], e["title"]) for e in shown] == [
        ("embargo", "Informal halt of rare-earth shipments"),
        ("ban", "Ban on gallium exports"),
        ("pause", "Ban suspended for one year"),
        ("plan", "Deep-sea mining test"),
        ("quote", "Supplier quote"),
    ]
    pause = next(e for e in shown if e["id"] == "pause")
    assert (pause["expires"], pause["suspends"], pause["sources"]) == (
        "2026-11-27", ["ban"], [{"title": "Report", "url": "https://example.com/pause"}]
    )  # fmt: skip
    # the same sheet again: nothing to do, nothing written
    written = small_store.read_bytes()
    again = run("--store", str(small_store), "import", str(sheet), "--update")
    assert (again.exit_code, again.stderr) == (
        0, f"updated 0, added 0, unchanged 5 in {small_store} (CSV separated by commas)\n"
    )  # fmt: skip
    assert small_store.read_bytes() == written


def test_update_dry_run_lists_what_it_would_do_and_writes_nothing(run, small_store, tmp_path):
    sheet = _revised_sheet(run, small_store, tmp_path)
    before = small_store.read_bytes()
    result = run("--store", str(small_store), "import", str(sheet), "--update", "--dry-run")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "would update pause\t2025-11-09\tBan suspended for one year\n"
        "would add quote\t2026-11-20\tSupplier quote\n",
        f"would have updated 1, added 1, unchanged 3 in {small_store} (dry run: nothing "
        "written; CSV separated by commas)\n",
    )
    assert small_store.read_bytes() == before


def test_update_and_skip_existing_together_are_a_usage_error(run, small_store, tmp_path):
    sheet = _revised_sheet(run, small_store, tmp_path)
    result = run("--store", str(small_store), "import", str(sheet), "--update", "--skip-existing")
    assert (result.exit_code, result.stderr) == (
        2,
        "reetimeline: error: --update and --skip-existing do not go together: --update "
        "replaces the events that exist, --skip-existing leaves them\n",
    )


def test_update_refuses_a_changed_event_that_only_another_store_holds(run, write_store, tmp_path):
    team = tmp_path / "team"
    write_store(SMALL_STORE, name="alice.toml", folder=team)
    mine = write_store("", name="bob.toml", folder=team)
    sheet = _revised_sheet(run, team / "alice.toml", tmp_path)
    before = (team / "alice.toml").read_bytes()
    result = run("--store", str(team), "import", str(sheet), "--update", "--into", str(mine))
    # the unchanged rows (embargo, ban, plan) equal alice's events: only the changed one is refused
    why = (f"id: exists in another store in use, not in {mine}, and differs from it: --update "
           "replaces only events of the store it writes to (give the row a new id, or "
           "--into/--store the store that holds it if it is yours)")  # fmt: skip
    assert (result.exit_code, result.stderr) == (1, f"{sheet}: row 4: event 'pause': {why}\n")
    assert (team / "alice.toml").read_bytes() == before
    assert mine.read_bytes() == b""


def test_update_into_a_new_store_adds_everything(run, small_store, tmp_path):
    sheet = _revised_sheet(run, small_store, tmp_path)
    target = tmp_path / "new.toml"
    result = run("--store", str(target), "import", str(sheet), "--update")
    assert (result.exit_code, result.stderr) == (
        0, f"updated 0, added 5, unchanged 0 in {target} (CSV separated by commas)\n"
    )  # fmt: skip
    assert [e["id"] for e in json_of(run("--store", str(target), "list", "--json"))] == [
        "embargo", "ban", "pause", "plan", "quote"
    ]  # fmt: skip


def test_update_keeps_crlf_line_ends_and_the_file_horizon(run, write_store, tmp_path):
    store = write_store(
        '# team notes\ncurrent_to = 2026-11-30\n\n[[events]]\nid = "a"\ndate = 2026-11-01\n'
        'title = "Old"\ncategory = "other"\n# about b\n\n[[events]]\nid = "b"\n'
        'date = 2026-11-02\ntitle = "B"\ncategory = "other"\n'
    )
    store.write_bytes(store.read_bytes().replace(b"\n", b"\r\n"))
    sheet = tmp_path / "a.jsonl"
    sheet.write_text('{"id": "a", "date": "2026-11-01", "title": "New", "category": "other"}\n'
                     '{"id": "b", "date": "2026-11-02", "title": "B", "category": "other"}\n',
                     encoding="utf-8")  # fmt: skip
    result = run("--store", str(store), "import", str(sheet), "--update")
    assert (result.exit_code, result.stderr) == (
        0, f"updated 1, added 0, unchanged 1 in {store}\n"
    )  # fmt: skip
    assert store.read_bytes() == (
        b'# team notes\r\ncurrent_to = 2026-11-30\r\n\r\n[[events]]\r\nid = "a"\r\n'
        b'date = 2026-11-01\r\ntitle = "New"\r\ncategory = "other"\r\n# about b\r\n\r\n'
        b'[[events]]\r\nid = "b"\r\ndate = 2026-11-02\r\ntitle = "B"\r\ncategory = "other"\r\n'
    )
    shown = json_of(run("--store", str(store), "list", "--json"))
    assert [(e["id"], e["current_to"]) for e in shown] == [("a", "2026-11-30"), ("b", "2026-11-30")]


def test_update_of_a_store_written_as_an_inline_array_is_refused(run, write_store, tmp_path):
    store = write_store(
        'events = [{ id = "a", date = 2026-11-01, title = "Old", category = "other" }]\n'
    )
    sheet = tmp_path / "a.jsonl"
    sheet.write_text('{"id": "a", "date": "2026-11-01", "title": "New", "category": "other"}\n',
                     encoding="utf-8")  # fmt: skip
    before = store.read_bytes()
    result = run("--store", str(store), "import", str(sheet), "--update")
    assert (result.exit_code, result.stderr) == (
        1, f"{store}: --update replaces events written as [[events]] tables; this file's events "
        "are not all tables: nothing was written\n"
    )  # fmt: skip
    assert store.read_bytes() == before


# --- ids derived on import ---------------------------------------------------------------------


def test_a_csv_without_an_id_column_gets_the_ids_add_derives_and_a_second_import_is_refused(
    run, tmp_path
):
    store = tmp_path / "s.toml"
    title = ("Supplier Y terbium metal quote, USD 1,450/kg, valid until the end of the month "
             "after the licence review")  # fmt: skip
    sheet = tmp_path / "notes.csv"
    sheet.write_text(f'date,title,category\r\n2026-12-05,"{title}",price\r\n'
                     "2026-11-27,Suspension lapses,other\r\n", encoding="utf-8")  # fmt: skip
    added = run("--store", str(tmp_path / "other.toml"), "add", "--date", "2026-12-05",
                "--title", title, "-k", "price", "--dry-run")  # fmt: skip
    derived = json_of(added)["id"]
    assert derived == "2026-12-05-supplier-y-terbium-metal-quote-usd-1-450"
    result = run("--store", str(store), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        0, f"added 2 events to {store} (CSV separated by commas)\n"
    )  # fmt: skip
    ids = [e["id"] for e in json_of(run("--store", str(store), "list", "--json"))]
    assert ids == ["2026-11-27-suspension-lapses", derived]
    again = run("--store", str(store), "import", str(sheet))
    assert (again.exit_code, again.stderr) == (
        1,
        f"{sheet}: row 2: event '{derived}': id: already exists in the stores in use (use "
        "--skip-existing to skip it)\n"
        f"{sheet}: row 3: event '2026-11-27-suspension-lapses': id: already exists in the stores "
        "in use (use --skip-existing to skip it)\n",
    )
    skipped = run("--store", str(store), "import", str(sheet), "--skip-existing")
    assert (skipped.exit_code, skipped.stderr) == (
        0,
        f"skipped '{derived}': already exists\n"
        "skipped '2026-11-27-suspension-lapses': already exists\n"
        f"added 0 events to {store}, skipped 2 (CSV separated by commas)\n",
    )


def test_an_empty_id_cell_gets_a_derived_id_beside_given_ones(run, tmp_path):
    store = tmp_path / "s.toml"
    sheet = _write_rows(tmp_path / "mixed.csv", [
        {"id": "given", "date": "2026-11-01", "title": "Given", "category": "other"},
        {"id": "", "date": "25.11.2026", "title": "Día de cierre", "category": "other"},
    ])  # fmt: skip
    result = run("--store", str(store), "import", str(sheet))
    assert result.exit_code == 0, result.stderr
    ids = [e["id"] for e in json_of(run("--store", str(store), "list", "--json"))]
    assert ids == ["given", "2026-11-25-dia-de-cierre"]


def test_two_rows_that_derive_the_same_id_get_the_suffix_add_gives(run, tmp_path):
    sheet = tmp_path / "twice.csv"
    sheet.write_text("date,title,category\n2026-11-01,Same,other\n2026-11-01,Same,other\n",
                     encoding="utf-8")  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(sheet))
    assert result.exit_code == 0, result.stderr
    ids = [e["id"] for e in json_of(run("--store", str(tmp_path / "s.toml"), "list", "--json"))]
    assert ids == ["2026-11-01-same", "2026-11-01-same-2"]


# --- lists written with commas -------------------------------------------------------------------


def test_a_csv_list_cell_with_commas_gets_a_hint_to_separate_with_semicolons(run, tmp_path):
    sheet = tmp_path / "commas.csv"
    sheet.write_text('date,title,category,minerals,countries\n'
                     '2026-11-01,Quote,price,"Ga, Ge",CN\n'
                     '2026-11-02,Other,price,gallium,"CN, JP"\n', encoding="utf-8")  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        1,
        f"{sheet}: row 2: event '2026-11-01-quote': minerals: unknown mineral 'Ga, Ge' (lists "
        "are separated by ';': 'Ga; Ge')\n"
        f"{sheet}: row 3: event '2026-11-02-other': countries: unknown country 'CN, JP' (lists "
        "are separated by ';': 'CN; JP')\n",
    )


def test_an_xlsx_list_cell_with_commas_gets_the_same_hint(run, tmp_path):
    from .test_spreadsheets import workbook

    path = workbook(tmp_path / "commas.xlsx", ["id", "date", "title", "category", "minerals"],
                    ["q", "2026-11-01", "Quote", "price", "Dy, Tb"])  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(path))
    assert (result.exit_code, result.stderr) == (
        1, f"{path}: row 2: event 'q': minerals: unknown mineral 'Dy, Tb' (lists are separated by "
        "';': 'Dy; Tb')\n"
    )  # fmt: skip


def test_a_json_list_item_with_commas_gets_no_cell_hint(run, tmp_path):
    sheet = tmp_path / "a.jsonl"
    sheet.write_text(json.dumps({"id": "q", "date": "2026-11-01", "title": "Quote",
                                 "category": "price", "minerals": ["Ga, Ge"]}) + "\n",
                     encoding="utf-8")  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        1, f"{sheet}:1: event 'q': minerals: unknown mineral 'Ga, Ge'\n"
    )  # fmt: skip


def test_add_with_two_names_in_one_option_says_to_repeat_it(run, tmp_path):
    result = run("--store", str(tmp_path / "s.toml"), "add", "--date", "2026-11-01", "--title",
                 "Quote", "-k", "price", "-m", "Ga, Ge", "-c", "CN")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: --mineral: unknown mineral 'Ga, Ge' (give --mineral once for "
        "each: --mineral Ga --mineral Ge)\n"
    )  # fmt: skip


# --- sources without a link --------------------------------------------------------------------


def _add_references(run, store):
    for args in (
        ["--date", "2026-11-01", "--title", "Quote", "--source-title", "Letter of 1 November"],
        ["--date", "2026-11-02", "--title", "Call", "--source-title", "Call with <Y>",
         "--source-url", "mailto:sales@example.com", "--source-publisher", "Y & Co"],
        ["--date", "2026-11-03", "--title", "Memo", "--source-title", "Memo <internal>"],
    ):  # fmt: skip
        result = run("--store", str(store), "add", "-k", "price", *args)
        assert result.exit_code == 0, result.stderr


def test_a_source_may_be_a_title_alone_or_a_mailto_link(run, tmp_path):
    store = tmp_path / "s.toml"
    _add_references(run, store)
    text = store.read_text(encoding="utf-8")
    assert 'sources = [\n    { title = "Letter of 1 November" },\n]' in text
    assert ('    { title = "Call with <Y>", url = "mailto:sales@example.com", publisher = "Y & Co" '
            "},\n") in text  # fmt: skip
    events = json_of(run("--store", str(store), "list", "--json"))
    assert [(e["confidence"], e["sources"]) for e in events] == [
        ("confirmed", [{"title": "Letter of 1 November"}]),
        ("confirmed", [{"title": "Call with <Y>", "url": "mailto:sales@example.com",
                        "publisher": "Y & Co"}]),
        ("confirmed", [{"title": "Memo <internal>"}]),
    ]  # fmt: skip
    shown = run("--store", str(store), "show", "2026-11-01-quote", "--as-of", "2026-12-01")
    assert shown.stdout.endswith("sources\n[1] Letter of 1 November\n")
    shown = run("--store", str(store), "show", "2026-11-02-call", "--as-of", "2026-12-01")
    assert shown.stdout.endswith(
        "sources\n[1] Call with <Y> (Y & Co)\n    mailto:sales@example.com\n"
    )


def test_links_other_than_http_https_and_mailto_stay_refused(run, tmp_path):
    for url, why in (
        ("javascript:alert(1)", "'javascript:alert(1)' is not an http, https or mailto: link"),
        ("mailto:a@example.org?subject=x", "'mailto:a@example.org?subject=x' is not a mailto: "
         "link to one address (mailto:name@example.org)"),
        ("file:///etc/passwd", "'file:///etc/passwd' is not an http, https or mailto: link"),
    ):  # fmt: skip
        result = run("--store", str(tmp_path / "s.toml"), "add", "--date", "2026-11-01",
                     "--title", "T", "--source-title", "S", "--source-url", url)  # fmt: skip
        assert (result.exit_code, result.stderr) == (
            2, f"reetimeline: error: --source-url: sources[1]: url: {why}\n"
        )  # fmt: skip
    alone = run("--store", str(tmp_path / "s.toml"), "add", "--date", "2026-11-01", "--title",
                "T", "--source-url", "https://example.org/")  # fmt: skip
    assert (alone.exit_code, alone.stderr) == (
        2, "reetimeline: error: --source-url and --source-publisher go with --source-title (a "
        "source is a title, with a link or alone as a reference)\n"
    )  # fmt: skip


def test_sources_without_a_link_round_trip_through_every_import_format(run, tmp_path):
    store = tmp_path / "s.toml"
    _add_references(run, store)
    original = json_of(run("--store", str(store), "list", "--json"))
    for fmt in ("csv", "json", "jsonl", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        assert run("--store", str(store), "export", "-f", fmt, "-o", str(out)).exit_code == 0
        target = tmp_path / f"back-{fmt}.toml"
        result = run("--store", str(target), "import", str(out))
        assert result.exit_code == 0, (fmt, result.stderr)
        back = json_of(run("--store", str(target), "list", "--json"))
        # the same events, now from the store they were imported into
        assert [e.pop("from") for e in back] == [f"team:back-{fmt}.toml"] * len(original), fmt
        assert back == [{k: v for k, v in e.items() if k != "from"} for e in original], fmt
    cells = [row["sources"] for row in _rows(tmp_path / "out.csv")]
    assert cells == ["Letter of 1 November", "Call with <Y> <mailto:sales@example.com>",
                     "Memo <internal> <>"]  # fmt: skip


def test_sources_without_a_link_in_the_written_formats(run, tmp_path):
    store = tmp_path / "s.toml"
    _add_references(run, store)

    def export(fmt):
        result = run("--store", str(store), "export", "-f", fmt, "--as-of", "2026-12-01")
        assert result.exit_code == 0, result.stderr
        return result.stdout

    md = export("md")
    assert "[^1]: Letter of 1 November\n" in md
    assert "[^2]: [Call with \\<Y\\>](<mailto:sales@example.com>), Y &amp; Co\n" in md
    assert "[^3]: Memo \\<internal\\>\n" in md
    ics = export("ics").replace("\r\n ", "")
    assert "None" not in ics
    assert "DESCRIPTION:Sources:\\n[1] Letter of 1 November\\n\\n" in ics
    assert "URL:mailto:sales@example.com" in ics
    report = tmp_path / "r.html"
    done = run("--store", str(store), "report", "--as-of", "2026-12-01", "-o", str(report))
    assert done.exit_code == 0, done.stderr
    page = report.read_text(encoding="utf-8")
    assert ('<a href="mailto:sales@example.com" rel="noreferrer noopener">Call with &lt;Y&gt;</a>'
            " (Y &amp; Co)") in page  # fmt: skip
    assert 'href=""' not in page and "None" not in page


def test_update_that_breaks_a_reference_of_another_event_is_refused(run, write_store, tmp_path):
    store = write_store(
        '[[events]]\nid = "s"\ndate = 2025-11-10\ntitle = "Pause"\ncategory = "suspension"\n'
        'expires = 2026-11-10\n\n[[events]]\nid = "x"\ndate = 2026-11-01\n'
        'title = "Pause extended"\ncategory = "suspension"\nexpires = 2027-11-10\n'
        'extends = ["s"]\n'
    )
    sheet = tmp_path / "s.jsonl"
    sheet.write_text(
        '{"id": "s", "date": "2025-11-10", "title": "Pause", "category": "statement"}\n',
        encoding="utf-8",
    )
    before = store.read_bytes()
    for dry in ((), ("--dry-run",)):
        result = run("--store", str(store), "import", str(sheet), "--update", *dry)
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            f"{store}:8: event 'x': extends: 's' is a statement event; only a suspension or a "
            "truce can be extended\n",
        )
    assert store.read_bytes() == before


_TITLE = st.text(
    alphabet=st.sampled_from(list("abcXYZ 09#'\"\\[]=é稀土-")), min_size=1, max_size=30
).filter(lambda t: t.strip() == t and t)


@settings(max_examples=60)
@given(
    titles=st.lists(_TITLE, min_size=1, max_size=6),
    changed=st.sets(st.integers(0, 5)),
    new=st.lists(_TITLE, max_size=3),
    comments=st.booleans(),
)
def test_update_reads_back_as_the_events_expected_and_keeps_untouched_tables(
    tmp_path_factory, titles, changed, new, comments
):
    """Any store of tables (with comments between them or not): the events replaced read back
    with their new titles, the others equal and their text kept, the new ones appended."""
    from dataclasses import replace

    from reetimeline.model import Event, PartialDate
    from reetimeline.store.parse import read_file
    from reetimeline.store.rewrite import update_events
    from reetimeline.store.write import render_events_toml

    folder = tmp_path_factory.mktemp("prop")
    old = [Event(f"e{i}", PartialDate(2026, 1, i + 1), t, "other") for i, t in enumerate(titles)]
    tables = [render_events_toml([e]) for e in old]
    between = "# next\n\n" if comments else "\n"
    path = folder / "s.toml"
    path.write_text("# head\n\n" + between.join(tables), encoding="utf-8")
    revised = [replace(e, title=e.title + " v2") if i in changed else e for i, e in enumerate(old)]
    added = [Event(f"n{i}", PartialDate(2026, 2, 1), t, "other") for i, t in enumerate(new)]
    done = update_events(path, [*revised, *added])
    assert [e.id for e in done.updated] == [e.id for i, e in enumerate(old) if i in changed]
    assert done.unchanged == [e.id for i, e in enumerate(old) if i not in changed]
    assert read_file(path).events == [*revised, *added]
    text = path.read_text(encoding="utf-8")
    for i, table in enumerate(tables):
        assert (table.rstrip("\n") in text) == (i not in changed)


def test_update_replaces_a_table_whose_string_ends_with_comment_like_lines(run, write_store,
                                                                            tmp_path):  # fmt: skip
    """A summary whose last lines look like a comment (`# heading`) and a blank line is the
    table's own text: replacing the event leaves none of it behind."""
    store = write_store(
        '[[events]]\nid = "note"\ndate = 2026-11-01\ntitle = "Old"\ncategory = "other"\n'
        'summary = """\ntext\n\n# heading"""\n\n# the next event\n[[events]]\nid = "other"\n'
        'date = 2026-11-02\ntitle = "Other"\ncategory = "other"\n'
    )  # fmt: skip
    sheet = tmp_path / "s.csv"
    sheet.write_text("id,date,title,category\nnote,2026-11-01,New,other\n", encoding="utf-8")
    result = run("--store", str(store), "import", str(sheet), "--update")
    assert result.exit_code == 0, result.stderr
    assert store.read_text(encoding="utf-8") == (
        '[[events]]\nid = "note"\ndate = 2026-11-01\ntitle = "New"\ncategory = "other"\n\n'
        '# the next event\n[[events]]\nid = "other"\ndate = 2026-11-02\ntitle = "Other"\n'
        'category = "other"\n'
    )  # fmt: skip
