"""The store engine: one cache design (paths, pipes, many files, builders), files that are not
stores, and appends that parse only what they must."""

import fcntl
import os
import resource
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reetimeline import store
from reetimeline.store import cache as cache_module
from reetimeline.store import files as files_module
from tests.conftest import SMALL_STORE
from tests.test_cache import QUERIES

ONE = '[[events]]\nid = "{id}"\ndate = 2025-01-01\ntitle = "T {id}"\ncategory = "other"\n'


def tool(*args, env=None, input=None, preexec_fn=None):
    """The tool in a subprocess; stderr ends with PARSED or CACHED: whether TOML was parsed."""
    code = (
        "import sys; from reetimeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        "sys.stderr.write('PARSED' if 'reetimeline.store.parse' in sys.modules else 'CACHED')\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        env=env or os.environ.copy(),
        input=input,
        preexec_fn=preexec_fn,
        check=False,
    )


def how(result) -> str:
    return result.stderr[-6:].decode()


def _store(tmp_path: Path, name: str | bytes = "events.toml") -> Path:
    folder = os.fsencode(tmp_path)
    path = os.path.join(folder, os.fsencode(name))  # noqa: PTH118 - bytes names
    with open(path, "wb") as handle:
        handle.write(SMALL_STORE.replace("\n    ", "\n").lstrip().encode())
    return Path(os.fsdecode(path))


# --- paths handed to SQLite, and any file name the OS allows ---------------------------------


@pytest.mark.parametrize(
    "cache_name",
    ["with %41 in it", "a?mode=ro", "hash#frag", b"caf\xe9-not-utf8", "plain"],
    ids=["percent", "question", "hash", "non-utf8", "plain"],
)
def test_cache_folders_with_uri_characters_serve_the_right_cache(tmp_path, cache_name):
    cache_home = os.path.join(os.fsencode(tmp_path), os.fsencode(cache_name))  # noqa: PTH118
    env = {**os.environ, "XDG_CACHE_HOME": os.fsdecode(cache_home)}
    path = _store(tmp_path)
    args = ["--store", str(path), "list", "--json"]
    first = tool(*args, env=env)
    second = tool(*args, env=env)
    assert (first.returncode, how(first), how(second)) == (0, "PARSED", "CACHED")
    assert first.stdout == second.stdout
    # a changed store is never answered from the old cache (a bad URI once served "A" here)
    text = path.read_text(encoding="utf-8").replace("Ban on gallium exports", "Changed title!")
    path.write_text(text, encoding="utf-8")
    third = tool(*args, env=env)
    assert how(third) == "PARSED" and b"Changed title!" in third.stdout
    # nothing created outside the cache's own folder
    assert sorted(os.listdir(cache_home)) == [b"reetimeline"]  # noqa: PTH208 - bytes names
    made = os.listdir(cache_home + b"/reetimeline")  # noqa: PTH208
    assert all(n.endswith((b".sqlite", b".lock")) for n in made), made


def test_a_store_with_a_non_utf8_name_works(tmp_path):
    path = _store(tmp_path, b"\xff\xfeteam.toml")
    first = tool("--store", str(path), "countdown", "--as-of", "2026-01-01")
    second = tool("--store", str(path), "countdown", "--as-of", "2026-01-01")
    assert (first.returncode, first.stdout) == (second.returncode, second.stdout)
    assert first.returncode == 0 and b"pause" in first.stdout
    assert how(second) == "CACHED"


