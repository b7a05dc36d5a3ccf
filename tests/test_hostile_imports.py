"""Hostile import files (issue 21): a zip bomb, malformed and entity-laden sheets, a FIFO, and
the bounds on cells, rows and text. Each is one line naming the file (and the row), exit 1, and
the store byte-identical."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from reetimeline.output.formats import cells

OLD_STORE = """\
[[events]]
id = "old"
date = 2025-01-01
title = "Old"
category = "other"
"""

_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
)
_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, *texts: str) -> str:
    refs = "ABCDEFGH"
    cells_xml = "".join(_inline(f"{refs[i]}{number}", t) for i, t in enumerate(texts))
    return f'<row r="{number}">{cells_xml}</row>'


HEADER = _row(1, "id", "date", "title", "category")
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}><sheetData>'
SHEET_END = "</sheetData></worksheet>"


def workbook(path: Path, sheet: str | None = None, *, sheet_chunks=None, strings=None) -> Path:
    """A minimal workbook written with zipfile: one sheet `events` (its XML given whole, or as
    an iterable of chunks, streamed into the archive), and shared strings when given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("_rels/.rels", _RELS + f'<Relationship Id="rId1" Type="{_TYPE}'
                      'officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
        book.writestr("xl/workbook.xml", f'<workbook {_MAIN} xmlns:r="{_TYPE[:-15]}'
                      'relationships"><sheets><sheet name="events" sheetId="1" r:id="rId1"/>'
                      "</sheets></workbook>")  # fmt: skip
        relations = (f'<Relationship Id="rId1" Type="{_TYPE}worksheet" '
                     'Target="worksheets/sheet1.xml"/>')  # fmt: skip
        if strings is not None:
            relations += (f'<Relationship Id="rId2" Type="{_TYPE}sharedStrings" '
                          'Target="sharedStrings.xml"/>')  # fmt: skip
        book.writestr("xl/_rels/workbook.xml.rels", _RELS + relations + "</Relationships>")
        for member, content in (("xl/worksheets/sheet1.xml", sheet_chunks or [sheet]),
                                ("xl/sharedStrings.xml", strings)):  # fmt: skip
            if content is None:
                continue
            with book.open(member, "w", force_zip64=True) as handle:
                for chunk in content:
                    handle.write(chunk.encode("utf-8"))
    return path


def store(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "events.toml"
    path.write_text(OLD_STORE, encoding="utf-8")
    return path, path.read_bytes()


def test_a_minimal_workbook_imports(run, tmp_path):
    """The builder makes a workbook the reader takes: the refusals below are about their
    payloads, not the builder."""
    target, _old = store(tmp_path)
    book = workbook(tmp_path / "ok.xlsx",
                    SHEET_START + HEADER + _row(2, "new", "2026-02-03", "New &amp; more", "other")
                    + SHEET_END)  # fmt: skip
    result = run("--store", str(target), "import", str(book))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"added 1 event to {target}\n")  # fmt: skip
    assert target.read_text(encoding="utf-8").endswith('title = "New & more"\ncategory = "other"\n')


MIB = 1 << 20
BOMB_MIB = 300


def _bomb_cell():
    yield '<sst count="2" uniqueCount="2"><si><t>title</t></si><si><t>'
    chunk = "A" * MIB
    for _ in range(BOMB_MIB):
        yield chunk
    yield "</t></si></sst>"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """312 KB on disk, one 300 MB cell unpacked: the cell is a shared string (as spreadsheets
    write text), streamed into the archive a MiB at a time."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    sheet = (SHEET_START + HEADER + '<row r="2">' + _inline("A2", "bomb")
             + _inline("B2", "2026-01-01") + '<c r="C2" t="s"><v>1</v></c>'
             + _inline("D2", "other") + "</row>" + SHEET_END)  # fmt: skip
    return workbook(path, sheet, strings=_bomb_cell())


def test_the_bomb_is_small_on_disk_and_huge_unpacked(bomb):
    with zipfile.ZipFile(bomb) as book:
        unpacked = book.getinfo("xl/sharedStrings.xml").file_size
    assert bomb.stat().st_size < 400_000
    assert unpacked == BOMB_MIB * MIB + len('<sst count="2" uniqueCount="2"><si><t>title</t></si>'
                                           "<si><t></t></si></sst>")  # fmt: skip


def test_a_zip_bomb_is_refused_fast_in_little_memory(bomb, tmp_path):
    target, old = store(tmp_path)
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    command = [sys.executable, "-m", "reetimeline", "--store", str(target), "import", str(bomb)]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=60)
    elapsed = time.perf_counter() - start
    # the child's own peak resident memory, measured by the kernel: os.wait4 would need the
    # child unreaped, so it is read from a fresh interpreter that runs only this import
    peak_kib = _peak_kib(command, env)
    print(f"bomb refused in {elapsed:.2f} s, peak RSS {peak_kib / 1024:.0f} MiB")
    assert process.returncode == 1
    assert out == b""
    assert err.decode() == (f"{bomb}: xl/sharedStrings.xml: string 2 is longer than 32,767 "
                            "characters, the most a cell holds\n")  # fmt: skip
    assert elapsed < 10
    assert peak_kib < 300 * 1024
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.toml"]


def _peak_kib(command: list[str], env: dict[str, str]) -> int:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 1
    return usage.ru_maxrss  # KiB on Linux


def test_a_long_inline_cell_is_refused_at_its_row(run, tmp_path):
    target, old = store(tmp_path)
    long_cell = "B" * (cells.MAX_XLSX_CELL + 1)
    book = workbook(tmp_path / "long.xlsx", SHEET_START + HEADER
                    + _row(2, "ok", "2026-01-01", "Fine", "other")
                    + _row(3, "long", "2026-01-01", long_cell, "other") + SHEET_END)  # fmt: skip
    result = run("--store", str(target), "import", str(book))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"{book}: row 3: a cell is longer than 32,767 characters, the most a cell holds\n")
    assert target.read_bytes() == old


def _patched_size(path: Path, member: str, size: int) -> None:
    """Make the central directory declare `size` unpacked bytes for `member`."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def test_a_part_declared_larger_than_the_bound_is_refused_before_it_is_read(run, tmp_path):
    target, old = store(tmp_path)
    book = workbook(tmp_path / "declared.xlsx", SHEET_START + HEADER + SHEET_END)
    _patched_size(book, "xl/worksheets/sheet1.xml", 0xFFFF_FFF0)
    result = run("--store", str(target), "import", str(book))
    assert (result.exit_code, result.stderr) == (
        1, f"{book}: xl/worksheets/sheet1.xml would unpack to 4,294,967,280 bytes, more than the "
           "1,073,741,824 a part of a workbook may\n")  # fmt: skip
    assert target.read_bytes() == old


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + f"]><worksheet {_MAIN}><sheetData>{HEADER}"
    + '<row r="2"><c r="A2" t="inlineStr"><is><t>&j;</t></is></c></row>' + SHEET_END
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"<worksheet {_MAIN}><sheetData>{HEADER}"
    '<row r="2"><c r="A2" t="inlineStr"><is><t>&x;</t></is></c></row>' + SHEET_END
)
WHOLE = SHEET_START + HEADER + _row(2, "x", "2026-01-01", "X", "other") + SHEET_END
CUT = WHOLE.index('<row r="2">')  # the sheet cut in half: at a tag, or inside one


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (WHOLE[:CUT], "xl/worksheets/sheet1.xml: not well-formed XML: no element found (line 1, "
         f"column {CUT + 1})"),
        (WHOLE[: CUT + 5], "xl/worksheets/sheet1.xml: not well-formed XML: unclosed token (line "
         f"1, column {CUT + 1})"),
        (ENTITY_BOMB, "xl/worksheets/sheet1.xml holds a document type declaration, which no "
         "workbook has (entities are not expanded)"),
        (EXTERNAL, "xl/worksheets/sheet1.xml holds a document type declaration, which no "
         "workbook has (entities are not expanded)"),
        (WHOLE.replace("X</t>", "&nbsp;</t>"), "xl/worksheets/sheet1.xml: not well-formed XML: "
         f"undefined entity (line 1, column {WHOLE.index('X</t>') + 1})"),
        (SHEET_START + HEADER + "<!--" + "c" * (5 * MIB) + "-->" + SHEET_END,
         "xl/worksheets/sheet1.xml: an XML tag or comment longer than 4,194,304 bytes"),
    ],
    ids=["truncated", "truncated-in-a-tag", "entity-bomb", "external-entity", "undefined-entity",
         "endless-comment"],
)  # fmt: skip
def test_a_malformed_sheet_is_one_line_and_exit_1(run, tmp_path, sheet, message):
    target, old = store(tmp_path)
    book = workbook(tmp_path / "bad.xlsx", sheet)
    result = run("--store", str(target), "import", str(book))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"{book}: {message}\n")
    assert target.read_bytes() == old


