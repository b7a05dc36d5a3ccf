import datetime as dt

import pytest

from reetimeline.datespec import parse_when
from reetimeline.engine.query import make_filter, select
from reetimeline.engine.states import Horizon, Knowledge, Target, countdown, statuses
from reetimeline.errors import UsageError
from reetimeline.model import PartialDate
from reetimeline.output.words import describe_days
from reetimeline.store import load

TODAY = dt.date(2026, 11, 25)  # a Wednesday
_NO_HORIZON = Horizon()


@pytest.fixture
def events(small_store):
    return load([small_store]).events


def ids(events):
    return [e.id for e in events]


def test_mineral_filter_follows_groups_both_ways(events):
    # "embargo" lists rare-earths, "plan" lists dysprosium
    assert ids(select(events, make_filter(minerals=["dysprosium"]))) == ["embargo", "plan"]
    assert ids(select(events, make_filter(minerals=["rare-earths"]))) == ["embargo", "plan"]
    assert ids(select(events, make_filter(minerals=["Ga"]))) == ["ban", "pause"]


def test_exact_turns_group_expansion_off(events):
    assert ids(select(events, make_filter(minerals=["dysprosium"], exact=True))) == ["plan"]
    assert ids(select(events, make_filter(minerals=["REE"], exact=True))) == ["embargo"]


def test_country_filter_follows_groups(write_store):
    path = write_store(
        """
        [[events]]
        id = "g7"
        date = 2025-06-17
        title = "G7 plan"
        category = "agreement"
        countries = ["G7"]
        """
    )
    store = load([path])
    assert ids(select(store.events, make_filter(countries=["JP"]))) == ["g7"]
    assert ids(select(store.events, make_filter(countries=["JP"], exact=True))) == []
    assert ids(select(store.events, make_filter(countries=["CN"]))) == []


def test_and_across_options_or_within_one(events):
    flt = make_filter(minerals=["gallium", "dysprosium"], countries=["JP"])
    assert ids(select(events, flt)) == ["embargo", "plan"]
    flt = make_filter(minerals=["gallium", "dysprosium"], countries=["US"])
    assert ids(select(events, flt)) == ["ban", "pause"]
    flt = make_filter(categories=["suspension", "investment"])
    assert ids(select(events, flt)) == ["pause", "plan"]


def test_text_searches_title_summary_and_source_titles(events):
    assert ids(select(events, make_filter(text="SUSPENDED"))) == ["pause"]
    assert ids(select(events, make_filter(text="report"))) == ["ban", "pause"]


def test_date_ranges_compare_periods(events):
    since = PartialDate.parse("2010-09-20")
    assert ids(select(events, make_filter(since=since, until=PartialDate(2010)))) == ["embargo"]
    # "plan" is dated 2026 (the whole year): inside --since 2026-11-25 and --until 2026-01;
    # "pause" expires on 2026-11-27: any of an event's dates counts
    assert ids(select(events, make_filter(since=PartialDate(2026, 11, 25)))) == ["pause", "plan"]
    assert ids(select(events, make_filter(since=PartialDate(2026, 11, 28)))) == ["plan"]
    assert ids(select(events, make_filter(until=PartialDate(2026, 1)))) == [
        "embargo",
        "ban",
        "pause",
        "plan",
    ]
    assert ids(select(events, make_filter(until=PartialDate(2024, 12, 2)))) == ["embargo"]


def test_reverse_and_limit(events):
    assert ids(select(events, make_filter(), reverse=True, limit=2)) == ["plan", "pause"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minerals": ["dysprosim"]}, "unknown mineral 'dysprosim' (did you mean 'dysprosium'?)"),
        ({"countries": ["Japna"]}, "unknown country 'Japna' (did you mean 'JP'?)"),
        ({"categories": ["tarif"]}, "unknown category 'tarif' (did you mean 'tariff'?)"),
    ],
)
def test_unknown_names_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError) as error:
        make_filter(**kwargs)
    assert str(error.value).startswith(message)


