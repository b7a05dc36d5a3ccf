"""Team stores: a broken file does not hide the others, `check` and `doctor` see every problem
and name only the files that have them, the curated store kept beside a team folder
(`--with-curated`), and each person adding to a file of their own (`add --into`)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from reetimeline.store.parse import NEW_STORE_HEADER

BAD_DATE = '[[events]]\nid = "mine"\ndate = "2026-13-01"\ntitle = "Mine"\ncategory = "other"\n'


def event(event_id: str, *, date: str = "2026-01-01", extra: str = "") -> str:
    return (
        f'[[events]]\nid = "{event_id}"\ndate = {date}\ntitle = "T {event_id}"\n'
        f'category = "other"\n{extra}'
    )


@pytest.fixture
def user_store(tmp_path):
    """The user store where the tool looks for it ($XDG_DATA_HOME, set by conftest)."""
    path = Path(os.environ["XDG_DATA_HOME"]) / "reetimeline" / "events.toml"
    path.parent.mkdir(parents=True)
    return path


# --- a broken store does not hide the others ------------------------------------------------


def test_a_broken_user_store_leaves_the_curated_answer(run, user_store):
    curated = run("list", "-m", "dysprosium")
    assert curated.exit_code == 0 and curated.stdout.count("\n") > 5
    user_store.write_text(BAD_DATE, encoding="utf-8")
    result = run("list", "-m", "dysprosium")
    assert (result.exit_code, result.stdout) == (1, curated.stdout)
    assert result.stderr == (
        f"{user_store}:3: event 'mine': date: month 13 does not exist\n"
        f"left out: {user_store} (1 problem); run `reetimeline check`\n"
    )


@pytest.mark.parametrize(
    "command",
    [["countdown", "--as-of", "2026-11-25"], ["status", "--as-of", "2026-11-25"],
     ["show", "busan"], ["timeline", "--as-of", "2026-11-25"], ["stats"],
     ["export", "-f", "jsonl"], ["changes", "--since", "2025-11-01", "--as-of", "2026-11-25"]],
    ids=lambda c: c[0],
)  # fmt: skip
def test_every_read_command_answers_from_the_valid_files(run, user_store, command):
    expected = run(*command)
    user_store.write_text(BAD_DATE, encoding="utf-8")
    result = run(*command)
    assert (result.exit_code, result.stdout) == (1, expected.stdout)
    assert expected.stdout.count("\n") > 3
    assert result.stderr == (
        f"{user_store}:3: event 'mine': date: month 13 does not exist\n"
        f"left out: {user_store} (1 problem); run `reetimeline check`\n" + expected.stderr
    )


def test_report_answers_from_the_valid_files(run, user_store, tmp_path):
    user_store.write_text(BAD_DATE, encoding="utf-8")
    result = run("report", "--as-of", "2026-11-25", "-o", str(tmp_path / "page.html"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        f"left out: {user_store} (1 problem); run `reetimeline check`",
        f"wrote the briefing as of 2026-11-25 to {tmp_path / 'page.html'}",
    ]
    # a curated deadline (the history of the last year does not reach back to its event)
    assert "busan-<wbr>trump-<wbr>xi-<wbr>summit" in (tmp_path / "page.html").read_text(
        encoding="utf-8"
    )


def test_a_folder_answers_without_its_broken_file(run, tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    (team / "alice.toml").write_text(event("a1") + "\n" + event("shared"), encoding="utf-8")
    bob = team / "bob.toml"
    bob.write_text(event("b1", date='"2026-02-30"') + "\n" + event("shared"), encoding="utf-8")
    (team / "carol.toml").write_text(event("c1", extra='related = ["nobody"]\n'), "utf-8")
    for _cached in range(2):  # parsed now, then with the valid files from the cache
        result = run("--store", str(team), "list")
        assert result.exit_code == 1
        assert [line.split("\t")[-1] for line in result.stdout.splitlines()] == [
            "id",
            "a1",
            "shared",
        ]
        assert result.stderr.splitlines()[-1] == (
            f"left out: {bob} (2 problems), {team / 'carol.toml'} (1 problem); "
            "run `reetimeline check`"
        )


def test_when_every_file_is_broken_there_is_no_answer(run, user_store, tmp_path):
    user_store.write_text(BAD_DATE, encoding="utf-8")
    result = run("--store", str(user_store), "list")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{user_store}:3: event 'mine': date: month 13 does not exist\n"


# --- check and doctor see every problem, in the file that has it ----------------------------


@pytest.fixture
def team(tmp_path):
    """alice is clean; bob repeats alice's id in an event that also has a bad date, has a bad
    category, and refers to an event of carol's that has a problem of its own."""
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "alice.toml").write_text(event("a1") + "\n" + event("dup"), encoding="utf-8")
    (folder / "bob.toml").write_text(
        event("dup", date='"2026-02-30"') + '\n[[events]]\nid = "b2"\ndate = 2026-01-01\n'
        'title = "B"\ncategory = "otter"\nrelated = ["c1"]\n',
        encoding="utf-8",
    )
    (folder / "carol.toml").write_text(event("c1", extra="sources = 3\n"), encoding="utf-8")
    return folder


