"""Issue 20, the views: kinds, flows, the matrix by kind, partial suspensions, packages and
their parts, the options (--kind, --from, changes --since/--until), the ICS export and the
horizons. Some fixture events are given their kinds here, in Python."""

# ruff: noqa: E501 (expected screens are wider than code lines)

import dataclasses
import datetime as dt
import io
import re
from collections import namedtuple

import pytest
from rich.console import Console

import reetimeline.api as ree
from reetimeline.engine import briefing
from reetimeline.engine.query import make_filter
from reetimeline.engine.states import NO_HORIZON, Horizon, Knowledge, statuses
from reetimeline.model import MEASURE_CATEGORIES, PartialDate
from reetimeline.output import plain, report, words
from reetimeline.output.render import matrix_table
from reetimeline.store import load

from .conftest import json_of

DAY = dt.date(2026, 6, 1)

MATRIX = """
[[events]]
id = "licensing"
date = 2023-07-03
title = "Licensing for every destination"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "us-ban"
date = 2024-12-03
title = "Ban on exports to the US"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "military"
date = 2024-12-03
title = "Ban on dual-use exports to US military users"
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["US"]

[[events]]
id = "pause"
date = 2025-11-09
expires = 2026-11-27
title = "US ban suspended"
category = "suspension"
issuer = "CN"
applies_to = ["US"]
suspends = ["us-ban"]

[[events]]
id = "japan-ban"
date = 2026-01-06
title = "Ban on germanium exports to Japan"
category = "export-control"
minerals = ["germanium"]
issuer = "CN"
applies_to = ["JP"]

[[events]]
id = "holmium-licensing"
date = 2026-05-01
effective = 2026-07-01
title = "Licensing of holmium"
category = "export-control"
minerals = ["holmium"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "tech"
date = 2023-12-21
title = "Ban on exports of processing technology"
category = "export-control"
minerals = ["holmium", "dysprosium"]
issuer = "CN"
applies_to = ["all"]

[[events]]
id = "us-tariff"
date = 2025-02-04
title = "US tariff on Chinese goods"
category = "tariff"
minerals = ["gallium"]
issuer = "US"
applies_to = ["CN"]
"""

KINDS = {"licensing": "licensing", "us-ban": "ban", "military": "end-use-ban",
         "holmium-licensing": "licensing", "tech": "technology", "us-tariff": "tariff"}  # fmt: skip
MINERALS = ("gallium", "germanium", "holmium", "dysprosium")


@pytest.fixture
def grid(write_store):
    """The engine's matrix of the fixture store with its kinds, on DAY, for US and JP."""
    events = [dataclasses.replace(e, kind=KINDS.get(e.id))
              for e in load([write_store(MATRIX)]).events]  # fmt: skip
    measures = [e for e in events if e.category in MEASURE_CATEGORIES]
    states = statuses(measures, Knowledge(events, DAY), NO_HORIZON)
    return briefing.matrix(states, ("US", "JP"), MINERALS)


def rendered(renderable, width=100) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]


# --- the matrix by kind ------------------------------------------------------------------------


def test_piped_matrix_lists_material_controls_first_and_the_others_apart(grid):
    assert list(plain.matrix_lines(grid)) == [
        "mineral\tUS\tJP",
        "gallium\tban suspended; licensing in force; + end-use ban in force\tlicensing in force",
        "germanium\tnone\tkind unknown in force",
        "holmium\tlicensing announced; + technology control in force"
        "\tlicensing announced; + technology control in force",
        "dysprosium\ttechnology only: technology control in force"
        "\ttechnology only: technology control in force",
    ]
    # with ids, each control names its measure
    assert list(plain.matrix_lines(grid, show_ids=True))[1] == (
        "gallium\tban suspended (us-ban); licensing in force (licensing); + end-use ban in force "
        "(military)\tlicensing in force (licensing)"
    )


