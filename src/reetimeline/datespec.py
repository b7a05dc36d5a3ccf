"""Dates as people type them on the command line, relative to an injected `today`.

Accepted forms:
    2025, 2025-04, 2025-04-04     ISO, any precision (kept: `2025-04` is all of April)
    today, yesterday, tomorrow
    +90d, -2w, +3m, +1y           signed offsets in days, weeks, months or years
    30 days ago, in 2 weeks       the same in words
    next month, last year         the whole next or last week, month or year
    01.06.2026, 1.6.2026          dotted dates are day-first (European practice): 1 June 2026
    13/06/2026, 06/13/2026        slashed dates where only one reading is a date; when day and
                                  month are both 12 or less (01/06/2026) the text is ambiguous
                                  and refused, naming both readings
    2026/06/01                    year first, with slashes or dots
    "1 June 2026", "June 2026"    other written dates, through python-dateutil (precision kept)

Relative forms count from `today`, which the command line sets to `--as-of` when given.
Dates must lie between 1000-01-01 and 8999-12-31 (`model.EARLIEST` to `model.LATEST`, the one
range every date the tool accepts lies in), so that every count of days from them can be computed.
"""

from __future__ import annotations

import datetime as dt
import re

from .model import IN_RANGE, DateRangeError, PartialDate

_ISO = re.compile(r"\d{4}(?:-\d{2}){0,2}")
_OFFSET = re.compile(r"([+-])\s*(\d+)\s*([dwmy])")
_AGO = re.compile(r"(\d+)\s+(day|week|month|year)s?\s+ago")
_IN = re.compile(r"in\s+(\d+)\s+(day|week|month|year)s?")
_NEXT_LAST = re.compile(r"(next|last|this)\s+(week|month|year)")
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}
# 25.11.2026, 25/11/2026, 25-11-2026, 11/2026 ...; a year in front: 2026/11/25
_NUMERIC = re.compile(r"(\d{1,4})([./-])(\d{1,2})(?:\2(\d{1,4}))?")


def parse_when(text: str, today: dt.date) -> PartialDate:
    """Parse a date expression; raise ValueError with a readable reason."""
    try:
        return _parse(text, today)
    except (OverflowError, DateRangeError):  # PartialDate refuses a date out of the range
        raise ValueError(f"'{text}' is out of range: {IN_RANGE}") from None


def _parse(text: str, today: dt.date) -> PartialDate:
    spec = " ".join(text.strip().lower().split())
    if not spec:
        raise ValueError("empty date")
    if _ISO.fullmatch(spec):
        return PartialDate.parse(spec)
    if match := _NUMERIC.fullmatch(spec):
        return _numeric(text, *match.groups())
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if spec in named:
        return PartialDate.from_date(today + dt.timedelta(days=named[spec]))
    if match := _OFFSET.fullmatch(spec):
        sign, amount, unit = match.groups()
        return _shift(today, int(amount) * (-1 if sign == "-" else 1), _UNITS[unit])
    if match := _AGO.fullmatch(spec):
        return _shift(today, -int(match.group(1)), match.group(2))
    if match := _IN.fullmatch(spec):
        return _shift(today, int(match.group(1)), match.group(2))
    if match := _NEXT_LAST.fullmatch(spec):
        step = {"next": 1, "last": -1, "this": 0}[match.group(1)]
        return _period(today, step, match.group(2))
    return _free_form(text)


def _numeric(text: str, first: str, separator: str, second: str, third: str | None) -> PartialDate:
    """Dates written with dots, slashes or hyphens, refusing to guess between day and month."""
    text = text.strip()
    if third is None:  # 11/2026: a month
        if len(second) == 4 or len(first) > 2:
            raise ValueError(f"'{text}' is not a date: write YYYY-MM for a month")
        return PartialDate(_year(text, second), _part(text, first, 12, "month"))
    if len(first) == 4:  # 2026/11/25
        return _checked(text, int(first), int(second), int(third))
    if len(first) == 3:
        raise ValueError(f"'{text}' is not a date")
    year = _year(text, third)
    a, b = int(first), int(second)
    if separator == ".":  # day-first, as in Europe
        return _checked(text, year, b, a)
    if a > 12 and b <= 12:
        return _checked(text, year, b, a)
    if b > 12 and a <= 12:
        return _checked(text, year, a, b)
    if a == b:
        return _checked(text, year, a, a)
    if a > 12:
        raise ValueError(f"'{text}' is not a date")
    day_first, month_first = dt.date(year, b, a), dt.date(year, a, b)
    raise ValueError(
        f"'{text}' is ambiguous: {day_first.strftime('%-d %B %Y')} ({day_first}) day-first, or "
        f"{month_first.strftime('%B %-d %Y')} ({month_first}) month-first; write it as "
        f"YYYY-MM-DD"
    )


def _year(text: str, digits: str) -> int:
    if len(digits) != 4:
        raise ValueError(f"'{text}': write the year with four digits")
    return int(digits)


def _part(text: str, digits: str, highest: int, name: str) -> int:
    value = int(digits)
    if not 1 <= value <= highest:
        raise ValueError(f"'{text}' is not a date: there is no {name} {value}")
    return value


def _checked(text: str, year: int, month: int, day: int) -> PartialDate:
    try:
        return PartialDate(year, month, day)
    except DateRangeError:
        raise
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a date: {exc}") from None


def _shift(today: dt.date, amount: int, unit: str) -> PartialDate:
    if unit == "day":
        return PartialDate.from_date(today + dt.timedelta(days=amount))
    if unit == "week":
        return PartialDate.from_date(today + dt.timedelta(weeks=amount))
    from dateutil.relativedelta import relativedelta

    # relativedelta clamps to the month's end: 31 January + 1 month is 28 or 29 February
    delta = relativedelta(months=amount) if unit == "month" else relativedelta(years=amount)
    return PartialDate.from_date(today + delta)


def _period(today: dt.date, step: int, unit: str) -> PartialDate:
    """The week, month or year `step` periods from today's; a week is given by its Monday."""
    if unit == "year":
        return PartialDate(today.year + step)
    if unit == "month":
        index = today.year * 12 + today.month - 1 + step
        return PartialDate(index // 12, index % 12 + 1)
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=step)
    return PartialDate.from_date(monday)


def _free_form(text: str) -> PartialDate:
    """Other written dates through dateutil; parts not written are not invented.

    Parsing twice with two different defaults shows which parts the text really gave.
    """
    import warnings

    from dateutil import parser

    try:
        with warnings.catch_warnings():
            # an unknown time zone name ("10:00 ABC") would otherwise warn on stderr
            warnings.simplefilter("ignore")
            first = parser.parse(text, default=dt.datetime(2000, 1, 1), dayfirst=True)
            second = parser.parse(text, default=dt.datetime(2004, 2, 2), dayfirst=True)
    except (ValueError, OverflowError, parser.ParserError):
        raise ValueError(
            f"'{text}' is not a date: use YYYY-MM-DD, YYYY-MM, YYYY, today, "
            "+90d, '30 days ago' or 'next month'"
        ) from None
    if (first.hour, first.minute, first.second) != (0, 0, 0) or first.tzinfo is not None:
        raise ValueError(f"'{text}' has a time of day; give a date (YYYY-MM-DD)")
    if first.year != second.year:
        raise ValueError(f"'{text}' has no year")
    if first.month != second.month:
        return PartialDate(first.year)
    if first.day != second.day:
        return PartialDate(first.year, first.month)
    return PartialDate(first.year, first.month, first.day)