def test_check_reports_every_problem_and_names_only_broken_files(run, team):
    bob, carol = team / "bob.toml", team / "carol.toml"
    expected = (
        f"{bob}:3: event 'dup': date: 2026-02 has no day 30 (it has 28)\n"
        f"{bob}:11: event 'b2': category: unknown category 'otter' (did you mean 'other'?)\n"
        f"{bob}:1: event 'dup': id: duplicate id, also at {team / 'alice.toml'}:7\n"
        f"{carol}:6: event 'c1': sources: must be a list of tables like "
        "{ title = ..., url = ... }\n"
        f"4 problems: 3 in {bob}, 1 in {carol}\n"
    )
    for _cached in range(2):  # alice is cached after the first run: the same answer
        result = run("--store", str(team), "check")
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)


def test_a_duplicate_of_a_broken_event_is_found_in_one_file(run, write_store):
    path = write_store(event("x", date='"2026-02-30"') + "\n" + event("x"))
    result = run("--store", str(path), "check")
    assert result.stderr == (
        f"{path}:3: event 'x': date: 2026-02 has no day 30 (it has 28)\n"
        f"{path}:7: event 'x': id: duplicate id, also at {path}:1\n"
        f"2 problems in {path}\n"
    )


def test_doctor_agrees_with_check(run, team, tmp_path):
    report = json.loads(run("--store", str(team), "doctor", "--json").stdout)
    assert [(s["path"], s["state"], s["events"], s["problems"]) for s in report["stores"]] == [
        (str(team / "alice.toml"), "ok", 2, 0),
        (str(team / "bob.toml"), "broken", 0, 3),
        (str(team / "carol.toml"), "broken", 0, 1),
    ]
    # a reference from one file to another is fine, as `check` says
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "a.toml").write_text(event("a", extra='related = ["b"]\n'), encoding="utf-8")
    (linked / "b.toml").write_text(event("b"), encoding="utf-8")
    assert run("--store", str(linked), "check").exit_code == 0
    text = run("--store", str(linked), "doctor").stdout
    assert f"store       {linked / 'a.toml'}: ok, 1 event\n" in text
    assert f"store       {linked / 'b.toml'}: ok, 1 event\n" in text


# --- the curated store beside a team folder --------------------------------------------------

PAUSE = (
    '[[events]]\nid = "team-pause"\ndate = 2026-11-20\ntitle = "Team: a pause"\n'
    'category = "suspension"\nsuspends = ["china-bans-ga-ge-sb-to-us"]\n'
)


@pytest.fixture
def team_folder(tmp_path):
    """A team folder whose event suspends a measure of the curated store."""
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "shared.toml").write_text(PAUSE, encoding="utf-8")
    return folder


def test_with_curated_keeps_the_curated_store_for_a_team_folder(run, team_folder):
    from reetimeline.store import curated_store_path

    shared = team_folder / "shared.toml"
    alone = run("--store", str(team_folder), "check")
    assert (alone.exit_code, alone.stderr) == (1, (
        f"{shared}:1: event 'team-pause': suspends: no event 'china-bans-ga-ge-sb-to-us' in the "
        f"stores\n1 problem in {shared}\n"))  # fmt: skip
    expected = f"ok: 81 events in {curated_store_path()}, {shared}\n"
    for args, env in (
        (["--store", str(team_folder), "--with-curated", "check"], None),
        (["--store", str(team_folder), "check", "--with-curated"], None),
        (["--with-curated", "check"], {"REETIMELINE_STORE": str(team_folder)}),
        # the curated store named too is read once
        (["--store", str(curated_store_path()), "--store", str(team_folder), "--with-curated",
          "check"], None),
    ):  # fmt: skip
        result = run(*args, env=env)
        assert (result.exit_code, result.stdout, result.stderr) == (0, expected, ""), args
    status = run("--store", str(team_folder), "--with-curated", "status", "-m", "gallium",
                 "--to", "US", "--as-of", "2026-11-25")  # fmt: skip
    # the team's pause names the package: both of its clauses are suspended
    for kind, clause in (("end-use-ban", 1), ("ban", 2)):
        row = f"suspended\t2026-11-20\t\tsources: confirmed\t{kind}\tNo. 46 (2024), clause {clause}"
        assert row in status.stdout