def test_a_cell_headline_is_the_strictest_material_control_never_a_technology_one(grid):
    cells = grid.cells
    assert [cells[m, "US"].state for m in MINERALS] == ["suspended", None, "announced", None]
    assert [c.status.event.id for c in cells["gallium", "US"].material] == ["us-ban", "licensing"]
    assert [c.status.event.id for c in cells["gallium", "US"].targeted] == ["military"]
    assert [c.status.event.id for c in cells["dysprosium", "JP"].technology] == ["tech"]
    # a tariff restricts imports, not exports to a destination: never in a cell
    assert "us-tariff" not in {c.status.event.id for cell in cells.values()
                               for c in (*cell.material, *cell.targeted, *cell.technology)}  # fmt: skip


def test_matrix_on_a_terminal_with_a_legend_and_numbered_ids(grid):
    lines = rendered(matrix_table(grid, show_ids=True))
    assert lines[:10] == [
        "mineral      US                                           JP",
        "────────────────────────────────────────────────────────────────────────────────────────────────────",
        "gallium      ban suspended 1                              licensing in force 2",
        "             licensing in force 2",
        "             + end-use ban in force 3",
        "germanium    –                                            kind unknown in force 4",
        "holmium      licensing announced 5                        licensing announced 5",
        "             + technology control in force 6              + technology control in force 6",
        # a cell wraps between a kind and its state, never inside "in force"
        "dysprosium   technology only: technology control          technology only: technology control",
        "               in force 6                                   in force 6",
    ]
    assert " ".join(lines[10:17]) == words.MATRIX_LEGEND
    assert lines[-7:] == [
        "measures:",
        "1 us-ban",
        "2 licensing",
        "3 military",
        "4 japan-ban",
        "5 holmium-licensing",
        "6 tech",
    ]


def test_matrix_json_rows_say_each_control_with_its_kind_and_state(grid):
    cell = ree.record(ree.matrix_cell("gallium", "US", grid.cells["gallium", "US"]))
    assert cell == {
        "mineral": "gallium",
        "destination": "US",
        "state": "suspended",
        "material": [
            {"id": "us-ban", "kind": "ban", "state": "suspended", "since": "2025-11-09",
             "until": "2026-11-27", "confidence": "confirmed",
             "note": "suspended by pause until 2026-11-27"},
            {"id": "licensing", "kind": "licensing", "state": "in-force", "since": "2023-07-03",
             "until": None, "confidence": "confirmed", "note": ""},
        ],
        "targeted": [
            {"id": "military", "kind": "end-use-ban", "state": "in-force", "since": "2024-12-03",
             "until": None, "confidence": "confirmed", "note": ""},
        ],
        "technology": [],
        "text": "ban suspended; licensing in force; + end-use ban in force",
    }  # fmt: skip
    dysprosium = ree.record(ree.matrix_cell("dysprosium", "JP", grid.cells["dysprosium", "JP"]))
    assert (dysprosium["state"], dysprosium["material"], dysprosium["text"]) == (
        None, [], "technology only: technology control in force")  # fmt: skip


def test_the_report_draws_the_same_cells(grid):
    html = report._matrix(grid)
    row = re.search(r'<tr><th scope="row">dysprosium</th>(.*?)</tr>', html)
    assert row is not None
    assert row.group(1) == "".join(
        f'<td data-label="{destination}"><span class="count">+ 1 control</span><ul class="ids">'
        '<li class="technology">technology only: technology control in force <a class="id" '
        'href="#tech">tech</a></li></ul></td>'
        for destination in ("US", "JP")
    )
    gallium = re.search(r'<tr><th scope="row">gallium</th><td data-label="US">(.*?)</td>', html)
    assert gallium is not None
    assert gallium.group(1) == (
        '<span class="state state-suspended">suspended</span> <span class="count">3 controls'
        '</span><ul class="ids"><li class="material">ban <a class="id" href="#us-ban">us-<wbr>'
        'ban</a></li><li class="material">licensing in force <a class="id" href="#licensing">'
        "licensing</a></li>"
        '<li class="targeted">+ end-use ban in force <a class="id" href="#military">military</a>'
        "</li></ul>"
    )
    assert "never the mineral&#x27;s own state" in html


