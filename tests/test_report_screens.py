"""The briefing page as a phone (390 px) and a desktop (1280 px) show it, in headless Chromium
(Debian's `chromium`: .ci/run installs it): screenshots are taken, and a copy of the page that
measures itself reports every element's box into its own DOM, read back with --dump-dom. And
whose facts are on the page: a private note added to the user store is marked, and
`--curated-only` leaves it out."""

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

AS_OF = "2026-11-25"
NOTE = "Supplier Y quote: Tb metal USD 1,450/kg"
NOTE_ID = "2026-11-20-supplier-y-quote-tb-metal-usd-1-450-kg"

# Run inside the page copy (the page itself allows no script): every element's box against the
# viewport, the life chart shown at this width, its as-of label and the size of its text, and
# the page's whole height.
MEASURE = """<script>
(function () {
  var width = document.documentElement.clientWidth;
  var wider = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) { return; }
    if (box.left < -0.5 || box.right > width + 0.5) {
      wider.push(el.tagName.toLowerCase() + "." + (el.getAttribute("class") || "") + " " +
                 Math.round(box.left) + ".." + Math.round(box.right));
    }
  });
  var charts = Array.prototype.filter.call(document.querySelectorAll("svg.life"),
    function (svg) { return svg.getBoundingClientRect().width > 0; });
  var chart = charts[0], box = chart.getBoundingClientRect();
  var scale = box.width / chart.viewBox.baseVal.width;
  var label = chart.querySelector("text.as-of"), at = label.getBoundingClientRect();
  var smallest = Math.min.apply(null, Array.prototype.map.call(chart.querySelectorAll("text"),
    function (t) { return parseFloat(getComputedStyle(t).fontSize) * scale; }));
  var out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    width: width, wider: wider, charts: charts.length, chart_class: chart.getAttribute("class"),
    inside: at.left >= box.left && at.right <= box.right && at.top >= box.top &&
            at.bottom <= box.bottom,
    label: label.textContent, smallest_text: Math.round(smallest * 10) / 10,
    first_year: chart.querySelector("text").textContent,
    height: document.documentElement.scrollHeight
  });
  parent.document.body.appendChild(out);  // the frame's page: --dump-dom prints the top one
})();
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("no chromium binary found on PATH (Debian: apt-get install chromium)")
    return found


def _browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-background-networking", "--virtual-time-budget=2000",
         *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def pages(run, tmp_path, monkeypatch):
    """The report of the curated store and a private note in the user store, with and without
    --curated-only."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    added = run("add", "--date", "2026-11-20", "--title", NOTE, "-k", "price", "-m", "terbium",
                "--source-title", "E-mail from supplier Y", "--source-url",
                "https://example.com/quote")  # fmt: skip
    assert (added.exit_code, added.stdout) == (0, NOTE_ID + "\n"), added.stderr
    made = {}
    for name, extra in (("all", ()), ("curated", ("--curated-only",))):
        page = tmp_path / f"{name}.html"
        result = run("report", "--as-of", AS_OF, "-o", str(page), *extra)
        assert (result.exit_code, result.stderr) == (
            0, f"wrote the briefing as of {AS_OF} to {page}\n")  # fmt: skip
        made[name] = page
    return made


def test_a_private_note_is_marked_and_curated_only_leaves_it_out(pages):
    mine = pages["all"].read_text(encoding="utf-8")
    forwarded = pages["curated"].read_text(encoding="utf-8")
    assert NOTE_ID not in forwarded and "Supplier Y" not in forwarded
    assert "not curated" not in forwarded
    # in "what changed" and in the history, each time marked with the store it comes from
    assert mine.count(NOTE_ID + '"') == 2  # the history's anchor and the link to it
    assert mine.count('<span class="mine">not curated: your store</span>') == 2
    assert (
        '<p class="meta"><span class="mine">not curated</span> 1 event on this page comes from '
        "your store, not from the curated store; <code>reetimeline report --curated-only</code> "
        "leaves it out.</p>"
    ) in mine
    assert "from a store other than the curated one</li>" in mine
    # the rest of the page is the same
    without = re.sub(r'<p class="meta"><span class="mine">.*?</p>\n', "", mine)
    assert without.count("<tr>") == forwarded.count("<tr>") + 1


