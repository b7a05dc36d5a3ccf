"""Exact rendered output of the Rich views for a small fixture store, at a fixed width."""

# ruff: noqa: E501 (expected screens are wider than code lines)

import datetime as dt
import io

from rich.console import Console

from reetimeline.engine.states import targets
from reetimeline.output import detail, plain
from reetimeline.output.render import event_detail, events_table, timeline
from reetimeline.store import load


def rendered(renderable, width=100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())


def test_list_table(small_store):
    events = load([small_store]).events
    assert rendered(events_table(events)) == "\n".join(
        [
            "date         category         title                               kind           countries   id",
            "────────────────────────────────────────────────────────────────────────────────────────────────────",
            "2010-09      export-control   Informal halt of rare-earth         unclassified   JP, CN      embargo",
            "                              shipments",
            "2024-12-03   export-control   Ban on gallium exports              unclassified   CN, US      ban",
            "2025-11-09   suspension       Ban suspended                                      CN, US      pause",
            "2026         investment       Deep-sea mining test                               JP          plan",
        ]
    )


def test_timeline_with_the_as_of_rule_and_countdowns(small_store):
    events = load([small_store]).events
    day = dt.date(2026, 1, 12)
    assert rendered(timeline(targets(events, day), day)) == "\n".join(
        [
            "2010",
            "● 2010-09    Informal halt of rare-earth shipments",
            "◆ 2010-11    expired: Informal halt of rare-earth shipments",
            "2024",
            "● 2024-12-03 Ban on gallium exports",
            "2025",
            "● 2025-11-09 Ban suspended",
            "2026",
            "● 2026       Deep-sea mining test                                                              today",
            "───────────────────────────────────────── today 2026-01-12 ─────────────────────────────────────────",
            "▶ 2026-02-01 takes effect: Deep-sea mining test                                           in 20 days",
            "◆ 2026-11-27 expires: Ban suspended                                                      in 319 days",
        ]
    )


def test_timeline_after_everything_ends_with_the_rule(small_store):
    events = load([small_store]).events
    day = dt.date(2027, 1, 1)
    out = rendered(timeline(targets(events, day), day, today_label="as of"), width=60)
    assert out.splitlines()[-1] == "─" * 21 + " as of 2027-01-01 " + "─" * 21


def test_store_text_is_never_markup(write_store):
    path = write_store(
        """
        [[events]]
        id = "x"
        date = 2025-01-01
        title = "[bold red]boom[/] \\u001b[31mred\\u001b[0m \\u202eevil"
        category = "other"
        """
    )
    events = load([path]).events
    out = rendered(events_table(events))
    assert "[bold red]boom[/] \\x1b[31mred\\x1b[0m \\u202eevil" in out
    facts = detail.event_detail(events[0], targets=[], acting=[], lookup=lambda _: None)
    shown = rendered(event_detail(facts))
    assert shown.splitlines()[0] == "[bold red]boom[/] \\x1b[31mred\\x1b[0m \\u202eevil"
    assert next(plain.detail_lines(facts)) == shown.splitlines()[0]