def test_report_honours_minerals_exactly_as_status_matrix(run, tmp_path):
    matrix = run("status", "--matrix", "-m", "dysprosium", "--as-of", "2026-12-06")
    rows = [line.split("\t")[0] for line in matrix.stdout.splitlines()[1:]]
    assert rows == ["dysprosium"]
    page = tmp_path / "r.html"
    assert run("report", "-m", "dysprosium", "--as-of", "2026-12-06", "-o", str(page)).exit_code == 0
    section = page.read_text(encoding="utf-8").split('<section id="matrix">')[1].split("</section>")[0]
    assert re.findall(r'<th scope="row">([^<]*)</th>', section) == rows
    heads = re.findall(r'<th scope="col">([^<]*)</th>', section)
    assert heads == ["mineral", "US", "JP", "KR", "EU", "all"]


# --- words: kinds, flows, partial suspensions --------------------------------------------------


def test_the_flow_of_a_measure_in_words(write_store):
    events = {e.id: e for e in load([write_store(MATRIX)]).events}
    assert words.flow_words(events["licensing"]) == "exports from CN to all but CN"
    assert words.flow_words(events["us-ban"]) == "exports from CN to US"
    assert words.flow_words(events["us-tariff"]) == "imports into US from CN"
    assert words.flow_words(events["pause"]) == ""
    assert [words.kind_text(events[i]) for i in ("licensing", "us-tariff", "pause")] == [
        "unclassified", "tariff", ""]  # fmt: skip
    assert words.kind_text(dataclasses.replace(events["tech"], kind="technology")) == "technology"


def _with(status, **fields):
    """`status` with the fields of the engine's Status of issue 20 (`partial_by`,
    `partial_until`, `partial_unconfirmed`, `reported_by`) set: replaced when the engine's
    Status has them, else on a row with the same fields and those."""
    if set(fields) <= set(status._fields):
        return status._replace(**fields)
    row = namedtuple("Issue20Status", (*status._fields, *fields))
    return row(*status, *fields.values())


def _partly(status, by, until):
    """A Status as the engine's part of issue 20 gives it for a measure that a partial
    suspension covers."""
    return _with(status, partial_by=by, partial_until=until)


def test_a_partial_suspension_leaves_the_measure_in_force_and_names_it(write_store):
    events = load([write_store(MATRIX)]).events
    measures = [e for e in events if e.id == "us-tariff"]
    [status] = statuses(measures, Knowledge(events, DAY), NO_HORIZON)
    pause = next(e for e in events if e.id == "pause")
    until = pause.expires
    partly = _partly(status, pause, until)
    assert partly.state == "in-force"
    assert words.status_note(partly) == "in force; in part suspended by pause until 2026-11-27"
    row = ree.record(ree.status_row(partly))
    assert (row["state"], row["partial_by"], row["partial_until"], row["note"]) == (
        "in-force", "pause", "2026-11-27", "in force; in part suspended by pause until 2026-11-27")
    assert plain.status_line(partly).split("\t") == [
        "in-force", "2025-02-04", "", "sources: confirmed", "tariff", "US tariff on Chinese goods",
        "in force; in part suspended by pause until 2026-11-27", "us-tariff"]  # fmt: skip


# --- rows ------------------------------------------------------------------------------------


def test_status_rows_carry_kind_flow_package_and_the_horizon_that_applies(write_store):
    path = write_store("current_to = 2026-05-01\n" + MATRIX)
    stores = ree.load(path, curated=False)
    rows = {r.id: r for r in ree.status(stores, as_of=DAY)}
    ban = rows["us-ban"]
    assert (ban.kind, ban.flow, ban.part_of, ban.current_to, ban.partial_by) == (
        None, "exports from CN to US", None, "2026-05-01", None)  # fmt: skip
    printed = ree.record(ban)
    assert list(printed)[:6] == ["id", "title", "category", "kind", "flow", "part_of"]


# --- options -----------------------------------------------------------------------------------


