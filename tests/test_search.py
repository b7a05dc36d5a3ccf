"""Search as people type (issue 24): `-q` words in any order, case-, accent- and
punctuation-blind; ids and prefixes in `status` and `countdown`; closest ids for an unknown one."""

import pytest

from reetimeline.engine.query import make_filter, select
from reetimeline.vocab import closest_ids, search_words
from tests.conftest import json_of


def _ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[-1] for line in result.stdout.splitlines()[1:]]


def test_search_words_leave_out_case_accents_and_punctuation():
    assert search_words("MOFCOM/GAC Announcement No. 70:") == ["mofcom", "gac", "announcement",
                                                              "no", "70"]  # fmt: skip
    assert search_words("No.70") == ["no", "70"]
    assert search_words("RÉUNION, 2025") == ["reunion", "2025"]
    assert search_words("under_score") == ["under", "score"]
    assert search_words("...") == []


def test_every_word_starts_a_word_in_any_order(small_store):
    from reetimeline import store

    events = store.load([small_store]).events
    ids = lambda flt: [e.id for e in select(events, flt)]  # noqa: E731
    assert ids(make_filter(text="suspended ban")) == ["pause"]
    assert ids(make_filter(text="BAN, suspended!")) == ["pause"]
    assert ids(make_filter(text="suspen")) == ["pause"]
    assert ids(make_filter(text="uspended")) == []  # a word's start, not any substring
    assert ids(make_filter(text="ban gallium report")) == ["ban"]


@pytest.mark.parametrize("query", ["Announcement 70", "no.70", "NO 70", "70 announcement"])
@pytest.mark.parametrize("no_cache", [False, True])
def test_list_q_finds_announcement_no_70(run, query, no_cache):
    env = {"REETIMELINE_NO_CACHE": "1"} if no_cache else None
    assert "mofcom-suspends-october-measures" in _ids(run("list", "-q", query, env=env))


def test_list_q_searches_ids_and_tags(run):
    assert _ids(run("list", "-q", "mofcom suspends october")) == [
        "mofcom-suspends-october-measures"]  # fmt: skip
    assert "china-halts-rare-earths-to-japan-2010" in _ids(run("list", "-q", "de-facto"))


def test_closest_ids_compare_without_punctuation():
    ids = ["october-9-no-55-superhard-materials", "october-9-export-control-package", "ban"]
    assert closest_ids("october9", ids) == ["october-9-export-control-package",
                                            "october-9-no-55-superhard-materials"]  # fmt: skip
    assert closest_ids("OCTOBER 9 export", ids) == ["october-9-export-control-package"]
    assert closest_ids("bann", ids) == ["ban"]
    assert closest_ids("--", ids) == []


def test_an_unknown_id_suggests_the_closest_and_search(run):
    result = run("show", "october9")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(
        "reetimeline: error: no event 'october9' (did you mean "
        "'october-9-export-control-package', 'october-9-"
    )
    assert result.stderr.endswith(
        "; `reetimeline list -q WORDS` searches titles, summaries, ids, tags and sources\n"
    )


def test_a_phrase_given_as_an_id_suggests_the_event_whose_title_has_it(run):
    """`show 'Announcement No. 70'`: the words are searched, and the event whose title holds
    them comes first (the October-9 parts only mention No. 70 in their summaries)."""
    result = run("show", "Announcement No. 70")
    assert result.exit_code == 2
    assert result.stderr.startswith("reetimeline: error: no event 'Announcement No. 70' (did you "
                                    "mean 'mofcom-suspends-october-measures', 'october-9-")


def test_a_number_in_a_query_is_a_whole_word(run):
    """`70` finds "No. 70", not "225.7018" (the DFARS rule) or 1970."""
    ids = [line.split("\t")[-1] for line in run("list", "-q", "no.70").stdout.splitlines()[1:]]
    assert "mofcom-suspends-october-measures" in ids
    assert "dfars-magnet-sourcing-rule" not in ids
    assert "dfars-magnet-sourcing-rule" in run("list", "-q", "7018").stdout


