"""A store answers the same from its cache as parsed: `status`, `countdown`, `changes`, the
selection `list` prints and the counts `stats` prints, on whole generated stores with
suspensions, extensions of extensions, ends, reports and a horizon, across two store files that
act on each other, on many days and with every window option. The cache keeps data only, so
this holds by construction; these tests keep it so."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from reetimeline import store
from reetimeline.api import answers
from reetimeline.engine.query import STATS_KEYS, make_filter
from reetimeline.model import Brief, Event, PartialDate
from reetimeline.store.cache import CachedFile

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


def _briefly(rows: list) -> list:
    """The rows with each event in them as its brief: a cached store gives the engine briefs,
    a parsed one whole events, and the answers must agree on everything a brief holds."""
    return [row._replace(**{name: Brief.of(value) for name, value in row._asdict().items()
                            if isinstance(value, Event)}) for row in rows]  # fmt: skip


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow),
                                  pytest.param(3, marks=pytest.mark.slow)])  # fmt: skip
def test_cached_and_parsed_stores_give_the_same_answers(tmp_path, seed):
    folder = tmp_path / "stores"
    folder.mkdir()
    _stores(folder, seed)
    cache = tmp_path / "cache"
    store.load([folder], cache_dir=cache)  # parses them and builds their caches
    cached = store.load([folder], cache_dir=cache)
    parsed = store.load([folder])
    assert [type(p) for p in cached.parts] == [CachedFile, CachedFile]
    assert [type(p) for p in parsed.parts] == [store.ParsedFile, store.ParsedFile]
    checked = {"status": 0, "countdown": 0, "changes": 0, "unconfirmed": 0}
    for options in FILTERS:
        flt = make_filter(**options)
        assert cached.select(flt) == parsed.select(flt), options
        assert cached.select(flt, reverse=True, limit=7) == parsed.select(flt, reverse=True,
                                                                           limit=7)  # fmt: skip
        piped = [Brief.of(e) for e in parsed.select(flt, reverse=True, limit=7)]
        assert cached.briefs(flt, reverse=True, limit=7) == piped, options
        for key in STATS_KEYS:
            assert cached.count_by(flt, key) == parsed.count_by(flt, key), (options, key)
        for day in DAYS:
            expected = _briefly(answers.status(parsed, flt, day))
            assert _briefly(answers.status(cached, flt, day)) == expected, (options, day)
            checked["status"] += len(expected)
            checked["unconfirmed"] += sum(s.state == "unconfirmed" for s in expected)
            for window in WINDOWS:
                rows = _briefly(answers.countdown(parsed, flt, day, **window))
                got = _briefly(answers.countdown(cached, flt, day, **window))
                assert got == rows, (options, day, window)
                checked["countdown"] += len(rows)
            first = day - dt.timedelta(days=200)
            changed = _briefly(answers.changes(parsed, flt, day, first, day))
            assert _briefly(answers.changes(cached, flt, day, first, day)) == changed, options
            checked["changes"] += len(changed)
    # the comparison covered many rows, among them unconfirmed states
    assert checked["status"] > 1000 and checked["countdown"] > 5000, checked
    assert checked["changes"] > 100 and checked["unconfirmed"] > 20, checked

    # one file from its cache and the other parsed (as a store read from a pipe is): merged
    first_file = store.load([folder / "a.toml"], cache_dir=cache)
    second, _problems = store.read([folder / "b.toml"])  # its references name a.toml's ids
    mixed = store.Store(parsed.files, [*first_file.parts, *second.parts])
    assert [type(p) for p in mixed.parts] == [CachedFile, store.ParsedFile]
    flt = make_filter()
    assert mixed.select(flt) == parsed.select(flt)
    for day in DAYS:
        expected = _briefly(answers.status(parsed, flt, day))
        assert _briefly(answers.status(mixed, flt, day)) == expected, day
        for window in ({}, {"show_all": True}):
            expected = _briefly(answers.countdown(parsed, flt, day, **window))
            assert _briefly(answers.countdown(mixed, flt, day, **window)) == expected, day
