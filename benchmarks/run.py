"""The speed figures of the speed issue, measured as ratios in interleaved runs (A B A B ...).

    python benchmarks/run.py                 # everything (about 12 minutes on 2 cores)
    python benchmarks/run.py --quick         # fewer rounds, no 100,000-event store, no peers
    python benchmarks/run.py --only warm,size,folder   # some groups of figures (see GROUPS)

Each command runs as a separate process with stdout piped, as a script would run it. Printed:
median and min-max wall time, peak memory (max RSS) and each figure with whether it holds.
Synthetic stores come from benchmarks/generate.py (fixed seed) into benchmarks/data/; jrnl and
khal are installed into benchmarks/.peers/ (both folders are ignored by git).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PEERS = HERE / ".peers"
CURATED = ROOT / "events.toml"
PY = sys.executable


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def span(self) -> str:
        return f"{min(self.times):.3f}-{max(self.times):.3f}"


def environment(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REETIMELINE", "PYTHONDONT"))}
    env["XDG_CACHE_HOME"] = str(cache)
    env["XDG_DATA_HOME"] = str(cache / "data")
    env["HOME"] = str(cache / "home")
    # measure the code of the checkout this script is in, whatever else is installed
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one run, stdout read through a pipe.

    The peak is the child's VmHWM, polled from /proc while it runs: ru_maxrss from wait4 would
    also count the copy of this (larger) process that fork made before exec.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    peak_kb = [0]
    done = threading.Event()

    def poll() -> None:
        status = Path(f"/proc/{process.pid}/status")
        while not done.is_set():
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kb[0] = max(peak_kb[0], int(line.split()[1]))
            except (OSError, ValueError):
                return
            time.sleep(0.002)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    assert process.stdout is not None
    while process.stdout.read(1 << 16):
        pass
    returncode = process.wait()
    elapsed = time.perf_counter() - start
    done.set()
    watcher.join()
    if returncode != 0:
        raise SystemExit(f"failed ({returncode}): {' '.join(command)}")
    return elapsed, peak_kb[0] / 1024


def interleaved(commands: dict[str, tuple[list[str], dict]], rounds: int, before=None):
    samples = {name: Sample() for name in commands}
    for name, (command, env) in commands.items():  # warm-up: caches, page cache, .pyc files
        if before:
            before(name)
        measure(command, env)
    for _ in range(rounds):
        for name, (command, env) in commands.items():
            if before:
                before(name)
            elapsed, rss = measure(command, env)
            samples[name].times.append(elapsed)
            samples[name].rss_mb.append(rss)
    return samples


def reetimeline(store: Path, *args: str) -> list[str]:
    return [PY, "-m", "reetimeline", "--store", str(store), *args]


def baseline(store: Path) -> list[str]:
    return [PY, str(HERE / "baseline.py"), str(store), "dysprosium"]


def ensure_store(count: int) -> Path:
    path = DATA / f"events-{count}.toml"
    if not path.exists():
        subprocess.run([PY, str(HERE / "generate.py"), str(count), str(path)], check=True)
    return path


def wait_for_cache(cache: Path, store: Path, timeout: float = 600) -> None:
    """After a cold run of a large store, wait until its background cache build is done (the
    database is renamed into place when complete, and its build lock released)."""
    import fcntl

    sys.path.insert(0, str(ROOT / "src"))
    from reetimeline.store.cache import Cache

    db = Cache(cache / "reetimeline", "").db_path(store)
    deadline = time.monotonic() + timeout
    while not db.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    lock = db.with_suffix(".lock")
    if lock.exists():
        with lock.open("rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # waits for a builder that still holds it


def import_file(path: Path, prefix: str, count: int) -> Path:
    """`count` CSV rows as `export --format csv` writes them, with fresh ids."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "date", "title", "category", "minerals", "countries"])
        for n in range(count):
            out.writerow([f"{prefix}-{n}", "2026-01-01", f"Imported {n}", "other",
                          "dysprosium; gallium", "JP"])  # fmt: skip
    return path


# --- peers -----------------------------------------------------------------------------------


