"""Search as people type (issue 24): `-q` words in any order, case-, accent- and
punctuation-blind; ids and prefixes in `status` and `countdown`; closest ids for an unknown one."""

import pytest

from reetimeline.engine.query import make_filter, select
from reetimeline.vocab import closest_ids, search_words


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
        "'october-9-export-control-package'? or october-9-"
    )
    assert result.stderr.endswith(
        "; `reetimeline list -q WORDS` searches titles, summaries, ids, tags and sources\n"
    )


def test_an_unknown_id_made_of_words_suggests_what_they_find(run, small_store):
    result = run("--store", str(small_store), "show", "Ban suspended!")
    assert (result.exit_code, result.stderr) == (
        2, "reetimeline: error: no event 'Ban suspended!' (did you mean 'pause'?); `reetimeline "
           "list -q WORDS` searches titles, summaries, ids, tags and sources\n",
    )  # fmt: skip