def test_countdown_defaults_to_upcoming_and_the_last_30_days(events):
    day = dt.date(2026, 1, 12)
    rows = countdown(events, day, Knowledge(events, day))
    assert [(t.event.id, t.kind, str(t.date), t.days) for t in rows] == [
        ("plan", "date", "2026", 0),
        ("plan", "effective", "2026-02-01", 20),
        ("pause", "expires", "2026-11-27", 319),
    ]
    rows = countdown(events, day, Knowledge(events, day), show_all=True)
    assert len(rows) == 7
    rows = countdown(events, day, Knowledge(events, day), within=20)
    assert [(t.event.id, t.kind) for t in rows] == [("plan", "date"), ("plan", "effective")]


def test_within_never_shows_lapsed_targets_unless_recent_asks(events):
    day = dt.date(2026, 12, 12)  # "pause" expired 15 days ago; "plan" (2026) is still running

    def rows(**options):
        return [(t.event.id, t.days) for t in countdown(events, day, Knowledge(events, day),
                                                        **options)]  # fmt: skip

    # by the day each count uses: the year around the as-of date counts 0, after the lapse
    assert rows() == [("pause", -15), ("plan", 0)]
    assert rows(within=30) == [("plan", 0)]
    assert rows(within=0) == [("plan", 0)]
    assert rows(within=30, recent=15) == [("pause", -15), ("plan", 0)]
    assert rows(within=30, recent=14) == [("plan", 0)]


@pytest.mark.parametrize(
    ("kind", "days", "text"),
    [
        ("expires", 302, "in 302 days"),
        ("expires", 1, "in 1 day"),
        ("expires", 0, "today"),
        ("expires", -15, "expired 15 days ago"),
        ("effective", -1, "took effect 1 day ago"),
        ("date", -3, "3 days ago"),
    ],
)
def test_countdown_wording(events, kind, days, text):
    assert describe_days(Target(events[0], kind, PartialDate(2026), days)) == text


def states(events, day):
    return [
        (s.event.id, s.state, str(s.since) if s.since else None, str(s.until) if s.until else None)
        for s in statuses(events, Knowledge(events, day), _NO_HORIZON)
    ]


def test_status_follows_suspension_windows(events):
    assert states(events, dt.date(2025, 11, 8)) == [
        ("embargo", "expired", "2010-12", None),
        ("ban", "in-force", "2024-12-03", None),
    ]
    assert states(events, dt.date(2025, 11, 9)) == [
        ("embargo", "expired", "2010-12", None),
        ("ban", "suspended", "2025-11-09", "2026-11-27"),
    ]
    # the expiry day itself is still covered
    assert states(events, dt.date(2026, 11, 27))[1] == (
        "ban",
        "suspended",
        "2025-11-09",
        "2026-11-27",
    )
    after = statuses(events, Knowledge(events, dt.date(2026, 11, 28)), _NO_HORIZON)[1]
    assert (after.state, str(after.since), after.lapsed.id) == ("in-force", "2026-11-28", "pause")


def test_status_leaves_out_measures_not_yet_announced(events):
    assert states(events, dt.date(2010, 8, 31)) == []
    assert states(events, dt.date(2010, 9, 1)) == [("embargo", "in-force", "2010-09", "2010-11")]


def test_status_of_an_announced_measure(write_store):
    path = write_store(
        """
        [[events]]
        id = "m"
        date = 2023-07-03
        effective = 2023-08-01
        title = "Licensing"
        category = "export-control"
        """
    )
    events = load([path]).events
    assert states(events, dt.date(2023, 7, 31)) == [("m", "announced", "2023-07-03", "2023-07-31")]
    assert states(events, dt.date(2023, 8, 1)) == [("m", "in-force", "2023-08-01", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", "2025"),
        ("2025-04", "2025-04"),
        ("2025-04-04", "2025-04-04"),
        ("today", "2026-11-25"),
        ("yesterday", "2026-11-24"),
        ("tomorrow", "2026-11-26"),
        ("+90d", "2027-02-23"),
        ("-2w", "2026-11-11"),
        ("+3m", "2027-02-25"),
        ("-1y", "2025-11-25"),
        ("30 days ago", "2026-10-26"),
        ("2 months ago", "2026-09-25"),
        ("in 2 weeks", "2026-12-09"),
        ("next month", "2026-12"),
        ("last month", "2026-10"),
        ("next year", "2027"),
        ("this week", "2026-11-23"),
        ("1 June 2026", "2026-06-01"),
        ("June 2026", "2026-06"),
    ],
)
def test_dates_as_people_type_them(text, expected):
    assert str(parse_when(text, TODAY)) == expected


