"""The briefing page and the life chart, on fixture stores with `--as-of`; the page opened in a
real headless browser (Debian's chromium: .ci/run installs it)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the command README gives to regenerate docs/report.html
COMMAND = "reetimeline report --as-of 2026-11-25 -o docs/report.html"

HOSTILE = '<script>alert(1)</script><img src="https://evil.example/x.png"> & \u202eevil'

STORE = f"""
current_to = 2026-10-10

[[events]]
id = "controls"
date = 2025-10-09
effective = 2025-11-08
title = "Export controls on holmium"
category = "export-control"
minerals = ["holmium"]
issuer = "CN"
applies_to = ["all"]
sources = [
    {{ title = "Announcement", url = "https://example.com/announcement" }},
    {{ title = "Analysis", url = "https://example.org/analysis?a=1&b=2", publisher = "Think" }},
]

[[events]]
id = "pause"
date = 2025-11-07
title = "Controls suspended for a year"
category = "suspension"
minerals = ["holmium"]
issuer = "CN"
applies_to = ["all"]
expires = 2026-11-10
suspends = ["controls"]
sources = [{{ title = "Suspension", url = "https://example.com/pause" }}]

[[events]]
id = "us-ban"
date = 2026-09-01
title = {HOSTILE!r}
category = "export-control"
minerals = ["gallium"]
issuer = "CN"
applies_to = ["US"]
confidence = "reported"
sources = [{{ title = "Wire", url = "https://example.com/wire" }}]
"""


@pytest.fixture
def page(run, write_store, tmp_path):
    store = write_store(STORE)
    out = tmp_path / "briefing.html"
    result = run("--store", str(store), "report", "--as-of", "2026-11-25", "-o", str(out),
                 "--history", "all")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        0, f"wrote the briefing as of 2026-11-25 to {out}\n")  # fmt: skip
    return out


def test_the_page_holds_every_part_and_escapes_store_text(page):
    text = page.read_text(encoding="utf-8")
    assert "As of <strong>2026-11-25</strong>; filters: none (every event)." in text
    assert "Data: events.toml current to 2026-10-10, 46 days ago." in text
    assert '<section id="matrix">' in text and '<section id="deadlines">' in text
    assert '<section id="changes">' in text and '<svg class="life"' in text
    # the hostile title is text: no tag, no image, no bidi override from the store
    assert "<script>" not in text and "<img" not in text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;https://evil.example/x.png"
        "&quot;&gt; &amp;" in text
    )
    links = re.findall(r'<a href="(https?://[^"]*)"', text)
    assert links == [  # the history runs newest first
        "https://example.com/wire",
        "https://example.com/pause",
        "https://example.com/announcement",
        "https://example.org/analysis?a=1&amp;b=2",
    ]


def _history(text: str) -> tuple[list[str], list[str], list[str]]:
    """The history's heading, the ids it lists and its closing line."""
    part = text[text.index('<section id="events">') :]
    return (re.findall(r"<h2>([^<]*)</h2>", part), re.findall(r'<li id="([^"]*)"', part),
            re.findall(r'<p class="meta">([^<]*)</p></section>', part))  # fmt: skip


OLDER = ("left out (the history shows {} days up to the as-of date); reetimeline report "
         "--history all shows every event, --history DAYS those of the last DAYS days")  # fmt: skip


def test_the_history_shows_the_last_year_unless_asked_for_more(run, write_store, tmp_path):
    store = write_store(STORE)
    out = tmp_path / "briefing.html"

    def page(*extra: str) -> str:
        result = run("--store", str(store), "report", "--as-of", "2026-11-25", "-o", str(out),
                     *extra)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return out.read_text(encoding="utf-8")

    year = page()
    assert _history(year) == (["Events after 2025-11-25, newest first"], ["us-ban"],
                              ["2 older events are " + OLDER.format(365)])  # fmt: skip
    # today's measures still list the old controls, their ids not linked to a missing anchor
    states = year[year.index('<section id="states">') : year.index('<section id="life">')]
    assert '<span class="id">controls</span>' in states and 'href="#controls"' not in year
    assert _history(page("--history", "400")) == (
        ["Events after 2025-10-21, newest first"], ["us-ban", "pause"],
        ["1 older event is " + OLDER.format(400)])  # fmt: skip
    every = page("--history", "ALL")
    assert _history(every) == (["Events by year, newest first"], ["us-ban", "pause", "controls"],
                               [])  # fmt: skip
    assert every.count('<a class="id" href="#controls">controls</a>') == 7
    # the tables and the chart are the same whatever the history's reach
    cut = re.compile(r'<section id="events">.*</section>|<a class="id" href="#\w+">|'
                     r'<span class="id">|</a>|</span>|<a href="#[\w-]+">', flags=re.S)  # fmt: skip
    assert cut.sub("", year) == cut.sub("", every)


def test_a_history_that_is_not_days_is_a_usage_error(run, tmp_path):
    for typed, error in (
        ("soon", "'soon' is not a number of days; write --history 365"),
        ("-3", "-3 is out of range; write at least 0"),
    ):
        result = run("report", "-o", str(tmp_path / "r.html"), "--history", typed)
        assert (result.exit_code, result.stderr) == (
            2, f"reetimeline: error: --history: {error}, or --history all\n")  # fmt: skip
    assert not (tmp_path / "r.html").exists()


