"""Hostile and careless input, round two (issue 13): no escape reaches a terminal, no file is
clobbered, no traceback. The payloads and stores come from `test_hardening`."""

import json
import re
import unicodedata

import pytest
import tomli_w

from reetimeline.text import visible
from reetimeline.vocab import MINERALS, fold

from .test_hardening import HEAD, HOSTILE

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
    assert all(line.startswith(starts) or re.match(r"\d+ problems? in /", line)
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
    assert run("--store", str(good), "check").stdout == f"ok: 1 events in {visible(str(good))}\n"


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
    assert result.stdout.splitlines()[1].startswith("2025-01-01\tother\tT")


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
        assert len(result.stderr.splitlines()) == 1, (args, result.stderr)
