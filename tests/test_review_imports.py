"""A reviewer's findings on import, add and links: list cells split on `;`, `import --update`
of an export that holds curated rows, ids that stand twice in a file, repeated source options,
the example of a list written as text, and which `mailto:` links are one address."""

from __future__ import annotations

import csv

import pytest

from reetimeline.links import check_url

from .conftest import json_of


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- 1. list cells split on `;` ----------------------------------------------------------------


def test_a_csv_list_cell_is_split_on_semicolons_with_or_without_spaces(run, tmp_path):
    sheet = tmp_path / "x.csv"
    sheet.write_text("date,title,category,minerals,countries,tags\n"
                     "2026-12-02,T2,price,Ga;Ge,US;JP,a;b\n"
                     "2026-12-03,T3,price,gallium ; ;germanium;,CN,\n",
                     encoding="utf-8")  # fmt: skip
    store = tmp_path / "s.toml"
    result = run("--store", str(store), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        0, f"added 2 events to {store} (CSV separated by commas)\n"
    )  # fmt: skip
    events = json_of(run("--store", str(store), "list", "--json"))
    assert [(e["id"], e["minerals"], e["countries"], e["tags"]) for e in events] == [
        ("2026-12-02-t2", ["gallium", "germanium"], ["US", "JP"], ["a", "b"]),
        ("2026-12-03-t3", ["gallium", "germanium"], ["CN"], []),
    ]


def test_an_xlsx_list_cell_is_split_on_semicolons_too(run, tmp_path):
    from .test_spreadsheets import workbook

    path = workbook(tmp_path / "x.xlsx", ["date", "title", "category", "minerals", "countries"],
                    ["2026-12-02", "T2", "price", "Ga;Ge", "US;JP"])  # fmt: skip
    store = tmp_path / "s.toml"
    assert run("--store", str(store), "import", str(path)).exit_code == 0
    [event] = json_of(run("--store", str(store), "list", "--json"))
    assert (event["minerals"], event["countries"]) == (["gallium", "germanium"], ["US", "JP"])


def test_the_comma_hint_writes_the_whole_cell_and_that_cell_then_imports(run, tmp_path):
    sheet = tmp_path / "c.csv"
    sheet.write_text('date,title,category,minerals\n2026-12-03,T3,price,"Ga,Ge;Sb"\n',
                     encoding="utf-8")  # fmt: skip
    store = tmp_path / "s.toml"
    result = run("--store", str(store), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        1, f"{sheet}: row 2: event '2026-12-03-t3': minerals: unknown mineral 'Ga,Ge' (lists are "
        "separated by ';': 'Ga; Ge; Sb')\n"
    )  # fmt: skip
    sheet.write_text("date,title,category,minerals\n2026-12-03,T3,price,Ga; Ge; Sb\n",
                     encoding="utf-8")  # fmt: skip
    assert run("--store", str(store), "import", str(sheet)).exit_code == 0
    [event] = json_of(run("--store", str(store), "list", "--json"))
    assert event["minerals"] == ["gallium", "germanium", "antimony"]


# --- 2. import --update of an export with curated rows -----------------------------------------


def _curated_sheet(run, tmp_path):
    exported = tmp_path / "c.csv"
    result = run("export", "--format", "csv", "--since", "2025-11-07", "--until", "2025-11-07",
                 "-o", str(exported))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = _rows(exported)
    assert [(r["id"], r["from"]) for r in rows] == [
        ("mofcom-suspends-october-measures", "curated"),
        ("takaichi-survival-threatening-remark", "curated"),
    ]
    return exported, rows


def test_update_counts_unchanged_curated_rows_and_adds_the_new_one(run, tmp_path):
    _exported, rows = _curated_sheet(run, tmp_path)
    new = dict.fromkeys(rows[0], "")
    new.update(date="2026-12-01", title="Supplier quote", category="price")
    sheet = _write_rows(tmp_path / "d.csv", [*rows, new])
    store = tmp_path / "s.toml"
    result = run("--store", str(store), "--with-curated", "import", str(sheet), "--update")
    assert (result.exit_code, result.stderr) == (
        0, f"updated 0, added 1, unchanged 2 (2 of them in the curated store) in {store} "
        "(CSV separated by commas)\n"
    )  # fmt: skip
    assert [e["id"] for e in json_of(run("--store", str(store), "list", "--json"))] == [
        "2026-12-01-supplier-quote"
    ]
    again = run("--store", str(store), "--with-curated", "import", str(sheet), "--update")
    assert (again.exit_code, again.stderr) == (
        0, f"updated 0, added 0, unchanged 3 (2 of them in the curated store) in {store} "
        "(CSV separated by commas)\n"
    )  # fmt: skip


