"""The command line on the curated store and on small stores: exact output and exit codes."""

import pytest

from reetimeline import __version__
from reetimeline.cli import app
from tests.conftest import json_of

DYSPROSIUM_MUST = {
    "china-halts-rare-earths-to-japan-2010",
    "seven-medium-heavy-ree-controls",
    "october-9-export-control-package",
}


def test_version(run):
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"reetimeline {__version__}\n")


def test_check_passes_on_the_curated_store(run):
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 80 events in ")
    assert result.stdout.rstrip().endswith("events.toml")


def test_check_json(run, small_store):
    report = json_of(run("--store", str(small_store), "check", "--json"))
    assert report == {"files": [str(small_store)], "events": 4, "problems": []}


def test_list_dysprosium(run):
    events = json_of(run("list", "--mineral", "dysprosium", "--json"))
    ids = {e["id"] for e in events}
    assert ids >= DYSPROSIUM_MUST
    # nothing that concerns only gallium (or only other minerals outside the rare earths)
    for event in events:
        assert {"dysprosium", "rare-earths", "heavy-rare-earths"} & set(event["minerals"])
    assert "china-bans-ga-ge-sb-to-us" not in ids
    assert "ga-ge-export-licensing" not in ids
    for alias in ("Dy", "диспрозий", "镝", "ジスプロシウム"):
        assert [e["id"] for e in json_of(run("list", "-m", alias, "--json"))] == [
            e["id"] for e in events
        ]


def test_list_json_uses_the_store_field_names(run):
    [event] = json_of(run("list", "-q", "Busan summit", "--json"))
    assert event["id"] == "busan-trump-xi-summit"
    assert event["date"] == "2025-10-30"
    assert list(event) == [
        "id", "date", "precision", "title", "summary", "category", "minerals", "countries",
        "tags", "effective", "expires", "suspends", "related", "confidence", "issuer",
        "applies_to", "extends", "ends", "kind", "partial", "part_of", "confirms", "current_to",
        "sources", "from",
    ]  # fmt: skip


def test_list_plain_when_piped(run, small_store):
    result = run("--store", str(small_store), "list", "-m", "gallium")
    assert result.exit_code == 0
    assert result.stdout == (
        "date\tcategory\tkind\ttitle\tminerals\tcountries\tconfidence\tid\n"
        "2024-12-03\texport-control\tunclassified\tBan on gallium exports\tgallium\tCN, US"
        "\tsources: confirmed\tban\n"
        "2025-11-09\tsuspension\t\tBan suspended\tgallium\tCN, US\tsources: confirmed\tpause\n"
    )


