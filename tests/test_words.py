"""Which word is which: how sure the sources are never reads as a state, states and kinds are
never split across lines in the matrix, `list -m` says what matched, and piped views say how
current the data is on stderr. The terminal checks run the tool in a real pseudo-terminal."""

import os
import pty
import re
import subprocess
import sys

from reetimeline.output import words

DEC6 = "data: curated store current to 2026-10-08, 59 days ago\n"


def in_pty(*args: str, columns: int = 80) -> tuple[str, str]:
    """Run the tool with stdout on a pseudo-terminal COLUMNS wide (no colour); what the
    terminal showed, lines stripped of their padding, and stderr."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.Popen([sys.executable, "-m", "reetimeline", "--color", "never", *args],
                            stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env)  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: Linux says EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait() == 0, stderr
    screen = b"".join(chunks).decode().replace("\r\n", "\n")
    return "\n".join(line.rstrip() for line in screen.split("\n")), stderr


# --- how sure the sources are, said in one place ---------------------------------------------


def test_confidence_is_said_as_the_sources_never_as_a_state():
    assert words.confidence_words("confirmed") == "sources: confirmed"
    assert words.confidence_words("reported") == "sources: reported"
    assert words.CONFIDENCE_HEADING == "confidence"  # the field's name in --json


def test_piped_status_heads_and_writes_the_confidence_apart_from_the_state(run):
    result = run("status", "-m", "gallium", "--to", "US", "--as-of", "2026-12-06")
    lines = result.stdout.splitlines()
    assert lines[0] == "state\tsince\tuntil\tconfidence\tkind\ttitle\tnote\tid"
    unconfirmed = next(line.split("\t") for line in lines
                       if line.endswith("\tno-46-clause-2-us-ga-ge-sb-ban"))  # fmt: skip
    assert unconfirmed[:5] == ["unconfirmed", "2026-11-28", "", "sources: confirmed", "ban"]


def test_piped_countdown_says_not_confirmed_beside_the_sources_word(run):
    result = run("countdown", "mofcom-suspends-us-ga-ge-sb-ban", "--as-of", "2026-12-06")
    assert result.stdout.splitlines() == [
        "date\tkind\tdays\twhen\tconfidence\ttitle\tid",
        "2025-11-09\tdate\t-392\t392 days ago\tsources: confirmed\tMOFCOM Announcement No. 72: "
        "US-specific Ga/Ge/Sb ban suspended until 27 Nov 2026\tmofcom-suspends-us-ga-ge-sb-ban",
        "2026-11-27\texpires\t-9\tdue 9 days ago, not confirmed: after the data's horizon"
        "\tsources: confirmed\tMOFCOM Announcement No. 72: US-specific Ga/Ge/Sb ban suspended "
        "until 27 Nov 2026\tmofcom-suspends-us-ga-ge-sb-ban",
    ]


def test_piped_changes_say_the_sources_and_how_many_apart(run):
    result = run("changes", "--since", "2026-11-10", "--until", "2026-11-10",
                 "--as-of", "2026-12-06")  # fmt: skip
    assert result.stdout.splitlines() == [
        "date\tchange\tconfidence\tcited\tby\ttitle\tid",
        "2026-11-10\tunconfirmed\tsources: confirmed\t4\tbis-affiliates-rule-suspended\tBIS "
        '"Affiliates Rule": Entity List and MEU List restrictions extended to firms 50% or '
        "more owned by listed parties\tbis-affiliates-rule",
    ]


def test_the_json_fields_keep_their_names_and_bare_values(run):
    import json

    [row] = json.loads(run("status", "no-46-clause-2", "--as-of", "2026-12-06", "--json").stdout)
    assert (row["state"], row["confidence"]) == ("unconfirmed", "confirmed")


def test_the_matrix_legend_says_unconfirmed_is_a_state():
    assert words.MATRIX_LEGEND.endswith(
        "'unconfirmed' is a state (a change was due after the data's horizon and nothing "
        "reports it), not how sure the sources are"
    )


# --- the matrix at 80 columns: no state or kind split across lines ---------------------------

KINDS = "|".join(re.escape(w) for w in sorted({*words.KIND_WORDS.values(), words.KIND_UNKNOWN},
                                              key=len, reverse=True))  # fmt: skip
STATES = "announced|in force|suspended|expired|ended|unconfirmed"
CONTROL = re.compile(rf"(\+ |technology only: )?({KINDS}) ({STATES})(, in part suspended)?"
                     rf"( {re.escape(words.REPORTED_MARK)})?( ×\d+)?")  # fmt: skip


def _matrix_rows(screen: str) -> list[tuple[str, str, str]]:
    """The body of the long matrix as (mineral, destination, control line), up to the legend."""
    lines = screen.split("\n")
    head = lines[0]
    to_at, controls_at = head.index("to  "), head.index("controls")
    rows = []
    for line in lines[2:]:
        if line.startswith("each cell:"):
            break
        if line:
            rows.append((line[:to_at].strip(), line[to_at:controls_at].strip(),
                         line[controls_at:]))  # fmt: skip
    return rows


def _controls_in_the_piped_matrix() -> int:
    """How many lines the cells of the drawn matrix have: one per control (or "–" for none),
    counted from the piped matrix, where a cell's controls are separated by "; "."""
    piped = subprocess.run([sys.executable, "-m", "reetimeline", "status", "--matrix",
                            "--as-of", "2026-12-06"], capture_output=True, text=True,
                           check=True).stdout  # fmt: skip
    cells = [cell for line in piped.splitlines()[1:] for cell in line.split("\t")[1:]]
    return sum(1 if cell == "none" else len(cell.split("; ")) for cell in cells)


