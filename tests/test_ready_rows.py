"""Piped `status` and `countdown` rows made ready by the cache are the rows the state engine
makes: on measures nothing acts on (any dates, any precision, any day, any horizon), and on
whole generated stores with suspensions, extensions of extensions, ends, reports and a horizon,
across two store files that act on each other, on many days and with every window option."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetimeline import store
from reetimeline.engine import states
from reetimeline.engine.query import make_filter
from reetimeline.model import Event, PartialDate
from reetimeline.output.plain import countdown_line, ready_stretches, status_line
from tests.test_states import _partial_dates


@settings(max_examples=600)
@given(
    date=_partial_dates(),
    effective=st.none() | _partial_dates(),
    expires=st.none() | _partial_dates(),
    confidence=st.sampled_from(["confirmed", "reported"]),
    after=st.integers(0, 1500),
    horizon=st.none() | _partial_dates(),
)
def test_a_ready_status_row_is_the_row_of_the_state_on_any_day(
    date, effective, expires, confidence, after, horizon
):
    """The stretch that holds a day gives that day's row, unless the stretch is not the first
    and began after the horizon: then (and only then) the engine's answer is `unconfirmed`."""
    event = Event("m", date, "M", "export-control", effective=effective, expires=expires,
                  confidence=confidence)  # fmt: skip
    as_of = date.first() + dt.timedelta(days=after)
    day = as_of.toordinal()
    data = states.Horizon(horizon, "store")
    general = states.status_of(event, states.Knowledge((), as_of), data)
    ready = ready_stretches(event)
    assert ready[0][0] == date.first().toordinal()
    holding = [(i, r) for i, r in enumerate(ready) if r[0] <= day and (r[1] is None or day < r[1])]
    assert len(holding) == 1
    number, (since, _next, line) = holding[0]
    if number > 0 and since > data.last_day(as_of).toordinal():
        assert general.state == "unconfirmed"
    else:
        assert line == status_line(general)


# --- whole stores --------------------------------------------------------------------------


def _date(rng: random.Random, low: dt.date, span: int) -> PartialDate:
    day = low + dt.timedelta(days=rng.randrange(span))
    roll = rng.random()
    if roll < 0.1:
        return PartialDate(day.year)
    if roll < 0.25:
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


def _later(rng: random.Random, date: PartialDate, span: int) -> PartialDate:
    return _date(rng, date.last(), span)


def _toml(value) -> str:
    if isinstance(value, PartialDate):  # a day is a TOML date; a month or year is a string
        return str(value) if value.precision == "day" else f'"{value}"'
    if isinstance(value, str):
        return '"' + value + '"'
    return "[" + ", ".join(_toml(v) for v in value) + "]"


