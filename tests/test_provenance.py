"""Where an event comes from: the curated store, the user store or a team store by name, as data
(`store.provenance`), in `show`, in `list --json`/`status --json`/`show --json` and the exports;
and `--curated-only`, which reads the curated store alone."""

import csv
import io
import json
from pathlib import Path

import pytest

from reetimeline import store
from reetimeline.model import Event, Origin, PartialDate

TEAM = """
[[events]]
id = "bob-ga-ban"
date = 2026-11-02
title = "Bob: Ga ban rumour"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["US"]
confidence = "reported"
sources = [{ title = "Call with a trader", url = "https://example.com/call" }]
"""


def _event(path: str | None) -> Event:
    return Event(id="x", date=PartialDate(2026, 1, 1), title="x", category="other",
                 origin=Origin(path) if path is not None else None)  # fmt: skip


def test_provenance_names_the_curated_the_user_and_a_team_store(tmp_path):
    user = tmp_path / "data" / "reetimeline" / "events.toml"
    curated = store.curated_store_path()
    assert store.provenance(_event(str(curated)), user) == store.Provenance("curated")
    assert store.provenance(_event(str(user)), user) == store.Provenance("user")
    # the same file by another spelling of its path is still the user store
    spelled = tmp_path / "data" / "reetimeline" / ".." / "reetimeline" / "events.toml"
    assert store.provenance(_event(str(spelled)), user).kind == "user"
    team = store.provenance(_event(str(tmp_path / "team" / "bob.toml")), user)
    assert (team, team.code) == (store.Provenance("team", "bob.toml"), "team:bob.toml")
    # without a user store, the user's file is a team store like any other
    assert store.provenance(_event(str(user)), None).code == "team:events.toml"
    # a file name reaches pages and terminals: its control characters are made visible
    assert store.provenance(_event(str(tmp_path / "a\x1b[31m.toml")), None).name == (
        "a\\x1b[31m.toml"
    )
    assert store.provenance(_event(None), user) == store.Provenance("team", "")


@pytest.fixture
def stores(run, write_store, tmp_path, monkeypatch):
    """The curated store, a team store from the config file and a note in the user store."""
    team = write_store(TEAM, name="bob.toml", folder=tmp_path / "team")
    config = Path(str(tmp_path / "config")) / "reetimeline" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"stores = [{json.dumps(str(team))}]\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    added = run("add", "--date", "2026-11-20", "--title", "Quote for Tb metal", "-k", "price",
                "-m", "terbium", "--source-title", "E-mail", "--source-url",
                "https://example.com/quote")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return team


def test_list_and_status_json_say_where_each_event_comes_from(run, stores):
    listed = json.loads(run("list", "--json").stdout)
    froms = {e["id"]: e["from"] for e in listed}
    assert (len(froms), froms.pop("bob-ga-ban"), froms.pop("2026-11-20-quote-for-tb-metal")) == (
        82, "team:bob.toml", "user")  # fmt: skip
    assert set(froms.values()) == {"curated"}
    assert {list(e)[-1] for e in listed} == {"from"}
    states = json.loads(run("status", "--json", "--as-of", "2026-11-25", "-m", "gallium",
                            "--to", "US").stdout)  # fmt: skip
    froms = {s["id"]: s["from"] for s in states}
    assert froms["bob-ga-ban"] == "team:bob.toml"
    assert {f for i, f in froms.items() if i != "bob-ga-ban"} == {"curated"}


def test_show_says_where_the_event_comes_from(run, stores):
    shown = run("show", "bob-ga-ban", "--as-of", "2026-11-25")
    assert "from\tteam store bob.toml" in shown.stdout.splitlines()
    mine = run("show", "2026-11-20-quote-for-tb-metal")
    assert "from\tyour store" in mine.stdout.splitlines()
    curated = run("show", "busan-trump-xi-summit")
    assert "from\tcurated store" in curated.stdout.splitlines()
    record = json.loads(run("show", "bob-ga-ban", "--json", "--as-of", "2026-11-25").stdout)
    assert (record["from"], record["state"]["from"]) == ("team:bob.toml", "team:bob.toml")
    package = json.loads(run("show", "october-9-export-control-package", "--json").stdout)
    assert {p["from"] for p in package["parts"]} == {"curated"}


