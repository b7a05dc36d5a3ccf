"""Working with spreadsheets: CSV as Excel saves it (byte-order mark, semicolons, CRLF, day-first
dates) and xlsx workbooks, read back by openpyxl and imported again."""

import json

import pytest

SEMICOLON_DAYFIRST = (
    "\ufeffid;date;title;category;minerals;countries;effective;expires;sources;source_accessed\r\n"
    'eu-note;25/11/2026;Note, with a comma;other;"gallium; germanium";DE;;;'
    "Memo <https://example.com/memo>;02/12/2026\r\n"
    'eu-pause;1/6/2026;"Pause ""quoted""";suspension;;CN;3/6/2026;31/12/2026;;\r\n'
    "eu-month;2026-07;Month stays a month;meeting;;;;;;\r\n"
).encode()


def records(run, store) -> list[dict]:
    result = run("--store", str(store), "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_semicolon_csv_with_a_bom_crlf_and_day_first_dates_imports_with_dayfirst(run, tmp_path):
    saved = tmp_path / "from-excel.csv"
    saved.write_bytes(SEMICOLON_DAYFIRST)
    store = tmp_path / "team.toml"
    result = run("--store", str(store), "import", str(saved), "--dayfirst")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"added 3 events to {store} (CSV separated by semicolons, day-first dates)\n",
    )  # fmt: skip
    empty = {"summary": None, "tags": [], "suspends": [], "related": [], "confidence": "confirmed",
             "issuer": None, "applies_to": [], "extends": [], "ends": []}  # fmt: skip
    assert records(run, store) == [
        {"id": "eu-pause", "date": "2026-06-01", "precision": "day", "title": 'Pause "quoted"',
         **empty, "category": "suspension", "minerals": [], "countries": ["CN"],
         "effective": "2026-06-03", "expires": "2026-12-31", "sources": []},
        {"id": "eu-month", "date": "2026-07", "precision": "month",
         "title": "Month stays a month", **empty, "category": "meeting", "minerals": [],
         "countries": [], "effective": None, "expires": None, "sources": []},
        {"id": "eu-note", "date": "2026-11-25", "precision": "day", "title": "Note, with a comma",
         **empty, "category": "other", "minerals": ["gallium", "germanium"], "countries": ["DE"],
         "effective": None, "expires": None,
         "sources": [{"title": "Memo", "url": "https://example.com/memo",
                      "accessed": "2026-12-02"}]},
    ]  # fmt: skip


def test_without_dayfirst_a_slashed_date_is_a_row_error_that_suggests_it(run, tmp_path):
    saved = tmp_path / "from-excel.csv"
    saved.write_bytes(SEMICOLON_DAYFIRST)
    store = tmp_path / "team.toml"
    result = run("--store", str(store), "import", str(saved))
    hint = "is the day or the month first? Write 2026-MM-DD, or import with --dayfirst if the " \
        "file writes the day first (25/11/2026)"  # fmt: skip
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"{saved}: row 2: event 'eu-note': date: '25/11/2026': {hint}\n"
        # 1/6/2026 could be 1 June or 6 January: never guessed
        f"{saved}: row 3: event 'eu-pause': date: '1/6/2026': {hint}\n",
    )
    assert not store.exists()


def test_dayfirst_refuses_what_is_not_a_day_first_date_and_dots_are_day_first(run, tmp_path):
    saved = tmp_path / "dates.csv"
    saved.write_text("id,date,title,category\nus,11/25/2026,T,other\ndotted,25.11.2026,T,other\n",
                     encoding="utf-8")  # fmt: skip
    result = run("--store", str(tmp_path / "s.toml"), "import", str(saved), "--dayfirst")
    assert (result.exit_code, result.stderr) == (
        1, f"{saved}: row 2: event 'us': date: '11/25/2026' is not a day-first date: month 25 "
        "does not exist\n",
    )  # fmt: skip
    saved.write_text("id,date,title,category\ndotted,25.11.2026,T,other\n", encoding="utf-8")
    result = run("--store", str(tmp_path / "s.toml"), "import", str(saved), "--dry-run")
    assert (result.exit_code, result.stdout) == (0, "would add dotted\t2026-11-25\tT\n")


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("tabs.tsv", "id\tdate\ttitle\tcategory\r\nt\t2026-01-02\tTab, separated\tother\r\n",
         "tabs"),
        ("tabs.csv", "id\tdate\ttitle\tcategory\nt\t2026-01-02\tTab; separated\tother\n", "tabs"),
        ("commas.csv", 'id,date,title,category\nt,2026-01-02,"Comma; separated",other\n',
         "commas"),
    ],
)  # fmt: skip
def test_the_separator_is_found_from_the_header_and_named(run, tmp_path, name, text, said):
    saved = tmp_path / name
    saved.write_text(text, encoding="utf-8")
    result = run("--store", str(tmp_path / "s.toml"), "import", str(saved), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("would add t\t2026-01-02\t")
    assert result.stderr.endswith(f"(dry run: nothing written; CSV separated by {said})\n")


def test_a_header_error_says_which_separator_was_used(run, tmp_path):
    saved = tmp_path / "bad.csv"
    saved.write_text("id;date;titel;category\n", encoding="utf-8")
    result = run("--store", str(tmp_path / "s.toml"), "import", str(saved))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{saved}: row 1: header: missing title; unknown titel (read as separated by semicolons; "
        "columns: id, date, title,"
    )


def test_a_csv_in_a_windows_code_page_is_told_to_save_as_utf8(run, tmp_path):
    saved = tmp_path / "ansi.csv"
    saved.write_bytes("id;date;title;category\nx;2026-01-01;Caf\xe9;other\n".encode("cp1252"))
    result = run("--store", str(tmp_path / "s.toml"), "import", str(saved))
    assert (result.exit_code, result.stderr) == (
        1,
        f"{saved}:2:17: not UTF-8 text (byte 0xe9); save it from the spreadsheet as "
        '"CSV UTF-8"\n',
    )


def test_bom_starts_the_csv_with_a_byte_order_mark_and_reads_back(run, small_store, tmp_path):
    plain = run("--store", str(small_store), "export").stdout
    marked = run("--store", str(small_store), "export", "--bom").stdout
    assert marked == "\ufeff" + plain
    written = tmp_path / "excel.csv"
    result = run("--store", str(small_store), "export", "--bom", "-o", str(written))
    assert result.exit_code == 0
    assert written.read_bytes().startswith(b"\xef\xbb\xbfid,date,title,")
    copy = tmp_path / "copy.toml"
    assert run("--store", str(copy), "import", str(written)).exit_code == 0
    assert records(run, copy) == records(run, small_store)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "-f", "json", "--bom"], "--bom goes with --format csv"),
        (["import", "x.json", "--dayfirst"], "--dayfirst goes with CSV and xlsx files"),
    ],
)
def test_csv_options_with_other_formats_are_usage_errors(run, tmp_path, args, message):
    result = run("--store", str(tmp_path / "s.toml"), *args)
    assert (result.exit_code, result.stderr) == (2, f"reetimeline: error: {message}\n")