def test_an_xlsx_path_that_is_a_fifo_is_refused_at_once(tmp_path):
    target, old = store(tmp_path)
    fifo = tmp_path / "book.xlsx"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "reetimeline", "--store", str(target), "import", str(fifo)]
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{fifo}: is a named pipe (FIFO); a workbook must be a regular file\n")
    assert target.read_bytes() == old


def test_a_csv_cell_over_the_bound_names_its_row(run, tmp_path):
    target, old = store(tmp_path)
    csv_file = tmp_path / "long.csv"
    csv_file.write_text("id,date,title,category\r\nok,2026-01-01,Fine,other\r\n"
                        f"long,2026-01-01,{'C' * (cells.MAX_CELL + 1)},other\r\n")  # fmt: skip
    result = run("--store", str(target), "import", str(csv_file))
    assert (result.exit_code, result.stderr) == (
        1, f"{csv_file}: row 3: a cell is longer than 131,072 characters, the most a cell may "
           "hold\n")  # fmt: skip
    assert target.read_bytes() == old


def test_a_json_string_over_the_bound_names_its_item(run, tmp_path):
    target, old = store(tmp_path)
    batch = tmp_path / "long.json"
    batch.write_text('[{"id": "ok", "date": "2026", "title": "Fine", "category": "other"},\n'
                     '{"id": "long", "date": "2026", "title": "Long", "category": "other", '
                     f'"sources": [{{"title": "{"D" * (cells.MAX_CELL + 1)}", '
                     '"url": "https://example.org/"}]}]')  # fmt: skip
    result = run("--store", str(target), "import", str(batch))
    assert (result.exit_code, result.stderr) == (
        1, f"{batch}: item 2: a value is longer than 131,072 characters, the most a field may "
           "hold\n")  # fmt: skip
    assert target.read_bytes() == old


