import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reetimeline.model import EARLIEST, LATEST, DateRangeError, PartialDate


@pytest.mark.parametrize(
    ("text", "precision", "first", "last"),
    [
        ("2025", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-04", "month", dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025-02", "month", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        ("2025-10-30", "day", dt.date(2025, 10, 30), dt.date(2025, 10, 30)),
    ],
)
def test_each_form_keeps_its_precision_and_period(text, precision, first, last):
    date = PartialDate.parse(text)
    assert date.precision == precision
    assert (date.first(), date.last()) == (first, last)
    assert str(date) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-02-30", "2025-02 has no day 30 (it has 28)"),
        ("2025-13", "month 13 does not exist"),
        ("2025-13-45", "month 13 does not exist"),
        ("2025-00-10", "month 0 does not exist"),
        ("25-01-01", "'25-01-01' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("2025-1-5", "'2025-1-5' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("2025/01/05", "'2025/01/05' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("0000", "0000 is out of range: give a date from 1000-01-01 to 8999-12-31"),
        ("0999-12-31", "0999-12-31 is out of range: give a date from 1000-01-01 to 8999-12-31"),
        ("9000", "9000 is out of range: give a date from 1000-01-01 to 8999-12-31"),
        ("9999-12-31", "9999-12-31 is out of range: give a date from 1000-01-01 to 8999-12-31"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError) as error:
        PartialDate.parse(text)
    assert str(error.value) == reason


@pytest.mark.parametrize(
    ("text", "as_of", "days"),
    [
        ("2026-11-10", dt.date(2026, 1, 12), 302),
        ("2026-11-10", dt.date(2026, 11, 25), -15),
        ("2026-11-27", dt.date(2026, 11, 25), 2),
        ("2026-11-25", dt.date(2026, 11, 25), 0),
        ("2026-12", dt.date(2026, 11, 25), 6),  # to 1 December
        ("2026-11", dt.date(2026, 11, 25), 0),  # inside the month
        ("2026-10", dt.date(2026, 11, 25), -25),  # from 31 October
        ("2027", dt.date(2026, 11, 25), 37),  # to 1 January 2027
    ],
)
def test_days_from_counts_calendar_days_to_the_period(text, as_of, days):
    assert PartialDate.parse(text).days_from(as_of) == days


def test_a_coarser_date_sorts_before_a_finer_one_starting_the_same_day():
    dates = [PartialDate.parse(t) for t in ("2025-12-08", "2025-12-01", "2025-12", "2025")]
    assert [str(d) for d in sorted(dates, key=PartialDate.sort_key)] == [
        "2025",
        "2025-12",
        "2025-12-01",
        "2025-12-08",
    ]


partial_dates = st.one_of(
    st.integers(1000, 8999).map(PartialDate),
    st.tuples(st.integers(1000, 8999), st.integers(1, 12)).map(lambda t: PartialDate(*t)),
    st.dates(EARLIEST, LATEST).map(PartialDate.from_date),
)


@given(partial_dates)
def test_parse_reads_back_what_str_writes(date):
    assert PartialDate.parse(str(date)) == date
    assert date.first() <= date.last()


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("1000", dt.date(1000, 1, 1), dt.date(1000, 12, 31)),
        ("1000-01-01", dt.date(1000, 1, 1), dt.date(1000, 1, 1)),
        ("8999-12", dt.date(8999, 12, 1), dt.date(8999, 12, 31)),
        ("8999-12-31", dt.date(8999, 12, 31), dt.date(8999, 12, 31)),
    ],
)
def test_the_first_and_last_dates_accepted_and_the_periods_next_to_them(text, first, last):
    """The range's ends are dates like any other: their periods, and the periods just before
    and after them (which the engine asks for), can be computed."""
    date = PartialDate.parse(text)
    assert (date.first(), date.last()) == (first, last)
    assert date.previous().last() == first - dt.timedelta(days=1)
    assert date.following().first() == last + dt.timedelta(days=1)


@pytest.mark.parametrize("year", [1, 999, 9000, 9999])
def test_a_date_out_of_the_range_is_a_date_range_error(year):
    with pytest.raises(DateRangeError) as error:
        PartialDate(year, 6, 1)
    assert error.value.year == year
    assert str(error.value) == (
        f"{year:04d}-06-01 is out of range: give a date from 1000-01-01 to 8999-12-31"
    )