def test_the_csv_export_ends_with_a_from_column_that_import_leaves_out(run, stores, tmp_path):
    text = run("export", "--format", "csv", "--since", "2026-11").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "from"
    froms = {r[0]: r[-1] for r in rows[1:]}
    assert (len(froms), froms.pop("bob-ga-ban"), froms.pop("2026-11-20-quote-for-tb-metal")) == (
        len(rows) - 1, "team:bob.toml", "user")  # fmt: skip
    assert set(froms.values()) == {"curated"}
    exported = tmp_path / "out.csv"
    exported.write_text(run("export", "--format", "csv", "-q", "rumour").stdout, encoding="utf-8")
    target = tmp_path / "copy.toml"
    result = run("--store", str(target), "import", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "from" not in target.read_text(encoding="utf-8")
    again = json.loads(run("--store", str(target), "list", "--json").stdout)
    assert [(e["id"], e["from"]) for e in again] == [("bob-ga-ban", "team:copy.toml")]


def test_curated_only_reads_the_curated_store_alone_for_every_command(run, stores, monkeypatch):
    monkeypatch.setenv("REETIMELINE_STORE", str(stores))  # the command line beats it
    for args in (["--curated-only", "list", "--json"], ["list", "--json", "--curated-only"]):
        listed = json.loads(run(*args).stdout)
        assert len(listed) == 80
        assert {e["from"] for e in listed} == {"curated"}
    missing = run("--curated-only", "show", "bob-ga-ban")
    assert missing.exit_code == 2
    counted = run("--curated-only", "countdown", "--as-of", "2026-11-25", "--json")
    assert {t["id"] for t in json.loads(counted.stdout)}.isdisjoint({"bob-ga-ban"})


def test_curated_only_does_not_write(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = run("--curated-only", "add", "--date", "2026-11-21", "--title", "A note", "-k",
                 "other", "--source-title", "Memo", "--source-url",
                 "https://example.com/m")  # fmt: skip
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "reetimeline: error: --curated-only reads the curated store alone, and add and "
        "import write to another store: leave out --curated-only\n")  # fmt: skip
    assert not (tmp_path / "data").exists()


def test_the_terminal_views_mark_what_is_not_curated(run, stores, monkeypatch):
    """On a terminal, list, status and countdown mark each event that is not from the curated
    store after its title; curated rows carry no mark."""
    monkeypatch.setenv("COLUMNS", "300")  # no title wraps
    listed = run("--color", "always", "list", "--since", "2026-11").stdout
    assert "Quote for Tb metal\x1b[3;36m [your store]" in listed
    reported = "\x1b[3;33m (reported)\x1b[0m"
    assert f"Bob: Ga ban rumour{reported}\x1b[3;36m [team store bob.toml]" in listed
    assert (listed.count("[your store]"), listed.count("[team store")) == (1, 1)
    status = run("--color", "always", "status", "-m", "gallium", "--to", "US",
                 "--as-of", "2026-11-25").stdout  # fmt: skip
    assert "Bob: Ga ban rumour\x1b[3;36m [team store bob.toml]" in status
    assert (status.count("[team store"), status.count("[your store]")) == (1, 0)
    counted = run("--color", "always", "countdown", "-q", "rumour", "--all",
                  "--as-of", "2026-11-25").stdout  # fmt: skip
    assert "[team store bob.toml]" in counted
    assert "[team store" not in run("--color", "always", "--curated-only", "list").stdout
    # a store read alone is not marked on every row: the person named it
    alone = run("--color", "always", "--store", str(stores), "list").stdout
    assert ("Bob: Ga ban rumour" in alone, "[team store" in alone) == (True, False)