def test_curated_only_with_store_is_a_usage_error(run, tmp_path):
    result = run("--store", str(tmp_path / "x.toml"), "report", "--curated-only", "-o",
                 str(tmp_path / "r.html"))  # fmt: skip
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "reetimeline: error: --curated-only reads the curated store alone: leave out "
        "--store (or keep the curated store beside --store's with --with-curated)\n")  # fmt: skip
    assert not (tmp_path / "r.html").exists()


def _measured(page: Path, width: int, tmp_path: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    # the copy may run the measuring script: the page's policy allows none
    copy, found = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert found == 1
    copy = copy.replace("</body>", MEASURE + "</body>")
    # headless Chromium's window is at least 500 px wide: the page is shown in a frame of the
    # width measured, whose own viewport the page's media queries see
    measuring = tmp_path / f"measure-{width}.html"
    measuring.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe style="border:0;width:'
        f'{width}px;height:2000px" srcdoc="{html.escape(copy, quote=True)}"></iframe></body>'
        "</html>", encoding="utf-8")  # fmt: skip
    dom = _browser("--dump-dom", f"--window-size={width + 20},2000", measuring.as_uri())
    assert dom.returncode == 0, dom.stderr
    found_json = re.search(r'<pre id="measured">(.*?)</pre>', dom.stdout, flags=re.S)
    assert found_json is not None, dom.stdout[-2000:]
    return json.loads(found_json.group(1).replace("&amp;", "&"))


