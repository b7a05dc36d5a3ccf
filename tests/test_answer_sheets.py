"""The answers as spreadsheets: `status`, `status --matrix`, `changes` and `countdown` with
`-o FILE` (CSV, xlsx, JSON) have the columns and the records of their `--json`; export's
`state` and `runs_until` columns."""

# ruff: noqa: E501 (store text and cell values are wider than code lines)

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from .conftest import json_of

STATUS_HEADER = [
    "id", "title", "category", "kind", "flow", "part_of", "state", "since", "until", "by",
    "extended_by", "confidence", "never_took_effect", "scheduled", "last_known", "lapsed",
    "partial_by", "partial_until", "partial_unconfirmed", "issuer", "applies_to", "reported_by",
    "current_to", "note", "history", "from",
]  # fmt: skip
CHANGES_HEADER = ["date", "id", "title", "category", "change", "by", "confidence", "cited",
                  "note", "from"]  # fmt: skip
COUNTDOWN_HEADER = ["id", "title", "category", "kind", "date", "precision", "days", "when",
                    "confidence", "extended_by", "superseded", "replaced_by", "unconfirmed",
                    "from"]  # fmt: skip
MATRIX_HEADER = ["mineral", "destination", "state", "material", "targeted", "technology", "text"]
CHANGES = ("--since", "2025-11-01", "--until", "2025-11-30", "--as-of", "2026-11-25")
DATA = "curated store current to 2026-10-08"


def written(result, path, rows: int, as_of: str, ago: str) -> None:
    """The command wrote `path` and said so, with nothing on stdout."""
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"wrote {rows} rows to {path} (as of {as_of}; data: {DATA}, {ago})\n",
    )  # fmt: skip