def test_update_refuses_a_changed_curated_row_naming_its_row(run, tmp_path):
    _exported, rows = _curated_sheet(run, tmp_path)
    rows[1]["title"] = "Edited title"
    sheet = _write_rows(tmp_path / "d.csv", rows)
    store = tmp_path / "s.toml"
    result = run("--store", str(store), "--with-curated", "import", str(sheet), "--update")
    assert (result.exit_code, result.stderr) == (
        1, f"{sheet}: row 3: event 'takaichi-survival-threatening-remark': id: exists in another "
        f"store in use, not in {store}, and differs from it: --update replaces only events of "
        "the store it writes to (give the row a new id, or --into/--store the store that holds "
        "it if it is yours)\n"
    )  # fmt: skip
    assert not store.exists()


def test_a_plain_reimport_names_the_row_of_each_existing_id(run, tmp_path):
    exported, _ = _curated_sheet(run, tmp_path)
    store = tmp_path / "s.toml"
    result = run("--store", str(store), "--with-curated", "import", str(exported))
    message = "id: already exists in the stores in use (use --skip-existing to skip it)"
    assert (result.exit_code, result.stderr) == (
        1, f"{exported}: row 2: event 'mofcom-suspends-october-measures': {message}\n"
        f"{exported}: row 3: event 'takaichi-survival-threatening-remark': {message}\n"
    )  # fmt: skip


# --- 3. one id twice in a file -----------------------------------------------------------------


def test_a_given_id_twice_is_bad_data_naming_both_rows(run, tmp_path):
    sheet = tmp_path / "e.csv"
    sheet.write_text("id,date,title,category\nq,2026-12-01,Same title,price\n"
                     "r,2026-12-02,Other,price\nq,2026-12-01,Another,price\n",
                     encoding="utf-8")  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        1, f"{sheet}: row 4: event 'q': id: stands twice in the file (rows 2 and 4); give each "
        "its own id\n"
    )  # fmt: skip


def test_derived_ids_that_repeat_are_numbered_and_a_reimport_is_refused_per_id(run, tmp_path):
    sheet = tmp_path / "e.csv"
    sheet.write_text("date,title,category\n2026-12-01,Same title,price\n"
                     "2026-12-01,Same title!,price\n", encoding="utf-8")  # fmt: skip
    store = tmp_path / "s.toml"
    assert run("--store", str(store), "import", str(sheet)).exit_code == 0
    assert [e["id"] for e in json_of(run("--store", str(store), "list", "--json"))] == [
        "2026-12-01-same-title", "2026-12-01-same-title-2"
    ]  # fmt: skip
    again = run("--store", str(store), "import", str(sheet))
    message = "id: already exists in the stores in use (use --skip-existing to skip it)"
    assert (again.exit_code, again.stderr) == (
        1, f"{sheet}: row 2: event '2026-12-01-same-title': {message}\n"
        f"{sheet}: row 3: event '2026-12-01-same-title-2': {message}\n"
    )  # fmt: skip


# --- 4. repeated source options of add ---------------------------------------------------------


def _add(run, store, *args):
    return run("--store", str(store), "add", "--date", "2026-11-01", "--title", "T", *args)


