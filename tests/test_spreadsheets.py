"""Working with spreadsheets: CSV as Excel saves it (byte-order mark, semicolons, CRLF, day-first
dates) and xlsx workbooks, read back by openpyxl and imported again."""

# ruff: noqa: E501 (store text and cell values are wider than code lines)

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetimeline.output.formats import read_events
from reetimeline.output.formats.xlsx import to_xlsx

from .test_export import STAMP
from .test_export import events as random_events

SEMICOLON_DAYFIRST = (
    "\ufeffid;date;title;category;minerals;countries;effective;expires;sources;source_accessed\r\n"
    'eu-note;25/11/2026;Note, with a comma;other;"gallium; germanium";DE;;;'
    "Memo <https://example.com/memo>;02/12/2026\r\n"
    'eu-pause;1/6/2026;"Pause ""quoted""";suspension;;CN;3/6/2026;31/12/2026;;\r\n'
    "eu-month;2026-07;Month stays a month;meeting;;;;;;\r\n"
).encode()


def records(run, store) -> list[dict]:
    """The events of `store` as `export --format json` writes them, without `from` (where each
    comes from: the store it was read from, which an import changes by design)."""
    result = run("--store", str(store), "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [{k: v for k, v in e.items() if k != "from"} for e in json.loads(result.stdout)]


def test_a_semicolon_csv_with_a_bom_crlf_and_day_first_dates_imports_with_dayfirst(run, tmp_path):
    saved = tmp_path / "from-excel.csv"
    saved.write_bytes(SEMICOLON_DAYFIRST)
    store = tmp_path / "team.toml"
    result = run("--store", str(store), "import", str(saved), "--dayfirst")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"added 3 events to {store} (CSV separated by semicolons, day-first dates)\n",
    )  # fmt: skip
    empty = {"summary": None, "tags": [], "suspends": [], "related": [], "confidence": "confirmed",
             "issuer": None, "applies_to": [], "extends": [], "ends": [], "kind": None,
             "partial": False, "part_of": None, "confirms": [], "current_to": None}  # fmt: skip
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
        f'{saved}:2:17: not UTF-8 text (byte 0xe9); save it from the spreadsheet as "CSV UTF-8"\n',
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