def sheet_rows(path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def test_status_as_xlsx_has_the_json_columns_one_row_per_record_date_cells_and_an_about_sheet(
    run, tmp_path
):
    records = json_of(run("status", "--as-of", "2026-06-01", "--json"))
    path = tmp_path / "s.xlsx"
    written(run("status", "--as-of", "2026-06-01", "-o", str(path)), path, len(records),
            "2026-06-01", "129 days after the as-of date")  # fmt: skip
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["status", "about"]
    rows = sheet_rows(path, "status")
    assert list(rows[0]) == STATUS_HEADER
    assert len(rows) - 1 == len(records)
    by_id = {row[0]: dict(zip(STATUS_HEADER, row, strict=True)) for row in rows[1:]}
    licensing = by_id["ga-ge-export-licensing"]
    # a day is a date cell; a month stays the text it is; booleans and lists are typed or joined
    assert (licensing["state"], licensing["since"], licensing["until"],
            licensing["current_to"], licensing["never_took_effect"], licensing["applies_to"]) == (
        "in-force", dt.datetime(2023, 8, 1), None, dt.datetime(2026, 10, 8), False, "all",
    )  # fmt: skip
    ban = by_id["no-46-clause-2-us-ga-ge-sb-ban"]
    assert (ban["state"], ban["since"], ban["until"], ban["by"]) == (
        "suspended", dt.datetime(2025, 11, 9), dt.datetime(2026, 11, 27),
        "mofcom-suspends-us-ga-ge-sb-ban",
    )  # fmt: skip
    assert rows and [r[STATUS_HEADER.index("id")] for r in rows[1:]] == [r["id"] for r in records]
    assert sheet_rows(path, "about") == [
        ("answer", "status"),
        ("as of", dt.datetime(2026, 6, 1)),
        ("filters", "none (every event)"),
        ("rows", len(records)),
        ("current to", dt.datetime(2026, 10, 8)),
        ("data", f"{DATA}, 129 days after the as-of date"),
        ("tool", "reetimeline 0.1.0"),
    ]


MONTHS = """
    [[events]]
    id = "quota"
    date = "2026-03"
    title = "Quota on gallium exports"
    category = "export-control"
    minerals = ["gallium"]
    countries = ["CN"]
    expires = "2026-09"
    sources = [{ title = "Report", url = "https://example.com/q" }]
"""


def test_a_month_stays_text_as_written_and_a_day_is_a_date_cell(run, write_store, tmp_path):
    store = write_store(MONTHS)
    path = tmp_path / "s.xlsx"
    assert (
        run("--store", str(store), "status", "--as-of", "2026-06-01", "-o", str(path)).exit_code
        == 0
    )
    rows = sheet_rows(path, "status")
    assert len(rows) == 2
    row = dict(zip(STATUS_HEADER, rows[1], strict=True))
    assert (row["id"], row["state"], row["since"], row["until"], row["current_to"]) == (
        "quota", "in-force", "2026-03", "2026-09", None,
    )  # fmt: skip
    assert sheet_rows(path, "about")[4:6] == [
        ("current to", None), ("data", "no store says up to when its facts were checked"),
    ]  # fmt: skip


def test_every_date_cell_of_the_status_sheet_has_a_date_format(run, tmp_path):
    path = tmp_path / "s.xlsx"
    assert run("status", "--as-of", "2026-06-01", "-o", str(path)).exit_code == 0
    sheet = openpyxl.load_workbook(path)["status"]
    dates = [c for row in sheet.iter_rows(min_row=2) for c in row if c.is_date]
    assert {c.number_format for c in dates} == {"yyyy-mm-dd"}
    assert {sheet.cell(1, c.column).value for c in dates} == {
        "since",
        "until",
        "partial_until",
        "current_to",
    }


def test_changes_as_csv_with_a_bom_is_the_json_records_in_one_plain_table(run, tmp_path):
    records = json_of(run("changes", *CHANGES, "--json"))
    path = tmp_path / "c.csv"
    written(run("changes", *CHANGES, "-o", str(path), "--bom"), path, len(records),
            "2026-11-25", "48 days ago")  # fmt: skip
    data = path.read_bytes()
    assert data.startswith(
        b"\xef\xbb\xbfdate,id,title,category,change,by,confidence,cited,note,from\r\n"
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == CHANGES_HEADER
    assert len(rows) - 1 == len(records) == 12
    as_text = [[("" if v is None else str(v)) for v in r.values()] for r in records]
    assert rows[1:] == as_text
    assert rows[1][:5] == ["2025-11-01", "white-house-fact-sheet-general-licences",
                           "White House fact sheet: China to issue general licences for rare "
                           "earths, Ga, Ge, Sb, graphite", "statement", "event"]  # fmt: skip


def test_changes_as_xlsx_has_date_cells_and_its_window_in_the_about_sheet(run, tmp_path):
    records = json_of(run("changes", *CHANGES, "-m", "gallium", "--json"))
    path = tmp_path / "c.xlsx"
    assert run("changes", *CHANGES, "-m", "gallium", "-o", str(path)).exit_code == 0
    rows = sheet_rows(path, "changes")
    assert list(rows[0]) == CHANGES_HEADER
    assert [r[0] for r in rows[1:]] == [dt.datetime.fromisoformat(r["date"]) for r in records]
    assert len(records) == 2
    assert sheet_rows(path, "about") == [
        ("answer", "changes"),
        ("as of", dt.datetime(2026, 11, 25)),
        ("filters", "-m gallium --since 2025-11-01 --until 2025-11-30"),
        ("window", "2025-11-01 to 2025-11-30"),
        ("rows", 2),
        ("current to", dt.datetime(2026, 10, 8)),
        ("data", f"{DATA}, 48 days ago"),
        ("tool", "reetimeline 0.1.0"),
    ]


def test_countdown_as_xlsx_has_the_json_columns_and_typed_cells(run, tmp_path):
    args = ("countdown", "--as-of", "2026-06-01", "--within", "400")
    records = json_of(run(*args, "--json"))
    path = tmp_path / "t.xlsx"
    assert run(*args, "-o", str(path)).exit_code == 0
    rows = sheet_rows(path, "countdown")
    assert list(rows[0]) == COUNTDOWN_HEADER
    assert len(rows) - 1 == len(records)
    surcharge = [dict(zip(COUNTDOWN_HEADER, r, strict=True)) for r in rows[1:]
                 if r[0] == "us-section-122-surcharge" and r[3] == "expires"]  # fmt: skip
    assert [(r["date"], r["days"], r["when"], r["superseded"]) for r in surcharge] == [
        (dt.datetime(2026, 7, 24), 53, "in 53 days", False)
    ]
    assert sheet_rows(path, "about")[2] == ("filters", "--within 400")


def test_countdown_as_csv_counts_the_json_records(run, tmp_path):
    records = json_of(run("countdown", "--as-of", "2026-06-01", "--json"))
    path = tmp_path / "t.csv"
    assert run("countdown", "--as-of", "2026-06-01", "-o", str(path)).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == COUNTDOWN_HEADER
    assert len(rows) - 1 == len(records)
    assert [r[0] for r in rows[1:]] == [r["id"] for r in records]
    days = COUNTDOWN_HEADER.index("days")
    # a number is a number, never neutralised as a formula: `-101` days, not `'-101`
    assert [r[days] for r in rows[1:]] == [str(r["days"]) for r in records]
    assert min(r["days"] for r in records) < 0


def test_the_matrix_as_csv_has_a_row_per_cell_of_its_json(run, tmp_path):
    args = ("status", "--matrix", "-m", "gallium", "--to", "US", "--to", "JP",
            "--as-of", "2026-06-01")  # fmt: skip
    cells = json_of(run(*args, "--json"))["cells"]
    path = tmp_path / "m.csv"
    assert run(*args, "-o", str(path)).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == MATRIX_HEADER
    assert len(rows) - 1 == len(cells) == 2
    us = dict(zip(MATRIX_HEADER, rows[1], strict=True))
    assert (us["mineral"], us["destination"]) == ("gallium", "US")
    # a cell's controls: `id (state)`, strictest first, as --json lists them
    assert us["material"] == "; ".join(f"{c['id']} ({c['state']})" for c in cells[0]["material"])
    assert us["text"] == cells[0]["text"]


def test_the_matrix_as_xlsx_has_its_header_and_a_row_per_cell(run, tmp_path):
    args = ("status", "--matrix", "--as-of", "2026-06-01")
    cells = json_of(run(*args, "--json"))["cells"]
    path = tmp_path / "m.xlsx"
    assert run(*args, "--ids", "-o", str(path)).exit_code == 0
    rows = sheet_rows(path, "matrix")
    assert list(rows[0]) == MATRIX_HEADER
    assert len(rows) - 1 == len(cells) == 130
    assert sheet_rows(path, "about")[:3] == [
        ("answer", "status --matrix"), ("as of", dt.datetime(2026, 6, 1)),
        ("filters", "--ids"),
    ]  # fmt: skip


@pytest.mark.parametrize("matrix", [(), ("--matrix",)])
def test_a_json_file_is_exactly_what_json_prints(run, tmp_path, matrix):
    args = ("status", *matrix, "--as-of", "2026-06-01")
    path = tmp_path / "answer.out"
    assert run(*args, "--format", "json", "-o", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == run(*args, "--json").stdout


def test_format_names_the_format_of_a_file_whose_suffix_is_no_format(run, tmp_path):
    # (a suffix of another format, status.csv with --format xlsx, is refused: see below)
    path = tmp_path / "status.txt"
    assert (
        run("status", "--as-of", "2026-06-01", "--format", "xlsx", "-o", str(path)).exit_code == 0
    )
    assert path.read_bytes()[:2] == b"PK"  # a zip: a workbook


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "-"), "-o: give a file name; the answer goes to stdout without -o (--json for JSON)"),
        (("-o", "{dir}/answer"), "-o {dir}/answer: the name has no suffix to say the format; name the file .csv, .xlsx or .json, or give --format csv, xlsx or json"),
        (("-o", "{dir}/.csv"), "-o {dir}/.csv: '.csv' is a hidden file with no suffix (the dot starts its name); name it answer.csv, or give --format csv"),
        (("-o", "{dir}/s.csv", "--format", "xlsx"), "-o {dir}/s.csv: the name says csv but --format says xlsx; name the file .xlsx, or leave out --format"),
        (("-o", "{dir}/s.ics", "--format", "json"), "-o {dir}/s.ics: the name says ics but --format says json; name the file .json, or leave out --format"),
        (("-o", "{dir}/a.txt"), "-o {dir}/a.txt: '.txt' is not a format of answers; name the file .csv, .xlsx or .json, or give --format csv, xlsx or json"),
        (("-o", "{dir}/a.csv", "--format", "ods"), "--format: unknown format 'ods'; formats: csv, xlsx, json"),
        (("-o", "{dir}/a.xlsx", "--bom"), "--bom goes with csv"),
        (("--bom",), "--bom goes with -o FILE.csv"),
        (("--format", "csv"), "--format goes with -o FILE"),
        (("-o", "{dir}/a.csv", "--json"), "--json prints to stdout; with -o FILE give --format json or a .json file"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    "command", [("status",), ("status", "--matrix"), ("changes",), ("countdown",)]
)
def test_output_options_that_do_not_go_together_are_a_usage_error(
    run, tmp_path, command, args, message
):
    result = run(*command, *(a.format(dir=tmp_path) for a in args))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"reetimeline: error: {message.format(dir=tmp_path)}\n",
    )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced_whole_and_a_read_only_one_is_left_as_it_was(run, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("old\n", encoding="utf-8")
    assert run("status", "--as-of", "2026-06-01", "-o", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8").startswith("id,title,category,kind,")
    locked = tmp_path / "locked.csv"
    locked.write_text("old\n", encoding="utf-8")
    locked.chmod(0o444)
    result = run("status", "--as-of", "2026-06-01", "-o", str(locked))
    assert (result.exit_code, result.stdout) == (1, "")
    assert locked.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.csv", "s.csv"]


HOSTILE = """
    [[events]]
    id = "formula"
    date = 2025-01-02
    title = "=HYPERLINK(\\"https://example.com\\",\\"x\\")"
    category = "export-control"
    minerals = ["gallium"]
    countries = ["CN"]
    sources = [{ title = "Report", url = "https://example.com/r" }]
"""


def test_a_title_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(run, write_store, tmp_path):
    store = write_store(HOSTILE)
    title = '=HYPERLINK("https://example.com","x")'
    path = tmp_path / "s.csv"
    assert (
        run("--store", str(store), "status", "--as-of", "2026-06-01", "-o", str(path)).exit_code
        == 0
    )
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[1][:3] == ["formula", "'" + title, "export-control"]
    book = tmp_path / "s.xlsx"
    assert (
        run("--store", str(store), "status", "--as-of", "2026-06-01", "-o", str(book)).exit_code
        == 0
    )
    cell = openpyxl.load_workbook(book)["status"]["B2"]
    assert (cell.value, cell.data_type) == (title, "s")


# --- export's state and runs_until ------------------------------------------------------------


def exported(run, *args: str) -> dict[str, dict[str, str]]:
    result = run("export", "--format", "csv", *args)
    assert result.exit_code == 0, result.stderr
    return {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout, newline=""))}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-06-01", {"us-section-122-surcharge": ("in-force", "2026-07-24"),
                        "no-46-clause-2-us-ga-ge-sb-ban": ("suspended", ""),
                        "mofcom-suspends-us-ga-ge-sb-ban": ("", "2026-11-27"),
                        "china-halts-rare-earths-to-japan-2010": ("expired", "2010-11")}),
        ("2026-12-06", {"us-section-122-surcharge": ("expired", "2026-07-24"),
                        "no-46-clause-2-us-ga-ge-sb-ban": ("unconfirmed", ""),
                        "mofcom-suspends-us-ga-ge-sb-ban": ("", "2026-11-27"),
                        "china-halts-rare-earths-to-japan-2010": ("expired", "2010-11")}),
    ],
)  # fmt: skip
def test_export_has_each_measures_state_and_end_as_of_the_as_of_date(run, as_of, expected):
    rows = exported(run, "--as-of", as_of)
    assert {i: (rows[i]["state"], rows[i]["runs_until"]) for i in expected} == expected
    assert list(rows["us-section-122-surcharge"])[-3:] == ["state", "runs_until", "from"]