def test_rows_and_text_over_the_bounds_are_refused(run, tmp_path, monkeypatch):
    """The bounds are checked as rows arrive (lowered here, so the test stays small)."""
    target, old = store(tmp_path)
    lines = "".join(f'{{"id": "e{n}", "date": "2026", "title": "Title {n}", '
                    '"category": "other"}\n' for n in range(5))  # fmt: skip
    batch = tmp_path / "rows.jsonl"
    batch.write_text(lines)
    monkeypatch.setattr(cells, "MAX_ROWS", 3)
    result = run("--store", str(target), "import", str(batch))
    assert (result.exit_code, result.stderr) == (
        1, f"{batch}:4: has more than 3 lines, the most one import reads\n")
    monkeypatch.setattr(cells, "MAX_ROWS", 1_000_000)
    monkeypatch.setattr(cells, "MAX_TEXT", 60)
    result = run("--store", str(target), "import", str(batch))
    # each line holds 37 characters of text (keys 19, values 2 + 4 + 7 + 5): the second passes 60
    assert (result.exit_code, result.stderr) == (
        1, f"{batch}:2: the lines up to here hold more than 60 characters of text, more than a "
           "store may hold\n")  # fmt: skip
    assert target.read_bytes() == old


def test_an_append_that_would_pass_the_store_bound_writes_nothing(tmp_path, monkeypatch):
    """The last check is on the bytes themselves: a store must stay readable by a fresh parse."""
    from reetimeline.errors import DataError
    from reetimeline.model import Event, PartialDate
    from reetimeline.store import write

    target, old = store(tmp_path)
    monkeypatch.setattr(write, "MAX_STORE_BYTES", len(old) + 60)
    event = Event(id="new", date=PartialDate(2026), title="N" * 40, category="other")
    with pytest.raises(DataError) as caught:
        write.append_events(target, [event])
    assert [str(p) for p in caught.value.problems] == [
        f"{target}: would grow to 180 bytes, more than the 0 MiB a store may hold; nothing was "
        "written"
    ]
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.toml"]


def test_an_archive_listing_too_many_parts_is_refused_before_its_directory_is_read(run, tmp_path):
    """zipfile would hold a record per listed part: the end record's counts are checked first
    (here written by zipfile itself, with 10,001 empty parts)."""
    target, old = store(tmp_path)
    book = tmp_path / "many.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        for number in range(10_001):
            archive.writestr(f"p{number}", b"")
    # a directory entry is 46 bytes and the part's name
    directory = 46 * 10_001 + sum(len(f"p{number}") for number in range(10_001))
    result = run("--store", str(target), "import", str(book))
    assert (result.exit_code, result.stderr) == (
        1, f"{book}: lists 10,001 parts in {directory:,} bytes; a workbook has a few dozen (at "
           "most 10,000 are read)\n")  # fmt: skip
    assert target.read_bytes() == old
