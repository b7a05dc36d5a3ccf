"""Layouts at 80 columns, drawn through the CLI as on a terminal (COLUMNS=80, no colour): titles
keep at least 30 columns, ids and links are never split, minerals and countries give way first."""

# ruff: noqa: E501 (expected screens and links are wider than code lines)

import pytest

from reetimeline.cli import printing

NARROW_STORE = """
    # long ids, titles and links, for layouts at 80 columns
    [[events]]
    id = "licensing"
    date = 2023-07-03
    effective = 2023-08-01
    title = "China imposes export licensing on gallium and germanium"
    category = "export-control"
    minerals = ["gallium", "germanium"]
    countries = ["CN"]
    sources = [{ title = "MOFCOM and GAC Announcement No. 23 of 2023", url = "https://example.com/announcement-23" }]

    [[events]]
    id = "china-bans-gallium-germanium-exports-to-us"
    date = 2024-12-03
    title = "China bans gallium, germanium, antimony and superhard-material exports to the US"
    category = "export-control"
    minerals = ["gallium", "germanium", "antimony", "superhard-materials"]
    countries = ["CN", "US"]
    issuer = "CN"
    applies_to = ["US"]
    sources = [
        { title = "MOFCOM Announcement No. 46 of 2024 on strengthening export controls on relevant dual-use items to the United States", url = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_0a8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d.html", publisher = "Ministry of Commerce of the People's Republic of China" },
        { title = "China bans exports", url = "https://example.com/ban" },
    ]

    [[events]]
    id = "mofcom-suspends-the-us-gallium-ban-for-a-year"
    date = 2025-11-05
    effective = 2025-11-09
    expires = 2026-11-27
    title = "MOFCOM suspends the US-specific gallium, germanium and antimony ban for a year"
    category = "suspension"
    minerals = ["gallium", "germanium", "antimony"]
    countries = ["CN", "US"]
    issuer = "CN"
    applies_to = ["US"]
    suspends = ["china-bans-gallium-germanium-exports-to-us"]
    confidence = "reported"
    sources = [{ title = "Report", url = "https://example.com/suspension" }]
"""


@pytest.fixture
def screen(run, write_store, monkeypatch):
    """Run a command as on a terminal COLUMNS wide; the lines it shows, without the padding
    Rich leaves at their ends."""
    store = write_store(NARROW_STORE)
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)

    def draw(*args: str, columns: int = 80) -> list[str]:
        result = run("--store", str(store), "--color", "never", *args,
                     env={"COLUMNS": str(columns)})  # fmt: skip
        assert (result.exit_code, result.stderr) == (0, ""), result.stderr
        return [line.rstrip() for line in result.stdout.splitlines()]

    return draw


def test_list_at_80_columns_keeps_the_title_wide_and_the_id_whole(screen):
    assert screen("list") == [
        "date         category         title / id",
        "────────────────────────────────────────────────────────────────────────────────",
        "2023-07-03   export-control   China imposes export licensing on gallium and",
        "                              germanium",
        "                              licensing",
        "",
        "2024-12-03   export-control   China bans gallium, germanium, antimony and",
        "                              superhard-material exports to the US",
        "                              china-bans-gallium-germanium-exports-to-us",
        "",
        "2025-11-05   suspension       MOFCOM suspends the US-specific gallium, germanium",
        "                              and antimony ban for a year (reported)",
        "                              mofcom-suspends-the-us-gallium-ban-for-a-year",
    ]


def test_list_on_a_wide_terminal_has_an_id_column(screen):
    assert screen("list", "-c", "US", columns=160) == [
        "date         category         title                              kind           minerals               countries   id",
        "────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────",
        "2024-12-03   export-control   China bans gallium, germanium,     unclassified   gallium, germanium,    CN, US      china-bans-gallium-germanium-exports-to-us",
        "                              antimony and superhard-material                   antimony,",
        "                              exports to the US                                 superhard-materials",
        "2025-11-05   suspension       MOFCOM suspends the US-specific                   gallium, germanium,    CN, US      mofcom-suspends-the-us-gallium-ban-for-a-year",
        "                              gallium, germanium and antimony                   antimony",
        "                              ban for a year (reported)",
    ]