def test_kind_filter_keeps_the_measures_of_those_kinds(write_store):
    events = [dataclasses.replace(e, kind=KINDS.get(e.id))
              for e in load([write_store(MATRIX)]).events]  # fmt: skip
    chosen = [e.id for e in events if make_filter(kinds=["ban", "end-use-ban"]).matches(e)]
    assert chosen == ["military", "us-ban"]


def test_an_unknown_kind_is_bad_usage_with_the_list(run):
    result = run("status", "--kind", "bann")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "reetimeline: error: --kind: unknown kind 'bann' (did you mean 'ban'?); kinds: licensing, "
        "ban, informal, end-use-ban, entity-listing, technology, extraterritorial, tariff\n"
    )


def test_kind_completes_the_kinds(run):
    from reetimeline.cli import completion

    assert completion.kinds(None, "e") == ["end-use-ban", "entity-listing", "extraterritorial"]


def test_from_selects_the_origin_of_the_flow(run, write_store):
    store = str(write_store(MATRIX))
    ids = [r["id"] for r in json_of(run("--store", store, "status", "--from", "CN",
                                        "--as-of", "2026-06-01", "--json"))]  # fmt: skip
    # China's export controls (exports from CN) and the US tariff on goods from CN, today
    # first: in force (newest first), suspended, announced
    assert ids == ["japan-ban", "us-tariff", "military", "tech", "licensing", "us-ban",
                   "holmium-licensing"]  # fmt: skip
    from_us = json_of(run("--store", store, "status", "--from", "US", "--as-of", "2026-06-01",
                          "--json"))  # fmt: skip
    assert from_us == []


def test_changes_takes_its_window_from_since_and_until(run, write_store):
    from .test_briefing import CHANGING

    store = str(write_store(CHANGING))
    rows = json_of(run("--store", store, "changes", "--since", "2025-11-20", "--as-of",
                       "2025-12-31", "--json"))  # fmt: skip
    # from --since to the as-of date, not the last 7 days
    assert [(r["date"], r["id"], r["change"]) for r in rows] == [
        ("2025-11-25", "tariff", "ended"), ("2025-11-26", "short-pause", "event"),
        ("2025-11-28", "licensing", "suspended"), ("2025-11-30", "licensing", "resumed")]  # fmt: skip
    # --until alone: the 7 days before it
    rows = json_of(run("--store", store, "changes", "--until", "2025-11-26", "--as-of",
                       "2025-12-31", "--json"))  # fmt: skip
    assert [(r["date"], r["id"]) for r in rows] == [("2025-11-25", "tariff"),
                                                    ("2025-11-26", "short-pause")]  # fmt: skip
    # --to is a destination on changes as everywhere
    bad = run("--store", store, "changes", "--to", "2025-11-30")
    assert bad.exit_code == 2
    assert "unknown country '2025-11-30'" in bad.stderr


# --- the curated store ---------------------------------------------------------------------------


def test_ics_marks_the_unreported_ends_tentative(run):
    text = re.sub(r"\r?\n ", "", run("export", "-f", "ics", "--as-of", "2026-12-06").stdout)
    tentative = []
    for block in text.split("BEGIN:VEVENT")[1:]:
        fields = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
        if fields.get("STATUS") == "TENTATIVE":
            assert fields["SUMMARY"].endswith("(not confirmed)")
            tentative.append((fields["DTSTART;VALUE=DATE"], fields["UID"]))
    assert ("20261110", "mofcom-suspends-october-measures-expires@reetimeline") in tentative
    assert ("20261127", "mofcom-suspends-us-ga-ge-sb-ban-expires@reetimeline") in tentative
    assert all(day > "20261008" for day, _uid in tentative)


def test_doctor_names_each_stores_horizon(run, write_store, tmp_path):
    team = tmp_path / "team"
    write_store('current_to = 2026-12-05\n\n[[events]]\nid = "note"\ndate = 2026-12-04\n'
                'title = "A note"\ncategory = "other"\n', "notes.toml", team)  # fmt: skip
    doctor = json_of(run("--store", str(team), "--with-curated", "doctor", "--json",
                         "--as-of", "2026-12-06"))  # fmt: skip
    assert doctor["data"] == (
        "curated store current to 2026-10-08, 59 days ago; notes.toml current to 2026-12-05, "
        "1 day ago (each store's horizon applies to its own events)"
    )


