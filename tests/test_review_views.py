"""The reviewer's findings on the views: the window of `changes`, references without a link on
the page, `runs_until` of an ended measure, the matrix's marker of press reports, stderr hints
wrapped at word boundaries, and the wording of bad options."""

import datetime as dt

import pytest

import reetimeline.api as ree
from reetimeline.errors import UsageError

from .conftest import json_of

# --- 1. changes look back: a bound after the as-of date is a usage error ------------------------


def test_changes_until_after_the_as_of_date_is_a_usage_error(run, tmp_path):
    result = run("changes", "--as-of", "2026-12-07", "--since", "2026-12-20", "--until",
                 "2027-02-01", "-o", str(tmp_path / "z.xlsx"))  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "reetimeline: error: --until 2027-02-01 is after the as-of date 2026-12-07; changes look "
        "back: give --as-of 2027-02-01, or see what is scheduled with countdown\n")  # fmt: skip
    assert not (tmp_path / "z.xlsx").exists()


def test_changes_since_after_the_as_of_date_is_a_usage_error(run):
    result = run("changes", "--as-of", "2026-12-07", "--since", "2027")
    assert result.exit_code == 2
    assert result.stderr == (
        "reetimeline: error: --since 2027 is after the as-of date 2026-12-07; changes look "
        "back: give --as-of 2027-01-01, or see what is scheduled with countdown\n")  # fmt: skip


def test_changes_until_a_month_that_holds_the_as_of_date_ends_on_it(run, tmp_path):
    import openpyxl

    path = tmp_path / "c.xlsx"
    result = run("changes", "--as-of", "2026-12-07", "--until", "2026-12", "-o", str(path))
    assert result.exit_code == 0
    about = dict(openpyxl.load_workbook(path)["about"].iter_rows(values_only=True))
    assert about["window"] == "2026-11-30 to 2026-12-07"


def test_python_changes_refuses_a_last_day_after_as_of():
    with pytest.raises(UsageError) as caught:
        ree.changes(as_of=dt.date(2026, 12, 7), last=dt.date(2027, 1, 1))
    assert str(caught.value) == ("last 2027-01-01 is after the as-of date 2026-12-07; changes "
                                 "look back: give as_of 2027-01-01, or see what is scheduled with "
                                 "countdown")  # fmt: skip


# --- 2. a reference without a link is its title as text, on the page and in TimelineJS ----------

FIVE_SOURCES = """
current_to = 2026-12-01

[[events]]
id = "quota"
date = 2026-03-02
title = "Quota"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["all"]
sources = [
    { title = "Linked one", url = "https://example.com/one" },
    { title = "Memo <internal> & notes" },
    { title = "Linked two", url = "https://example.com/two", publisher = "Ministry" },
    { title = "Customs circular 12" },
    { title = "Phone call with supplier" },
]
"""


def test_report_shows_references_without_a_link_as_text(run, write_store, tmp_path):
    import re

    store = str(write_store(FIVE_SOURCES))
    page = tmp_path / "r.html"
    result = run("--store", store, "report", "--as-of", "2026-12-06", "-o", str(page))
    assert result.exit_code == 0
    text = page.read_text()
    listed = re.search(r'<ol class="sources">(.*?)</ol>', text)
    assert listed is not None
    assert listed.group(1) == (
        '<li><a href="https://example.com/one" rel="noreferrer noopener">Linked one</a></li>'
        "<li>Memo &lt;internal&gt; &amp; notes</li>"
        '<li><a href="https://example.com/two" rel="noreferrer noopener">Linked two</a>'
        " (Ministry)</li>"
        "<li>Customs circular 12</li>"
        "<li>Phone call with supplier</li>"
    )
    assert '<a href="">' not in text


def test_timelinejs_shows_references_without_a_link_as_text(run, write_store):
    store = str(write_store(FIVE_SOURCES))
    data = json_of(run("--store", store, "export", "--format", "timelinejs"))
    (slide,) = [e for e in data["events"] if e["text"]["headline"] == "Quota"]
    assert slide["text"]["text"] == (
        '<p>Sources: <a href="https://example.com/one">Linked one</a>; '
        "Memo &lt;internal&gt; &amp; notes; "
        '<a href="https://example.com/two">Linked two</a>; Customs circular 12; '
        "Phone call with supplier</p><p>facts checked to 2026-12-01</p>"
    )