# --- xlsx ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def curated_workbook(tmp_path_factory):
    """The curated store exported as xlsx through the CLI, and its JSON export."""
    from typer.testing import CliRunner

    from reetimeline.cli import app

    path = tmp_path_factory.mktemp("xlsx") / "curated.xlsx"
    runner = CliRunner()
    result = runner.invoke(app, ["export", "-f", "xlsx", "-o", str(path), "--as-of",
                                 "2026-11-25"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (f"wrote 80 events to {path} (data: curated store current to "
                             "2026-10-08, 48 days ago)\n")  # fmt: skip
    exported = json.loads(runner.invoke(app, ["export", "-f", "json"]).stdout)
    assert {e.pop("from") for e in exported} == {"curated"}
    return path, exported


def test_an_xlsx_export_has_a_row_per_event_date_cells_and_a_link_per_source(curated_workbook):
    import datetime as dt

    import openpyxl

    path, exported = curated_workbook
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["events", "about"]
    sheet = book["events"]
    header = [cell.value for cell in sheet[1]]
    most = max(len(e["sources"]) for e in exported)
    assert header == [
        "id", "date", "date (day)", "title", "summary", "category", "minerals", "countries",
        "tags", "effective", "effective (day)", "expires", "expires (day)", "suspends",
        "related", "confidence", "issuer", "applies_to", "extends", "ends", "kind", "partial",
        "part_of", "confirms", "current_to", "sources", "source_publishers", "source_accessed",
        "state", "runs_until", "from", *(f"source {n}" for n in range(1, most + 1)),
    ]  # fmt: skip
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == (
        "B2",
        f"A1:{sheet.cell(1, len(header)).column_letter}81",
    )
    rows = [dict(zip(header, cells, strict=True)) for cells in sheet.iter_rows(min_row=2)]
    assert [r["id"].value for r in rows] == [e["id"] for e in exported]  # one row per event
    day_cells = 0
    for row, event in zip(rows, exported, strict=True):
        for field in ("date", "effective", "expires"):
            written, cell = row[field].value, row[f"{field} (day)"]
            assert written == event[field]
            if written is not None and len(written) == 10:
                assert cell.value == dt.datetime.fromisoformat(written)
                assert (cell.is_date, cell.number_format) == (True, "yyyy-mm-dd")
                day_cells += 1
            else:
                assert cell.value is None
        for number, source in enumerate(event["sources"], 1):
            link = row[f"source {number}"]
            assert (link.value, link.hyperlink.target) == (source["title"], source["url"])
        assert all(row[f"source {n}"].value is None for n in range(len(event["sources"]) + 1,
                                                                     most + 1))  # fmt: skip
    assert day_cells > 80
    about = [[cell.value for cell in cells] for cells in book["about"].iter_rows(max_row=4)]
    assert about[1:] == [
        ["events", 80],
        ["exported", about[2][1]],
        ["data", "curated store current to 2026-10-08, 48 days ago"],
    ]


def test_the_curated_store_round_trips_through_xlsx(run, curated_workbook, tmp_path):
    path, exported = curated_workbook
    empty = tmp_path / "new.toml"
    result = run("--store", str(empty), "import", str(path))
    assert (result.exit_code, result.stderr) == (0, f"added 80 events to {empty}\n")
    assert records(run, empty) == exported


TRICKY = """
    [[events]]
    id = "formulas"
    date = 1899-12-31
    title = "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"
    summary = "+1 line one\\r\\nline two\\u0007 and a literal _x000D_ and _x005F_ and\\ttab"
    category = "other"
    tags = ["@SUM(A1)", "-5"]
    expires = "2026-11"
    sources = [{ title = "=1+1 | \\\\ pipe", url = "https://example.com/a?b=1&c=2", publisher = "-P-", accessed = 2026-01-05 }]

    [[events]]
    id = "plain"
    date = 2026-11-25
    title = "稀土 – ¥ plain"
    category = "other"
"""


def test_formula_looking_text_stays_text_and_odd_characters_round_trip(run, write_store, tmp_path):
    import zipfile

    import openpyxl

    store = write_store(TRICKY)
    book_path = tmp_path / "tricky.xlsx"
    assert run("--store", str(store), "export", "-f", "xlsx", "-o", str(book_path)).exit_code == 0
    with zipfile.ZipFile(book_path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    sheet = openpyxl.load_workbook(book_path)["events"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert (row["title"].value, row["title"].data_type) == (
        '=HYPERLINK("http://evil.example","click")',
        "s",
    )
    assert (
        row["summary"].value
        == "+1 line one_x000D_\nline two_x0007_ and a literal _x005F_x000D_ and _x005F_x005F_ and\ttab"
    )
    assert row["date (day)"].value is None  # before Excel's calendar is safe
    assert row["expires (day)"].value is None  # a month
    assert (row["source 1"].value, row["source 1"].hyperlink.target) == (
        "=1+1 | \\ pipe",
        "https://example.com/a?b=1&c=2",
    )
    copy = tmp_path / "copy.toml"
    result = run("--store", str(copy), "import", str(book_path))
    assert result.exit_code == 0, result.stderr
    assert records(run, copy) == records(run, store)


def test_xlsx_is_never_written_to_a_terminal(run, small_store, monkeypatch):
    from reetimeline.cli import printing

    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    result = run("--store", str(small_store), "export", "-f", "xlsx")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "reetimeline: error: --format xlsx writes a binary file: give -o FILE (or redirect "
        "stdout to a file)\n",
    )  # fmt: skip


def test_xlsx_goes_to_a_pipe_as_bytes(small_store, tmp_path):
    from typer.testing import CliRunner

    from reetimeline.cli import app

    result = CliRunner().invoke(app, ["--store", str(small_store), "export", "-f", "XLSX"])
    assert result.exit_code == 0
    piped = tmp_path / "piped.xlsx"
    piped.write_bytes(result.stdout_bytes)
    import openpyxl

    assert openpyxl.load_workbook(piped)["events"].max_row == 5


def workbook(path, header, *rows):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "events"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_import_reads_date_cells_and_refuses_formulas_and_disagreements(run, tmp_path):
    import datetime as dt

    path = workbook(
        tmp_path / "typed.xlsx",
        ["id", "date", "date (day)", "title", "category", "expires", "expires (day)"],
        # a date typed into the written-date column is a date cell: read as that day
        ["typed", dt.datetime(2026, 11, 25), None, "Typed", "other", None, None],
        # only the date cell is filled: read from it
        ["only-day", None, dt.datetime(2026, 11, 26), "Only day", "other", "2026-12", None],
        ["formula", "2026-11-27", None, "=1+1", "other", None, None],
        ["edited", "2026-11-28", dt.datetime(2026, 11, 29), "Edited", "other", None, None],
        ["number", "2026-11-28", None, "Number", "other", "2027-01-01", 46388],
        ["dayfirst", "25/11/2026", None, "Day first", "other", None, None],
    )
    store = tmp_path / "s.toml"
    result = run("--store", str(store), "import", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{path}: row 4: event 'formula': title: is a formula (=1+1); import reads the values "
        "people typed: type the text instead\n"
        f"{path}: row 5: event 'edited': date (day): 2026-11-29 disagrees with date '2026-11-28': "
        "change both, or clear date (day)\n"
        f"{path}: row 6: event 'number': expires (day): '46388' is not a date cell (format the "
        "cell as a date, or clear it)\n"
        f"{path}: row 7: event 'dayfirst': date: '25/11/2026': is the day or the month first? "
        "Write 2026-MM-DD, or import with --dayfirst if the file writes the day first "
        "(25/11/2026)\n"
    )
    good = workbook(tmp_path / "good.xlsx",
                    ["id", "date", "date (day)", "title", "category", "expires", "expires (day)"],
                    ["typed", dt.datetime(2026, 11, 25), None, "Typed", "other", None, None],
                    ["only-day", None, dt.datetime(2026, 11, 26), "Only day", "other", "2026-12",
                     None],
                    ["dayfirst", "25/11/2026", None, "Day first", "other", None, None])  # fmt: skip
    result = run("--store", str(store), "import", str(good), "--dayfirst", "--dry-run")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "would add typed\t2026-11-25\tTyped\n"
        "would add only-day\t2026-11-26\tOnly day\n"
        "would add dayfirst\t2026-11-25\tDay first\n",
        f"would add 3 events to {store} (dry run: nothing written; xlsx, day-first dates)\n",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip file", "not an xlsx workbook (BadZipFile: File is not a zip file)"),
        (b"PK\x03\x04broken", "not an xlsx workbook (BadZipFile: File is not a zip file)"),
        (b"", "not an xlsx workbook (BadZipFile: File is not a zip file)"),
    ],
)
def test_a_damaged_workbook_is_one_line_exit_1(run, tmp_path, content, message):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(content)
    result = run("--store", str(tmp_path / "s.toml"), "import", str(path))
    assert (result.exit_code, result.stderr) == (1, f"{path}: {message}\n")


def test_a_workbook_that_is_not_an_export_names_the_header_problem(run, tmp_path):
    path = workbook(tmp_path / "other.xlsx", ["name", "when"], ["x", "2026"])
    result = run("--store", str(tmp_path / "s.toml"), "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{path}: row 1: header: missing date, title, category; unknown 'name', 'when' "
        "(columns: id, date, date (day), title,"
    )


def test_csv_export_never_loads_openpyxl():
    import subprocess
    import sys

    code = ("import sys; from reetimeline.cli import main\ntry:\n    main()\nexcept SystemExit:\n"
            "    pass\nsys.stderr.write(str('openpyxl' in sys.modules))")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code, "export", "-f", "csv", "-m", "Dy"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.stdout.startswith("id,date,") and result.stderr == "False"


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(random_events(), max_size=4, unique_by=lambda e: e.id))
def test_random_events_round_trip_through_xlsx(tmp_path_factory, batch):
    path = tmp_path_factory.getbasetemp() / "random.xlsx"
    path.write_bytes(to_xlsx(batch, stamp=STAMP))
    assert read_events(path, "xlsx") == batch