def setup_peers(store: Path) -> dict[str, tuple[list[str], dict]]:
    """jrnl and khal in a throwaway venv, with the same events as `store`."""
    venv = PEERS / "venv"
    if not (venv / "bin" / "khal").exists():
        subprocess.run([PY, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", "jrnl==4.6", "khal==0.14.1"],
                       check=True)  # fmt: skip
    with store.open("rb") as handle:
        events = tomllib.load(handle)["events"]
    home = PEERS / f"home-{len(events)}"
    if not home.exists():
        _write_jrnl(home, events)
        _write_khal(home, events)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONDONT")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), TZ="UTC")  # fmt: skip
    return {
        "jrnl": ([str(venv / "bin" / "jrnl"), "@dysprosium", "--short"], env),
        "khal": ([str(venv / "bin" / "khal"), "search", "dysprosium"], env),
    }


def _day(value) -> str:
    text = str(value)
    return text + "-01" * (2 - text.count("-"))


def _write_jrnl(home: Path, events: list[dict]) -> None:
    journal = home / "journal.txt"
    journal.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for e in sorted(events, key=lambda e: _day(e["date"])):
        tags = " ".join("@" + m for m in e.get("minerals", ()))
        lines.append(f"[{_day(e['date'])} 09:00] {e['title']}.\n{e.get('summary', '')} {tags}\n")
    journal.write_text("\n".join(lines), encoding="utf-8")
    config = home / "config" / "jrnl" / "jrnl.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "colors: {body: none, date: none, tags: none, title: none}\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: false\n"
        "indent_character: '|'\njournals:\n  default:\n"
        f"    journal: {journal}\nlinewrap: 79\ntagsymbols: '#@'\n"
        "template: false\ntimeformat: '%Y-%m-%d %H:%M'\nversion: v4.6\n",
        encoding="utf-8",
    )


def _write_khal(home: Path, events: list[dict]) -> None:
    import datetime as dt

    vdir = home / "calendars" / "events"
    vdir.mkdir(parents=True, exist_ok=True)
    for e in events:
        start = dt.date.fromisoformat(_day(e["date"]))
        end = start + dt.timedelta(days=1)
        description = f"{e.get('summary', '')} {' '.join(e.get('minerals', ()))}"
        (vdir / f"{e['id']}.ics").write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{e['id']}@bench\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}\r\nDTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
            f"SUMMARY:{e['title']}\r\nDESCRIPTION:{description}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            encoding="utf-8",
        )
    config = home / "config" / "khal" / "config"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f"[calendars]\n[[events]]\npath = {vdir}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "[default]\ndefault_calendar = events\n",
        encoding="utf-8",
    )


# --- the figures -----------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.rows: list[str] = []
        self.figures: list[str] = []

    def add(self, label: str, sample: Sample) -> None:
        self.rows.append(f"| {label} | {sample.median:.3f} | {sample.span()} | "
                         f"{max(sample.rss_mb):.0f} |")  # fmt: skip

    def figure(self, number: str, text: str, ratio: float, bound: float, extra: str = "") -> None:
        verdict = "holds" if ratio <= bound else "MISSED"
        self.figures.append(f"| {number} | {text} | {ratio:.3f} | ≤ {bound} | {verdict}{extra} |")

    def print(self) -> None:
        print("\n| scenario | median s | min-max s | peak MB |\n|---|---|---|---|")
        print("\n".join(self.rows))
        print("\n| figure | what | ratio | bound | |\n|---|---|---|---|---|")
        print("\n".join(self.figures))


# The groups of figures `--only` selects: the curated store, 10,000 events against jrnl and
# khal, the 100,000-event store warm (list, status, countdown, check, stats) and cold (list),
# writes to it (add, import), the cache's size against the store's, a folder of small files.
GROUPS = ("curated", "10k", "warm", "cold", "writes", "size", "folder")


def ensure_folder(files: int = 1000, per_file: int = 5) -> Path:
    """A folder of `files` store files of `per_file` events each, cut from a generated store
    (references between them stay valid: a folder is checked across its files)."""
    import tomli_w

    folder = DATA / f"folder-{files}x{per_file}"
    if folder.is_dir() and len(list(folder.glob("*.toml"))) == files:
        return folder
    source = ensure_store(files * per_file)
    with source.open("rb") as handle:
        events = tomllib.load(handle)["events"]
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        part = events[n * per_file : (n + 1) * per_file]
        (folder / f"part-{n:04d}.toml").write_text(tomli_w.dumps({"events": part}),
                                                   encoding="utf-8")  # fmt: skip
    return folder