def test_xlsx_source_columns_keep_the_title_of_a_reference_without_a_link(run, write_store,
                                                                          tmp_path):  # fmt: skip
    import openpyxl

    store = str(write_store(FIVE_SOURCES))
    path = tmp_path / "e.xlsx"
    assert run("--store", store, "export", "--format", "xlsx", "-o", str(path)).exit_code == 0
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    cells = [row[header.index(f"source {n}")] for n in range(1, 6)]
    assert [c.value for c in cells] == ["Linked one", "Memo <internal> & notes", "Linked two",
                                        "Customs circular 12", "Phone call with supplier"]
    assert [c.hyperlink.target if c.hyperlink else None for c in cells] == [
        "https://example.com/one", None, "https://example.com/two", None, None]  # fmt: skip


# --- 3. runs_until of an ended measure: the day before its end, a date cell in the xlsx ---------


def test_export_runs_until_of_a_measure_ended_without_an_expiry(run):
    import csv
    import io

    result = run("export", "--format", "csv", "--as-of", "2026-12-06")
    assert result.exit_code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout, newline=""))}
    # ended by the Supreme Court ruling, whose collection stop took effect on 2026-02-24
    tariff = rows["us-fentanyl-tariff-on-china"]
    assert (tariff["state"], tariff["runs_until"]) == ("ended", "2026-02-23")
    # a measure nothing bounds has none
    assert rows["no-46-clause-2-us-ga-ge-sb-ban"]["runs_until"] == ""


def test_show_says_the_same_runs_until(run):
    shown = run("show", "us-fentanyl-tariff-on-china", "--as-of", "2026-12-06")
    assert "runs until\t2026-02-23 (ended by scotus-ieepa-tariffs-struck-down)\n" in shown.stdout
    record = json_of(run("show", "us-fentanyl-tariff-on-china", "--as-of", "2026-12-06",
                         "--json"))  # fmt: skip
    assert record["runs_until"] == "2026-02-23"


def test_export_xlsx_runs_until_is_a_date_cell_for_a_day_and_text_for_a_month(run, tmp_path):
    import openpyxl

    path = tmp_path / "e.xlsx"
    assert run("export", "--format", "xlsx", "--as-of", "2026-12-06", "-o",
               str(path)).exit_code == 0  # fmt: skip
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {r[header.index("id")].value: r[header.index("runs_until")] for r in
             sheet.iter_rows(min_row=2)}  # fmt: skip
    day = cells["us-fentanyl-tariff-on-china"]
    assert (day.value, day.number_format) == (dt.datetime(2026, 2, 23), "yyyy-mm-dd")
    month = cells["china-halts-rare-earths-to-japan-2010"]
    assert (month.value, month.data_type) == ("2010-11", "s")
    assert cells["no-46-clause-2-us-ga-ge-sb-ban"].value is None


# --- 4. the matrix marks a control that rests on press reports, in every form -----------------

FREEZE = "rare-earth-licence-freeze-japan-reports"  # confidence = "reported"
DY_JP = ("licensing in force; informal restriction in force (reported); + end-use ban in force; "
         "+ entity listing in force ×2; + technology control in force; + technology control "
         "unconfirmed ×2; + extraterritorial control unconfirmed")  # fmt: skip
MATRIX = ("status", "--matrix", "-m", "dysprosium", "--to", "JP", "--as-of", "2026-12-07")


def test_piped_matrix_marks_a_reported_control(run):
    result = run(*MATRIX)
    assert result.stdout == f"mineral\tJP\ndysprosium\t{DY_JP}\n"
    with_ids = run(*MATRIX, "--ids").stdout.splitlines()[1].split("; ")
    assert with_ids[1] == f"informal restriction in force (reported) ({FREEZE})"


def test_matrix_json_csv_and_xlsx_text_mark_a_reported_control(run, tmp_path):
    import csv

    import openpyxl

    (cell,) = json_of(run(*MATRIX, "--json"))["cells"]
    assert cell["text"] == DY_JP
    assert run(*MATRIX, "-o", str(tmp_path / "m.csv")).exit_code == 0
    with open(tmp_path / "m.csv", newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["text"] == DY_JP
    assert run(*MATRIX, "-o", str(tmp_path / "m.xlsx")).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("text") + 1).value == DY_JP