# --- each person adds to a file of their own -------------------------------------------------


def _git(folder: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
               "-c", "init.defaultBranch=main", *args]  # fmt: skip
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout


def test_two_people_add_into_their_own_files(run, team_folder):
    _git(team_folder, "init", "-q")
    _git(team_folder, "add", "shared.toml")
    _git(team_folder, "commit", "-q", "-m", "the team's first event")
    team = ["--store", str(team_folder), "--with-curated"]
    for person, day in (("alice", "21"), ("bob", "22"), ("alice", "23")):
        result = run(*team, "add", "--into", str(team_folder / f"{person}.toml"),
                     "--date", f"2026-11-{day}", "--title", f"{person} {day}",
                     "--related", "team-pause")  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert result.stderr == (
            f"added '2026-11-{day}-{person}-{day}' to {team_folder / f'{person}.toml'}\n"
        )
    assert _git(team_folder, "status", "--porcelain") == "?? alice.toml\n?? bob.toml\n"
    alice = (team_folder / "alice.toml").read_text(encoding="utf-8")
    assert alice.startswith(NEW_STORE_HEADER) and alice.count("\n[[events]]\n") == 2
    listed = run(*team, "list", "--since", "2026-11-21", "--until", "2026-11-23")
    assert [line.split("\t")[-1] for line in listed.stdout.splitlines()[1:]] == [
        "2026-11-21-alice-21", "2026-11-22-bob-22", "2026-11-23-alice-23"]  # fmt: skip
    assert run(*team, "check").exit_code == 0


def test_import_into_a_file_of_its_own(run, team_folder, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,category\ncarol-1,2026-11-24,Carol's row,other\n", "utf-8")
    result = run("--store", str(team_folder), "--with-curated", "import", str(rows),
                 "--into", str(team_folder / "carol.toml"))  # fmt: skip
    assert (
        result.stderr
        == f"added 1 event to {team_folder / 'carol.toml'} (CSV separated by commas)\n"
    )
    assert sorted(p.name for p in team_folder.iterdir()) == ["carol.toml", "shared.toml"]


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("elsewhere/alice.toml", "{into} is not in the stores in use; give a .toml file in a "
         "store folder in use ({team})"),
        ("team/sub/alice.toml", "{into} is not in the stores in use; give a .toml file in a "
         "store folder in use ({team})"),
        ("team/alice.txt", "{into} is not a .toml file; the stores of a folder are its *.toml "
         "files"),
        ("team", "{into} is a folder; give a file (like {into}/NAME.toml)"),
    ],
)  # fmt: skip
def test_into_refuses_a_file_outside_the_stores_in_use(run, team_folder, into, message):
    path = team_folder.parent / into
    path.parent.mkdir(exist_ok=True)
    result = run("--store", str(team_folder), "--with-curated", "add", "--into", str(path),
                 "--date", "2026", "--title", "T")  # fmt: skip
    assert (result.exit_code, result.stdout) == (2, "")
    expected = message.format(into=path, team=team_folder)
    assert result.stderr == f"reetimeline: error: --into: {expected}\n"
    assert sorted(p.name for p in team_folder.rglob("*.t*")) == ["shared.toml"]


def test_into_a_store_file_in_use_and_not_the_installed_one(run, tmp_path, user_store):
    user_store.write_text(PAUSE, encoding="utf-8")
    result = run("add", "--into", str(user_store), "--date", "2026", "--title", "T")
    assert result.exit_code == 0, result.stderr
    nowhere = run("add", "--into", str(tmp_path / "x.toml"), "--date", "2026", "--title", "T")
    assert nowhere.stderr == (
        f"reetimeline: error: --into: {tmp_path / 'x.toml'} is not in the stores in use; no "
        "store folder is in use: name one with --store\n"
    )