def test_cache_folder_and_files_are_private(tmp_path):
    path = _store(tmp_path)
    assert tool("--store", str(path), "list").returncode == 0
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_a_planted_symlink_at_the_lock_name_is_not_written_through(tmp_path):
    path = _store(tmp_path)
    cache = cache_module.Cache(Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline", "")
    cache.folder.mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    lock = cache.db_path(path).with_suffix(".lock")
    lock.symlink_to(victim)
    for _ in range(2):
        result = tool("--store", str(path), "list")
        assert (result.returncode, how(result)) == (0, "PARSED")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not cache.db_path(path).exists()


# --- pipes and files that are not stores -----------------------------------------------------


def test_a_store_read_from_a_pipe_is_read_once_and_not_cached(tmp_path):
    text = _store(tmp_path).read_bytes()
    for _ in range(2):
        result = tool("--store", "/dev/stdin", "list", input=text)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count(b"\n") == 5  # the header and four events
        assert how(result) == "PARSED"
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline"
    assert not list(folder.glob("*.sqlite")) if folder.exists() else True


@pytest.mark.parametrize(
    "command", [["list"], ["check"], ["add", "--date", "2026", "--title", "X"]]
)
def test_a_device_is_refused_quickly_with_one_line(command):
    started = time.monotonic()
    result = tool("--store", "/dev/zero", *command)
    assert time.monotonic() - started < 5
    assert result.returncode == 1
    lines = result.stderr.decode()[:-6].splitlines()
    if command[0] == "add":  # refused as a place to write, before anything is read
        assert lines[0] == (
            "/dev/zero: is a character device; a store must be a regular file; nothing was written"
        )
    else:
        assert lines[0].startswith("/dev/zero: is a character device, not a store file")
    assert len(lines) == (2 if command == ["check"] else 1)


def test_importing_a_device_is_refused(run, tmp_path):
    result = run("--store", str(tmp_path / "mine.toml"), "import", "-f", "json", "/dev/zero")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "/dev/zero: is a character device, not a import file (a regular file or a pipe)\n"
    )


def test_a_store_larger_than_the_limit_is_refused(run, tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "MAX_STORE_BYTES", 100)
    path = _store(tmp_path)
    result = run("--store", str(path), "list")
    assert (result.exit_code, result.stderr) == (
        1,
        f"{path}: is larger than 0 MiB, the most a store file may hold\n",
    )


# --- many files, few descriptors ---------------------------------------------------------------