def test_terminal_matrix_marks_a_reported_control_and_its_legend_says_so():
    from .test_words import in_pty

    screen, _stderr = in_pty(*MATRIX, "--ids")
    lines = screen.split("\n")
    assert lines[:4] == [
        "mineral      JP",
        "─" * 55,
        "dysprosium   licensing in force 1",
        "             informal restriction in force (reported) 2",
    ]
    assert lines[16:19] == [
        "unknown': an unclassified control, read as one on the material; '(reported)':",
        "the control rests on press reports (sources: reported); 'unconfirmed' is a state",
        "(a change was due after the data's horizon and nothing reports it), not how sure",
    ]


def test_report_matrix_marks_a_reported_control(run, tmp_path):
    page = tmp_path / "r.html"
    assert run("report", "--as-of", "2026-12-07", "-m", "dysprosium", "--to", "JP", "-o",
               str(page)).exit_code == 0  # fmt: skip
    text = page.read_text()
    # the cell's badge says "in force"; the control's line does not say it again
    assert ('<td data-label="JP"><span class="state state-in-force">in force</span> <span '
            'class="count">9 controls</span><ul class="ids"><li class="material">licensing '
            '<span class="id">seven-<wbr>medium-<wbr>heavy-<wbr>ree-<wbr>controls</span></li>'
            '<li class="material">informal restriction (reported) '
            f'<a class="id" href="#{FREEZE}">') in text  # fmt: skip
    assert "&#x27;(reported)&#x27;: the control rests on press reports (sources: reported)" in text


# --- 5. messages on stderr wrap at spaces on a terminal, one line in a pipe --------------------


def in_ptys(*args: str, columns: int = 80) -> tuple[str, str]:
    """Run the tool with stdout and stderr each on a pseudo-terminal COLUMNS wide (no colour);
    what each showed."""
    import os
    import pty
    import select
    import subprocess
    import sys

    masters, slaves = zip(*(pty.openpty() for _ in range(2)), strict=True)
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.Popen([sys.executable, "-m", "reetimeline", "--color", "never", *args],
                            stdout=slaves[0], stderr=slaves[1], stdin=subprocess.DEVNULL,
                            env=env)  # fmt: skip
    for slave in slaves:
        os.close(slave)
    chunks: dict[int, list[bytes]] = {m: [] for m in masters}
    reading = set(masters)
    while reading:
        ready, _, _ = select.select(list(reading), [], [])
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed: Linux says EIO
                chunk = b""
            if chunk:
                chunks[fd].append(chunk)
            else:
                reading.discard(fd)
                os.close(fd)
    proc.wait()
    out, err = (b"".join(chunks[m]).decode().replace("\r\n", "\n") for m in masters)
    return out, err


def test_a_hint_on_a_terminal_wraps_between_words_at_80_columns():
    _screen, stderr = in_ptys("list", "-m", "ndfeb-magnets")
    assert stderr.split("\n")[:2] == [
        "7 of the 9 rows match ndfeb-magnets only through magnets; --exact keeps the 2",
        "that name ndfeb-magnets",
    ]


def test_an_error_on_a_terminal_wraps_between_words_and_keeps_ids_whole():
    _screen, stderr = in_ptys("changes", "--as-of", "2026-12-07", "--until", "2027-02-01",
                              "-m", "dysprosium")  # fmt: skip
    assert stderr == (
        "reetimeline: error: --until 2027-02-01 is after the as-of date 2026-12-07;\n"
        "changes look back: give --as-of 2027-02-01, or see what is scheduled with\n"
        "countdown\n"
    )
    _screen, stderr = in_ptys("status", "-q", "No. 70", "--as-of", "2026-06-01", columns=40)
    lines = stderr.split("\n")
    assert lines[:4] == ["-q also matches", "mofcom-suspends-october-measures: the",
                         "measures it acts on are listed too",
                         "data: curated store current to"]  # fmt: skip
    assert max(len(line) for line in lines) <= 40


def test_a_hint_in_a_pipe_stays_one_line(run):
    result = run("changes", "--as-of", "2026-12-07", "--until", "2027-02-01")
    assert result.stderr.count("\n") == 1


def test_wrapped_breaks_only_at_spaces():
    from reetimeline.cli.printing import wrapped

    assert wrapped("see rare-earth-licence-freeze-japan-reports now", 20) == [
        "see", "rare-earth-licence-freeze-japan-reports", "now"]  # fmt: skip
    assert wrapped("", 20) == [""]