def test_an_unknown_id_made_of_words_suggests_what_they_find(run, small_store):
    result = run("--store", str(small_store), "show", "Ban suspended!")
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: no event 'Ban suspended!' (did you mean 'pause'?); `reetimeline "
           "list -q WORDS` searches titles, summaries, ids, tags and sources\n",
    )  # fmt: skip


OCTOBER_PARTS = [
    "october-9-no-55-superhard-materials", "october-9-no-56-rare-earth-equipment",
    "october-9-no-57-five-rare-earths", "october-9-no-58-lithium-batteries",
    "october-9-no-61-extraterritorial-rules", "october-9-no-62-rare-earth-technologies",
]  # fmt: skip


# piped status and countdown say how current the data is on stderr, after the rows
JUNE = "data: curated store current to 2026-10-08, 129 days after the as-of date\n"
DEC6 = "data: curated store current to 2026-10-08, 59 days ago\n"


def _states(result) -> list[tuple[str, str]]:
    assert result.exit_code == 0, result.stderr
    return [(line.split("\t")[0], line.split("\t")[-1]) for line in result.stdout.splitlines()[1:]]


def test_status_q_lists_the_measures_no_70_suspends(run):
    result = run("status", "-q", "No. 70", "--as-of", "2026-06-01")
    assert _states(result) == [("suspended", i) for i in OCTOBER_PARTS]
    assert result.stderr == ("-q also matches mofcom-suspends-october-measures: the measures it "
                             "acts on are listed too\n" + JUNE)  # fmt: skip


def test_status_q_matching_only_a_suspension_lists_what_it_acts_on(run):
    result = run("status", "-q", "Announcement 70 suspends", "--as-of", "2026-06-01")
    assert _states(result) == [("suspended", i) for i in OCTOBER_PARTS]
    assert result.stderr == ("no measure matches -q: listing the measures that the matching "
                             "mofcom-suspends-october-measures acts on\n" + JUNE)  # fmt: skip
    as_json = run("status", "-q", "Announcement 70 suspends", "--as-of", "2026-06-01", "--json")
    assert [row["id"] for row in json_of(as_json)] == OCTOBER_PARTS


def test_status_takes_an_id_as_show_does(run):
    result = run("status", "mofcom-suspends-october-measures", "--as-of", "2026-06-01")
    assert _states(result) == [("suspended", i) for i in OCTOBER_PARTS]
    assert result.stderr == ("the measures mofcom-suspends-october-measures stands for or acts "
                             "on\n" + JUNE)  # fmt: skip
    package = run("status", "october-9-export-control", "--as-of", "2026-06-01")
    assert package.stdout == result.stdout
    prefix = run("status", "ga-ge", "--as-of", "2026-12-06")
    assert (_states(prefix), prefix.stderr) == ([("in-force", "ga-ge-export-licensing")], DEC6)


def test_status_of_an_event_that_is_no_measure_is_a_usage_error(run):
    result = run("status", "busan-trump-xi-summit")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "reetimeline: error: 'busan-trump-xi-summit' is a truce event: not a measure, and "
               "it acts on none (try `reetimeline show busan-trump-xi-summit`)\n",
    )  # fmt: skip
    unknown = run("status", "october9")
    assert unknown.exit_code == 2
    assert "(did you mean 'october-9-export-control-package', " in unknown.stderr


def test_countdown_takes_an_id_prefix(run):
    whole = run("countdown", "ga-ge-export-licensing", "--as-of", "2026-12-06")
    prefix = run("countdown", "ga-ge", "--as-of", "2026-12-06")
    assert (prefix.exit_code, prefix.stderr) == (0, DEC6)
    assert prefix.stdout == whole.stdout
    assert [line.split("\t")[-1] for line in prefix.stdout.splitlines()[1:]] == [
        "ga-ge-export-licensing"] * 2  # fmt: skip


def test_status_with_an_id_and_matrix_is_a_usage_error(run):
    result = run("status", "ga-ge", "--matrix")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "reetimeline: error: --matrix draws every matching measure: give no ID with it "
               "(try -m)\n",
    )  # fmt: skip