def test_repeated_source_options_pair_up_in_order(run, tmp_path):
    store = tmp_path / "s.toml"
    result = _add(run, store, "--source-title", "a", "--source-title", "b", "--source-url",
                  "https://x.example/", "--source-url", "mailto:o'brien@ex.example",
                  "--source-publisher", "P", "--source-publisher", "Q")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [event] = json_of(run("--store", str(store), "list", "--json"))
    assert event["sources"] == [
        {"title": "a", "url": "https://x.example/", "publisher": "P"},
        {"title": "b", "url": "mailto:o'brien@ex.example", "publisher": "Q"},
    ]
    titles = _add(run, store, "--source-title", "a", "--source-title", "b", "--id", "two")
    assert titles.exit_code == 0, titles.stderr
    mixed = _add(run, store, "--source-title", "Letter", "--source-title", "Page", "--source-url",
                 "", "--source-url", "https://x.example/p", "--source-publisher", "Y & Co",
                 "--source-publisher", "", "--id", "three")  # fmt: skip
    assert mixed.exit_code == 0, mixed.stderr
    events = json_of(run("--store", str(store), "list", "--json"))
    assert [e["id"] for e in events] == ["2026-11-01-t", "three", "two"]
    assert [e["sources"] for e in events[2:0:-1]] == [
        [{"title": "a"}, {"title": "b"}],
        [
            {"title": "Letter", "publisher": "Y & Co"},
            {"title": "Page", "url": "https://x.example/p"},
        ],
    ]


def test_source_options_that_do_not_pair_up_are_a_usage_error(run, tmp_path):
    store = tmp_path / "s.toml"
    result = _add(run, store, "--source-title", "a", "--source-title", "b", "--source-url",
                  "https://x.example")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: --source-url is given 1 time and --source-title 2 times: give "
        "--source-url once for each --source-title (they pair up in order), or not at all\n"
    )  # fmt: skip
    assert not store.exists()


def test_an_empty_source_title_names_source_title(run, tmp_path):
    result = _add(run, tmp_path / "s.toml", "--source-title", "")
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: --source-title: sources[1]: title is missing or not text\n"
    )  # fmt: skip


# --- 5. a list written as text in JSON ---------------------------------------------------------


def test_a_json_list_written_as_text_gets_an_example_that_works(run, tmp_path):
    sheet = tmp_path / "j.json"
    sheet.write_text('[{"id": "q", "date": "2026-12-01", "title": "T", "category": "price", '
                     '"minerals": "Ga, Ge"}]', encoding="utf-8")  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(sheet))
    assert (result.exit_code, result.stderr) == (
        1, f'{sheet}: item 1: event \'q\': minerals: must be a list of text, like ["Ga", "Ge"]\n'
    )  # fmt: skip
    sheet.write_text('[{"id": "q", "date": "2026-12-01", "title": "T", "category": "price", '
                     '"minerals": ["Ga", "Ge"]}]', encoding="utf-8")  # fmt: skip
    assert run("--store", str(tmp_path / "s.toml"), "import", str(sheet)).exit_code == 0


# --- 6. mailto: one address --------------------------------------------------------------------

_NOT_ONE = "is not a mailto: link to one address (mailto:name@example.org)"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mailto:sales@example.com", None),
        ("mailto:o'brien@ex.example", None),
        ("mailto:名前@例え.jp", None),
        ("mailto:%E5%90%8D@ex.example", None),  # percent-encoded UTF-8, decoded: 名
        ("mailto:first.last+tag@mail.ex-ample.org", None),
        ("MAILTO:x@y.example", None),
        ("mailto:a%40b@ex.example", f"'mailto:a%40b@ex.example' {_NOT_ONE}"),
        ("mailto:a@example.org?subject=x", f"'mailto:a@example.org?subject=x' {_NOT_ONE}"),
        ("mailto:a@b.example&cc=c@d.example", f"'mailto:a@b.example&cc=c@d.example' {_NOT_ONE}"),
        ("mailto:a@b.example,c@d.example", f"'mailto:a@b.example,c@d.example' {_NOT_ONE}"),
        ("mailto:a..b@ex.example", f"'mailto:a..b@ex.example' {_NOT_ONE}"),
        ("mailto:a@localhost", f"'mailto:a@localhost' {_NOT_ONE}"),
        ("mailto:a@-x.example", f"'mailto:a@-x.example' {_NOT_ONE}"),
        ("mailto:@ex.example", f"'mailto:@ex.example' {_NOT_ONE}"),
        ("mailto:a%0A@ex.example", f"'mailto:a%0A@ex.example' {_NOT_ONE}"),
        ("mailto:%FF@ex.example", f"'mailto:%FF@ex.example' {_NOT_ONE}"),
        ("javascript:alert(1)", "'javascript:alert(1)' is not an http, https or mailto: link"),
        ("data:text/html,x", "'data:text/html,x' is not an http, https or mailto: link"),
    ],
)
def test_which_mailto_links_are_one_address(url, why):
    assert check_url(url) == why