@pytest.mark.slow
def test_1100_store_files_under_ulimit_1024(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    for n in range(1100):
        (folder / f"s{n:04d}.toml").write_text(ONE.format(id=f"e{n}"), encoding="utf-8")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    args = ["--store", str(folder), "list", "-q", "t e10"]
    building = tool(*args, preexec_fn=limit)  # parses each file and builds its cache
    cached = tool(*args, preexec_fn=limit)
    assert [r.returncode for r in (building, cached)] == [0, 0], cached.stderr[-300:]
    assert building.stdout == cached.stdout
    # the header, then e10, e100-e109 and e1000-e1099 in id order
    assert building.stdout.count(b"\n") == 1 + 111
    assert how(cached) == "CACHED"


# --- builders ----------------------------------------------------------------------------------


def test_a_run_that_finds_a_build_under_way_reads_the_store_and_builds_nothing(tmp_path):
    path = _store(tmp_path)
    cache = cache_module.Cache(Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline", "")
    cache.folder.mkdir(parents=True, mode=0o700)
    lock = os.open(cache.db_path(path).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another builder is at work
    try:
        busy = tool("--store", str(path), "list")
        assert (busy.returncode, how(busy)) == (0, "PARSED")
        assert not cache.db_path(path).exists()
    finally:
        os.close(lock)
    built = tool("--store", str(path), "list")
    again = tool("--store", str(path), "list")
    assert (how(built), how(again)) == ("PARSED", "CACHED")
    assert busy.stdout == built.stdout == again.stdout


def test_two_builders_at_once_leave_one_good_cache(tmp_path, monkeypatch):
    path = _store(tmp_path)
    monkeypatch.setattr(store, "BACKGROUND_CACHE_MIN_EVENTS", 1)
    folder = tmp_path / "cache"
    for _ in range(2):  # two background builders started at once: the second finds the lock
        store.load([path], cache_dir=folder)
    for pid in cache_module.background_builds:
        assert os.waitpid(pid, 0)[1] == 0
    assert len(cache_module.background_builds) in (1, 2)
    cache_module.background_builds.clear()
    assert sorted(p.suffix for p in folder.iterdir()) == [".lock", ".sqlite"]
    assert [e.id for e in store.load([path], cache_dir=folder).events] == [
        "embargo",
        "ban",
        "pause",
        "plan",
    ]


def test_what_a_killed_builder_left_is_cleaned_by_the_next(tmp_path):
    path = _store(tmp_path)
    cache = cache_module.Cache(Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline", "")
    cache.folder.mkdir(parents=True, mode=0o700)
    key = cache.db_path(path).stem
    leftovers = [cache.folder / f"{key}.0123456789abcdef.tmp", cache.folder / f"{key}.sum"]
    for leftover in leftovers:
        leftover.write_bytes(b"\0" * 100_000)
    result = tool("--store", str(path), "list")
    assert result.returncode == 0
    assert not any(p.exists() for p in leftovers)
    assert how(tool("--store", str(path), "list")) == "CACHED"


@pytest.mark.slow
def test_a_builder_killed_mid_build_breaks_nothing(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("".join(ONE.format(id=f"e{n}") + "\n" for n in range(20000)), encoding="utf-8")
    args = ["--store", str(big), "list", "-n", "1"]
    first = tool(*args)  # parses, and starts a background builder
    assert first.returncode == 0
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "reetimeline"
    deadline = time.monotonic() + 30
    while not list(folder.glob("*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)
    # kill whoever holds the build lock (the background builder) mid-build
    out = subprocess.run(["fuser", str(next(folder.glob("*.lock")))], capture_output=True)
    for pid in out.stdout.split():
        os.kill(int(pid), 9)
    time.sleep(0.2)
    second = tool(*args)
    assert (second.returncode, second.stdout) == (0, first.stdout)
    deadline = time.monotonic() + 60
    while how(tool(*args)) != "CACHED" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert how(tool(*args)) == "CACHED"
    assert not list(folder.glob("*.tmp"))


# --- the cache answers like parsing, for stores in odd places ------------------------------------


@pytest.mark.parametrize("args", QUERIES[::5], ids=[" ".join(q) for q in QUERIES[::5]])
def test_queries_through_a_cache_in_an_odd_folder(run, args, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "50%41 ?x=1 #y"))
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")
    parsed = run(*args)
    monkeypatch.delenv("REETIMELINE_NO_CACHE")
    assert run(*args).stdout == parsed.stdout
    assert run(*args).stdout == parsed.stdout


# --- completion sees --store -------------------------------------------------------------------


def test_completion_of_ids_reads_the_store_on_the_line(tmp_path):
    from tests.test_ux import complete

    path = _store(tmp_path)
    assert complete(f"reetimeline --store {path} show pa") == ["pause"]
    assert complete(f"reetimeline --store {path} countdown pl") == ["plan"]
    assert complete(f"reetimeline --store {path} list -t dual") == []


def test_after_a_large_parse_every_line_is_written_and_the_exit_code_kept(tmp_path):
    """A process that parsed a large store leaves with os._exit rather than freeing it object
    by object: its whole answer is written first, and it exits with the command's code (1
    when another store file was left out for its problems)."""
    big = tmp_path / "big.toml"
    big.write_text("".join(ONE.format(id=f"e{n:05d}") for n in range(14_000)), encoding="utf-8")
    assert big.stat().st_size > 1 << 20
    bad = tmp_path / "bad.toml"
    bad.write_text(ONE.format(id="broken").replace('"other"', '"othr"'), encoding="utf-8")
    # output buffered, as it is by default: what is still in the buffer must be written too
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["REETIMELINE_NO_CACHE"] = "1"
    for stores, code in (([big], 0), ([big, bad], 1)):
        args = [a for path in stores for a in ("--store", str(path))]
        result = subprocess.run([sys.executable, "-m", "reetimeline", *args, "list"], env=env,
                                capture_output=True, text=True, check=False)  # fmt: skip
        lines = result.stdout.splitlines()
        assert result.returncode == code, result.stderr
        assert len(lines) == 14_001 and lines[-1].endswith("\te13999"), lines[-1]
        assert ("left out: " in result.stderr) == bool(code)