@pytest.mark.slow
def test_the_report_on_a_phone_and_a_desktop(pages, tmp_path):
    page = pages["all"]
    for width in (390, 1280):
        shot = tmp_path / f"report-{width}.png"
        result = _browser(f"--screenshot={shot}", f"--window-size={width},2000", page.as_uri())
        assert result.returncode == 0, result.stderr
        picture = shot.read_bytes()
        assert picture[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(picture[16:20], "big") == width  # the IHDR's width
        assert len(picture) > 50_000  # a page of text and colour, not a blank
    phone = _measured(page, 390, tmp_path)
    assert (phone["width"], phone["wider"], phone["charts"]) == (390, [], 1)
    assert phone["chart_class"] == "life narrow"
    assert (phone["inside"], phone["label"]) == (True, f"as of {AS_OF}")
    assert phone["first_year"] == "2025"  # the recent years, not 2022 onwards
    assert phone["smallest_text"] >= 11
    # a briefing to scroll on a phone: 18,959 px measured for this page (the curated one:
    # 18,531), 71,999 before the history was cut to a year, the matrix to badges and counts,
    # and each event's summary and sources folded
    assert 16_000 < phone["height"] < 20_000, phone["height"]
    desktop = _measured(page, 1280, tmp_path)
    assert (desktop["width"], desktop["wider"], desktop["charts"]) == (1280, [], 1)
    assert desktop["chart_class"] == "life"
    assert (desktop["inside"], desktop["label"]) == (True, f"as of {AS_OF}")
    assert desktop["smallest_text"] >= 11
    assert 18_000 < desktop["height"] < 22_000, desktop["height"]  # 20,689 px (was 34,335)


def test_sections_run_by_what_matters_this_week_and_measures_by_state(run, tmp_path):
    page = tmp_path / "r.html"
    assert run("report", "--as-of", AS_OF, "-o", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert re.findall(r'<section id="(\w+)"', text) == [
        "deadlines", "changes", "matrix", "states", "life", "events"]  # fmt: skip
    states = text[text.index('<section id="states">') : text.index('<section id="life">')]
    assert re.findall(r"<h3>([^<]*)</h3>", states) == [
        "in force (16)",
        "suspended (1)",
        "unconfirmed: a change was due after the data&#x27;s horizon (7)",
        "ended or expired (3)",
    ]
    # the 2010 embargo ended more than a year before: left out here and, with the history
    # cut to a year, there too, counted here
    assert (
        "1 measure that expired or ended more than a year ago is left out; reetimeline report "
        "--history all shows it in the history" in states
    )
    assert "china-halts-rare-earths-to-japan-2010" not in text
    history = text[text.index('<section id="events">') :]
    assert re.findall(r"<h3>([^<]*)</h3>", history) == ["2026", "2025"]
    assert "48 older events are left out" in history
    every = tmp_path / "every.html"
    assert run("report", "--as-of", AS_OF, "-o", str(every), "--history", "all").exit_code == 0
    text = every.read_text(encoding="utf-8")
    states = text[text.index('<section id="states">') : text.index('<section id="life">')]
    assert (
        "1 measure that expired or ended more than a year ago is only in the history below"
        in states
    )
    history = text[text.index('<section id="events">') :]
    assert re.findall(r"<h3>([^<]*)</h3>", history) == ["2026", "2025", "2024", "2023", "2014",
                                                       "2010"]  # fmt: skip
    # every cell carries its column's name for the phone's cards; ids break after hyphens
    assert '<td data-label="days" class="days">2</td>' in text
    assert ('<a class="id" href="#mofcom-suspends-us-ga-ge-sb-ban">mofcom-<wbr>suspends-<wbr>'
            "us-<wbr>ga-<wbr>ge-<wbr>sb-<wbr>ban</a>") in text  # fmt: skip
    assert "min-width: 36rem" not in text


def test_title_within_and_recent_shape_the_page_and_the_title_is_escaped(run, tmp_path):
    page = tmp_path / "r.html"
    result = run("report", "--as-of", AS_OF, "-o", str(page), "--title", "<b>Boss & co</b>",
                 "--within", "10", "--recent", "10")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert "<h1>&lt;b&gt;Boss &amp; co&lt;/b&gt;</h1>" in text
    assert f"<title>&lt;b&gt;Boss &amp; co&lt;/b&gt;, {AS_OF}</title>" in text
    deadlines = text[text.index('<section id="deadlines">') : text.index('<section id="changes">')]
    assert re.findall(r'data-label="date" class="date">([^<]*)<', deadlines) == ["2026-11-27"]
    assert "<h2>What changed, 2026-11-15 to 2026-11-25</h2>" in text
    usage = run("report", "-o", str(page), "--within", "2m")
    assert usage.exit_code == 2


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


def test_a_team_measure_is_marked_in_every_section_it_is_in(run, write_store, tmp_path):
    team = write_store(TEAM, name="bob<i>.toml")
    page = tmp_path / "r.html"
    result = run("--store", str(team), "--with-curated", "report", "--as-of", AS_OF, "-o",
                 str(page), "-m", "gallium")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    mark = '<span class="mine">not curated: team store bob&lt;i&gt;.toml</span>'
    sections = dict(re.findall(r'<section id="(\w+)">(.*?)</section>', text, flags=re.S))
    counts = {name: body.count(mark) for name, body in sections.items()}
    # what changed (dated in the last 30 days), the matrix's cell for US, today's measures and
    # the history; the chart marks its label
    assert counts == {"deadlines": 0, "changes": 1, "matrix": 1, "states": 1, "life": 0,
                      "events": 1}  # fmt: skip
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" fill="(#\w+)"( font-style="italic")?>'
                        r"<title>([^<]*)</title>", sections["life"])  # fmt: skip
    assert [title for colour, italic, title in labels if (colour, italic) != ("#1b1b1b", "")] == [
        "Bob: Ga ban rumour (not curated: team store bob&lt;i&gt;.toml)"
    ] * 2  # both charts
    assert len(labels) == 8  # 4 measures of gallium, in each chart
    assert "<i>" not in text
