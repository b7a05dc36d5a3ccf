"""Hostile and careless input, round two (issue 13): no escape reaches a terminal, no file is
clobbered, no traceback. The payloads and stores come from `test_hardening`."""

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import tomli_w

from reetimeline.text import visible
from reetimeline.vocab import MINERALS, fold

from .test_hardening import HEAD, HOSTILE, MALFORMED

# --- Unicode normal forms --------------------------------------------------------------------


def test_names_match_in_any_normal_form():
    decomposed = unicodedata.normalize("NFD", "диспрозий")
    assert decomposed != "диспрозий"
    assert MINERALS.resolve(decomposed) == "dysprosium"
    assert MINERALS.resolve(unicodedata.normalize("NFD", "ДИСПРОЗИЙ")) == "dysprosium"
    assert fold(unicodedata.normalize("NFD", "Réunion")) == fold("RÉUNION") == "réunion"
    assert fold("İstanbul") == fold(unicodedata.normalize("NFD", "i̇stanbul"))


def test_a_decomposed_mineral_and_text_match_on_the_command_line(run, write_store):
    title = unicodedata.normalize("NFD", "Réunion on dysprosium")
    path = write_store(
        f"""
        [[events]]
        id = "r"
        date = 2025-01-01
        title = "{title}"
        category = "other"
        minerals = ["{unicodedata.normalize("NFD", "диспрозий")}"]
        """
    )
    for args in (["-m", unicodedata.normalize("NFD", "диспрозий")], ["-m", "диспрозий"],
                 ["-q", "réunion"], ["-q", "RÉUNION"], ["-q", title]):  # fmt: skip
        result = run("--store", str(path), "list", "--json", *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert '"id": "r"' in result.stdout, args


# --- no escape reaches a terminal ------------------------------------------------------------

INVISIBLE = (
    "\u00ad\u180e\u3164\u115f\U000e0001\U000e0041\U000e007f\ufe0f\U000e0100\ufff9\ufffa\ufffb"
    "\u034f\U0001bca0\U0001d173"
)
PAYLOADS = {
    "osc52": "\x1b]52;c;SGVsbG8gd29ybGQ=\x07",
    "osc0": "\x1b]0;pwned\x07",
    "csi2j": "\x1b[2J",
    "bel": "\x07",
    "c1": "\x9b31m\x9d0;t\x9c\x85",
    "bidi": "\u202eevil\u202c\u2066\u2069\u200f\u061c",
    "invisible": INVISIBLE,
    "hardening": HOSTILE,
}
# what may never stand raw in anything printed: ESC, BEL, C1, bidi controls, the invisibles
FORBIDDEN = re.compile(
    "[\x1b\x07\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069" + INVISIBLE + "]"
)


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    """Each test reads a few tiny stores once: building their caches would be most of its time."""
    monkeypatch.setenv("REETIMELINE_NO_CACHE", "1")


def _assert_safe(result, *, code: int) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    for stream in (result.stdout, result.stderr):
        assert not FORBIDDEN.search(stream), repr(FORBIDDEN.search(stream))
        assert "Traceback" not in stream
    # every problem is one line: nothing from the payload broke a line
    starts = ("reetimeline: error: ", "/", "would add ", "added ", "no events match")
    starts += ("left out: /",)
    assert all(line.startswith(starts) or re.match(r"\d+ problems?(: \d+)? in /", line)
               for line in result.stderr.splitlines()), result.stderr  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_payload_in_a_store_reaches_no_terminal(run, tmp_path, payload):
    """In a field name, a mineral, a country, an id and the store's file name."""
    record = {
        "id": "bad" + payload,
        "date": "2025-01-01",
        "title": "T",
        "category": "other",
        "field" + payload: 1,
        "minerals": ["m" + payload],
        "countries": ["c" + payload],
    }
    path = tmp_path / f"store{_name(payload)}.toml"
    path.write_text(tomli_w.dumps({"events": [record]}), encoding="utf-8")
    for command in (["check"], ["list"], ["check", "--json"], ["list", "--json"]):
        result = run("--store", str(path), *command)
        _assert_safe(result, code=1)
    # a valid store under such a name, with the payload in its title: `check` names the file on
    # stdout, the views show the title
    good = tmp_path / f"good{_name(payload)}.toml"
    good.write_text(HEAD.replace('"A"', f'"A{_toml(payload)}"'), encoding="utf-8")
    for command in (["check"], ["list"], ["list", "--json"], ["countdown", "--all"],
                    ["show", "a"], ["status"], ["timeline"]):  # fmt: skip
        result = run("--store", str(good), *command)
        _assert_safe(result, code=0)
    assert run("--store", str(good), "check").stdout == f"ok: 1 event in {visible(str(good))}\n"


def _name(payload: str) -> str:
    """The payload as part of a file name (which cannot hold a slash)."""
    return payload.replace("/", "_")


def _toml(text: str) -> str:
    """`text` inside a TOML basic string."""
    return tomli_w.dumps({"x": text})[len('x = "') : -2]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_payload_in_an_import_file_reaches_no_terminal(run, tmp_path, payload):
    """In a CSV header, a JSON key, a title, an id, the file's name and the target's name."""
    target = tmp_path / f"target{_name(payload)}.toml"
    bad_csv = tmp_path / f"in{_name(payload)}.csv"
    bad_csv.write_text(f"id,date,title,category,x{payload}\r\nb,2025-01-01,T,other,1\r\n",
                       encoding="utf-8")  # fmt: skip
    bad_json = tmp_path / f"in{_name(payload)}.json"
    bad_json.write_text(json.dumps([{"id": "b" + payload, "date": "2025-01-01", "title": "T",
                                     "category": "other", "k" + payload: 1,
                                     "minerals": ["m" + payload]}]), encoding="utf-8")  # fmt: skip
    good = tmp_path / f"in{_name(payload)}.jsonl"
    good.write_text(json.dumps({"id": "b", "date": "2025-01-01", "title": "T" + payload,
                                "category": "other"}) + "\n", encoding="utf-8")  # fmt: skip
    for source in (bad_csv, bad_json):
        for dry_run in (["--dry-run"], []):
            result = run("--store", str(target), "import", str(source), *dry_run)
            _assert_safe(result, code=1)
    for dry_run in (["--dry-run"], []):
        result = run("--store", str(target), "import", str(good), *dry_run)
        _assert_safe(result, code=0)
    assert "would add b\t2025-01-01\tT" in run("--store", str(tmp_path / "x.toml"), "import",
                                               str(good), "--dry-run").stdout  # fmt: skip
    result = run("--store", str(target), "list")
    _assert_safe(result, code=0)
    assert result.stdout.splitlines()[1].startswith("2025-01-01\tother\t\tT")


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_payload_on_the_command_line_reaches_no_terminal(run, small_store, payload):
    """Unknown names, ids, options and values are echoed in error messages."""
    for args in (["list", "-m", payload], ["list", "-c", payload], ["list", "-k", payload],
                 ["show", payload], ["countdown", payload], ["list", "--bogus" + payload],
                 ["list", "-n", payload], ["countdown", "--within", payload], [payload],
                 ["export", "-f", payload], ["vocab", payload], ["list", "--since", payload],
                 ["--store", str(small_store) + payload, "list"]):  # fmt: skip
        result = run("--store", str(small_store), *args)
        _assert_safe(result, code=2 if "--store" not in args[:1] else 1)
        # a store that cannot be read is left out: its problem, then the line saying so
        lines = 2 if "--store" in args[:1] else 1
        assert len(result.stderr.splitlines()) == lines, (args, result.stderr)


def test_calendar_text_holds_no_control_characters(run, tmp_path):
    """RFC 5545 3.3.11: TEXT is made of TSAFE-CHARs, no CONTROL (C0 but tab, and DEL)."""
    path = tmp_path / "events.toml"
    record = {"id": "h", "date": "2026-12-01", "title": "T" + PAYLOADS["osc52"] + "\x00",
              "summary": "line\r\nbreak\x7f" + HOSTILE, "category": "other",
              "expires": "2027-01-01",
              "sources": [{"title": "S", "url": "https://example.org/\u202eevil"}]}  # fmt: skip
    path.write_text(tomli_w.dumps({"events": [record]}), encoding="utf-8")
    result = run("--store", str(path), "export", "-f", "ics", "--alarm", "7")
    assert result.exit_code == 0, result.stderr
    calendar = result.stdout.replace("\n", "")  # the runner reads CRLF line ends as LF
    assert not re.search("[\x00-\x08\x0a-\x1f\x7f]", calendar)
    assert not FORBIDDEN.search(calendar)
    # the escapes' backslashes are escaped in turn, as RFC 5545 escapes every backslash
    assert "SUMMARY:T\\\\x1b]52\\;c\\;SGVsbG8gd29ybGQ=\\\\x07\\\\x00" in calendar
    assert "DESCRIPTION:line\\nbreak\\\\x7f" in calendar
    assert "URL:" not in calendar  # a link holding a bidi control is left out


def test_markdown_keeps_summaries_out_of_lists_and_code_blocks(run, tmp_path):
    path = tmp_path / "events.toml"
    record = {"id": "m", "date": "2026-01-01", "title": "1) not a list", "category": "other",
              "summary": "1) not a list\n    not code\n2. nor this\n- nor this"}  # fmt: skip
    path.write_text(tomli_w.dumps({"events": [record]}), encoding="utf-8")
    markdown = run("--store", str(path), "export", "-f", "md").stdout
    assert "- **2026-01-01** · other · 1\\) not a list\n" in markdown
    assert "  1\\) not a list\n  not code\n  2\\. nor this\n  \\- nor this\n" in markdown


# --- numbers, bytes that are not UTF-8, no home folder ---------------------------------------

TOO_BIG = [
    (["countdown", "--within", "3000000"],
     "--within: 3000000 is out of range; write at most 36525"),
    (["export", "-f", "ics", "--alarm", "1000000000"],
     "--alarm: 1000000000 is out of range; write at most 3660"),
    (["list", "-n", "9223372036854775808"],
     "--limit: 9223372036854775808 is out of range; write at most 1000000000"),
    (["timeline", "--width", "100000000"],
     "--width: 100000000 is out of range; write at most 1000"),
    (["countdown", "--within", "-1"], "--within: -1 is out of range; write at least 0"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), TOO_BIG, ids=[a[0] for a, _m in TOO_BIG])
def test_numbers_out_of_range_are_usage_errors_of_one_line(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"reetimeline: error: {message}\n"


def test_the_largest_numbers_still_work(run, small_store):
    for args in (["countdown", "--within", "36525", "--as-of", "2025-01-01"],
                 ["export", "-f", "ics", "--alarm", "3660"], ["list", "-n", "1000000000"],
                 ["timeline", "--width", "1000", "--as-of", "2025-01-01"]):  # fmt: skip
        result = run("--store", str(small_store), *args)
        assert result.exit_code == 0, (args, result.stderr)


NOT_UTF8 = (
    "reetimeline: error: --title: 'caf\\udce9' holds the byte 0xe9, which is not UTF-8 text; "
    "give it in UTF-8\n"
)


def test_text_that_is_not_utf8_is_refused_by_add_and_its_dry_run(run, tmp_path):
    path = tmp_path / "events.toml"
    for dry_run in (["--dry-run"], []):
        result = run("--store", str(path), "add", "--date", "2026-01-01", "--title", "caf\udce9",
                     *dry_run)  # fmt: skip
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", NOT_UTF8)
    assert not path.exists()


def test_a_latin1_argument_from_a_real_shell(tmp_path):
    """`add --title "$(printf 'caf\\351')"`: the byte 0xe9 alone is not UTF-8."""
    path = tmp_path / "events.toml"
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-m", "reetimeline", "--store", str(path), "add", "--date", "2026",
         "--title", b"caf\xe9"], capture_output=True, env=env)  # fmt: skip
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr == NOT_UTF8.encode()
    assert not path.exists()