def test_status_matrix_at_80_columns_never_splits_a_state_or_a_kind():
    screen, stderr = in_pty("status", "--matrix", "--as-of", "2026-12-06")
    assert stderr.startswith(DEC6)
    lines = screen.split("\n")
    assert max(len(line) for line in lines) <= 80
    assert lines[:8] == [
        "mineral               to    controls",
        "─" * 80,
        "magnets               US    licensing in force",
        "                            + technology control in force",
        "                      JP    licensing in force",
        "                            informal restriction in force (reported)",
        "                            + technology control in force",
        "                      KR    licensing in force",
    ]
    at = next(i for i, line in enumerate(lines) if line.startswith("rare-earths "))
    assert lines[at : at + 6] == [
        "rare-earths           US    + entity listing in force",
        "                            + technology control in force",
        "                            + technology control unconfirmed ×2",
        "                            + extraterritorial control unconfirmed",
        "                      JP    informal restriction in force (reported)",
        "                            + end-use ban in force",
    ]
    rows = _matrix_rows(screen)
    # every line of a cell is one whole control: a kind and a state, never a piece of a word
    bad = [control for _m, _d, control in rows if control != "–" and not CONTROL.fullmatch(control)]
    assert bad == []
    assert {d for _m, d, _c in rows} == {"", "US", "JP", "KR", "EU", "all"}
    assert ("antimony", "US", "ban unconfirmed") in rows
    assert sum(1 for m, _d, _c in rows if m) == 26  # each mineral (and the magnets group) once
    assert len(rows) == _controls_in_the_piped_matrix()


def test_status_matrix_at_120_columns_never_splits_a_state_or_a_kind():
    screen, _stderr = in_pty("status", "--matrix", "--as-of", "2026-12-06", columns=120)
    rows = _matrix_rows(screen)
    bad = [control for _m, _d, control in rows if control != "–" and not CONTROL.fullmatch(control)]
    assert (bad, len(rows)) == ([], _controls_in_the_piped_matrix())


# --- list -m: which minerals matched ----------------------------------------------------------