def _gallium_cn_us(run, *store):
    rows = json_of(run(*store, "status", "-m", "gallium", "--from", "CN", "--to", "US",
                       "--as-of", "2026-12-06", "--json"))  # fmt: skip
    return sorted((r["kind"], r["state"], r["since"], r["part_of"]) for r in rows
                  if r["kind"] in ("licensing", "ban", "end-use-ban"))  # fmt: skip


GALLIUM_CN_US = [
    ("ban", "unconfirmed", "2026-11-28", "china-bans-ga-ge-sb-to-us"),
    ("end-use-ban", "in-force", "2024-12-03", "china-bans-ga-ge-sb-to-us"),
    ("licensing", "in-force", "2023-08-01", None),
]


def test_must_show_gallium_from_cn_to_us(run):
    rows = json_of(run("status", "-m", "gallium", "--from", "CN", "--to", "US",
                       "--as-of", "2026-12-06", "--json"))  # fmt: skip
    licensing = next(r for r in rows if r["id"] == "ga-ge-export-licensing")
    assert (licensing["kind"], licensing["state"]) == ("licensing", "in-force")
    assert _gallium_cn_us(run) == GALLIUM_CN_US


def test_must_show_holmium_to_korea_is_not_in_force_because_of_technology(run):
    grid = json_of(run("status", "--matrix", "-m", "holmium", "--to", "KR", "--as-of",
                       "2026-12-06", "--json"))  # fmt: skip
    [cell] = grid["cells"]
    assert cell["state"] == "unconfirmed"
    assert [(c["kind"], c["state"]) for c in cell["material"]] == [("licensing", "unconfirmed")]
    assert cell["material"][0]["since"] == "2026-11-11"
    assert {c["kind"] for c in cell["technology"]} <= {"technology", "extraterritorial"}
    assert "re-processing-technology-export-ban" in {c["id"] for c in cell["technology"]}


def test_must_show_to_cn_and_to_us_list_no_wrong_direction_and_no_relief(run):
    to_cn = json_of(run("status", "--to", "CN", "--as-of", "2026-12-06", "--json"))
    assert [r["id"] for r in to_cn if r["category"] == "export-control" and r["issuer"] == "CN"] == []
    to_us = json_of(run("status", "--to", "US", "--as-of", "2026-12-06", "--json"))
    assert to_us
    relief = {"china-tariff-commission-suspension", "us-executive-orders-tariff-cut",
              "geneva-joint-statement", "busan-trump-xi-summit"}  # fmt: skip
    assert relief.isdisjoint(r["id"] for r in to_us)


def test_must_show_a_team_file_never_moves_the_curated_horizon(run, write_store, tmp_path):
    team = tmp_path / "team"
    write_store('current_to = 2026-12-05\n\n[[events]]\nid = "note"\ndate = 2026-12-04\n'
                'title = "A note"\ncategory = "other"\n', "notes.toml", team)  # fmt: skip
    assert _gallium_cn_us(run, "--store", str(team), "--with-curated") == GALLIUM_CN_US
    grid = json_of(run("--store", str(team), "--with-curated", "status", "--matrix", "-m",
                       "gallium", "--to", "US", "--as-of", "2026-12-06", "--json"))  # fmt: skip
    assert grid["current_to"] == "2026-10-08"


def test_must_show_the_package_and_its_parts(run):
    shown = json_of(run("show", "october-9-export-control-package", "--as-of", "2025-10-20",
                        "--json"))  # fmt: skip
    assert shown["state"] is None
    assert len(shown["parts"]) == 6
    states = sorted(p["state"] for p in shown["parts"])
    assert states == ["announced"] * 4 + ["in-force"] * 2
    later = json_of(run("show", "october-9-export-control-package", "--as-of", "2025-11-20",
                        "--json"))  # fmt: skip
    assert {(p["state"], p["until"]) for p in later["parts"]} == {("suspended", "2026-11-10")}