@pytest.fixture
def homeless(monkeypatch):
    """HOME unset and no passwd entry for the user, as in some containers."""
    import pwd

    def no_entry(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    for name in ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "REETIMELINE_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)


def test_no_home_folder_reads_without_a_user_store_or_cache(run, homeless, tmp_path):
    listed = run("list", "-m", "dysprosium", "-n", "1")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.startswith("date\tcategory\tkind\ttitle")
    doctor = run("doctor")
    assert doctor.exit_code == 0, doctor.stderr
    no_home = "no home folder (HOME is unset and the user has no passwd entry)"
    lines = doctor.stdout.splitlines()
    assert f"user store  none: {no_home}" in lines
    assert f"cache       off ({no_home})" in lines
    added = run("add", "--date", "2026", "--title", "X")
    assert (added.exit_code, added.stdout) == (2, "")
    assert added.stderr == (
        "reetimeline: error: no home folder (HOME is unset and the user has no passwd entry): "
        "give --store, or set $REETIMELINE_STORE or XDG_DATA_HOME\n"
    )
    store = tmp_path / "mine.toml"
    assert run("--store", str(store), "add", "--date", "2026", "--title", "X").exit_code == 0


# --- Ctrl-C from the first millisecond -------------------------------------------------------

SIGINT_RUNS = 30


@pytest.mark.slow
def test_ctrl_c_at_random_moments_of_a_run(tmp_path):
    """A real `list` gets SIGINT at a random (seeded) moment of its run, 30 times (the moments
    are fractions of how long an uninterrupted run takes on this machine): it
    ends with exit 130, or killed by SIGINT (which a shell also reports as 130), and never
    prints a traceback through the tool's code. While modules import, SIGINT kills it at once;
    once the command runs, a KeyboardInterrupt cleans up and exits 130. (The interpreter's own
    start-up, before the first line of the tool runs, is out of the tool's reach: a traceback
    from there names no file of the tool.)"""
    import random
    import signal
    import time
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    import reetimeline

    package = str(Path(reetimeline.__file__).parent)
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    command = [sys.executable, "-m", "reetimeline", "list", "-m", "dysprosium"]
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - start)
    span = sorted(runs)[1]
    rng = random.Random(20261125)
    delays = [rng.uniform(0, 0.9) * span for _ in range(SIGINT_RUNS)]

    def interrupted(delay: float) -> tuple[bool, int, str]:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(delay)
        sent = process.poll() is None
        if sent:  # not reaped yet, so the pid is still this process's (a zombie at worst)
            os.kill(process.pid, signal.SIGINT)
        _out, err = process.communicate(timeout=10)
        return sent, process.returncode, err.decode("utf-8", "replace")

    outcomes: Counter[str] = Counter()
    with ThreadPoolExecutor(2) as pool:  # two at a time: the test takes about 3 s, not 6
        for delay, (sent, code, text) in zip(delays, pool.map(interrupted, delays), strict=True):
            frames = re.findall(r'File "([^"]+)"', text)
            assert not [f for f in frames if f.startswith(package)], text
            if not sent or (code, text) == (0, ""):
                # done before the signal came (a process that has exited ignores it)
                assert (code, text) == (0, "")
                outcomes["done before the signal"] += 1
            elif text:
                # the interpreter was still starting (importing site, runpy): its own report,
                # a traceback or, when runpy itself was being imported, "Could not import runpy
                # module" and the exception's name alone (no frame of the tool: checked above)
                assert "KeyboardInterrupt" in text, text
                outcomes["in the interpreter's start-up"] += 1
            else:
                assert code in (130, -signal.SIGINT), (delay, code)
                outcomes["killed by SIGINT" if code < 0 else "exit 130"] += 1
    print(f"SIGINT outcomes over {SIGINT_RUNS} runs: {dict(outcomes)}")
    assert outcomes["killed by SIGINT"] + outcomes["exit 130"] >= SIGINT_RUNS // 2