def cache_bytes(cache: Path) -> int:
    """The size of every file in the cache folder (as `du -b` counts it)."""
    folder = cache / "reetimeline"
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds; no 100k, no peers")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated groups of figures, of: {', '.join(GROUPS)}")
    options = parser.parse_args()
    wanted = set(options.only.split(","))
    if wanted - set(GROUPS):
        parser.error(f"--only: unknown {', '.join(sorted(wanted - set(GROUPS)))}")
    if options.quick:
        wanted -= {"warm", "cold", "writes", "size"}
    rounds = options.rounds or (5 if options.quick else 11)
    compileall.compile_dir(str(ROOT / "src" / "reetimeline"), quiet=1)  # as an install would
    cache = HERE / "data" / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = environment(cache)
    report = Report()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {rounds} rounds")

    # 1, 4 and 12: the curated store
    if "curated" in wanted:
        curated(env, rounds, report)
    if "10k" in wanted:
        ten_thousand(env, cache, rounds, report, peers=not options.quick)
    if wanted & {"warm", "cold", "writes", "size"}:
        hundred_thousand(env, cache, report, wanted)
    if "folder" in wanted:
        folder_figure(env, cache, rounds, report)
    report.print()


def curated(env: dict[str, str], rounds: int, report: Report) -> None:
    runs = {
        "baseline": (baseline(CURATED), env),
        "list": (reetimeline(CURATED, "list", "--mineral", "dysprosium"), env),
        "countdown": (reetimeline(CURATED, "countdown"), env),
        "status": (reetimeline(CURATED, "status"), env),
        "show": (reetimeline(CURATED, "show", "october-9-export-control-package"), env),
        "export csv": (reetimeline(CURATED, "export", "--format", "csv"), env),
    }
    s = interleaved(runs, rounds)
    for name in runs:
        report.add(f"curated: {name}", s[name])
    base = s["baseline"].median
    report.figure("1", "curated list -m dysprosium / stdlib script", s["list"].median / base, 2.5)
    report.figure("4", "curated countdown / stdlib script", s["countdown"].median / base, 2.5)
    report.figure("4", "curated status / stdlib script", s["status"].median / base, 2.5)
    report.figure("12", "curated show ID / stdlib script", s["show"].median / base, 2.5)
    report.figure("12", "curated export --format csv / stdlib script",
                  s["export csv"].median / base, 2.5)  # fmt: skip


def ten_thousand(env: dict[str, str], cache: Path, rounds: int, report: Report, *,
                 peers: bool) -> None:  # fmt: skip
    """2: 10,000 events against jrnl and khal, warm cache."""
    store10k = ensure_store(10_000)
    runs = {"reetimeline": (reetimeline(store10k, "list", "--mineral", "dysprosium"), env)}
    measure(runs["reetimeline"][0], env)
    wait_for_cache(cache, store10k)
    if peers:
        runs.update(setup_peers(store10k))
    s = interleaved(runs, rounds)
    for name in runs:
        report.add(f"10k: {name} (dysprosium)", s[name])
    for peer in ("jrnl", "khal"):
        if peer in s:
            ratio = s["reetimeline"].median / s[peer].median
            report.figure("2", f"10k warm list / {peer}", ratio, 0.5)