def test_month_arithmetic_clamps_to_the_month_end():
    assert str(parse_when("+1m", dt.date(2026, 1, 31))) == "2026-02-28"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "month 13 does not exist"),
        ("soon", "'soon' is not a date: use YYYY-MM-DD, YYYY-MM, YYYY, today, +90d, "
                 "'30 days ago' or 'next month'"),
        ("June", "'June' has no year"),
    ],
)  # fmt: skip
def test_bad_dates_say_why(text, message):
    with pytest.raises(ValueError) as error:
        parse_when(text, TODAY)
    assert str(error.value) == message


# --- issue 20: flows with a direction ----------------------------------------------------------


def _flow_events():
    from reetimeline.model import Event

    def make(event_id, category, issuer, applies_to, **fields):
        return Event(id=event_id, date=PartialDate.parse("2025-11-10"), title=event_id,
                     category=category, minerals=("gallium",), issuer=issuer,
                     applies_to=tuple(applies_to), **fields)  # fmt: skip

    return [
        make("cn-licensing", "export-control", "CN", ["all"]),
        make("cn-ban-us", "export-control", "CN", ["US"]),
        make("eu-control", "export-control", "EU", ["all"]),
        make("us-tariff", "tariff", "US", ["CN"]),
        make("cn-tariff", "tariff", "CN", ["US"]),
        make("us-world-tariff", "tariff", "US", ["all"]),
        # a relief is found as its issuer and applies_to name it (`status`, which lists only
        # measures, never shows it as a restriction)
        make("cn-tariff-cut", "suspension", "CN", ["US"], suspends=("cn-tariff",)),
        make("truce", "truce", None, ["all"]),
    ]


@pytest.mark.parametrize(
    ("origins", "destinations", "expected"),
    [
        ([], ["CN"], ["cn-tariff", "eu-control", "truce"]),
        ([], ["US"], ["cn-licensing", "cn-ban-us", "eu-control", "us-tariff", "us-world-tariff",
                      "cn-tariff-cut", "truce"]),
        (["CN"], ["US"], ["cn-licensing", "cn-ban-us", "us-tariff", "us-world-tariff",
                          "cn-tariff-cut"]),
        (["US"], ["CN"], ["cn-tariff"]),
        (["US"], [], ["cn-tariff"]),
        (["CN"], [], ["cn-licensing", "cn-ban-us", "us-tariff", "us-world-tariff",
                      "cn-tariff-cut"]),
        # a member of the issuing group: exports from DE are restricted by the EU's control
        (["DE"], ["JP"], ["eu-control"]),
        (["US"], ["US"], []),
        (["CN"], ["CN"], []),
    ],
)
def test_from_and_to_select_flows_in_their_direction(origins, destinations, expected):
    flt = make_filter(origins=origins, destinations=destinations)
    assert sorted(e.id for e in _flow_events() if flt.matches(e)) == sorted(expected)


def test_exact_flows_match_only_the_codes_named():
    flt = make_filter(destinations=["US"], exact=True)
    assert sorted(e.id for e in _flow_events() if flt.matches(e)) == [
        "cn-ban-us", "cn-tariff-cut", "us-tariff", "us-world-tariff"]  # fmt: skip
    flt = make_filter(origins=["DE"], exact=True)
    assert [e.id for e in _flow_events() if flt.matches(e)] == []


def test_an_unknown_origin_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^--from: unknown country 'Narnia'"):
        make_filter(origins=["Narnia"])