def test_a_measure_announced_after_the_as_of_date_has_no_state_yet(run):
    rows = exported(run, "--as-of", "2026-01-01")
    assert (
        rows["us-section-122-surcharge"]["state"],
        rows["us-section-122-surcharge"]["runs_until"],
    ) == ("", "")


def test_an_export_with_state_columns_imports_again(run, tmp_path):
    path = tmp_path / "all.csv"
    assert run("export", "--as-of", "2026-06-01", "-o", str(path)).exit_code == 0
    store = tmp_path / "copy.toml"
    result = run("--store", str(store), "import", str(path))
    assert result.exit_code == 0, result.stderr
    again = run("--store", str(store), "export", "--format", "json")
    back, first = json.loads(again.stdout), json.loads(run("export", "--format", "json").stdout)
    # the rows now belong to the store they were imported into
    assert ({e.pop("from") for e in back}, {e.pop("from") for e in first}) == (
        {"team:copy.toml"}, {"curated"})  # fmt: skip
    assert back == first


def test_an_answer_as_csv_loads_neither_openpyxl_nor_rich(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from reetimeline.cli import main\ntry:\n    main()\nexcept SystemExit:\n"
        "    pass\nsys.stderr.write(str(sorted(m for m in ('openpyxl', 'rich') if m in sys.modules)))"
    )
    path = tmp_path / "s.csv"
    args = ["status", "--as-of", "2026-06-01", "-o", str(path)]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert (result.stdout, result.stderr.rsplit("\n", 1)[-1]) == ("", "[]")
    assert path.read_text(encoding="utf-8").startswith("id,title,")


def test_the_about_sheet_names_the_filters_and_the_id_as_given(run, tmp_path):
    path = tmp_path / "one.xlsx"
    args = ("status", "ga-ge-export-licensing", "-m", "gallium", "--as-of", "2026-06-01")
    result = run(*args, "-o", str(path))
    assert result.exit_code == 0, result.stderr
    assert [row[0] for row in sheet_rows(path, "status")] == ["id", "ga-ge-export-licensing"]
    assert sheet_rows(path, "about")[:4] == [
        ("answer", "status"),
        ("as of", dt.datetime(2026, 6, 1)),
        ("filters", "-m gallium ga-ge-export-licensing"),
        ("rows", 1),
    ]