def hundred_thousand(env: dict[str, str], cache: Path, report: Report, wanted: set[str]) -> None:
    """3, 5 and 12: 100,000 events, warm and cold; writes; the cache's size."""
    store100k = ensure_store(100_000)
    big_rounds = 3

    def clear_cache(name: str) -> None:
        if name == "cold":
            shutil.rmtree(cache / "reetimeline", ignore_errors=True)

    shutil.rmtree(cache / "reetimeline", ignore_errors=True)
    measure(reetimeline(store100k, "list"), env)
    wait_for_cache(cache, store100k)
    if "size" in wanted:
        ratio = cache_bytes(cache) / store100k.stat().st_size
        report.figure("12", f"100k cache size / store size ({cache_bytes(cache) / 1e6:.1f} MB / "
                      f"{store100k.stat().st_size / 1e6:.1f} MB)", ratio, 1.5)  # fmt: skip
    base = None
    if "warm" in wanted:
        runs = {
            "baseline": (baseline(store100k), env),
            "warm list": (reetimeline(store100k, "list", "--mineral", "dysprosium"), env),
            "warm countdown": (reetimeline(store100k, "countdown"), env),
            "warm status": (reetimeline(store100k, "status"), env),
            "warm check": (reetimeline(store100k, "check"), env),
            "warm stats": (reetimeline(store100k, "stats"), env),
        }
        s = interleaved(runs, big_rounds)
        for name in runs:
            report.add(f"100k: {name}", s[name])
        base = s["baseline"].median
        peak = max(s["warm list"].rss_mb)
        report.figure("3", "100k warm list / stdlib script", s["warm list"].median / base, 0.1,
                      f"; peak {peak:.0f} MB")  # fmt: skip
        for name in ("warm countdown", "warm status", "warm check", "warm stats"):
            report.figure("5" if name in ("warm countdown", "warm status") else "12",
                          f"100k {name} / stdlib script", s[name].median / base, 0.1)  # fmt: skip
    if "cold" in wanted:
        # cold runs interleaved with baseline runs of their own (B C B C ...): the machine's
        # speed drifts over the minutes the warm runs take
        cold, cold_base = Sample(), Sample()
        for _ in range(big_rounds):
            elapsed, rss = measure(baseline(store100k), env)
            cold_base.times.append(elapsed)
            cold_base.rss_mb.append(rss)
            clear_cache("cold")
            elapsed, rss = measure(reetimeline(store100k, "list", "--mineral", "dysprosium"), env)
            cold.times.append(elapsed)
            cold.rss_mb.append(rss)
            wait_for_cache(cache, store100k)
        report.add("100k: baseline, beside the cold runs", cold_base)
        report.add("100k: cold list (no cache)", cold)
        report.figure("12", "100k cold list / stdlib script", cold.median / cold_base.median, 0.6)
        base = base or cold_base.median
    if "writes" in wanted:
        if base is None:
            base = interleaved({"baseline": (baseline(store100k), env)}, 1)["baseline"].median
        writes(env, cache, store100k, base, big_rounds, report)


def writes(env: dict[str, str], cache: Path, store100k: Path, base: float, big_rounds: int,
           report: Report) -> None:  # fmt: skip
    """12: `add` and `import` on a warm 100,000-event store."""
    writable = DATA / "events-100000-writes.toml"
    shutil.copyfile(store100k, writable)
    measure(reetimeline(writable, "check"), env)  # parse, and build its cache
    wait_for_cache(cache, writable)
    measure(reetimeline(writable, "check"), env)
    add = reetimeline(writable, "add", "--date", "2026-01-01", "--title", "Benchmark add")
    adds = interleaved({"add": (add, env)}, big_rounds)["add"]
    report.add("100k: add one event (warm cache)", adds)
    peak = max(adds.rss_mb)
    report.figure(
        "12",
        "100k add of one event, warm / stdlib script",
        adds.median / base,
        0.1,
        f"; peak {peak:.0f} MB (≤ 150: {'holds' if peak <= 150 else 'MISSED'})",
    )
    imports = Sample()
    for round_number in range(big_rounds):
        rows = import_file(DATA / "import-10000.csv", f"imp{round_number}", 10_000)
        elapsed, rss = measure(reetimeline(writable, "import", str(rows)), env)
        imports.times.append(elapsed)
        imports.rss_mb.append(rss)
    report.add("100k: import 10,000 CSV rows (warm cache)", imports)
    report.figure("12", "100k import of 10,000 CSV rows / stdlib script",
                  imports.median / base, 0.5)  # fmt: skip


def folder_figure(env: dict[str, str], cache: Path, rounds: int, report: Report) -> None:
    """12: a folder of 1,000 store files of 5 events, warm `list`, with the cache and without."""
    folder = ensure_folder()
    nocache = {**env, "REETIMELINE_NO_CACHE": "1"}
    command = reetimeline(folder, "list", "--mineral", "dysprosium")
    runs = {"folder with cache": (command, env), "folder without cache": (command, nocache)}
    s = interleaved(runs, rounds)
    for name in runs:
        report.add(f"1,000 files of 5 events: {name}", s[name])
    ratio = s["folder with cache"].median / s["folder without cache"].median
    report.figure("12", "folder of 1,000 files warm list, cache / no cache", ratio, 1.0)


if __name__ == "__main__":
    main()