def test_the_console_script_takes_over_ctrl_c_before_importing_the_command_line():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"] == {"reetimeline": "reetimeline._entry:main"}
    code = (
        "import signal, sys, reetimeline._entry\n"
        "heavy = ('typer', 'rich', 'reetimeline.cli')\n"
        "print(signal.getsignal(signal.SIGINT) is signal.SIG_DFL,"
        " [m for m in heavy if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "True []\n", result.stderr


def test_ctrl_c_during_a_write_cleans_up_and_exits_130(tmp_path):
    """Once the command runs, Ctrl-C is a KeyboardInterrupt: the temporary file of a write is
    removed, the old file stays, the exit code is 130. A second Ctrl-C during that clean-up
    ends the process at once (killed by SIGINT), still without a traceback."""
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    code = (
        "import os, signal, sys, time\n"
        "import reetimeline._entry as entry\n"
        "real_fsync, twice = os.fsync, sys.argv.pop() == 'twice'\n"
        "def interrupted_fsync(fd):\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        time.sleep(5)\n"
        "    finally:\n"
        "        if twice:\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "            time.sleep(5)\n"
        "os.fsync = interrupted_fsync\n"
        "sys.argv[0] = 'reetimeline'\n"
        "entry.main()\n"
    )
    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    for twice, expected in ((False, 130), (True, -2)):
        args = ["export", "-o", str(target), "-m", "gallium", "twice" if twice else "once"]
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                                text=True, env=env, timeout=20)  # fmt: skip
        assert (result.returncode, result.stderr) == (expected, ""), result.stderr
        assert target.read_text(encoding="utf-8") == "old"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"] or twice