def test_must_show_the_extension_of_the_truce_follows_dysprosium(run):
    rows = json_of(run("changes", "-m", "dysprosium", "--since", "2026-09-20", "--until",
                       "2026-09-30", "--as-of", "2026-10-01", "--json"))  # fmt: skip
    assert [(r["id"], r["change"]) for r in rows] == [("busan-trump-xi-summit", "extended")]


def test_a_partial_suspension_whose_end_passed_unreported_says_so(write_store):
    events = load([write_store("current_to = 2026-05-01\n" + MATRIX)]).events
    [status] = statuses([e for e in events if e.id == "us-tariff"], Knowledge(events, DAY),
                        Horizon(PartialDate.parse("2026-05-01"), "events.toml"))  # fmt: skip
    pause = next(e for e in events if e.id == "pause")
    lapsed = _with(status, partial_by=pause, partial_until=PartialDate.parse("2026-05-20"),
                   partial_unconfirmed=True)  # fmt: skip
    assert words.status_note(lapsed) == (
        "in force; the part suspended by pause was due back in force after 2026-05-20; no event "
        "in the stores says what happened (events.toml current to 2026-05-01, 31 days ago)"
    )
    assert ree.status_row(lapsed).partial_unconfirmed is True


def test_the_api_filters_by_kind_and_origin(write_store):
    stores = ree.load(write_store(MATRIX), curated=False)
    # the US tariff restricts imports into the US from CN: a flow from CN, none from the US
    assert [r.id for r in ree.status(stores, as_of=DAY, origins=["CN"], categories=["tariff"])] == [
        "us-tariff"]  # fmt: skip
    assert ree.status(stores, as_of=DAY, origins=["US"]) == []
    assert ree.status(stores, as_of=DAY, kinds=["Ban"]) == []  # the fixture names no kinds
    flt = ree.where(kinds=["ban"], origins=["CN"])
    assert (flt.kinds, flt.origins) == (frozenset({"ban"}), frozenset({"CN"}))


def test_show_says_the_package_with_its_parts_and_their_states(write_store):
    from reetimeline.output.detail import event_detail

    events = load([write_store(MATRIX)]).events
    parts = {"us-ban": "ban", "military": "end-use-ban"}
    split = [dataclasses.replace(e, kind=parts[e.id], part_of="no-46") if e.id in parts else e
             for e in events]  # fmt: skip
    package = dataclasses.replace(events[0], id="no-46", title="Announcement No. 46",
                                  applies_to=("US",), minerals=("gallium",))  # fmt: skip
    states = statuses([e for e in split if e.part_of == "no-46"], Knowledge(split, DAY),
                      NO_HORIZON)  # fmt: skip
    detail = event_detail(package, targets=[], acting=[], lookup=lambda _: None, parts=states)
    lines = list(plain.detail_lines(detail))
    assert lines[:8] == [
        "Announcement No. 46",
        "no-46\texport-control",
        "",
        "package\t2 parts, each with its own dates and state",
        "part\tmilitary  end-use ban, in-force since 2024-12-03",
        "part\tus-ban  ban, suspended since 2025-11-09 until 2026-11-27",
        "\tsuspended by pause until 2026-11-27",
        "flow\texports from CN to US",
    ]
    part = next(e for e in split if e.id == "us-ban")
    shown = event_detail(part, targets=[], acting=[], lookup={"no-46": package}.get)
    assert list(plain.detail_lines(shown))[3:6] == [
        "kind\tban", "flow\texports from CN to US", "part of\tno-46  Announcement No. 46"]  # fmt: skip


