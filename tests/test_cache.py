"""The parsed-store cache answers exactly like parsing, and is never trusted blindly."""

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from reetimeline import store
from reetimeline.model import PartialDate
from reetimeline.store import cache as cache_module
from tests.conftest import CURATED

QUERIES = [
    ["list"],
    ["list", "-m", "dysprosium"],
    ["list", "-m", "Dy", "--exact"],
    ["list", "-m", "rare-earths", "-c", "JP", "--reverse"],
    ["list", "-c", "G7", "--limit", "3"],
    ["list", "-c", "DE", "--exact"],
    ["list", "-k", "export-control", "-k", "tariff"],
    ["list", "-t", "DUAL-USE"],
    ["list", "-q", "mofcom"],
    ["list", "-q", "ЖЖЖ-nothing"],
    ["list", "-q", "Announcement 70"],
    ["list", "-q", "no.70", "-k", "suspension"],
    ["status", "-q", "NO 70", "--as-of", "2026-06-01"],
    ["status", "mofcom-suspends-october-measures", "--as-of", "2026-06-01", "--json"],
    ["list", "--since", "2025-04", "--until", "2025-10-30"],
    ["list", "--since", "2010-09-20", "--until", "2010"],
    ["list", "-m", "gallium", "--json"],
    ["list", "--json", "--reverse", "--limit", "5"],
    ["list", "-m", "cobalt", "--json"],
    ["countdown", "--as-of", "2026-11-25"],
    ["countdown", "--as-of", "2026-01-12", "--json"],
    ["countdown", "--as-of", "2026-01-12", "--within", "30"],
    ["countdown", "--as-of", "2025-11-10", "--all", "-m", "gallium", "--json"],
    ["status", "--as-of", "2026-06-01"],
    ["status", "--as-of", "2026-06-01", "-m", "holmium", "--json"],
    ["status", "--as-of", "2026-11-25", "-c", "US", "--json"],
    ["status", "--as-of", "2025-10-01", "-m", "gallium", "-c", "US"],
    ["status", "--as-of", "2010-10-01"],
    ["show", "china-bans-ga-ge-sb-to-us", "--json", "--as-of", "2026-01-01"],
    ["show", "october-9-export-control-package", "--as-of", "2026-01-01"],
    # later dates of an event, extended ends, issuers, destinations, confidence
    ["list", "--since", "2026-12", "--json"],
    ["list", "--since", "2026-11-26", "--until", "2026-11-30"],
    ["list", "--to", "US", "--by", "CN"],
    ["list", "--to", "JP", "--exact", "--confirmed"],
    ["countdown", "--as-of", "2026-11-25", "--within", "60", "--json"],
    ["status", "--as-of", "2026-11-25", "--json"],
    ["status", "--as-of", "2026-11-28", "-m", "gallium", "--to", "US"],
    ["show", "busan-trump-xi-summit", "--as-of", "2026-11-25", "--json"],
    # counts in SQL, with and without a filter
    ["stats"],
    ["stats", "--json"],
    ["stats", "-c", "JP", "--json"],
    ["stats", "--group-by", "mineral", "-k", "export-control"],
]


@pytest.mark.parametrize("args", QUERIES, ids=[" ".join(q) for q in QUERIES])
def test_the_cache_answers_like_parsing(run, args, monkeypatch):
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    parsed = run(*args)
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    building = run(*args)  # parses and builds the cache
    cached = run(*args)  # answers from the cache
    assert parsed.exit_code == building.exit_code == cached.exit_code == 0
    assert building.stdout == parsed.stdout
    assert cached.stdout == parsed.stdout
    assert cached.stderr == parsed.stderr


def test_merging_a_cached_and_a_parsed_store(run, write_store, tmp_path, monkeypatch):
    mine = write_store(
        '[[events]]\nid = "mine"\ndate = 2025-10-09\ntitle = "My note"\ncategory = "other"\n'
        'minerals = ["Dy"]\nsuspends = ["china-bans-ga-ge-sb-to-us"]\n'
    )
    args = ["--store", str(CURATED), "--store", str(mine), "list", "-m", "dysprosium"]
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    parsed = run(*args)
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    run(*args)
    assert run(*args).stdout == parsed.stdout
    assert "My note" in parsed.stdout


