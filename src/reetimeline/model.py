"""The domain: partial dates and events, as frozen values. No I/O here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

CATEGORIES: tuple[str, ...] = (
    "export-control",
    "suspension",
    "tariff",
    "truce",
    "meeting",
    "agreement",
    "investment",
    "price",
    "statement",
    "military",
    "other",
)
# Categories whose events are measures with a state (announced, in force, suspended, expired,
# ended, unconfirmed).
MEASURE_CATEGORIES: tuple[str, ...] = ("export-control", "tariff")
# Categories whose events say who imposes them (`issuer`) and on whom (`applies_to`).
RESTRICTION_CATEGORIES: tuple[str, ...] = ("export-control", "tariff", "suspension")
# `applies_to = ["all"]`: every destination (for a tariff, every origin).
ALL_DESTINATIONS = "all"
CONFIDENCES: tuple[str, ...] = ("confirmed", "reported")
TARGET_KINDS: tuple[str, ...] = ("date", "effective", "expires")
ALARM_ON: tuple[str, ...] = ("expires",)  # the targets an alarm reminds of unless told (ICS)
# What a measure restricts and whom it hits (`kind`), after the OECD Inventory of Export
# Restrictions on Industrial Raw Materials and Global Trade Alert (docs/store-format.md).
KINDS: tuple[str, ...] = (
    "licensing", "ban", "informal", "end-use-ban", "entity-listing", "technology",
    "extraterritorial", "tariff",
)  # fmt: skip
# the material itself, for every buyer in the destinations (strictest first)
MATERIAL_KINDS: tuple[str, ...] = ("ban", "licensing", "informal")
# any dual-use item, but only for military users or named entities
TARGETED_KINDS: tuple[str, ...] = ("end-use-ban", "entity-listing")
# technology, equipment, or foreign-made items with the issuer's inputs: not the material
TECHNOLOGY_KINDS: tuple[str, ...] = ("technology", "extraterritorial")

_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

# The one range of dates the tool accepts, wherever a date comes from (a store, an import,
# `add`, an option): far enough inside Python's years 1 to 9999 that every count of days, every
# day before or after and every axis drawn from such a date can be computed.
EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(8999, 12, 31)
IN_RANGE = f"give a date from {EARLIEST} to {LATEST}"  # how every message of the range ends


class DateRangeError(ValueError):
    """A date outside EARLIEST to LATEST (a ValueError, as for any date that is not one)."""

    def __init__(self, message: str, year: int):
        super().__init__(message)
        self.year = year


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):  # a leap year
        return 29
    return _DAYS[month - 1]


_FIRST_YEAR, _LAST_YEAR = EARLIEST.year, LATEST.year


def _written(year: int, month: int | None, day: int | None) -> str:
    parts = [f"{year:04d}", *(f"{n:02d}" for n in (month, day) if n is not None)]
    return "-".join(parts)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year.

    The precision is kept as written: `2025-04` is April 2025, never 1 April 2025. A partial date
    covers a period, from `first()` to `last()` inclusive.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        year, month, day = self.year, self.month, self.day
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise DateRangeError(f"{_written(year, month, day)} is out of range: {IN_RANGE}", year)
        if month is None:
            if day is not None:
                raise ValueError("a day needs a month")
        elif not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        elif day is not None and not 1 <= day <= (days := _days_in_month(year, month)):
            raise ValueError(f"{year:04d}-{month:02d} has no day {day} (it has {days})")

    @classmethod
    def trusted(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate:
        """A date already validated (read back from the cache), built without checks."""
        date = object.__new__(cls)
        date.__dict__.update(year=year, month=month, day=day)
        return date

    def _period(self) -> tuple[dt.date, dt.date, tuple[dt.date, int]]:
        # Computed on first use and kept: sorting and filtering ask many times. Not fields, so
        # they take no part in equality, hashing or repr.
        cached = self.__dict__.get("_p")
        if cached is None:
            year, month, day = self.year, self.month, self.day
            if month is None:
                first, last, rank = dt.date(year, 1, 1), dt.date(year, 12, 31), 0
            elif day is None:
                first = dt.date(year, month, 1)
                last, rank = dt.date(year, month, _days_in_month(year, month)), 1
            else:
                first = last = dt.date(year, month, day)
                rank = 2
            cached = self.__dict__["_p"] = (first, last, (first, rank))
        return cached

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; raise ValueError with a readable reason."""
        match = _PARTIAL_DATE.fullmatch(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)")
        year, month, day = (int(g) if g is not None else None for g in match.groups())
        assert year is not None
        return cls(year, month, day)

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def first(self) -> dt.date:
        """The first day of the period this date covers."""
        return self._period()[0]

    def last(self) -> dt.date:
        """The last day of the period this date covers (inclusive)."""
        return self._period()[1]

    def sort_key(self) -> tuple[dt.date, int]:
        # A coarser date sorts before a finer one that starts the same day.
        return self._period()[2]

    def days_from(self, as_of: dt.date) -> int:
        """Calendar days from `as_of` to this date: positive ahead, negative behind, 0 inside.

        For a month or year, the count runs to the first day of the period when it lies ahead,
        from its last day when it lies behind, and is 0 while `as_of` is inside it.
        """
        first, last, _order = self._period()
        if as_of < first:
            return (first - as_of).days
        if as_of > last:
            return (last - as_of).days
        return 0

    def previous(self) -> PartialDate:
        """The period of the same precision just before this one (the day, month or year)."""
        # kept, like the period: states ask it of the same few dates again and again
        cached = self.__dict__.get("_previous")
        if cached is None:
            cached = self.__dict__["_previous"] = self._step(-1)
        return cached

    def following(self) -> PartialDate:
        """The period of the same precision just after this one (the day, month or year)."""
        cached = self.__dict__.get("_following")
        if cached is None:
            cached = self.__dict__["_following"] = self._step(1)
        return cached

    def _step(self, step: int) -> PartialDate:
        if self.day is not None:
            day = (self.first() if step < 0 else self.last()) + dt.timedelta(days=step)
            return PartialDate.trusted(day.year, day.month, day.day)  # valid: a real day
        if self.month is not None:
            index = self.year * 12 + self.month - 1 + step
            return PartialDate.trusted(index // 12, index % 12 + 1)
        # trusted: the period next to the first or last one accepted is still a real one
        return PartialDate.trusted(self.year + step)

    def __str__(self) -> str:
        text = self.__dict__.get("_text")
        if text is None:
            if self.month is None:
                text = f"{self.year:04d}"
            elif self.day is None:
                text = f"{self.year:04d}-{self.month:02d}"
            else:
                text = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
            self.__dict__["_text"] = text
        return text


class Source(NamedTuple):
    """Where a fact comes from: a link (http, https or mailto, `links.check_url`), or None for
    a reference by its title alone (a document, a letter, a call)."""

    title: str
    url: str | None
    publisher: str | None = None
    accessed: PartialDate | None = None


class Origin(NamedTuple):
    """Where an event was read from, for messages. Not part of an event's identity."""

    path: str
    line: int | None = None


@dataclass(frozen=True)
class Event:
    id: str
    date: PartialDate
    title: str
    category: str
    summary: str | None = None
    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    effective: PartialDate | None = None
    expires: PartialDate | None = None
    suspends: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    confidence: str = "confirmed"
    # who imposes a measure or suspension (one code) and the destinations it applies to
    issuer: str | None = None
    applies_to: tuple[str, ...] = ()
    # the suspensions or truces whose end this event moves to its own `expires`
    extends: tuple[str, ...] = ()
    # the measures this event ends, on its `effective` (else its date)
    ends: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    # what a measure restricts and whom it hits: one of KINDS, None when not classified
    kind: str | None = None
    # a suspension or truce that suspends only part of each measure it names
    partial: bool = False
    # the package (an event) this measure is a part of
    part_of: str | None = None
    # the events whose scheduled changes this event reports as having happened as scheduled
    confirms: tuple[str, ...] = ()
    # up to which day this event's facts were checked (its store file's `current_to` unless it
    # has its own); None: no horizon, nothing about it is unconfirmed
    current_to: PartialDate | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @classmethod
    def trusted(cls, **fields) -> Event:
        """Build an event from fields that are already validated (the store's parser, the
        cache), about twice as fast as `Event(...)`: a frozen dataclass's `__init__` sets each
        of its 15 fields through `object.__setattr__`."""
        return cls.trusted_from(fields)

    @classmethod
    def trusted_from(cls, fields: dict) -> Event:
        """`trusted` from a dict of fields (no copy into keyword arguments and back)."""
        event = object.__new__(cls)
        own = event.__dict__
        own.update(_EVENT_DEFAULTS)
        own.update(fields)
        return event

    def targets(self) -> tuple[tuple[str, PartialDate], ...]:
        """The dated targets of this event: its date, then `effective` and `expires` if set."""
        return _targets(self.date, self.effective, self.expires)

    def starts(self) -> PartialDate:
        """When the event's effect begins: `effective` if set, else `date`."""
        return self.effective if self.effective is not None else self.date

    def sort_key(self) -> tuple[tuple[dt.date, int], str]:
        return (self.date.sort_key(), self.id)


def _targets(
    date: PartialDate, effective: PartialDate | None, expires: PartialDate | None
) -> tuple[tuple[str, PartialDate], ...]:
    if effective is None:
        return (("date", date),) if expires is None else (("date", date), ("expires", expires))
    if expires is None:
        return (("date", date), ("effective", effective))
    return (("date", date), ("effective", effective), ("expires", expires))


_EVENT_DEFAULTS = {
    "summary": None, "minerals": (), "countries": (), "tags": (), "effective": None,
    "expires": None, "suspends": (), "related": (), "confidence": "confirmed", "sources": (),
    "issuer": None, "applies_to": (), "extends": (), "ends": (), "origin": None, "kind": None,
    "partial": False, "part_of": None, "confirms": (), "current_to": None,
}  # fmt: skip


class Dated(Protocol):
    """What the state engine (`states`) and the views of its answers read of an event: its
    dates, what it acts on, and the few fields a row shows. `Event` has it, and so has `Brief`,
    which the cache reads for thousands of events at once."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def confidence(self) -> str: ...
    @property
    def date(self) -> PartialDate: ...
    @property
    def effective(self) -> PartialDate | None: ...
    @property
    def expires(self) -> PartialDate | None: ...
    @property
    def suspends(self) -> tuple[str, ...]: ...
    @property
    def extends(self) -> tuple[str, ...]: ...
    @property
    def ends(self) -> tuple[str, ...]: ...
    @property
    def issuer(self) -> str | None: ...
    @property
    def applies_to(self) -> tuple[str, ...]: ...
    @property
    def minerals(self) -> tuple[str, ...]: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def partial(self) -> bool: ...
    @property
    def part_of(self) -> str | None: ...
    @property
    def confirms(self) -> tuple[str, ...]: ...
    @property
    def current_to(self) -> PartialDate | None: ...

    def targets(self) -> tuple[tuple[str, PartialDate], ...]: ...
    def starts(self) -> PartialDate: ...
    def sort_key(self) -> tuple[tuple[dt.date, int], str]: ...


class Brief(NamedTuple):
    """An event without its summary, tags, related ids and sources: what states, countdowns
    and their views read (`Dated`), and what `stats` counts, kept by the cache in a column of
    its own."""

    id: str
    title: str
    category: str
    confidence: str
    date: PartialDate
    effective: PartialDate | None
    expires: PartialDate | None
    suspends: tuple[str, ...]
    extends: tuple[str, ...]
    ends: tuple[str, ...]
    issuer: str | None
    applies_to: tuple[str, ...]
    minerals: tuple[str, ...]
    countries: tuple[str, ...] = ()
    kind: str | None = None
    partial: bool = False
    part_of: str | None = None
    confirms: tuple[str, ...] = ()
    current_to: PartialDate | None = None

    @classmethod
    def of(cls, event: Event) -> Brief:
        return cls(event.id, event.title, event.category, event.confidence, event.date,
                   event.effective, event.expires, event.suspends, event.extends, event.ends,
                   event.issuer, event.applies_to, event.minerals, event.countries, event.kind,
                   event.partial, event.part_of, event.confirms, event.current_to)  # fmt: skip

    def targets(self) -> tuple[tuple[str, PartialDate], ...]:
        return _targets(self.date, self.effective, self.expires)

    def starts(self) -> PartialDate:
        return self.effective if self.effective is not None else self.date

    def sort_key(self) -> tuple[tuple[dt.date, int], str]:
        return (self.date.sort_key(), self.id)


def event_to_record(event: Event) -> dict[str, object]:
    """The event in the store's field names, dates as written: the `--json` schema.

    Every key is present so that programs see one stable shape: absent dates and summary are
    null, absent lists are empty.
    """
    return {
        "id": event.id,
        "date": str(event.date),
        "precision": event.date.precision,
        "title": event.title,
        "summary": event.summary,
        "category": event.category,
        "minerals": list(event.minerals),
        "countries": list(event.countries),
        "tags": list(event.tags),
        "effective": str(event.effective) if event.effective else None,
        "expires": str(event.expires) if event.expires else None,
        "suspends": list(event.suspends),
        "related": list(event.related),
        "confidence": event.confidence,
        "issuer": event.issuer,
        "applies_to": list(event.applies_to),
        "extends": list(event.extends),
        "ends": list(event.ends),
        "kind": event.kind,
        "partial": event.partial,
        "part_of": event.part_of,
        "confirms": list(event.confirms),
        "current_to": str(event.current_to) if event.current_to else None,
        "sources": [source_to_record(s) for s in event.sources],
    }


def source_to_record(source: Source) -> dict[str, object]:
    record: dict[str, object] = {"title": source.title}
    if source.url is not None:  # a reference by its title has no link
        record["url"] = source.url
    if source.publisher is not None:
        record["publisher"] = source.publisher
    if source.accessed is not None:
        record["accessed"] = str(source.accessed)
    return record