def _write(path: Path, events: list[dict], current_to: PartialDate | None) -> None:
    lines = [f"current_to = {current_to}", ""] if current_to else []
    for e in events:
        lines.append("[[events]]")
        lines += [f"{key} = {_toml(value)}" for key, value in e.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _stores(folder: Path, seed: int) -> None:
    """Two store files: measures and what acts on them, the second acting on the first too."""
    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    files: list[list[dict]] = [[], []]
    measures: list[str] = []
    pauses: list[str] = []
    for n in range(420):
        part = files[0] if n < 300 else files[1]
        date = _date(rng, start, 1600)
        event: dict = {"id": f"e{seed}-{n:03d}", "date": date, "title": f"Event {n}"}
        roll = rng.random()
        if roll < 0.45 or not measures:
            event["category"] = rng.choice(["export-control", "tariff"])
            if rng.random() < 0.5:
                event["effective"] = _later(rng, date, 200)
            if rng.random() < 0.4:
                event["expires"] = _later(rng, event.get("effective", date), 500)
            measures.append(event["id"])
        elif roll < 0.65:
            event["category"] = "suspension"
            event["suspends"] = rng.sample(measures, min(len(measures), rng.choice([1, 1, 2])))
            if rng.random() < 0.3:
                event["effective"] = _later(rng, date, 60)
            if rng.random() < 0.8:
                event["expires"] = _later(rng, event.get("effective", date), 400)
                pauses.append(event["id"])
        elif roll < 0.75 and pauses:
            event["category"] = "truce"
            event["extends"] = [rng.choice(pauses)]
            event["expires"] = _later(rng, date, 500)
            pauses.append(event["id"])
        elif roll < 0.82:
            event["category"] = "statement"
            event["ends"] = [rng.choice(measures)]
            if rng.random() < 0.5:
                event["effective"] = _later(rng, date, 90)
        else:
            event["category"] = rng.choice(["meeting", "other", "price"])
        if rng.random() < 0.2:
            event["confidence"] = "reported"
        event["minerals"] = rng.sample(["gallium", "germanium", "dysprosium", "graphite"], 2)
        event["countries"] = [rng.choice(["CN", "US", "JP"])]
        part.append(event)
    _write(folder / "a.toml", files[0], PartialDate(2025, 6, 30))
    _write(folder / "b.toml", files[1], PartialDate(2026, 2, 15) if seed % 2 else None)


# around both horizons (2025-06-30 and 2026-02-15), before everything and after everything
DAYS = [dt.date(2022, 12, 31), dt.date(2024, 3, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1),
        dt.date(2026, 1, 1), dt.date(2026, 2, 16), dt.date(2027, 6, 15),
        dt.date(2031, 1, 1)]  # fmt: skip
FILTERS = [
    {},
    {"minerals": ["gallium"]},
    {"countries": ["US"], "confirmed": True},
    {"categories": ["tariff"]},
    {"since": PartialDate(2025, 3), "until": PartialDate(2026, 6, 30)},
]
WINDOWS = [
    {},
    {"within": 60},
    {"within": 400, "recent": 45},
    {"recent": 0},
    {"show_all": True},
]


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow),
                                  pytest.param(3, marks=pytest.mark.slow)])  # fmt: skip
def test_ready_rows_of_a_store_are_the_rows_the_engine_makes(tmp_path, seed):
    folder = tmp_path / "stores"
    folder.mkdir()
    _stores(folder, seed)
    store.load([folder], cache_dir=tmp_path / "cache")  # parses them and builds their caches
    cached = store.load([folder], cache_dir=tmp_path / "cache")
    parsed = store.load([folder])
    assert cached._cached and not parsed._cached
    checked = {"status": 0, "countdown": 0, "engine rows": 0}
    for options in FILTERS:
        for day in DAYS:
            flt = make_filter(**options)
            expected = [status_line(s) for s in parsed.status(flt, day)]
            assert list(cached.status_lines(flt, day)) == expected, (options, day)
            assert list(parsed.status_lines(flt, day)) == expected
            checked["status"] += len(expected)
            checked["engine rows"] += sum("unconfirmed" in line for line in expected)
            for window in WINDOWS:
                rows = parsed.countdown(flt, day, **window)
                expected = [countdown_line(t) for t in rows]
                got = list(cached.countdown_lines(flt, day, **window))
                assert got == expected, (options, day, window)
                checked["countdown"] += len(expected)
    # the comparison covered many rows, among them unconfirmed states and marked dates
    assert checked["status"] > 1000 and checked["countdown"] > 5000, checked
    assert checked["engine rows"] > 20, checked

    # one file from its cache and the other parsed (as a store read from a pipe is): the rows
    # of both merged in order
    first = store.load([folder / "a.toml"], cache_dir=tmp_path / "cache")
    second, _problems = store.read([folder / "b.toml"])  # its references name a.toml's ids
    mixed = store.Store(parsed.files, second.events, first._cached,
                        [*first.current_to, *second.current_to])  # fmt: skip
    assert mixed._cached and second.events
    flt = make_filter()
    for day in DAYS:
        expected = [status_line(s) for s in parsed.status(flt, day)]
        assert list(mixed.status_lines(flt, day)) == expected, day
        for window in ({}, {"show_all": True}):
            expected = [countdown_line(t) for t in parsed.countdown(flt, day, **window)]
            assert list(mixed.countdown_lines(flt, day, **window)) == expected, (day, window)
