"""Issue 20's store fields from disk to events and back: `kind`, `partial`, `part_of`,
`confirms` and an event's own `current_to` (docs/store-format.md), each validated by one rule
in one line per problem, filled in by the parser, kept by the cache and the writer, and written
by `add`."""

from __future__ import annotations

import pytest

from reetimeline.model import PartialDate
from reetimeline.store import curated_store_path, load
from tests.conftest import json_of

NO_CACHE = {"REETIMELINE_NO_CACHE": "1"}
BASE = '[[events]]\nid = "a"\ndate = 2025-01-01\ntitle = "A"\ncategory = "export-control"\n'
KIND_LIST = "licensing, ban, informal, end-use-ban, entity-listing, technology, extraterritorial"

FIELD_PROBLEMS = [
    ('kind = "embargo"', f"kind: unknown kind 'embargo'; one of: {KIND_LIST}, tariff"),
    ('kind = "licencing"', "kind: unknown kind 'licencing' (did you mean 'licensing'?); one of: "
                           f"{KIND_LIST}, tariff"),
    ('partial = "yes"', "partial: must be true or false, not text"),
    ("partial = true", "partial: only an event that `suspends` measures can suspend them in "
                       "part; add `suspends`, or leave `partial` out"),
    ('part_of = ["p"]', 'part_of: must be one id as text, like "some-package", not a list'),
    ('part_of = "Not An Id"', "part_of: 'Not An Id' is not an id: use lowercase letters, digits "
                              "and hyphens"),
    ('confirms = "b"', 'confirms: must be a list of text, like ["b"]'),
    ('current_to = "2026-10"', "current_to: 2026-10 is a month; give the day (YYYY-MM-DD) up to "
                             "which this event's facts were checked"),
    ('current_to = "soon"', "current_to: 'soon' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "message"), FIELD_PROBLEMS, ids=[p[0] for p in FIELD_PROBLEMS])
@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
def test_each_new_field_breaks_its_rule_in_one_line(run, tmp_path, line, message, env):
    path = tmp_path / "s.toml"
    path.write_text(BASE + line + "\n", encoding="utf-8")
    for _twice in range(2):
        result = run("--store", str(path), "check", env=env)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == f"{path}:6: event 'a': {message}\n1 problem in {path}\n"


@pytest.mark.parametrize(
    ("category", "line", "message"),
    [
        ("other", 'kind = "ban"', "kind: only export-control and tariff events (measures) have "
                                  "a kind"),
        ("tariff", 'kind = "ban"', "kind: a tariff's kind is \"tariff\", not 'ban' (or leave it "
                                   "out)"),
        ("suspension", 'kind = "tariff"', "kind: only export-control and tariff events "
                                          "(measures) have a kind"),
    ],
)  # fmt: skip
def test_only_measures_have_a_kind_and_a_tariffs_is_tariff(run, tmp_path, category, line,
                                                           message):  # fmt: skip
    path = tmp_path / "s.toml"
    path.write_text(BASE.replace("export-control", category) + line + "\n", encoding="utf-8")
    result = run("--store", str(path), "check")
    assert (result.exit_code, result.stderr) == (1, f"{path}:6: event 'a': {message}\n"
                                                    f"1 problem in {path}\n")  # fmt: skip


def test_a_tariff_without_a_kind_is_a_tariff_and_other_measures_may_be_unclassified(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        BASE
        + "\n"
        + BASE.replace('"a"', '"t"').replace("export-control", "tariff")
        + "\n"
        + BASE.replace('"a"', '"k"')
        + 'kind = "ban"\n',
        encoding="utf-8",
    )
    kinds = {e.id: e.kind for e in load([path], cache_dir=None).events}
    assert kinds == {"a": None, "t": "tariff", "k": "ban"}


MEASURE = '[[events]]\nid = "m"\ndate = 2025-01-01\ntitle = "M"\ncategory = "export-control"\n'
PACKAGE = '[[events]]\nid = "pkg"\ndate = 2025-01-01\ntitle = "P"\ncategory = "export-control"\n'
MEETING = '[[events]]\nid = "talks"\ndate = 2025-01-01\ntitle = "T"\ncategory = "meeting"\n'


@pytest.mark.parametrize(
    ("package", "line", "message"),
    [
        (PACKAGE, 'part_of = "nothing"', "part_of: no event 'nothing' in the stores"),
        (PACKAGE + "effective = 2025-02-01\n", 'part_of = "pkg"',
         "part_of: 'pkg' has `effective`; a package has no dates or kind of its own (its parts "
         "have them)"),
        (PACKAGE + 'expires = 2026-01-01\nkind = "ban"\n', 'part_of = "pkg"',
         "part_of: 'pkg' has `expires` and `kind`; a package has no dates or kind of its own "
         "(its parts have them)"),
        (PACKAGE.replace("export-control", "tariff"), 'part_of = "pkg"',
         "part_of: 'pkg' is a tariff event; a part belongs to a package of its own category "
         "(export-control)"),
        (MEETING, 'ends = ["talks"]', "ends: 'talks' is a meeting event; `ends` names a measure "
                                      "(export-control, tariff), a suspension or a truce"),
        (MEETING, 'confirms = ["talk"]',
         "confirms: no event 'talk' in the stores (did you mean 'talks'?)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("env", [NO_CACHE, {}], ids=["no cache", "cache"])
def test_references_of_the_new_fields_in_one_file_and_across_files(run, tmp_path, package, line,
                                                                   message, env):  # fmt: skip
    one = tmp_path / "one.toml"
    one.write_text(package + "\n" + MEASURE + line + "\n", encoding="utf-8")
    at = package.count("\n") + 2  # a reference is named at its event's header
    result = run("--store", str(one), "check", env=env)
    assert (result.exit_code, result.stderr) == (1, f"{one}:{at}: event 'm': {message}\n"
                                                    f"1 problem in {one}\n")  # fmt: skip
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "a.toml").write_text(package, encoding="utf-8")
    (folder / "b.toml").write_text(MEASURE + line + "\n", encoding="utf-8")
    for _twice in range(2):  # the second time both files are read from their caches
        result = run("--store", str(folder), "check", env=env)
        assert (result.exit_code, result.stderr) == (
            1, f"{folder / 'b.toml'}:1: event 'm': {message}\n1 problem in {folder / 'b.toml'}\n"
        )  # fmt: skip


def test_a_package_its_parts_a_partial_suspension_confirms_and_ends_of_a_relief_are_accepted(
    run, tmp_path
):
    path = tmp_path / "s.toml"
    path.write_text(
        PACKAGE + "\n" + MEASURE + 'part_of = "pkg"\nkind = "ban"\neffective = 2025-02-01\n\n'
        '[[events]]\nid = "pause"\ndate = 2025-03-01\ntitle = "Pause"\ncategory = "suspension"\n'
        'suspends = ["pkg"]\npartial = true\nexpires = 2025-06-01\n\n'
        '[[events]]\nid = "lapsed"\ndate = 2025-06-05\ntitle = "L"\ncategory = "other"\n'
        'confirms = ["pause"]\nconfidence = "reported"\n\n'
        '[[events]]\nid = "over"\ndate = 2025-05-01\ntitle = "O"\ncategory = "other"\n'
        'ends = ["pause"]\n', encoding="utf-8")  # fmt: skip
    result = run("--store", str(path), "check")
    assert (result.exit_code, result.stdout) == (0, f"ok: 5 events in {path}\n")
    events = {e.id: e for e in load([path], cache_dir=None).events}
    assert (events["m"].part_of, events["m"].kind, events["pause"].partial) == ("pkg", "ban", True)
    assert (events["lapsed"].confirms, events["over"].ends) == (("pause",), ("pause",))


# --- the horizon of each event ---------------------------------------------------------------


@pytest.mark.parametrize("cached", [False, True], ids=["parsed", "cached"])
def test_each_event_carries_its_files_current_to_unless_it_has_its_own(tmp_path, cached):
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "checked.toml").write_text(
        "current_to = 2026-10-08\n\n" + BASE + "\n" + BASE.replace('"a"', '"own"')
        + "current_to = 2026-06-30\n", encoding="utf-8")  # fmt: skip
    (folder / "notes.toml").write_text(BASE.replace('"a"', '"note"'), encoding="utf-8")
    cache = tmp_path / "cache" if cached else None
    for _twice in range(2):  # with a cache, the second load reads it
        horizons = {e.id: e.current_to for e in load([folder], cache_dir=cache).events}
        assert horizons == {"a": PartialDate(2026, 10, 8), "own": PartialDate(2026, 6, 30),
                            "note": None}  # fmt: skip


def test_appending_to_a_file_with_a_horizon_gives_the_new_event_that_horizon(run, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("current_to = 2026-10-08\n\n" + BASE, encoding="utf-8")
    result = run("--store", str(path), "add", "--date", "2026-11-01", "--title", "Later",
                 "--id", "later")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # the file's header applies to it: nothing is written that a later header could not move
    assert path.read_text(encoding="utf-8").endswith(
        '[[events]]\nid = "later"\ndate = 2026-11-01\ntitle = "Later"\ncategory = "other"\n'
        'confidence = "reported"\n'
    )
    for env in (NO_CACHE, {}):
        listed = {e["id"]: e["current_to"] for e in
                  __import__("json").loads(run("--store", str(path), "list", "--json",
                                               env=env).stdout)}  # fmt: skip
        assert listed == {"a": "2026-10-08", "later": "2026-10-08"}


def test_the_curated_store_gives_every_export_control_but_a_package_a_kind(
    run, tmp_path, monkeypatch
):
    text = curated_store_path().read_text(encoding="utf-8")
    block = 'id = "ga-ge-export-licensing"\n'
    start = text.index(block)
    assert text.index('kind = "licensing"\n', start) < text.index("[[events]]", start)
    copy = tmp_path / "events.toml"
    copy.write_text(text[:start] + text[start:].replace('kind = "licensing"\n', "", 1),
                    encoding="utf-8")  # fmt: skip
    assert run("--store", str(copy), "check").exit_code == 0  # another store may leave it out
    import reetimeline.store

    monkeypatch.setattr(reetimeline.store, "curated_store_path", lambda: copy.resolve())
    line = text[:start].count("\n")
    result = run("--store", str(copy), "check")
    assert (result.exit_code, result.stderr) == (1, (
        f"{copy}:{line}: event 'ga-ge-export-licensing': kind: missing; the curated store gives "
        f"every export control a kind (one of: {KIND_LIST}; docs/curating.md)\n"
        f"1 problem in {copy}\n"))  # fmt: skip


# --- add ---------------------------------------------------------------------------------------


def test_add_writes_kind_partial_part_of_and_confirms(run, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(PACKAGE, encoding="utf-8")
    source = ("--source-url", "https://example.com/r", "--source-title", "Report")
    steps = [
        ("add", "--id", "part", "--date", "2025-01-02", "--title", "Part", "-k",
         "export-control", "--kind", "Ban", "--part-of", "pkg", "--issuer", "CN",
         "--applies-to", "US", *source),
        ("add", "--id", "cut", "--date", "2025-02-01", "--title", "Cut", "-k", "suspension",
         "--suspends", "part", "--partial", "--expires", "2025-12-31", *source),
        ("add", "--id", "lapse", "--date", "2026-01-05", "--title", "Lapsed", "--confirms",
         "cut"),
    ]  # fmt: skip
    for step in steps:
        result = run("--store", str(path), *step)
        assert (result.exit_code, result.stderr.startswith("added ")) == (0, True), result.stderr
    assert path.read_text(encoding="utf-8")[len(PACKAGE) :] == (
        '\n[[events]]\nid = "part"\ndate = 2025-01-02\ntitle = "Part"\n'
        'category = "export-control"\nissuer = "CN"\napplies_to = [\n    "US",\n]\n'
        'kind = "ban"\npart_of = "pkg"\n'
        'sources = [\n    { title = "Report", url = "https://example.com/r" },\n]\n'
        '\n[[events]]\nid = "cut"\ndate = 2025-02-01\ntitle = "Cut"\ncategory = "suspension"\n'
        'expires = 2025-12-31\nsuspends = [\n    "part",\n]\npartial = true\n'
        'sources = [\n    { title = "Report", url = "https://example.com/r" },\n]\n'
        '\n[[events]]\nid = "lapse"\ndate = 2026-01-05\ntitle = "Lapsed"\ncategory = "other"\n'
        'confirms = [\n    "cut",\n]\nconfidence = "reported"\n'
    )


@pytest.mark.parametrize(
    ("options", "confidence"),
    [
        ((), "reported"),  # a private note: nothing says it but its author
        (("--confidence", "confirmed"), "confirmed"),
        (("--source-url", "https://example.com/r", "--source-title", "R"), "confirmed"),
        (("--source-url", "https://example.com/r", "--source-title", "R", "--confidence",
          "reported"), "reported"),
    ],
)  # fmt: skip
def test_add_without_a_source_writes_reported_unless_told_confirmed(run, tmp_path, options,
                                                                    confidence):  # fmt: skip
    path = tmp_path / "mine.toml"
    result = run("--store", str(path), "add", "--id", "n", "--date", "2026-12-01", "--title",
                 "Note", *options)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [event] = load([path], cache_dir=None).events
    assert event.confidence == confidence


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--kind", "embargo"), f"--kind: unknown kind 'embargo'; one of: {KIND_LIST}, tariff"),
        (("--partial",), "--partial: only an event that `suspends` measures can suspend them in "
                         "part; add `suspends`, or leave `partial` out"),
        (("--part-of", "nothing"), "--part-of: no event 'nothing' in the stores"),
        (("--confirms", "nothing"), "--confirms: no event 'nothing' in the stores"),
    ],
)  # fmt: skip
def test_add_names_the_option_of_a_bad_new_field(run, tmp_path, options, message):
    path = tmp_path / "mine.toml"
    result = run("--store", str(path), "add", "--id", "n", "--date", "2026-12-01", "--title",
                 "Note", "-k", "export-control", *options)  # fmt: skip
    assert (result.exit_code, result.stderr) == (2, f"reetimeline: error: {message}\n")
    assert not path.exists()


@pytest.mark.parametrize("cached", [False, True], ids=["parsed", "cached"])
def test_an_event_that_confirms_another_is_among_the_relations(tmp_path, cached):
    path = tmp_path / "s.toml"
    path.write_text(
        MEASURE + "\n"
        '[[events]]\nid = "pause"\ndate = 2025-03-01\ntitle = "Pause"\ncategory = "suspension"\n'
        'suspends = ["m"]\nexpires = 2025-06-01\n\n'
        '[[events]]\nid = "lapsed"\ndate = 2025-06-05\ntitle = "L"\ncategory = "other"\n'
        'confirms = ["pause"]\nconfidence = "reported"\n',
        encoding="utf-8",
    )
    cache = tmp_path / "cache" if cached else None
    for _twice in range(2):  # with a cache, the second load reads it
        loaded = load([path], cache_dir=cache)
        assert [(e.id, e.confirms) for e in loaded.relations()] == [
            ("pause", ()),
            ("lapsed", ("pause",)),
        ]
        assert [e.id for e in loaded.acting_on("pause")] == ["lapsed"]


def test_an_export_imported_into_a_new_store_declares_its_horizon(run, tmp_path):
    """Every curated event carries 2026-10-08: the new store says so once, in its header, so
    `doctor` and every view's note name the horizon that applies."""
    exported = tmp_path / "curated.csv"
    assert run("export", "--format", "csv", "-o", str(exported)).exit_code == 0
    new = tmp_path / "new.toml"
    assert run("--store", str(new), "import", str(exported)).exit_code == 0
    text = new.read_text(encoding="utf-8")
    assert text.count("current_to") == 1
    assert "\n# The day up to which these events were checked.\ncurrent_to = 2026-10-08\n" in text
    doctor = json_of(run("--store", str(new), "doctor", "--json", "--as-of", "2026-12-06"))
    assert doctor["data"] == "new.toml current to 2026-10-08, 59 days ago"