def test_status_at_80_columns_stacks_dates_id_kind_and_note(screen):
    assert screen("status", "--as-of", "2026-06-01") == [
        "            since",
        "state       until        measure / id / note",
        "────────────────────────────────────────────────────────────────────────────────",
        "in-force    2023-08-01   China imposes export licensing on gallium and germanium",
        "                         licensing",
        "                         kind: unclassified",
        "",
        "suspended   2025-11-09   China bans gallium, germanium, antimony and",
        "            2026-11-27   superhard-material exports to the US",
        "                         china-bans-gallium-germanium-exports-to-us",
        "                         kind: unclassified",
        "                         suspended by",
        "                         mofcom-suspends-the-us-gallium-ban-for-a-year until",
        "                         2026-11-27 (reported)",
    ]


def test_countdown_at_80_columns_puts_the_kind_before_the_title(screen):
    assert screen("countdown", "--as-of", "2026-06-01", "--within", "200") == [
        "date         when          event / id",
        "────────────────────────────────────────────────────────────────────────────────",
        "2026-11-27   in 179 days   expires: MOFCOM suspends the US-specific gallium,",
        "                           germanium and antimony ban for a year (reported)",
        "                           mofcom-suspends-the-us-gallium-ban-for-a-year",
    ]


def test_show_at_80_columns_gives_each_link_a_whole_line(screen):
    assert screen("show", "china-bans", "--as-of", "2026-06-01") == [
        "China bans gallium, germanium, antimony and superhard-material exports to the US",
        "china-bans-gallium-germanium-exports-to-us  export-control",
        "",
        "state         suspended since 2025-11-09 until 2026-11-27 (reported)",
        "              suspended by mofcom-suspends-the-us-gallium-ban-for-a-year until",
        "              2026-11-27",
        "kind          unclassified (read as a control on the material)",
        "flow          exports from CN to US",
        "date          2024-12-03  545 days ago",
        "confidence    sources: confirmed",
        "imposed by    CN",
        "applies to    US",
        "minerals      gallium, germanium, antimony, superhard-materials",
        "countries     CN, US",
        "suspended by  mofcom-suspends-the-us-gallium-ban-for-a-year until 2026-11-27",
        "              (reported)  MOFCOM suspends the US-specific gallium, germanium and",
        "              antimony ban for a year",
        "from          team store events.toml",
        "",
        "sources",
        "[1] MOFCOM Announcement No. 46 of 2024 on strengthening export controls on",
        "    relevant dual-use items to the United States (Ministry of Commerce of the",
        "    People's Republic of China)",
        # longer than the screen, whole: the terminal folds it and still sees one link
        "    https://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_0a8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d.html",
        "[2] China bans exports",
        "    https://example.com/ban",
    ]


def test_doctor_lines_fit_80_columns(screen):
    lines = screen("doctor", "--as-of", "2026-06-01")
    long_path = [line for line in lines if len(line) > 80]
    # only a single word longer than the screen (a path) may pass the edge, on its own line
    assert all(" " not in line.strip() for line in long_path), long_path
    assert any(line.startswith("            ") for line in lines)  # continued under the value


def test_piped_timeline_lines_have_no_trailing_spaces(run, write_store):
    store = write_store(NARROW_STORE)
    result = run("--store", str(store), "timeline", "--as-of", "2026-06-01")
    lines = result.stdout.splitlines()
    assert lines and all(line == line.rstrip() for line in lines)
    assert lines[-3:] == [
        "2026",
        "◆ 2026-11-27 expires: MOFCOM suspends the US-specific gallium,       in 179 days",
        "             germanium and antimony ban for a year (reported)",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("status", "--as-of", "2026-11-25"),
        ("countdown", "--all", "--as-of", "2026-11-25"),
    ],
)
def test_every_curated_id_stays_whole_at_80_columns(run, monkeypatch, args):
    piped = run(*args).stdout.splitlines()[1:]
    monkeypatch.setattr(printing, "stdout_is_terminal", lambda: True)
    shown = run("--color", "never", *args, env={"COLUMNS": "80"}).stdout.splitlines()
    ids = {line.split("\t")[-1] for line in piped}
    words = {word for line in shown for word in line.split()}
    assert ids and ids <= words
    assert max(len(line.rstrip()) for line in shown) <= 80