def cached_run(store_path, *args):
    """Run the tool in a subprocess; report whether it parsed TOML (imported the parser)."""
    code = (
        "import sys; from reetimeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('PARSED' if 'reetimeline.store.parse' in sys.modules else 'CACHED')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--store", str(store_path), *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    return result.stdout, result.stderr[-6:]


def test_a_warm_run_reads_no_toml(small_store):
    first = cached_run(small_store, "list")
    assert first[1] == "PARSED"
    assert cached_run(small_store, "list") == (first[0], "CACHED")


def test_a_hand_edit_keeping_size_and_mtime_is_seen(small_store):
    cached_run(small_store, "list")
    stat = small_store.stat()
    text = small_store.read_text(encoding="utf-8")
    edited = text.replace("Ban on gallium exports", "Ban on gallium imports")
    assert len(edited) == len(text)
    small_store.write_text(edited, encoding="utf-8")
    os.utime(small_store, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert small_store.stat().st_size == stat.st_size
    out, how = cached_run(small_store, "list")
    assert how == "PARSED"
    assert "Ban on gallium imports" in out


def _the_cache(small_store):
    return cache_module.Cache(store_cache_dir(), "").db_path(small_store)


def store_cache_dir():
    from pathlib import Path

    return Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline"


@pytest.mark.parametrize(
    "damage",
    ["truncate", "garbage", "foreign", "no-meta", "other-version", "other-store"],
)
def test_a_damaged_cache_is_rebuilt(small_store, damage):
    good, _ = cached_run(small_store, "list")
    db = _the_cache(small_store)
    if damage == "truncate":
        db.write_bytes(db.read_bytes()[:1000])
    elif damage == "garbage":
        db.write_bytes(os.urandom(4096))
    elif damage == "foreign":
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE events (x)")
        conn.commit()
        conn.close()
    else:
        sql = {
            "no-meta": "DELETE FROM meta",
            "other-version": "UPDATE meta SET code = 'old-' || code",
            "other-store": "UPDATE meta SET store = CAST('/elsewhere/events.toml' AS BLOB)",
        }[damage]
        conn = sqlite3.connect(db)
        conn.execute(sql)
        conn.commit()
        conn.close()
    assert cached_run(small_store, "list") == (good, "PARSED")
    assert cached_run(small_store, "list") == (good, "CACHED")


def test_a_broken_store_is_never_cached(write_store):
    path = write_store('[[events]]\nid = "a"\ndate = "2025-02-30"\ntitle = "A"\ncategory = "x"\n')
    for _ in range(2):
        out, how = cached_run(path, "list")
        assert (out, how) == ("", "PARSED")
    assert not any(store_cache_dir().glob("*.sqlite")) if store_cache_dir().exists() else True


def test_external_references_are_checked_across_files_with_caches(run, write_store, tmp_path):
    target = write_store(GOOD_A := '[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\n'
                         'category = "export-control"\n', "a.toml")  # fmt: skip
    suspender = write_store(
        '[[events]]\nid = "s"\ndate = 2025-02-01\ntitle = "S"\ncategory = "suspension"\n'
        'suspends = ["a"]\n',
        "s.toml",
    )
    assert GOOD_A
    for _ in range(2):  # building the caches, then from the caches
        result = run("--store", str(target), "--store", str(suspender), "check")
        assert result.exit_code == 0, result.stderr
    alone = run("--store", str(suspender), "check")
    assert alone.exit_code == 1
    assert alone.stderr.startswith(
        f"{suspender}:1: event 's': suspends: no event 'a' in the stores"
    )


def test_lazy_imports_keep_rich_out_of_programs_output(tmp_path):
    code = (
        "import sys; from reetimeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('loaded: ' + ' '.join(m for m in ('rich', 'dateutil', 'icalendar') "
        "if m in sys.modules))"
    )
    commands = (
        ["export", "--format", "csv"],
        ["list", "--json"],
        ["list", "-m", "Dy"],
        ["countdown", "--as-of", "2026-01-01"],
        ["status", "--as-of", "2026-01-01", "--all"],  # (no line on what was left out)
        ["show", "busan", "--as-of", "2026-01-01"],
    )
    for args in commands:
        result = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
        )
        assert result.stdout
        # piped status and countdown say how current the data is on stderr first
        assert result.stderr.splitlines()[-1] == "loaded: ", (args, result.stderr)
    # and the formats that need a library load it
    result = subprocess.run(
        [sys.executable, "-c", code, "export", "--format", "ics"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "icalendar" in result.stderr and "rich" not in result.stderr


def test_a_large_store_is_cached_in_the_background(small_store, monkeypatch, tmp_path):
    monkeypatch.setattr(store, "BACKGROUND_CACHE_MIN_EVENTS", 1)
    folder = tmp_path / "cache"
    loaded = store.load([small_store], cache_dir=folder)
    assert [e.id for e in loaded.events] == ["embargo", "ban", "pause", "plan"]
    [pid] = cache_module.background_builds
    assert os.waitpid(pid, 0)[1] == 0
    cache_module.background_builds.clear()
    again = store.load([small_store], cache_dir=folder)
    assert isinstance(again.parts[0], cache_module.CachedFile), "the background cache was not built"
    assert [e.id for e in again.events] == ["embargo", "ban", "pause", "plan"]


# --- store-level fields, unreadable caches, extreme dates, chains, small files ------------------

QUOTED_HEADERS = """\
current_to = 2025-06-30

[["events"]]
id = "m"
date = 2025-01-01
title = "Measure"
category = "export-control"
effective = 2025-08-01
"""
UNCONFIRMED = (
    "state\tsince\tuntil\tconfidence\tkind\ttitle\tnote\tid\n"
    "unconfirmed\t2025-08-01\t\tsources: confirmed\tunclassified\tMeasure\t"
    "it was scheduled to take effect 2025-08-01; "
    "no event in the stores says what happened (events.toml current to 2025-06-30, 63 days "
    "ago)\tm\n"
)


def test_current_to_of_a_store_with_quoted_headers_survives_add(run, write_store, monkeypatch):
    """`[["events"]]` is the same key as `[[events]]`, but such a store is not appendable text
    by text: `add` parses it whole and builds its cache from what the parser returned."""
    path = write_store(QUOTED_HEADERS)
    args = ["--store", str(path)]
    assert run(*args, "list").exit_code == 0  # builds the cache
    added = run(*args, "add", "--date", "2025-02-01", "--title", "Note")
    assert (added.exit_code, added.stdout) == (0, "2025-02-01-note\n")
    assert len(list(store_cache_dir().glob("*.sqlite"))) == 1  # the cache was built again
    piped = run(*args, "status", "--as-of", "2025-09-01")
    assert (piped.exit_code, piped.stdout) == (0, UNCONFIRMED)
    as_json = run(*args, "status", "--as-of", "2025-09-01", "--json")
    [row] = json.loads(as_json.stdout)
    assert (row["state"], row["current_to"]) == ("unconfirmed", "2025-06-30")
    loaded = store.load([path], cache_dir=store_cache_dir())
    assert isinstance(loaded.parts[0], cache_module.CachedFile)
    assert loaded.latest_current_to() == (PartialDate(2025, 6, 30), "events.toml")
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    assert run(*args, "status", "--as-of", "2025-09-01").stdout == UNCONFIRMED
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    doctor = run(*args, "doctor", "--as-of", "2025-09-01")
    assert f"store       {path}: ok, 2 events, current to 2025-06-30\n" in doctor.stdout
    assert "data        events.toml current to 2025-06-30, 63 days ago\n" in doctor.stdout


def _many_events(count: int) -> str:
    table = ('[[events]]\nid = "e{n}"\ndate = 2025-02-{day:02d}\ntitle = "Event {n}"\n'
             'category = "export-control"\nminerals = ["gallium"]\n'
             'expires = 2026-01-01\n\n')  # fmt: skip
    return "".join(table.format(n=n, day=n % 28 + 1) for n in range(count))


def _damage(db, how: str) -> None:
    if how == "corrupted page":
        # the schema and the meta row (pages 1 and 2) stay readable; every later page is noise
        data = bytearray(db.read_bytes())
        page = int.from_bytes(data[16:18], "big")
        assert len(data) > 8 * page
        data[2 * page :] = os.urandom(len(data) - 2 * page)
        db.write_bytes(bytes(data))
    elif how == "another owner":
        os.chown(db, 12345, 12345)
    else:
        db.chmod(0o644)


@pytest.mark.parametrize("how", ["corrupted page", "another owner", "mode 0644"])
def test_a_cache_that_cannot_be_trusted_or_read_is_rebuilt(write_store, how, monkeypatch):
    if how == "another owner" and os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = write_store(_many_events(400))
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    fresh = cached_run(path, "status", "--as-of", "2025-06-01")
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    assert fresh[0].count("\nin-force\t2025-02-") == 400
    assert cached_run(path, "status", "--as-of", "2025-06-01") == (fresh[0], "PARSED")
    assert cached_run(path, "status", "--as-of", "2025-06-01") == (fresh[0], "CACHED")
    db = _the_cache(path)
    _damage(db, how)
    # read from the file this time, the same answer; the cache is built again
    assert cached_run(path, "status", "--as-of", "2025-06-01") == (fresh[0], "PARSED")
    info = db.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (os.geteuid(), 0o600)
    assert cached_run(path, "status", "--as-of", "2025-06-01") == (fresh[0], "CACHED")
    assert cached_run(path, "countdown", "--as-of", "2025-12-31")[1] == "CACHED"


def test_a_page_corrupted_while_a_store_is_loaded_is_read_from_the_file(write_store):
    from reetimeline.api import answers
    from reetimeline.engine.query import Filter

    path = write_store(_many_events(400))
    folder = store_cache_dir()
    store.load([path], cache_dir=folder)  # builds the cache
    loaded = store.load([path], cache_dir=folder)
    assert isinstance(loaded.parts[0], cache_module.CachedFile)
    loaded.parts[0].close()
    _damage(_the_cache(path), "corrupted page")
    rows = answers.status(loaded, Filter(), dt.date(2025, 6, 1))
    assert [(s.event.id, s.state) for s in rows[:2]] == [("e0", "in-force"), ("e112", "in-force")]
    assert len(rows) == 400
    assert isinstance(loaded.parts[0], store.ParsedFile)
    again = store.load([path], cache_dir=folder)  # built again from the file
    assert isinstance(again.parts[0], cache_module.CachedFile)
    assert again.select(Filter()) == loaded.select(Filter())


INDEFINITE = """\
[[events]]
id = "m"
date = 2025-01-01
title = "Measure"
category = "export-control"
minerals = ["gallium"]
expires = 8999-12-31

[[events]]
id = "s"
date = 2025-03-01
title = "Pause"
category = "suspension"
suspends = ["m"]
expires = 8999-12-31

[[events]]
id = "old"
date = 1000-01-01
title = "Old"
category = "other"
"""


def test_dates_at_both_ends_of_the_calendar_are_cached(write_store):
    """The cache keeps day numbers only: the first and last days of the supported range
    (`model.EARLIEST`, `model.LATEST`) are cached and read back."""
    path = write_store(INDEFINITE)
    expected = (
        "date\tcategory\tkind\ttitle\tminerals\tcountries\tconfidence\tid\n"
        "1000-01-01\tother\t\tOld\t\t\tsources: confirmed\told\n"
        "2025-01-01\texport-control\tunclassified\tMeasure\tgallium\t\tsources: confirmed\tm\n"
        "2025-03-01\tsuspension\t\tPause\t\t\tsources: confirmed\ts\n"
    )
    assert cached_run(path, "list") == (expected, "PARSED")
    assert cached_run(path, "list") == (expected, "CACHED")
    # the measure runs to 8999-12-31: it is in any window after its date
    since = "date\tcategory\tkind\ttitle\tminerals\tcountries\tconfidence\tid\n" + expected.split(
        "\n", 2)[2]  # fmt: skip
    assert cached_run(path, "list", "--since", "2025-02") == (since, "CACHED")
    assert cached_run(path, "list", "--since", "8999-12") == (since, "CACHED")
    loaded = store.load([path], cache_dir=store_cache_dir())
    assert loaded.get("m").expires == PartialDate(8999, 12, 31)


def _chain(links: int) -> str:
    parts = [
        '[[events]]\nid = "m"\ndate = 2025-01-01\ntitle = "Measure"\ncategory = "export-control"\n',
        '[[events]]\nid = "s0"\ndate = 2025-02-01\ntitle = "Pause 0"\ncategory = "suspension"\n'
        'suspends = ["m"]\nexpires = 2025-03-01\n',
    ]
    for i in range(1, links + 1):
        date = dt.date(2025, 2, 1) + dt.timedelta(days=i % 20)
        extended = "s0" if i == 1 else f"t{i - 1}"
        parts.append(
            f'[[events]]\nid = "t{i}"\ndate = {date}\ntitle = "Truce {i}"\n'
            f'category = "truce"\nextends = ["{extended}"]\n'
            f"expires = {dt.date(2025, 3, 1) + dt.timedelta(days=i)}\n"
        )
    return "\n".join(parts)


def test_a_long_extension_chain_counts_down(run, write_store, monkeypatch):
    """Each link's ends are found once (`Store.extended_into`): a chain costs its length."""
    path = write_store(_chain(1000))
    args = ["--store", str(path), "countdown", "--as-of", "2025-02-15", "--all"]
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    parsed = run(*args)
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    assert run(*args).stdout == parsed.stdout  # builds the cache
    cached = run(*args)
    assert (cached.exit_code, cached.stdout) == (0, parsed.stdout)
    lines = cached.stdout.splitlines()
    # every date, and every expiry once (an end that a later link replaced, marked so)
    assert len(lines) == 1 + 1002 + 1001
    # links dated after the as-of date break the chain into 51 (from s0 and each such link
    # extended by a known one: the moved end of each) and leave 200 ends alone; the rest replaced
    assert sum("replaced by" in line for line in lines) == 1001 - 51 - 200
    assert lines[:3] == [
        "date\tkind\tdays\twhen\tconfidence\ttitle\tid",
        "2025-01-01\tdate\t-45\t45 days ago\tsources: confirmed\tMeasure\tm",
        "2025-02-01\tdate\t-14\t14 days ago\tsources: confirmed\tPause 0\ts0",
    ]
    assert lines[-1] == ("2027-11-26\texpires\t1014\tin 1014 days, extended by t1000"
                         "\tsources: confirmed\tTruce 999\tt999")  # fmt: skip
    # a window that only the last link's expiry reaches keeps the first link of the chain
    loaded = store.load([path], cache_dir=store_cache_dir())
    from reetimeline.engine.query import make_filter

    flt = loaded.prepared(make_filter(since=PartialDate(2027, 11, 26)))
    assert [e.id for e in loaded.select(flt) if e.id in ("m", "s0", "t1", "t999", "t1000")] == [
        "s0", "t1000", "t1", "t999"]  # fmt: skip


def test_small_store_files_share_one_database(write_store, monkeypatch):
    """Opening a database per small file costs more than parsing it: what the parser returned
    for small files is kept in one database (`small.sqlite`), each file's row used while the
    file has the content it was read with. The answer is the same either way."""
    monkeypatch.delenv("REETIMELINE_CACHE_MIN_BYTES")
    small = write_store(_many_events(5), "small.toml")
    assert small.stat().st_size < cache_module.CACHE_MIN_BYTES
    first = cached_run(small, "list")
    assert first[1] == "PARSED" and first[0].count("\n") == 6
    assert cached_run(small, "list") == (first[0], "CACHED")
    assert [p.name for p in store_cache_dir().glob("*.sqlite")] == ["small.sqlite"]
    # a hand edit that keeps the size and the modification time is seen
    info = small.stat()
    small.write_text(small.read_text(encoding="utf-8").replace("Event 4", "Event X"),
                     encoding="utf-8")  # fmt: skip
    os.utime(small, ns=(info.st_atime_ns, info.st_mtime_ns))
    edited = cached_run(small, "list")
    assert edited == (first[0].replace("Event 4", "Event X"), "PARSED")
    assert cached_run(small, "list") == (edited[0], "CACHED")
    # a database that cannot be read or trusted is ignored and written afresh
    db = store_cache_dir() / "small.sqlite"
    for damage in ("garbage", "mode 0644"):
        if damage == "garbage":
            db.write_bytes(os.urandom(4096))
        else:
            db.chmod(0o644)
        assert cached_run(small, "list") == (edited[0], "PARSED"), damage
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        assert cached_run(small, "list") == (edited[0], "CACHED"), damage
    # a large file has a database of its own
    large = write_store(_many_events(200), "large.toml")
    assert large.stat().st_size >= cache_module.CACHE_MIN_BYTES
    assert cached_run(large, "list")[1] == "PARSED"
    assert cached_run(large, "list")[1] == "CACHED"
    assert len(list(store_cache_dir().glob("*.sqlite"))) == 2


def test_a_small_file_read_alone_is_checked_alone(run, write_store, monkeypatch):
    monkeypatch.delenv("REETIMELINE_CACHE_MIN_BYTES")
    target = write_store('[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\n'
                         'category = "export-control"\n', "a.toml")  # fmt: skip
    suspender = write_store('[[events]]\nid = "s"\ndate = 2025-02-01\ntitle = "S"\n'
                            'category = "suspension"\nsuspends = ["a"]\n', "s.toml")  # fmt: skip
    for _ in range(2):  # parsed and kept, then from the database
        both = run("--store", str(target), "--store", str(suspender), "check")
        assert both.exit_code == 0, both.stderr
    alone = run("--store", str(suspender), "check")
    assert alone.exit_code == 1
    assert alone.stderr.startswith(
        f"{suspender}:1: event 's': suspends: no event 'a' in the stores"
    )


def test_a_deferred_build_waits_for_the_console_script(small_store, monkeypatch, tmp_path):
    """`store.Deferred`: what the console script does after its answer. A build waits in it
    until `run_builds()`, and large parsed documents are kept in it; without one (a long-lived
    process) builds start at once and nothing is kept."""
    from reetimeline.store import parse

    monkeypatch.setattr(store, "BACKGROUND_CACHE_MIN_EVENTS", 1)
    monkeypatch.setattr(parse, "KEEP_DOCUMENTS_FROM", 0)
    folder = tmp_path / "cache"
    deferred = store.Deferred()
    loaded = store.load([small_store], cache_dir=folder, deferred=deferred)
    assert [e.id for e in loaded.events] == ["embargo", "ban", "pause", "plan"]
    assert (len(deferred.builds), len(deferred.documents), cache_module.background_builds) == (
        1, 1, [])  # fmt: skip
    assert not list(folder.glob("*.sqlite"))
    assert deferred.run_builds() is True
    assert deferred.builds == []
    [pid] = cache_module.background_builds
    assert os.waitpid(pid, 0)[1] == 0
    cache_module.background_builds.clear()
    again = store.load([small_store], cache_dir=folder, deferred=store.Deferred())
    assert isinstance(again.parts[0], cache_module.CachedFile)
    assert store.Deferred().run_builds() is False
