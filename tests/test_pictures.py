"""Pictures for reports (timeline --svg/--html): a title, a caption saying what was selected,
the as-of date and how current the data is, a legend, colour-blind-safe colours, no window
frame; the HTML links every source."""

import html.parser
import re
import xml.etree.ElementTree as ET

import pytest

from reetimeline.output.render import PICTURE_PALETTE

LINKED = """
    [[events]]
    id = "ban"
    date = 2024-12-03
    title = "Ban on gallium <exports> & more"
    category = "export-control"
    minerals = ["gallium"]
    countries = ["CN", "US"]
    sources = [
        { title = "Report", url = "https://example.com/ban?a=1&b=2" },
        { title = "Second", url = "https://example.org/ban" },
    ]

    [[events]]
    id = "pause"
    date = 2025-11-09
    expires = 2026-11-27
    title = "Ban suspended"
    category = "suspension"
    minerals = ["gallium"]
    countries = ["CN", "US"]
    suspends = ["ban"]
    sources = [{ title = "Pause", url = "https://example.com/pause" }]

    [[events]]
    id = "talks"
    date = 2025-06-01
    title = "Talks"
    category = "meeting"
    countries = ["CN", "US"]
"""


@pytest.fixture
def pictures(run, write_store, tmp_path):
    store = write_store(LINKED)

    def draw(*args: str) -> tuple[str, str]:
        svg, page = tmp_path / "t.svg", tmp_path / "t.html"
        result = run("--store", str(store), "timeline", "--as-of", "2026-01-12", "--svg",
                     str(svg), "--html", str(page), *args)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return svg.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")

    return draw


NS = "{http://www.w3.org/2000/svg}"


def svg_lines(svg: str) -> list[str]:
    """The heading, then the picture's text, one entry per drawn line (Rich draws a line as
    several <text> runs)."""
    root = ET.fromstring(svg)
    heading = [t for t in root.iter(f"{NS}text") if t.get("class", "").endswith("-heading")]
    matrix = next(g for g in root.iter(f"{NS}g") if g.get("class", "").endswith("-matrix"))
    lines: dict[str, list[str]] = {}
    for node in matrix.iter(f"{NS}text"):
        key = node.get("y", "")
        lines.setdefault(key, []).append("".join(node.itertext()).replace("\xa0", " "))
    ordered = sorted(lines.items(), key=lambda kv: float(kv[0]))
    return ["".join(t.itertext()) for t in heading] + [
        "".join(parts).replace(" ", "").strip() for _y, parts in ordered
    ]


def page_lines(page: str) -> list[str]:
    """The text of the HTML picture, line by line, as drawn."""
    import html

    code = re.search(r"<code[^>]*>(.*)</code>", page, flags=re.S).group(1)
    return [line.rstrip() for line in html.unescape(re.sub(r"<[^>]+>", "", code)).split("\n")]


def test_the_svg_has_a_title_caption_and_legend_and_no_window_frame(pictures):
    svg, page = pictures("-m", "gallium", "--since", "2024")
    head = [
        "Events from 2024, about gallium",
        "as of 2026-01-12",
        "",
        "● export-control   ● suspension",
        "● event   ▶ takes effect   ◆ expires or ends",
        "",
        "2024",
    ]
    assert page_lines(page)[:7] == head
    lines = svg_lines(svg)
    assert lines[0] == "Critical-minerals timeline"
    # Rich draws runs of text at their places, without the spaces between them
    assert lines[1:8] == [line.replace(" ", "") for line in head]
    root = ET.fromstring(svg)
    assert root.find(f"{NS}title").text == "Critical-minerals timeline"
    # no traffic lights, no title bar, no fonts fetched from the network
    assert "<circle" not in svg and "cdnjs" not in svg
    assert "url(" not in svg.replace("url(#", "")


def test_category_colours_come_from_the_okabe_ito_palette(pictures):
    svg, _page = pictures()
    fills = set(re.findall(r"fill: (#[0-9a-f]{6})", svg))
    for category in ("export-control", "suspension", "meeting"):
        assert PICTURE_PALETTE[category].lower() in fills
    assert len({PICTURE_PALETTE[c] for c in ("export-control", "suspension", "meeting", "tariff",
                                               "truce", "agreement", "investment",
                                               "statement")}) == 8  # fmt: skip


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_the_html_links_every_source_once_and_escapes_the_title(pictures):
    _svg, page = pictures("--title", "Gallium <watch> & co")
    links = Links()
    links.feed(page)
    assert links.hrefs == [
        "https://example.com/ban?a=1&b=2", "https://example.org/ban", "https://example.com/pause",
    ]  # fmt: skip
    assert links.title == "Gallium <watch> & co"
    assert "<h1>Gallium &lt;watch&gt; &amp; co</h1>" in page
    assert "Ban on gallium &lt;exports&gt; &amp; more" in page


def test_the_caption_says_every_filter(pictures):
    _svg, page = pictures("-m", "gallium", "-c", "US", "-k", "suspension", "--until", "2026",
                          "--confirmed")  # fmt: skip
    assert page_lines(page)[0] == (
        "Events to 2026, in suspension, about gallium, involving US (confirmed only)"
    )


def test_the_life_chart_is_drawn_for_a_report(pictures):
    """`timeline --measures --svg/--html` writes the life chart (it once failed with
    UnboundLocalError): the title, the caption, then a row per measure and the legend."""
    svg, page = pictures("--measures", "--since", "2024-10", "--until", "2026-12",
                         "--width", "100")  # fmt: skip
    row = "Ban on gallium <exports> & more       " + "█" * 26 + "▒" * 5 + "┃" + "▒" * 23 + "███"
    drawn = [
        "Events from 2024-10 to 2026-12",
        "as of 2026-01-12",
        "",
        "                                  2024  2025                        2026",
        row,
        "╌ announced █ in-force ▒ suspended ─ ended ? unconfirmed ┃ 2026-01-12 * reported",
    ]
    assert page_lines(page) == [*drawn, ""]
    assert svg_lines(svg) == ["Critical-minerals timeline"] + [
        line.replace(" ", "") for line in drawn
    ]
    assert ET.fromstring(svg).find(f"{NS}title").text == "Critical-minerals timeline"