def _blocks(screen: str, column: str) -> dict[str, str]:
    """Each row of a `list` table by its id: the text of its `column` on the row's first line.
    A row starts where its date column is not blank."""
    lines = screen.split("\n")
    head = lines[0]
    start = head.index(column)
    end = start + len(column) + 1
    while end < len(head) and head[end] == " ":
        end += 1
    rows: list[list[str]] = []
    for line in lines[2:]:
        if line[:10].strip():
            rows.append([line])
        elif rows:
            rows[-1].append(line)
    out = {}
    for row in rows:
        ids = [word for line in row for word in line.split() if word in IDS]
        for event_id in ids:
            out[event_id] = row[0][start:end].strip()
    return out


NAMED = "rare-earth-licence-freeze-japan-reports"  # minerals: rare-earths, dysprosium, terbium
GROUP = "china-halts-rare-earths-to-japan-2010"  # minerals: rare-earths
IDS = {NAMED, GROUP}


def test_list_m_shows_what_matched_at_80_columns():
    screen, stderr = in_pty("list", "-m", "dysprosium")
    assert screen.split("\n")[0] == "date         matched       title / id / category"
    assert _blocks(screen, "matched") == {NAMED: "dysprosium", GROUP: "rare-earths"}
    assert stderr == ("37 of the 43 rows match dysprosium only through rare-earths; --exact "
                      "keeps the 6 that name dysprosium\n")  # fmt: skip


def test_list_m_shows_what_matched_at_120_columns():
    screen, _stderr = in_pty("list", "-m", "dysprosium", columns=120)
    assert screen.split("\n")[0].split() == ["date", "category", "matched", "title", "id"]
    assert _blocks(screen, "matched") == {NAMED: "dysprosium", GROUP: "rare-earths"}


def test_list_m_exact_needs_no_hint(run, monkeypatch):
    from reetimeline.cli import printing

    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    exact = run("--color", "never", "list", "-m", "dysprosium", "--exact", env={"COLUMNS": "120"})
    assert (exact.exit_code, exact.stderr) == (0, "")
    assert exact.stdout.count("\n2") == 6  # six rows, each starting with its date
    # more rows name gallium than match it through a group: no hint
    direct = run("--color", "never", "list", "-m", "gallium", env={"COLUMNS": "120"})
    assert (direct.exit_code, direct.stderr) == (0, "")


def test_the_exact_hint_counts_direct_and_group_rows():
    matched = [("dysprosium",), ("rare-earths",), ("heavy-rare-earths",)]
    assert words.exact_hint(["dysprosium"], matched) == (
        "2 of the 3 rows match dysprosium only through heavy-rare-earths, rare-earths; --exact "
        "keeps the 1 that names dysprosium")  # fmt: skip
    assert words.exact_hint(["dysprosium"], matched[:2]) == ""
    assert words.exact_hint(["dysprosium"], matched[1:2]) == (
        "1 of the 1 row matches dysprosium only through rare-earths; --exact keeps none"
    )
    assert words.exact_hint(["dysprosium", "terbium"], [("terbium",), *matched[1:]]) == (
        "2 of the 3 rows match dysprosium or terbium only through heavy-rare-earths, "
        "rare-earths; --exact keeps the 1 that names dysprosium or terbium")  # fmt: skip


# --- piped status and countdown: how current the data is, on stderr ---------------------------


def test_piped_status_and_countdown_say_the_horizon_on_stderr_only(run):
    # nothing here is unconfirmed: the line is said all the same
    status = run("status", "-m", "gallium", "--to", "JP", "--as-of", "2026-12-06")
    assert (status.exit_code, status.stderr) == (0, DEC6)
    assert [line.split("\t")[0] for line in status.stdout.splitlines()] == ["state", "in-force"]
    countdown = run("countdown", "--as-of", "2026-12-06", "--within", "30")
    assert (countdown.exit_code, countdown.stderr) == (0, DEC6)
    assert "data:" not in countdown.stdout
    assert run("status", "--as-of", "2026-12-06", "--json").stderr == ""
