"""Dates as people type them on the command line, relative to an injected `today`.

Accepted forms:
    2025, 2025-04, 2025-04-04     ISO, any precision (kept: `2025-04` is all of April)
    today, yesterday, tomorrow
    +90d, -2w, +3m, +1y           signed offsets in days, weeks, months or years
    30 days ago, in 2 weeks       the same in words
    next month, last year         the whole next or last week, month or year
    "1 June 2026", "June 2026"    other written dates, through python-dateutil (precision kept)
"""

from __future__ import annotations

import datetime as dt
import re

from .model import PartialDate

_ISO = re.compile(r"\d{4}(?:-\d{2}){0,2}")
_OFFSET = re.compile(r"([+-])\s*(\d+)\s*([dwmy])")
_AGO = re.compile(r"(\d+)\s+(day|week|month|year)s?\s+ago")
_IN = re.compile(r"in\s+(\d+)\s+(day|week|month|year)s?")
_NEXT_LAST = re.compile(r"(next|last|this)\s+(week|month|year)")
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}


def parse_when(text: str, today: dt.date) -> PartialDate:
    """Parse a date expression; raise ValueError with a readable reason."""
    spec = " ".join(text.strip().lower().split())
    if not spec:
        raise ValueError("empty date")
    if _ISO.fullmatch(spec):
        return PartialDate.parse(spec)
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
    from dateutil import parser

    try:
        first = parser.parse(text, default=dt.datetime(2000, 1, 1))
        second = parser.parse(text, default=dt.datetime(2004, 2, 2))
    except (ValueError, OverflowError):
        raise ValueError(
            f"'{text}' is not a date: use YYYY-MM-DD, YYYY-MM, YYYY, today, "
            "+90d, '30 days ago' or 'next month'"
        ) from None
    if first.year != second.year:
        raise ValueError(f"'{text}' has no year")
    if first.month != second.month:
        return PartialDate(first.year)
    if first.day != second.day:
        return PartialDate(first.year, first.month)
    return PartialDate(first.year, first.month, first.day)
