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
    result = run("--store", str(store), "report", "--as-of", "2026-11-25", "-o", str(out))
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