def test_nothing_matches_is_success_said_on_stderr(run, small_store):
    result = run("--store", str(small_store), "list", "-m", "cobalt")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "date\tcategory\tkind\ttitle\tminerals\tcountries\tconfidence\tid\n",
        "no events match\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "-m", "dysprosim"],
            "reetimeline: error: unknown mineral 'dysprosim' (did you mean 'dysprosium'?); "
            "`reetimeline vocab minerals` lists them\n",
        ),
        (
            ["list", "-k", "tarif"],
            "reetimeline: error: unknown category 'tarif' (did you mean 'tariff'?); categories: "
            "export-control, suspension, tariff, truce, meeting, agreement, investment, price, "
            "statement, military, other\n",
        ),
        (
            ["show", "busan-trump-xi-sumit"],
            "reetimeline: error: no event 'busan-trump-xi-sumit' "
            "(did you mean 'busan-trump-xi-summit' or 'trump-xi-beijing-summit'?); `reetimeline "
            "list -q WORDS` searches "
            "titles, summaries, ids, tags and sources\n",
        ),
        (["list", "--since", "soon"], "reetimeline: error: --since: 'soon' is not a date: use "
         "YYYY-MM-DD, YYYY-MM, YYYY, today, +90d, '30 days ago' or 'next month'\n"),
        (["countdown", "--as-of", "2026-11"], "reetimeline: error: --as-of: '2026-11' is a "
         "month; give a day (YYYY-MM-DD)\n"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_a_did_you_mean(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_unknown_option_exits_2_without_traceback(run):
    result = run("list", "--minerals", "x")
    assert result.exit_code == 2
    assert "No such option: --minerals" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_store_exits_1_with_every_problem(run, write_store):
    path = write_store('[[events]]\nid = "a"\ndate = "2025-02-30"\ntitle = "A"\ncategory = "x"\n')
    result = run("--store", str(path), "list")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{path}:3: event 'a': date: 2025-02 has no day 30 (it has 28)\n"
        f"{path}:5: event 'a': category: unknown category 'x'\n"
    )


def test_store_from_the_environment_and_empty_store_message(run, write_store):
    path = write_store("# nothing yet\n")
    result = run("list", env={"REETIMELINE_STORE": str(path)})
    assert result.exit_code == 0
    assert result.stderr == f"no events in {path}\n"


def test_the_user_store_is_merged_with_the_curated_one(run, write_store, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    write_store(
        '[[events]]\nid = "mine"\ndate = 2026-11-20\ntitle = "My note"\ncategory = "other"\n',
        folder=tmp_path / "data" / "reetimeline",
    )
    ids = [e["id"] for e in json_of(run("list", "--json"))]
    assert len(ids) == 81 and "mine" in ids


def countdown_rows(run, *args):
    return [
        (t["id"], t["kind"], t["date"], t["days"], t["when"])
        for t in json_of(run("countdown", *args, "--json"))
    ]


def test_countdown_to_the_suspension_expiries(run):
    rows = countdown_rows(run, "--as-of", "2026-01-12")
    assert ("mofcom-suspends-october-measures", "expires", "2026-11-10", 302, "in 302 days") in rows
    horizon = "not confirmed: after the data's horizon"
    assert countdown_rows(run, "--as-of", "2026-11-25") == [
        ("bis-affiliates-rule-suspended", "expires", "2026-11-09", -16,
         f"due 16 days ago, {horizon}"),
        ("china-tariff-commission-suspension", "expires", "2026-11-10", -15,
         f"due 15 days ago, {horizon}"),
        ("mofcom-suspends-october-measures", "expires", "2026-11-10", -15,
         f"due 15 days ago, {horizon}"),
        ("mofcom-suspends-us-ga-ge-sb-ban", "expires", "2026-11-27", 2, "in 2 days"),
        ("dfars-magnet-sourcing-rule", "effective", "2027-01-01", 37, "in 37 days"),
        ("busan-trump-xi-summit", "expires", "2027-01-10", 46,
         "in 46 days, extended by mofcom-eighth-round-readout-kl-extension"),
    ]  # fmt: skip
    # the ends an extension or an end replaced only with --all
    rows = countdown_rows(run, "--as-of", "2026-11-25", "--all")
    assert [r for r in rows if r[1:3] == ("expires", "2026-11-10")] == [
        ("busan-trump-xi-summit", "expires", "2026-11-10", -15,
         "due 15 days ago, replaced by mofcom-eighth-round-readout-kl-extension"),
        ("china-tariff-commission-suspension", "expires", "2026-11-10", -15,
         f"due 15 days ago, {horizon}"),
        ("mofcom-suspends-october-measures", "expires", "2026-11-10", -15,
         f"due 15 days ago, {horizon}"),
        ("us-executive-orders-tariff-cut", "expires", "2026-11-10", -15,
         "due 15 days ago, ended earlier by scotus-ieepa-tariffs-struck-down"),
    ]  # fmt: skip


def test_countdown_json_shape_and_wording(run):
    [date, row] = json_of(
        run("countdown", "mofcom-suspends-us-ga-ge-sb-ban", "--as-of", "2026-11-25", "--json")
    )
    assert (date["kind"], date["date"], date["days"], date["when"]) == (
        "date",
        "2025-11-09",
        -381,
        "381 days ago",
    )
    assert row == {
        "id": "mofcom-suspends-us-ga-ge-sb-ban",
        "title": "MOFCOM Announcement No. 72: US-specific Ga/Ge/Sb ban suspended until 27 Nov 2026",
        "category": "suspension",
        "kind": "expires",
        "date": "2026-11-27",
        "precision": "day",
        "days": 2,
        "when": "in 2 days",
        "confidence": "confirmed",
        "extended_by": None,
        "superseded": False,
        "replaced_by": None,
        "unconfirmed": False,
        "from": "curated",
    }


def states(run, *args):
    return {s["id"]: (s["state"], s["until"]) for s in json_of(run("status", *args, "--json"))}


def test_status_on_1_june_2026(run):
    holmium = states(run, "--as-of", "2026-06-01", "-m", "holmium")
    assert holmium["october-9-no-57-five-rare-earths"] == ("suspended", "2026-11-10")
    dysprosium = states(run, "--as-of", "2026-06-01", "-m", "dysprosium")
    assert dysprosium["seven-medium-heavy-ree-controls"] == ("in-force", None)
    gallium_us = states(run, "--as-of", "2026-06-01", "-m", "gallium", "-c", "US")
    assert gallium_us == {
        "no-46-clause-1-us-military-end-use": ("in-force", None),
        "no-46-clause-2-us-ga-ge-sb-ban": ("suspended", "2026-11-27"),
    }


def test_show_json_lists_what_suspends_it(run):
    record = json_of(run("show", "no-46-clause-2-us-ga-ge-sb-ban", "--json", "--as-of",
                         "2026-11-25"))  # fmt: skip
    assert record["suspended_by"] == ["mofcom-suspends-us-ga-ge-sb-ban"]
    assert record["targets"][0]["days"] == -722


def test_show_piped_prints_every_part_as_plain_lines(run):
    """Piped, `show` is plain text like every view: a `label<TAB>text` line per fact, the
    summary, each source's link on a line of its own, how current the data is."""
    result = run("show", "mofcom-suspends-us-ga-ge-sb-ban", "--as-of", "2026-11-25")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:13] == [
        "MOFCOM Announcement No. 72: US-specific Ga/Ge/Sb ban suspended until 27 Nov 2026",
        "mofcom-suspends-us-ga-ge-sb-ban\tsuspension",
        "",
        "date\t2025-11-09  381 days ago",
        "expires\t2026-11-27  in 2 days",
        "confidence\tsources: confirmed",
        "imposed by\tCN",
        "applies to\tUS",
        "minerals\tgallium, germanium, antimony, superhard-materials",
        "countries\tCN, US",
        "suspends\tno-46-clause-2-us-ga-ge-sb-ban  No. 46 (2024), clause 2: China bans gallium, "
        "germanium, antimony and superhard-material exports to the US",
        "related\tbusan-trump-xi-summit  Trump–Xi Busan summit: one-year truce",
        "from\tcurated store",
    ]
    assert lines[13] == "" and lines[14].startswith("Suspends clause 2 of Announcement No. 46")
    assert lines[15:20] == [
        "",
        "sources",
        "[1] China suspends ban on exports of gallium, germanium, antimony to US "
        "(The Business Times)",
        "    https://www.businesstimes.com.sg/international/"
        "china-suspends-ban-exports-gallium-germanium-antimony-us",
        "[2] China suspends export prohibition on gallium, germanium, antimony, superhard "
        "materials to US (Fastmarkets)",
    ]
    assert lines[-2:] == ["", "data: curated store current to 2026-10-08, 48 days ago"]


def test_every_command_has_help_with_an_example():
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert command.help, name
        assert "Example" in command.help, name


def test_usage_lines_name_arguments_without_braces(run):
    import typer.main

    usage = {name: run(name, "-h").stdout.splitlines()[0]
             for name in typer.main.get_command(app).commands}  # fmt: skip
    assert usage["show"] == "Usage: reetimeline show [OPTIONS] ID"
    assert usage["import"] == "Usage: reetimeline import [OPTIONS] FILE"
    assert usage["countdown"] == "Usage: reetimeline countdown [OPTIONS] [ID]"
    assert [line for line in usage.values() if "{" in line] == []


def test_timeline_saves_svg_and_html(run, small_store, tmp_path):
    svg, page = tmp_path / "t.svg", tmp_path / "t.html"
    result = run("--store", str(small_store), "timeline", "--as-of", "2026-01-12", "--svg",
                 str(svg), "--html", str(page), "--width", "100")  # fmt: skip
    assert result.exit_code == 0
    assert "takes effect: Deep-sea mining test" in result.stdout
    assert result.stderr == f"wrote the timeline to {svg}\nwrote the timeline to {page}\n"
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = "".join(root.itertext()).replace("\xa0", " ")
    assert "Deep-sea mining test" in texts and "in 319 days" in texts
    assert "Deep-sea mining test" in page.read_text(encoding="utf-8")


def test_a_closed_stdout_prints_no_traceback(tmp_path):
    import subprocess
    import sys

    pipeline = subprocess.run(
        f"'{sys.executable}' -m reetimeline export --format json | head -c 1",
        shell=True, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert pipeline.stdout == "["
    assert pipeline.stderr == ""


def test_import_reports_every_bad_row_and_writes_nothing(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,date,title,category,minerals\r\n"
        "ok,2025-01-01,Fine,other,gallium\r\n"
        "x1,2025-02-30,Bad date,other,\r\n"
        "x2,2025-01-01,Bad mineral,other,dysprosim\r\n"
        "x3,2025-01-01,Too,many,cells,here\r\n",
        encoding="utf-8",
    )
    target = tmp_path / "store.toml"
    result = run("--store", str(target), "import", str(bad))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{bad}: row 3: event 'x1': date: 2025-02 has no day 30 (it has 28)\n"
        f"{bad}: row 4: event 'x2': minerals: unknown mineral 'dysprosim' "
        "(did you mean 'dysprosium'?)\n"
        f"{bad}: row 5: has 6 cells, the header has 5\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", '[{"id": "a"', "{f}:1: not JSON: Expecting ',' delimiter"),
        ("bad.json", '{"id": "a"}', "{f}: must be a list of events, as `export --format json` "
         "writes"),
        ("bad.jsonl", '{"id": "a", "date": "2025", "title": "A", "category": "other"}\n[1]\n',
         "{f}:2: must be an object"),
        ("bad.csv", "foo,bar\r\n1,2\r\n", "{f}: row 1: header: missing date, title, category; "
         "unknown foo, bar (columns: id, date, title, summary, category, minerals, countries, "
         "tags, effective, expires, suspends, related, confidence, issuer, applies_to, extends, "
         "ends, kind, partial, part_of, confirms, current_to, sources, source_publishers, "
         "source_accessed, state, runs_until, from)"),
    ],
)  # fmt: skip
def test_import_of_malformed_files(run, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("--store", str(tmp_path / "s.toml"), "import", str(path))
    assert (result.exit_code, result.stderr) == (1, message.format(f=path) + "\n")


def test_import_dry_run_and_skip_existing(run, small_store, tmp_path):
    exported = tmp_path / "e.jsonl"
    run("--store", str(small_store), "export", "-f", "jsonl", "-q", "halt", "-o", str(exported))
    new = '{"id": "new", "date": "2026-12", "title": "New one", "category": "other"}\n'
    exported.write_text(exported.read_text(encoding="utf-8") + new, encoding="utf-8")
    before = small_store.read_bytes()
    refused = run("--store", str(small_store), "import", str(exported))
    assert (refused.exit_code, refused.stderr) == (
        1,
        f"{exported}:1: event 'embargo': id: already exists in the stores in use "
        "(use --skip-existing to skip it)\n",
    )
    dry = run("--store", str(small_store), "import", str(exported), "--skip-existing", "--dry-run")
    assert (dry.exit_code, dry.stdout) == (0, "would add new\t2026-12\tNew one\n")
    assert dry.stderr == (
        "skipped 'embargo': already exists\n"
        f"would add 1 event to {small_store} (dry run: nothing written)\n"
    )
    assert small_store.read_bytes() == before
    done = run("--store", str(small_store), "import", str(exported), "--skip-existing")
    assert done.stderr == (
        f"skipped 'embargo': already exists\nadded 1 event to {small_store}, skipped 1\n"
    )
    assert small_store.read_bytes().startswith(before)


def test_piped_lines_are_written_in_blocks_and_whole_before_an_error(capsys):
    from reetimeline.cli.printing import BLOCK_LINES, print_lines

    lines = [f"row {n}" for n in range(BLOCK_LINES * 2 + 3)]
    assert print_lines(iter(lines)) == len(lines)
    assert capsys.readouterr().out == "".join(f"{line}\n" for line in lines)

    def failing():
        yield from lines[: BLOCK_LINES + 5]
        raise RuntimeError("the store changed")

    with pytest.raises(RuntimeError):
        print_lines(failing())
    assert capsys.readouterr().out.splitlines() == lines[: BLOCK_LINES + 5]


def test_the_command_line_has_no_import_cycle():
    """Command modules import the app and the helpers; only `commands` imports the command
    modules; the package's own `__init__` imports none of its modules when it loads."""
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "src" / "reetimeline" / "cli"
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    command_modules = {"views", "measures", "overviews", "briefing", "exchange"}
    importers: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                for name in names:
                    # `from . import x` names a module, never something defined in __init__
                    assert name.split(".")[0] in modules, (path.name, name)
                    importers.setdefault(name.split(".")[0], set()).add(path.stem)
    for name in command_modules:
        assert importers[name] == {"commands"}, name
    init = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    assert [n for n in init.body if isinstance(n, ast.Import | ast.ImportFrom)] == [
        n for n in init.body if isinstance(n, ast.ImportFrom) and n.module == "typing"
    ]


def test_the_command_line_sets_no_global_of_another_module():
    """Switches are passed, not set: no module of the command line assigns an attribute of a
    module it imports (as `cli.main` once set `store.cache.deferred`); only `sys.stdout` is
    the console script's to replace (cli/run.py)."""
    import ast
    import importlib
    import importlib.util
    import types
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "src" / "reetimeline" / "cli"

    def imported(node, package: str) -> dict[str, object]:
        """The names an import binds, with what they are bound to."""
        bound = {}
        for alias in node.names:
            if isinstance(node, ast.Import):
                name, target = alias.asname or alias.name.split(".")[0], alias.name.split(".")[0]
            else:
                name = alias.asname or alias.name
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                target = f"{base}.{alias.name}"
            try:
                bound[name] = importlib.import_module(target)
            except ImportError:
                bound[name] = None  # a function or class, not a module
        return bound

    found = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                bound = imported(node, "reetimeline.cli")
                modules |= {n for n, v in bound.items() if isinstance(v, types.ModuleType)}
        for node in ast.walk(tree):
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target] if isinstance(node, ast.AugAssign) else [])  # fmt: skip
            for target in targets:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id in modules
                        and (target.value.id, target.attr) != ("sys", "stdout")):  # fmt: skip
                    found.append(f"{path.name}:{node.lineno} {target.value.id}.{target.attr}")
    assert found == []