# --- writing into a store that is not valid --------------------------------------------------


@pytest.mark.parametrize(("name", "content", "fragment"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_add_and_import_leave_a_malformed_store_untouched(run, tmp_path, name, content, fragment):
    path = tmp_path / "events.toml"
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    path.write_bytes(data)
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "x", "date": "2025", "title": "X", "category": "other"}\n')
    for command in (["add", "--date", "2026", "--title", "New"], ["import", str(batch)]):
        result = run("--store", str(path), *command)
        assert (result.exit_code, result.stdout) == (1, ""), (command, result.stderr)
        assert fragment in result.stderr
        assert all(line.startswith(str(path)) for line in result.stderr.splitlines())
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.jsonl", "events.toml"]


# --- file names reach outputs only made visible (issue 21) -----------------------------------

HOSTILE_NAME = "ev\x1b]0;x\x07il\u202eTXT.toml"
SHOWN_NAME = "ev\\x1b]0;x\\x07il\\u202eTXT.toml"


def test_a_hostile_store_file_name_reaches_no_output_raw(run, tmp_path):
    """A store named with ESC, BEL and U+202E: no such character in piped `status`, `show`, the
    `timeline` caption, the report, the SVG or the TimelineJS JSON; the name is shown escaped."""
    path = tmp_path / HOSTILE_NAME
    path.write_text(
        'current_to = 2026-10-01\n[[events]]\nid = "ban"\ndate = 2025-01-01\ntitle = "Ban"\n'
        'category = "export-control"\nminerals = ["gallium"]\nexpires = 2026-11-01\nsources = '
        '[{ title = "Notice", url = "https://example.org/n?a=1&section_id=2" }]\n',
        encoding="utf-8",
    )
    day = ("--as-of", "2026-12-06")
    note = f"{SHOWN_NAME} current to 2026-10-01, 66 days ago"
    outputs = {}
    for args in (["status", *day], ["show", "ban", *day], ["timeline", *day]):
        result = run("--store", str(path), *args)
        assert result.exit_code == 0, result.stderr
        outputs[args[0]] = result.stdout + result.stderr
    files = {"report": ("report", "--history", "all", "-o"), "svg": ("timeline", "--svg"),
             "timelinejs": ("export", "-f", "timelinejs", "-o")}  # fmt: skip
    for name, args in files.items():
        out = tmp_path / f"out.{name}"
        result = run("--store", str(path), *args, str(out), *day)
        assert result.exit_code == 0, result.stderr
        outputs[name] = out.read_text(encoding="utf-8")
    for name, text in outputs.items():
        assert not {"\x1b", "\x07", "\u202e"} & set(text), name
    # the note of a state left unconfirmed by the horizon names the store file
    assert f"no event in the stores says what happened ({note})\tban\n" in outputs["status"]
    assert f"no event in the stores says what happened ({note})\n" in outputs["show"]
    assert outputs["show"].endswith(f"data: {note}\n")
    assert outputs["timeline"].endswith(f"data: {note}\n")
    assert f"Data: {note}." in outputs["report"]
    assert f"data:&#160;{SHOWN_NAME}&#160;current" in outputs["svg"]
    assert f'"text": "Critical-minerals timeline (data: {note})"' in outputs[
        "timelinejs"
    ].replace("\\\\", "\\")
    # links: `&` written as `&amp;` in every HTML attribute
    assert 'href="https://example.org/n?a=1&amp;section_id=2"' in outputs["report"]
    assert '\\"https://example.org/n?a=1&amp;section_id=2\\"' in outputs["timelinejs"]


def test_control_and_bidi_characters_in_titles_and_links_reach_no_page(run, tmp_path):
    """A title holding an OSC sequence, a summary with a bidi override, a link with one: the
    report and TimelineJS show the escapes, and the Markdown briefing writes no such link (the
    source's title alone)."""
    path = tmp_path / "events.toml"
    path.write_text(
        '[[events]]\nid = "t"\ndate = 2025-01-01\ntitle = "T\\u001b]0;pwned\\u0007itle"\n'
        'summary = "a\\u202eb"\ncategory = "other"\nsources = [{ title = "S", url = '
        '"https://example.org/\\u202egnp.exe" }, { title = "Good", url = "https://example.org/"'
        " }]\n",
        encoding="utf-8",
    )
    outputs = {}
    for fmt in ("timelinejs", "md"):
        out = tmp_path / f"out.{fmt}"
        assert run("--store", str(path), "export", "-f", fmt, "-o", str(out)).exit_code == 0
        outputs[fmt] = out.read_text(encoding="utf-8")
    report = tmp_path / "report.html"
    assert run("--store", str(path), "report", "-o", str(report), "--as-of", "2026-12-06",
               "--history", "all").exit_code == 0  # fmt: skip
    outputs["report"] = report.read_text(encoding="utf-8")
    for name, text in outputs.items():
        assert not {"\x1b", "\x07", "\u202e"} & set(text), name
        assert "gnp.exe" not in text.replace("\\u202egnp.exe", ""), name
    assert "T\\x1b]0;pwned\\x07itle" in outputs["report"]
    assert "a\\u202eb" in outputs["report"]
    assert "T\\\\x1b]0;pwned\\\\x07itle" in outputs["timelinejs"]
    # the link that is not written leaves its title, as on the page: a source is never dropped
    assert "[^1]: S\n[^2]: [Good](<https://example.org/>)\n" in outputs["md"]
