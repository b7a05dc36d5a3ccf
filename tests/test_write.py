"""Appending events: every old byte kept, atomic replace, locking, and nothing lost."""

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetimeline.errors import WriteError
from reetimeline.ids import derive_id, next_free_id
from reetimeline.store import load
from reetimeline.store.parse import NEW_STORE_HEADER
from reetimeline.store.write import append_events, render_events_toml
from tests.test_export import events as random_events

OLD = """\
# My team's events. Keep this comment!
schema = 1

[[events]]
id = "old"   # an inline comment
date = 2025-01-01
title = "Old event"
category = "other"
"""


def test_add_keeps_every_old_byte(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    result = run(
        "--store", str(path), "add", "--date", "2026-11-27", "--title", "Suspension lapses",
        "-k", "suspension", "-m", "Ga", "-c", "US", "--source-url", "https://example.com/r",
        "--source-title", "Report",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "2026-11-27-suspension-lapses\n")
    assert result.stderr == f"added '2026-11-27-suspension-lapses' to {path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(OLD)
    assert text[len(OLD) :] == (
        "\n[[events]]\n"
        'id = "2026-11-27-suspension-lapses"\n'
        "date = 2026-11-27\n"
        'title = "Suspension lapses"\n'
        'category = "suspension"\n'
        'minerals = [\n    "gallium",\n]\n'
        'countries = [\n    "US",\n]\n'
        'sources = [\n    { title = "Report", url = "https://example.com/r" },\n]\n'
    )
    assert [e.id for e in load([path]).events] == ["old", "2026-11-27-suspension-lapses"]


def test_add_validates_like_check_and_writes_nothing_on_error(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    result = run(
        "--store", str(path), "add", "--date", "2025-02-30", "--title", "X", "-m", "dysprosim",
        "--suspends", "nope",
    )  # fmt: skip
    # what is wrong came from the command line: a usage error naming each option
    assert result.exit_code == 2
    assert result.stderr == (
        "reetimeline: error: --date: 2025-02 has no day 30 (it has 28)\n"
        "reetimeline: error: --mineral: unknown mineral 'dysprosim' (did you mean 'dysprosium'?)\n"
    )
    assert path.read_text(encoding="utf-8") == OLD


def test_add_refuses_an_existing_id_and_derives_a_free_one(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    taken = run("--store", str(path), "add", "--date", "2025-01-01", "--title", "T", "--id", "old")
    assert (taken.exit_code, taken.stderr) == (
        2,
        "reetimeline: error: --id: 'old' already exists\n",
    )
    first = run("--store", str(path), "add", "--date", "2025-01-01", "--title", "Old event")
    second = run("--store", str(path), "add", "--date", "2025-01-01", "--title", "Old event")
    assert (first.stdout, second.stdout) == ("2025-01-01-old-event\n", "2025-01-01-old-event-2\n")


def test_add_creates_the_user_store_with_a_header(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = run("add", "--date", "2026-11", "--title", "My note", "--suspends",
                 "mofcom-suspends-us-ga-ge-sb-ban", "-k", "other")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "data" / "reetimeline" / "events.toml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(NEW_STORE_HEADER)
    assert 'date = "2026-11"' in text
    # the user store is now merged with the curated one
    listed = run("list", "--json", "-q", "My note")
    assert '"id": "2026-11-my-note"' in listed.stdout


def test_a_new_store_used_alone_does_not_claim_a_merge(run, tmp_path):
    path = tmp_path / "alone.toml"
    assert run("--store", str(path), "add", "--date", "2026", "--title", "Mine").exit_code == 0
    header = path.read_text(encoding="utf-8").split("\n[[events]]")[0]
    assert header == NEW_STORE_HEADER
    assert header.splitlines()[:2] == [
        "# reetimeline store: your own events. reetimeline reads them beside the curated store,",
        "# unless --store (or REETIMELINE_STORE) names the stores to read instead.",
    ]
    # and indeed, named by --store, it is read alone
    assert run("--store", str(path), "check").stdout == f"ok: 1 event in {path}\n"


def test_ids_are_derived_from_date_and_title():
    assert derive_id("2026-11-27", "Suspension lapses?") == "2026-11-27-suspension-lapses"
    assert derive_id("2026", "Réunion à Évian") == "2026-reunion-a-evian"
    assert derive_id("2026", "镝") == "2026"
    assert next_free_id("a", {"a", "a-2"}) == "a-3"


def test_derived_ids_are_cut_between_words_after_the_date():
    # the title: the old rule cut it at 60 characters, mid-word ("...-valid-unti")
    title = "Supplier Y Tb metal quote USD 1,450/kg valid until end of month"
    assert derive_id("2026-12-05", title) == "2026-12-05-supplier-y-tb-metal-quote-usd-1-450-kg"
    # a `-` right after the 40th character: the 40 characters are whole words
    assert derive_id("2026", "a" * 38 + " b c") == "2026-" + "a" * 38 + "-b"
    assert derive_id("2026", "a" * 40 + " b") == "2026-" + "a" * 40
    assert derive_id("2026", "a" * 45) == "2026-" + "a" * 40  # one word too long: cut inside


def test_add_with_a_long_title_derives_a_short_stable_unique_id(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    words = "Provisional measures on the export of refined dysprosium terbium and yttrium oxide"
    title = f"{words} under licence pending review by China"
    assert len(title) == 120
    first = run("--store", str(path), "add", "--date", "2026-12-05", "--title", title)
    second = run("--store", str(path), "add", "--date", "2026-12-05", "--title", title)
    assert (first.exit_code, second.exit_code) == (0, 0)
    # cut between words, less the little word "of" that would end it
    derived = "2026-12-05-provisional-measures-on-the-export"
    assert (first.stdout, second.stdout) == (f"{derived}\n", f"{derived}-2\n")
    words_part = derived.removeprefix("2026-12-05-")
    assert len(words_part) <= 40 and title.casefold().replace(" ", "-").startswith(words_part)
    assert title[len(words_part)] == " "  # the next character of the title starts a new word


def test_a_symlinked_store_is_written_through_and_permissions_kept(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text(OLD, encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    [new] = load([_one_event_store(tmp_path)]).events
    append_events(link, [new])
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith(OLD)
    assert [e.id for e in load([link]).events] == ["old", "new"]
    assert real.stat().st_mode & 0o777 == 0o640


def _one_event_store(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('[[events]]\nid = "new"\ndate = 2026-01-01\ntitle = "N"\ncategory = "other"\n')
    return path


def test_a_failing_write_leaves_the_store_intact(tmp_path, monkeypatch):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    [new] = load([_one_event_store(tmp_path)]).events

    def full_disk(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(WriteError) as error:
        append_events(path, [new])
    assert (
        str(error.value) == f"{path}: cannot write: No space left on device; the file is unchanged"
    )
    assert path.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.toml", "one.toml"]


def test_a_store_changed_on_disk_during_the_write_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    [new] = load([_one_event_store(tmp_path)]).events
    real_chmod = os.chmod

    def someone_edits(name, mode):
        real_chmod(name, mode)
        path.write_text(OLD + "# edited by hand\n", encoding="utf-8")

    monkeypatch.setattr(os, "chmod", someone_edits)
    with pytest.raises(WriteError) as error:
        append_events(path, [new])
    assert "changed on disk while it was being written" in str(error.value)
    assert path.read_text(encoding="utf-8") == OLD + "# edited by hand\n"


def test_a_read_only_folder_gives_a_clear_error(run, tmp_path, monkeypatch):
    # Simulated: the suite runs as root in CI, and root may write into a 0o500 folder.
    import tempfile

    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    result = run("--store", str(path), "add", "--date", "2026", "--title", "X")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{path}: cannot write: Permission denied; the file is unchanged\n"
    assert path.read_text(encoding="utf-8") == OLD


def test_a_store_that_cannot_be_locked_gives_a_clear_error(run, tmp_path, monkeypatch):
    import fcntl

    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")

    def no_locks(*_args):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    result = run("--store", str(path), "add", "--date", "2026", "--title", "X")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: cannot lock the store: No locks available; nothing was written\n"
    )
    assert path.read_text(encoding="utf-8") == OLD


def test_the_lock_is_taken_again_on_the_file_a_writer_put_in_place(tmp_path, monkeypatch):
    """A writer waiting for the lock of a store that another replaced meanwhile locks the new
    file; one waiting to create a store that another created locks the created file."""
    import fcntl

    from reetimeline.store import write

    path = tmp_path / "events.toml"
    locked: list[tuple[str, int]] = []
    real_flock = fcntl.flock

    def flock(fd, operation):
        real_flock(fd, operation)
        info = os.fstat(fd)
        locked.append(("folder" if stat.S_ISDIR(info.st_mode) else "file", info.st_ino))
        if len(locked) == 1:  # someone else creates the store while we wait
            path.write_text(OLD, encoding="utf-8")
        elif len(locked) == 2:  # ... and replaces it
            path.with_name("new").write_text(OLD, encoding="utf-8")
            path.with_name("new").replace(path)

    monkeypatch.setattr(fcntl, "flock", flock)
    with write.locked_store(path):
        assert [kind for kind, _ino in locked] == ["folder", "file", "file"]
        assert locked[1][1] != locked[2][1] == path.stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.toml"]


def test_writers_racing_to_create_a_store_all_land(tmp_path):
    """Threads hold locks of their own (a lock belongs to an open file): eight writers of one
    store that does not exist yet, started together, all land, under one header."""
    import threading

    from reetimeline.model import Event, PartialDate

    path = tmp_path / "team" / "alice.toml"
    start = threading.Barrier(8)

    def writer(number: int) -> None:
        start.wait()
        event = Event(id=f"e{number}", date=PartialDate.parse("2026-01-01"), title="T",
                      category="other")  # fmt: skip
        append_events(path, [event])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    assert sorted(e.id for e in load([path]).events) == [f"e{n}" for n in range(8)]
    assert path.read_text(encoding="utf-8").count(NEW_STORE_HEADER) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["alice.toml"]


def test_short_records_never_become_keys_of_the_previous_event(tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    [new] = load([_one_event_store(tmp_path)]).events
    assert render_events_toml([new]).startswith("[[events]]\n")
    append_events(path, [new])
    old, added = load([path]).events
    assert old.id == "old" and added == new


@pytest.mark.slow
@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(random_events(references=False), min_size=1, max_size=3,
                unique_by=lambda e: e.id))  # fmt: skip
def test_appended_random_events_read_back_equal(tmp_path, batch):
    path = tmp_path / "prop.toml"
    path.write_text(OLD, encoding="utf-8")
    batch = [e for e in batch if e.id != "old"]
    append_events(path, batch)
    loaded = {e.id: e for e in load([path]).events}
    assert loaded.pop("old").title == "Old event"
    assert loaded == {e.id: e for e in batch}
    assert path.read_text(encoding="utf-8").startswith(OLD)


CONCURRENT_WRITERS = 20


def _add_process(path, number):
    return subprocess.run(
        [sys.executable, "-m", "reetimeline", "--store", str(path), "add", "--date", "2026-01-01",
         "--title", "Same title", "--summary", f"writer {number}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_concurrent_adds_all_land(tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    with ThreadPoolExecutor(CONCURRENT_WRITERS) as pool:
        results = list(pool.map(lambda n: _add_process(path, n), range(CONCURRENT_WRITERS)))
    assert [r.returncode for r in results] == [0] * CONCURRENT_WRITERS, [r.stderr for r in results]
    events = load([path]).events
    assert len(events) == CONCURRENT_WRITERS + 1
    assert sorted(e.summary for e in events if e.id != "old") == sorted(
        f"writer {n}" for n in range(CONCURRENT_WRITERS)
    )
    assert len({e.id for e in events}) == CONCURRENT_WRITERS + 1
    assert path.read_text(encoding="utf-8").startswith(OLD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.toml"]  # no lock file left


# --- appends that parse only what they must --------------------------------------------------


def _big_store(path, count):
    table = '\n[[events]]\nid = "e{n}"\ndate = 2025-02-01\ntitle = "E{n}"\ncategory = "other"\n'
    path.write_text(OLD + "".join(table.format(n=n) for n in range(count)), encoding="utf-8")


def test_add_to_a_cached_store_parses_only_the_new_text(run, tmp_path, monkeypatch):
    from reetimeline.store import parse

    path = tmp_path / "events.toml"
    _big_store(path, 300)
    assert run("--store", str(path), "list").exit_code == 0  # builds the cache
    parsed_sizes = []
    real = parse.parse_toml

    def spy(name, text):
        parsed_sizes.append(len(text))
        return real(name, text)

    with monkeypatch.context() as patched:
        patched.setattr(parse, "parse_toml", spy)
        patched.setattr("reetimeline.store.write.parse_toml", spy)
        result = run("--store", str(path), "add", "--date", "2026-01-01", "--title", "New")
    assert (result.exit_code, result.stdout) == (0, "2026-01-01-new\n")
    assert parsed_sizes and max(parsed_sizes) < 200, parsed_sizes
    assert path.read_text(encoding="utf-8").endswith(
        '\n[[events]]\nid = "2026-01-01-new"\ndate = 2026-01-01\ntitle = "New"\n'
        'category = "other"\nconfidence = "reported"\n'  # no source: a note, reported
    )
    # the cache was brought up to date: the next run reads no TOML and sees the new event
    listed = run("--store", str(path), "list", "--json", "-q", "new")
    assert '"id": "2026-01-01-new"' in listed.stdout
    parsed = load([path]).get("2026-01-01-new")
    assert parsed.origin.line == 1810
    cached = load([path], cache_dir=Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline")
    assert type(cached.parts[0]).__name__ == "CachedFile"
    assert cached.get("2026-01-01-new").origin == parsed.origin


def test_an_appended_store_reads_back_the_same_through_the_cache(run, tmp_path, monkeypatch):
    path = tmp_path / "events.toml"
    _big_store(path, 20)
    run("--store", str(path), "list")
    for n in range(3):
        run("--store", str(path), "add", "--date", f"2026-0{n + 1}", "--title", f"N{n}",
            "--related", "e1")  # fmt: skip
    warm = run("--store", str(path), "show", "e1", "--json").stdout
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    assert run("--store", str(path), "show", "e1", "--json").stdout == warm
    assert run("--store", str(path), "check").stdout == f"ok: 24 events in {path}\n"


def test_a_crlf_store_gets_crlf_lines(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_bytes(OLD.replace("\n", "\r\n").encode())
    for cache in ("1", ""):  # without the cache, then with it
        result = run("--store", str(path), "add", "--date", "2026", "--title", f"X{cache}",
                     env={"REETIMELINE_NO_CACHE": cache})  # fmt: skip
        assert result.exit_code == 0, result.stderr
    data = path.read_bytes()
    assert data.startswith(OLD.replace("\n", "\r\n").encode())
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert [e.id for e in load([path]).events] == ["old", "2026-x", "2026-x1"]


def test_an_inline_events_array_is_not_appended_to(run, tmp_path):
    path = tmp_path / "events.toml"
    text = 'events = [{ id = "a", date = 2025-01-01, title = "A", category = "other" }]\n'
    path.write_text(text, encoding="utf-8")
    result = run("--store", str(path), "add", "--date", "2026", "--title", "X")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}: refusing to write text that does not parse: ")
    assert path.read_text(encoding="utf-8") == text


def test_import_checks_duplicates_once_against_a_cached_store(run, tmp_path):
    path = tmp_path / "events.toml"
    _big_store(path, 50)
    run("--store", str(path), "list")
    rows = tmp_path / "rows.jsonl"
    row = '{{"id": "{i}", "date": "2026-01-01", "title": "T", "category": "other"}}\n'
    rows.write_text("".join(row.format(i=i) for i in ("e3", "new-1", "e7", "new-2")))
    refused = run("--store", str(path), "import", str(rows))
    assert (refused.exit_code, refused.stderr) == (1, (
        f"{rows}:1: event 'e3': id: already exists in the stores in use (use --skip-existing to "
        f"skip it)\n{rows}:3: event 'e7': id: already exists in the stores in use (use "
        "--skip-existing to skip it)\n"))  # fmt: skip
    done = run("--store", str(path), "import", str(rows), "--skip-existing")
    assert done.stderr == (
        f"skipped 'e3': already exists\nskipped 'e7': already exists\n"
        f"added 2 events to {path}, skipped 2\n"
    )
    assert run("--store", str(path), "check").stdout == f"ok: 53 events in {path}\n"


def test_a_derived_id_keeps_hyphenated_words_whole_and_ends_on_a_word_that_says_something():
    from reetimeline.ids import derive_id

    title = "Vietnam imposes export licensing on rare-earth concentrates and oxides"
    assert derive_id("2026-12-01", title) == "2026-12-01-vietnam-imposes-export-licensing"
    # "...-oxide-from-the" fits in 40 characters; its little words go
    assert derive_id("2026-12-01", "Quotation for dysprosium oxide from the trader") == (
        "2026-12-01-quotation-for-dysprosium-oxide")  # fmt: skip
    assert derive_id("2026-12-01", "Price of terbium metal in Rotterdam for the week of") == (
        "2026-12-01-price-of-terbium-metal-in-rotterdam")  # fmt: skip
    assert derive_id("2026-12-01", "China's ban") == "2026-12-01-chinas-ban"