def test_a_matrix_cell_says_its_state_once(run, tmp_path):
    out = tmp_path / "r.html"
    assert run("report", "--as-of", "2026-11-25", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    matrix = text[text.index('<section id="matrix">') : text.index('<section id="states">')]
    cells = dict(re.findall(r'<th scope="row">([\w-]+)</th><td data-label="US">(.*?)</td>',
                            matrix))  # fmt: skip
    words = {mineral: re.sub(r"<span class=\"id\">.*?</span>|<a .*?</a>", "ID", cell)
             for mineral, cell in cells.items()}  # fmt: skip
    # the badge: the strictest material control's state; a line says its state only when it
    # differs; the count is what a phone shows instead of the list
    assert words["antimony"] == (
        '<span class="state state-suspended">suspended</span> <span class="count">3 controls'
        '</span><ul class="ids"><li class="material">ban ID</li><li class="material">licensing '
        'in force ID</li><li class="targeted">+ end-use ban in force ID</li></ul>')  # fmt: skip
    assert words["magnets"] == (
        '<span class="state state-in-force">in force</span> <span class="count">2 controls'
        '</span><ul class="ids"><li class="material">licensing ID</li><li class="technology">+ '
        "technology control ID</li></ul>")  # fmt: skip
    # no control on the material: no badge, the legend's '+' before the count
    assert words["rare-earths"].startswith('<span class="count">+ 5 controls</span>')
    assert "in force</span> licensing in force" not in matrix
    assert "The badge: the state of the strictest control on the material itself" in matrix


def _labels(text: str) -> list[tuple[str, str]]:
    chart = text[text.index('<svg class="life"') : text.index('<svg class="life narrow"')]
    return re.findall(r'<text x="0" y="[\d.]+" fill="#1b1b1b"><title>([^<]*)</title>([^<]*)<',
                      chart)  # fmt: skip


def test_the_life_chart_draws_todays_measures_and_cuts_labels_at_words(run, tmp_path):
    out = tmp_path / "r.html"
    assert run("report", "--as-of", "2026-11-25", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    life = text[text.index('<section id="life">') : text.index('<section id="events">')]
    labels = _labels(text)
    # today's list: 27 measures (16 in force, 1 suspended, 7 unconfirmed, 3 ended or expired),
    # not the 2010 embargo, which the caption counts
    assert len(labels) == 27
    assert "China halts" not in life and "2010" not in life
    assert ("The chart draws the measures of today's list; 1 measure that expired or ended "
            "more than a year ago is left out; reetimeline report --history all shows it in the "
            "history.</p>") in life  # fmt: skip
    assert labels[0] == (
        "China puts 14 EU entities, including Rheinmetall, on its export control list",
        "China puts 14 EU entities, including Rheinmetall, on its…")  # fmt: skip
    for title, label in labels:
        cut = label.endswith("…") and title.startswith(label[:-1])
        assert label == title or (cut and not title[len(label) - 1].isalnum()), (title, label)
    # the label column grew to 430 of 960 px (it was 260); the plot (520 px) starts 30 days
    # before the earliest measure it draws (2023-07-03), on 2023-06-03, and ends 90 days after
    # the as-of date: 2024-01-01 is at 430 + 520 * 212 / 1361 = 511.0
    years = r'<text x="[\d.]+"(?: text-anchor="end")? y="14" fill="#555">(\d+)</text>'
    assert re.findall(years, life)[:4] == [
        "2024", "2025", "2026", "2027"]  # fmt: skip
    assert re.findall(r'<line x1="([\d.]+)" y1="18"', life)[0] == "511.0"


def test_timeline_measures_draws_each_life(run, write_store):
    store = write_store(STORE)
    result = run("--store", str(store), "--color", "never", "timeline", "--measures",
                 "--as-of", "2026-11-25", "--since", "2025-10", "--until", "2027-01",
                 env={"COLUMNS": "80"})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "                                     2025   2026                           2027",
        "Export controls on holmium           ╌╌╌▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒??┃?????",
        "<script>alert(1)</script><img src… *                             ████████┃█████",
        "╌ announced █ in-force ▒ suspended ─ ended ? unconfirmed ┃ 2026-11-25 * reported",
        "data: events.toml current to 2026-10-10, 46 days ago",
    ]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-background-networking", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_page_in_a_real_browser(page, tmp_path):
    dom = _browser("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    html = dom.stdout
    assert '<section id="matrix">' in html and "holmium" in html
    assert '<section id="deadlines">' in html and "Next deadlines" in html
    assert re.search(r'<svg class="life"[^>]*>.*</svg>', html, flags=re.S)
    assert len(re.findall(r'<a href="https?://', html)) == 4  # one link per source
    # nothing on the page asks for anything: no src at all, every url( is a fragment, every
    # href is a fragment or a source link
    assert "src=" not in html.replace("&lt;img src=", "")
    assert set(re.findall(r"url\(([^)]*)\)", html)) == {"#hatch", "#reported"}
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith(("#", "https://example.")) for h in hrefs), hrefs
    assert "alert(1)" in html and "<script>alert" not in html
    for width in (390, 1280):
        shot = tmp_path / f"page-{width}.png"
        result = _browser(f"--screenshot={shot}", f"--window-size={width},1600", page.as_uri())
        assert result.returncode == 0, result.stderr
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_shows_the_report_and_how_to_make_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert COMMAND in readme
    assert "(docs/report.html)" in readme and "docs/report.png" in readme
    assert (ROOT / "docs" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_committed_report_is_what_the_tool_writes_today(run, tmp_path):
    made = tmp_path / "report.html"
    args = COMMAND.split()[1:]
    args[args.index("docs/report.html")] = str(made)
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert made.read_text(encoding="utf-8") == (ROOT / "docs" / "report.html").read_text(
        encoding="utf-8"
    ), f"docs/report.html is stale: regenerate it with `{COMMAND}`"