def test_status_on_a_wide_terminal_has_a_kind_column(write_store):
    from reetimeline.output.render import status_table

    events = [dataclasses.replace(e, kind=KINDS.get(e.id))
              for e in load([write_store(MATRIX)]).events]  # fmt: skip
    chosen = [e for e in events if e.id in ("us-ban", "tech")]
    assert rendered(status_table(statuses(chosen, Knowledge(events, DAY), NO_HORIZON)), 140) == [
        "state       since        until        kind         measure                                   note                                  id",
        "─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────",
        "in-force    2023-12-21                technology   Ban on exports of processing technology                                         tech",
        "suspended   2025-11-09   2026-11-27   ban          Ban on exports to the US                  suspended by pause until 2026-11-27   us-ban",
    ]


def test_a_state_that_an_event_reports_names_it(write_store):
    """With the engine's `reported_by` (an event that `confirms` the scheduled change, here the
    lapse of a suspension), the note and the row name it."""
    events = load([write_store(MATRIX)]).events
    [status] = statuses([e for e in events if e.id == "us-ban"],
                        Knowledge(events, dt.date(2026, 12, 6)), NO_HORIZON)  # fmt: skip
    assert (status.state, words.status_note(status)) == (
        "in-force", "suspension by pause ended 2026-11-27")  # fmt: skip
    reporter = dataclasses.replace(events[0], id="lapse-reported")
    reported = _with(status, reported_by=reporter)
    assert words.status_note(reported) == (
        "suspension by pause ended 2026-11-27; reported by lapse-reported")
    assert ree.status_row(reported).reported_by == "lapse-reported"


def test_show_names_the_horizon_of_an_events_own_store_when_it_is_not_the_datas(write_store):
    from reetimeline.output.detail import event_detail

    [event] = [e for e in load([write_store(MATRIX)]).events if e.id == "us-ban"]
    checked = dataclasses.replace(event, current_to=PartialDate.parse("2026-12-05"))
    facts = {f.label for f in event_detail(checked, targets=[], acting=[], lookup=lambda _: None,
                                           horizon=PartialDate.parse("2026-12-05")).facts}  # fmt: skip
    assert "checked to" not in facts
    detail = event_detail(checked, targets=[], acting=[], lookup=lambda _: None,
                          horizon=PartialDate.parse("2026-10-08"))  # fmt: skip
    assert [f.pieces for f in detail.facts if f.label == "checked to"] == [(("2026-12-05", ""),)]


def test_controls_alike_are_said_once_with_their_number(write_store):
    events = [dataclasses.replace(e, kind=KINDS.get(e.id))
              for e in load([write_store(MATRIX)]).events]  # fmt: skip
    second = dataclasses.replace(next(e for e in events if e.id == "tech"), id="tech-2")
    events.append(second)
    measures = [e for e in events if e.category in MEASURE_CATEGORIES]
    grid = briefing.matrix(statuses(measures, Knowledge(events, DAY), NO_HORIZON), ("KR",),
                           ("dysprosium",))  # fmt: skip
    assert list(plain.matrix_lines(grid)) == [
        "mineral\tKR", "dysprosium\ttechnology only: technology control in force ×2"]  # fmt: skip
    assert list(plain.matrix_lines(grid, show_ids=True))[1] == (
        "dysprosium\ttechnology only: technology control in force (tech); + technology control "
        "in force (tech-2)"
    )
    assert rendered(matrix_table(grid))[2] == "dysprosium   technology only: technology control in force ×2"


def test_the_reports_measures_say_kind_and_flow(grid):
    states = [c.status for c in grid.cells["gallium", "US"].material]
    html = report._states(states)
    assert '<th scope="col">kind</th><th scope="col">measure</th>' in html
    assert ('<td data-label="kind">ban</td><td data-label="measure">Ban on exports to the US '
            '<a class="id" href="#us-ban">us-<wbr>ban</a><br><small>exports from CN to US'
            "</small>") in html  # fmt: skip


@pytest.mark.parametrize("command", ["list", "timeline", "countdown", "status", "changes",
                                     "report", "export", "stats"])  # fmt: skip
def test_every_selecting_command_takes_kind_from_and_to(run, command):
    result = run(command, "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--kind KIND", "--from CODE", "--to CODE", "--since DATE", "--until DATE"):
        assert option in result.stdout, option
