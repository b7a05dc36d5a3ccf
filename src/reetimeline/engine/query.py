"""Filters, sorting and counts. No I/O and no clock (states and countdowns: `states`).

Filters combine with AND across different options and OR within a repeated option:
`-m gallium -m germanium -c US` selects events about gallium or germanium that concern the US.
Date ranges compare periods: an event dated `2025-04` (all of April) is inside
`--since 2025-04-20`, and `--until 2025` reaches to 31 December 2025.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from ..errors import UsageError
from ..model import ALL_DESTINATIONS, CATEGORIES, KINDS, Dated, Event, PartialDate
from ..vocab import (
    COUNTRIES_VOCAB,
    MINERALS,
    Vocabulary,
    did_you_mean,
    fold,
    hint,
    search_words,
)


class Filter(NamedTuple):
    """What to select. None means "no condition"; a set means "any of these".

    `since`/`until` keep an event when any of its dates falls in the window: its date, its
    `effective`, its `expires`, or an end that a later event extended it to (`extended`: id ->
    those ends, filled in by the store, which knows every event).

    `origins` (`--from`) and `destinations` (`--to`) select flows, as codes the user named
    (each matched with its groups and members, or literally with `exact`): a measure matches
    when it restricts some flow from one of the origins to one of the destinations (see
    `flows`). An event that restricts no flow (a suspension, a truce, a meeting) never matches
    a flow filter: a relief is not a restriction.
    """

    minerals: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    text: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    issuers: frozenset[str] | None = None
    destinations: frozenset[str] | None = None
    confirmed: bool = False
    extended: Mapping[str, tuple[PartialDate, ...]] | None = None
    origins: frozenset[str] | None = None
    exact: bool = False  # flows: only the codes themselves (no groups, members or `all`)
    kinds: frozenset[str] | None = None

    def matches(self, event: Event) -> bool:
        if self.minerals is not None and self.minerals.isdisjoint(event.minerals):
            return False
        if self.countries is not None and self.countries.isdisjoint(event.countries):
            return False
        if self.categories is not None and event.category not in self.categories:
            return False
        if self.tags is not None and self.tags.isdisjoint(t.casefold() for t in event.tags):
            return False
        if self.issuers is not None and event.issuer not in self.issuers:
            return False
        if (self.origins is not None or self.destinations is not None) and not self.flows(event):
            return False
        if self.kinds is not None and event.kind not in self.kinds:
            return False
        if self.confirmed and event.confidence != "confirmed":
            return False
        if (self.since is not None or self.until is not None) and not self.dated_inside(event):
            return False
        return self.text is None or text_matches(self.text, event)

    def flows(self, event: Dated) -> bool:
        """Whether `event` restricts a flow from one of `origins` to one of `destinations` (either
        side open when None)."""
        sides = flow_sides(event)
        if sides is None:
            return False
        (from_issuer, to_issuer), issuer, listed = sides, event.issuer, event.applies_to
        for wanted, by_issuer in ((self.origins, from_issuer), (self.destinations, to_issuer)):
            if wanted is None:
                continue
            if by_issuer:
                if not any(is_or_within(code, issuer, self.exact) for code in wanted):
                    return False
            elif not any(listed_in(code, listed, issuer, self.exact) for code in wanted):
                return False
        return True

    def in_window(self, date: PartialDate) -> bool:
        """Whether the period of `date` overlaps the --since/--until window."""
        if self.since is not None and date.last() < self.since:
            return False
        return self.until is None or date.first() <= self.until

    def dated_inside(self, event: Dated) -> bool:
        """Whether any date of `event` (or an end it was extended to) is in the window."""
        dates = [d for _kind, d in event.targets()]
        if self.extended:
            dates.extend(self.extended.get(event.id, ()))
        return any(self.in_window(d) for d in dates)

    def has_window(self) -> bool:
        return self.since is not None or self.until is not None


def flow_sides(event: Dated) -> tuple[bool, bool] | None:
    """Which side of the flows a measure restricts its issuer is on: (origin, destination).

    An export control restricts exports from its issuer to its `applies_to` (True, False); a
    tariff restricts imports into its issuer from its `applies_to` (False, True). A relief (a
    suspension or a truce) is found as its issuer and `applies_to` name it, read as an export
    control's (it is about that flow; `status` lists measures only, so a relief is never listed
    as a restriction). None for every other category."""
    if event.category in ("export-control", "suspension", "truce"):
        return (True, False)
    if event.category == "tariff":
        return (False, True)
    return None


def is_or_within(code: str, issuer: str | None, exact: bool) -> bool:
    """Whether the country or group `code` is the issuer, or (unless `exact`) a member of the
    issuing group or a group holding the issuer."""
    if issuer is None:
        return False
    if code == issuer:
        return True
    if exact:
        return False
    return code in COUNTRIES_VOCAB.parents(issuer) or issuer in COUNTRIES_VOCAB.parents(code)


def listed_in(code: str, listed: Sequence[str], issuer: str | None, exact: bool) -> bool:
    """Whether `code` is among the countries an `applies_to` list names: the code itself or
    (unless `exact`) `all`, a group holding it or a member of it. The issuer is never among
    them: `all` is every country but the issuer, and no measure restricts a flow to or from
    its own issuer."""
    if code == issuer:
        return False
    if code in listed:
        return True
    if exact:
        return False
    if ALL_DESTINATIONS in listed:
        return True
    related = COUNTRIES_VOCAB.parents(code) | set(COUNTRIES_VOCAB.groups.get(code, ()))
    return not related.isdisjoint(listed)


def searchable(event: Event) -> str:
    """The text that `-q` searches, as `search_words` separated by single spaces: title,
    summary, id, tags and source titles."""
    return " ".join(search_words(_search_text(event)))


def _search_text(event: Event) -> str:
    parts = [event.title, event.summary or "", event.id, *event.tags,
             *(s.title for s in event.sources)]  # fmt: skip
    return "\n".join(parts)


@lru_cache(maxsize=64)
def query_words(text: str) -> tuple[str, ...]:
    """The words of a query (`search_words`)."""
    return tuple(search_words(text))


def text_matches(text: str, event: Event) -> bool:
    """Whether every word of `text` starts a word of the event's `searchable` text, in any
    order (`Announcement 70` finds "Announcement No. 70"; `suspen` finds "suspends"); a
    number is a whole word (`70` does not find "7018" or "1970"). A query with no letter or
    digit is matched as it is, case-blind, in the text."""
    words = query_words(text)
    if not words:
        return fold(text) in fold(_search_text(event))
    return _all_start_words(words, searchable(event))


def title_matches(text: str, event: Event) -> bool:
    """Whether every word of `text` starts a word of the event's title (as `text_matches`
    compares them): the events a phrase names rather than mentions."""
    return _all_start_words(query_words(text), " ".join(search_words(event.title)))


def _all_start_words(words: Iterable[str], text: str) -> bool:
    """Whether each of `words` starts a word of `text` (search words joined by spaces); a
    number must be the whole word."""
    haystack = " " + text + " "
    return all((" " + word + " " if word.isdigit() else " " + word) in haystack for word in words)


def matched_minerals(event: Event, flt: Filter, asked: Iterable[str]) -> tuple[str, ...]:
    """Which of the event's minerals made `-m` match it, in the event's order: the minerals
    asked for (`asked`, canonical names) that it names, else the groups or members of theirs
    through which it matched (`rare-earths` for `-m dysprosium`); () without `-m`."""
    if flt.minerals is None:
        return ()
    wanted = frozenset(asked)
    named = tuple(m for m in event.minerals if m in wanted)
    return named or tuple(m for m in event.minerals if m in flt.minerals)


def make_filter(
    *,
    minerals: Sequence[str] = (),
    countries: Sequence[str] = (),
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
    text: str | None = None,
    since: PartialDate | None = None,
    until: PartialDate | None = None,
    exact: bool = False,
    issuers: Sequence[str] = (),
    destinations: Sequence[str] = (),
    confirmed: bool = False,
    kinds: Sequence[str] = (),
    origins: Sequence[str] = (),
) -> Filter:
    """Build a Filter from what the user typed; unknown names raise UsageError with a suggestion.

    `since` and `until` keep their precision: `--since 2025-04` starts on 1 April and
    `--until 2025-04` ends on 30 April.

    Countries (`-c`): a country matches events that name it or one of its groups (`JP` matches
    events naming `G7`); a group matches events that name the group (`G7` does not match every
    event about Japan). Origins (`--from`) and destinations (`--to`) select flows: an export
    control restricts exports from its issuer to the countries it applies to, a tariff imports
    into its issuer from the countries it applies to; a code matches a country named there, a
    group containing it, or "all" (every country but the issuer), and a group also its
    members (with `exact`, only the code itself). `--to CN` never matches a control issued by
    CN. Issuers (`--by`): a code matches measures it imposes; a group also those of its
    members. `exact` keeps only literal matches for minerals, countries, issuers, origins and
    destinations.
    """
    for value in categories:
        if value not in CATEGORIES:
            raise UsageError(f"unknown category '{value}'{did_you_mean(value, CATEGORIES)}"
                             f"; categories: {', '.join(CATEGORIES)}")  # fmt: skip
    for value in kinds:
        if value not in KINDS:
            raise UsageError(f"--kind: unknown kind '{value}'{did_you_mean(value, KINDS)}"
                             f"; kinds: {', '.join(KINDS)}")  # fmt: skip
    if since and until and until.last() < since.first():
        raise UsageError(f"--until {until} is before --since {since}")
    return Filter(
        minerals=_expand(minerals, MINERALS, exact),
        countries=_countries(countries, exact),
        issuers=_issuers(issuers, exact),
        destinations=_codes(destinations, "--to"),
        origins=_codes(origins, "--from"),
        exact=exact,
        confirmed=confirmed,
        categories=frozenset(categories) or None,
        tags=frozenset(t.casefold() for t in tags) or None,
        text=text or None,
        since=since.first() if since else None,
        until=until.last() if until else None,
        kinds=frozenset(kinds) or None,
    )


_PLURALS = {"mineral": "minerals", "country": "countries"}


def resolve_names(
    names: Iterable[str], vocabulary: Vocabulary, *, option: str | None = None
) -> list[str]:
    """Canonical names for what the user typed; an unknown one raises UsageError."""
    out = []
    for name in names:
        canonical = vocabulary.resolve(name)
        if canonical is None:
            prefix = f"{option}: " if option else ""
            raise UsageError(
                f"{prefix}unknown {vocabulary.kind} '{name}'{hint(vocabulary.suggest(name))}"
                f"; `reetimeline vocab {_PLURALS[vocabulary.kind]}` lists them"
            )
        out.append(canonical)
    return out


def _expand(names: Sequence[str], vocabulary: Vocabulary, exact: bool) -> frozenset[str] | None:
    if not names:
        return None
    wanted: set[str] = set()
    for canonical in resolve_names(names, vocabulary):
        wanted |= {canonical} if exact else vocabulary.related(canonical)
    return frozenset(wanted)


def _countries(names: Sequence[str], exact: bool) -> frozenset[str] | None:
    if not names:
        return None
    wanted: set[str] = set()
    for code in resolve_names(names, COUNTRIES_VOCAB):
        wanted.add(code)
        if not exact:
            wanted |= COUNTRIES_VOCAB.parents(code)
    return frozenset(wanted)


def _issuers(names: Sequence[str], exact: bool, option: str = "--by") -> frozenset[str] | None:
    if not names:
        return None
    wanted: set[str] = set()
    for code in resolve_names(names, COUNTRIES_VOCAB, option=option):
        wanted.add(code)
        if not exact:
            wanted |= set(COUNTRIES_VOCAB.groups.get(code, ()))
    return frozenset(wanted)


def _codes(names: Sequence[str], option: str) -> frozenset[str] | None:
    """The country codes of `--from` or `--to`, as named (groups and members are matched by
    `Filter.flows`)."""
    if not names:
        return None
    return frozenset(resolve_names(names, COUNTRIES_VOCAB, option=option))


def select(
    events: Iterable[Event],
    flt: Filter,
    *,
    reverse: bool = False,
    limit: int | None = None,
    presorted: bool = False,
) -> list[Event]:
    """The events that match, sorted by date (newest first with `reverse`), at most `limit`.
    With `presorted`, `events` are already in date order and are not sorted again."""
    matches = flt.matches
    if presorted:
        chosen = [e for e in events if matches(e)]
        if reverse:
            chosen.reverse()
    else:
        chosen = sorted((e for e in events if matches(e)), key=Event.sort_key, reverse=reverse)
    return chosen if limit is None else chosen[:limit]


# --- counts for `stats` ----------------------------------------------------------------------

STATS_KEYS = ("year", "category", "mineral", "country")


def count_by(events: Iterable[Event], by: str) -> list[tuple[str, int]]:
    """How many events per year (in year order), or per category, mineral or country (most
    first, then by name). Minerals and countries count each one an event lists, as listed."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for event in events:
        if by == "year":
            counts[str(event.date.year)] += 1
        elif by == "category":
            counts[event.category] += 1
        elif by == "mineral":
            counts.update(event.minerals)
        elif by == "country":
            counts.update(event.countries)
        else:
            raise ValueError(f"cannot count by {by!r}")
    if by == "year":
        return sorted(counts.items())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
