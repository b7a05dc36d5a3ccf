"""The options that many commands share: the filters (collected into one `FilterArgs`), --as-of,
--json, and how dates typed on the command line are read. The only module that asks for today's
date."""

import datetime as dt
import functools
import inspect
import re
from typing import Annotated, Any, NamedTuple

import typer

from ..engine import query
from ..errors import UsageError
from ..model import CATEGORIES, KINDS, TARGET_KINDS, PartialDate
from ..text import visible
from . import completion
from .completion import completing
from .typer_adapter import StringParamType

# --- dates ---------------------------------------------------------------------------------


def today() -> dt.date:
    return dt.date.today()


def parse_date_option(
    value: str | None, option: str, as_of: dt.date | None = None
) -> PartialDate | None:
    """A date option; relative forms count from `as_of` (else today)."""
    if value is None:
        return None
    from ..datespec import parse_when

    try:
        return parse_when(value, as_of or today())
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def as_of_date(value: str | None) -> dt.date:
    parsed = parse_date_option(value, "--as-of")
    if parsed is None:
        return today()
    if parsed.precision != "day":
        raise UsageError(f"--as-of: {value!r} is a {parsed.precision}; give a day (YYYY-MM-DD)")
    return parsed.first()


def require_utf8(ctx: typer.Context) -> None:
    """Text the command will store must be UTF-8. Bytes of the command line that are not (a
    Latin-1 terminal, `$(printf 'caf\\351')`) reach Python as lone surrogates; refuse them here,
    naming the option, rather than fail when the file is written."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        for item in value if isinstance(value, list | tuple) else [value]:
            if not isinstance(item, str):
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = ord(item[exc.start])
                byte = 0xDC80 <= bad <= 0xDCFF  # surrogateescape holds byte b as U+DC00 + b
                what = f"the byte 0x{bad - 0xDC00:02x}" if byte else "a lone surrogate"
                name = param.opts[0] if param.opts else param.name
                raise UsageError(f"{name}: {item!r} holds {what}, which is not UTF-8 text; give "
                                 "it in UTF-8") from None  # fmt: skip


# --- numbers: days, counts, widths ------------------------------------------------------------

# What a day count typed with a unit means, for the hint: `2m` -> "write --within 60".
_DAYS_IN = {"d": 1, "w": 7, "m": 30, "y": 365}
_WITH_UNIT = re.compile(r"\s*\+?(\d{1,6})\s*(d|days?|w|weeks?|m|months?|y|years?)\s*", re.I)


class Number(StringParamType):
    """A whole number (or, with `kind=float`, any number) from `low` to `high`, for every
    numeric option: `--within 2m` or `--limit ten` is one line saying how to write it (exit 2),
    never Click's "not a valid int range", and the help shows no `[1<=x<=...]`. Give the option
    a `metavar` (`DAYS`, `N`, `COLUMNS`, `SECONDS`) and say the range in its help."""

    def __init__(self, low: float, high: float, unit: str, example: float, kind: type = int):
        self.low, self.high, self.unit, self.example, self.kind = low, high, unit, example, kind

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        option = max(param.opts, key=len) if param is not None and param.opts else "value"
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = value
        else:
            number = self._parsed(str(value), option)
        if not self.low <= number <= self.high:
            bound = f"at least {self.low}" if number < self.low else f"at most {self.high}"
            raise UsageError(f"{option}: {number} is out of range; write {bound}")
        return number

    def _parsed(self, text: str, option: str) -> Any:
        try:
            return self.kind(text.strip())
        except ValueError:
            pass
        whole = self.kind is int
        if self.unit == "days":
            what = "a whole number of days" if whole and _decimal(text) else "a number of days"
        else:
            what = "a whole number" if whole else "a number"
        if not text.strip():
            raise UsageError(f"{option}: give {what}, e.g. {option} {self.example}")
        raise UsageError(f"{option}: {visible(repr(text))} is not {what}; "
                         f"write {option} {self._example(text)}")  # fmt: skip

    def _example(self, text: str) -> float:
        """`2m` as days (60) when the option counts days, `3.5` as its whole part (3) when the
        option takes whole numbers; else the option's example."""
        typed = _WITH_UNIT.fullmatch(text)
        if self.unit == "days" and typed:
            days = int(typed[1]) * _DAYS_IN[typed[2][0].lower()]
            if self.low <= days <= self.high:
                return days
        decimal = _decimal(text)
        if self.kind is int and decimal is not None and self.low <= int(decimal) <= self.high:
            return int(decimal)
        return self.example


def _decimal(text: str) -> float | None:
    """`text` as a finite number that `int()` does not read (`3.5`, `3.0`), else None."""
    import math

    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def days(high: int, example: int = 30) -> Number:
    """The converter of every option that counts days (`--within`, `--recent`, `--alarm`)."""
    return Number(0, high, "days", example)


def target_kinds(values: list[str] | None, option: str) -> tuple[str, ...] | None:
    """Kinds of countdown target (`date`, `effective`, `expires`) given as `a,b` or repeated;
    None when not given. An unknown kind is a usage error naming the option and the kinds."""
    if not values:
        return None
    kinds = [k.strip().casefold() for value in values for k in value.split(",") if k.strip()]
    for kind in kinds:
        if kind not in TARGET_KINDS:
            from ..vocab import did_you_mean

            raise UsageError(f"{option}: unknown kind {visible(repr(kind))}"
                             f"{did_you_mean(kind, TARGET_KINDS)}; choose "
                             f"{', '.join(TARGET_KINDS)} (comma-separated)")  # fmt: skip
    if not kinds:
        raise UsageError(f"{option}: give one or more of {', '.join(TARGET_KINDS)}")
    return tuple(dict.fromkeys(kinds))


# --- filters: the same options on every command that reads events ----------------------------


class FilterArgs(NamedTuple):
    mineral: list[str] | None
    country: list[str] | None
    category: list[str] | None
    tag: list[str] | None
    text: str | None
    since: str | None
    until: str | None
    exact: bool
    issuer: list[str] | None
    to: list[str] | None
    confirmed: bool
    kind: list[str] | None = None
    origin: list[str] | None = None

    def build(self, as_of: dt.date | None = None) -> query.Filter:
        """The filter; relative dates (`today`, `+30d`) count from `as_of` when given."""
        return query.make_filter(
            minerals=self.mineral or (),
            countries=self.country or (),
            categories=[c.casefold() for c in self.category or ()],
            tags=self.tag or (),
            text=self.text,
            since=parse_date_option(self.since, "--since", as_of),
            until=parse_date_option(self.until, "--until", as_of),
            exact=self.exact,
            issuers=self.issuer or (),
            destinations=self.to or (),
            confirmed=self.confirmed,
            kinds=[k.casefold() for k in self.kind or ()],
            origins=self.origin or (),
        )


# --- the shared filter options ----------------------------------------------------------------


def _option(
    *names: str,
    help: str,
    kind=str,
    default=None,
    metavar: str | None = None,
    complete=None,
    name: str | None = None,
):
    return inspect.Parameter(
        name or names[0].lstrip("-").replace("-", "_"),
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[
            kind,
            typer.Option(
                *names,
                help=help,
                show_default=False,
                metavar=metavar,
                click_type=completing(complete) if complete else None,
            ),
        ],
    )


_FILTER_PARAMS = [
    _option(
        "--mineral",
        "-m",
        kind=list[str] | None,
        metavar="NAME",
        help="Mineral, symbol, alias in any language, or group (repeatable; OR).",
        complete=completion.minerals,
    ),
    _option(
        "--country",
        "-c",
        kind=list[str] | None,
        metavar="CODE",
        help="Country code, name or alias, or group G7/EU (repeatable; OR).",
        complete=completion.countries,
    ),
    _option(
        "--category",
        "-k",
        kind=list[str] | None,
        metavar="CATEGORY",
        help=f"Category (repeatable; OR): {', '.join(CATEGORIES)}.",
        complete=completion.categories,
    ),
    _option(
        "--tag",
        "-t",
        kind=list[str] | None,
        metavar="TAG",
        help="Tag (repeatable; OR).",
        complete=completion.tags,
    ),
    _option(
        "--text",
        "-q",
        kind=str | None,
        metavar="WORDS",
        help="Every word starts a word (a number is a whole word) of the title, summary, id, tags "
        "or source titles, in any order, blind to case, accents and punctuation.",
    ),
    _option(
        "--since",
        kind=str | None,
        metavar="DATE",
        help="Events from DATE: 2025, 2025-04, 2025-04-04, '30 days ago', +90d, 'next month'.",
    ),
    _option("--until", kind=str | None, metavar="DATE", help="Events up to DATE (inclusive)."),
    _option(
        "--exact",
        kind=bool,
        default=False,
        help="Match minerals, countries, --by and --to exactly, without following groups.",
    ),
    _option(
        "--by",
        "--issuer",
        kind=list[str] | None,
        metavar="CODE",
        help="Measures imposed by CODE (a country or group; repeatable; OR).",
        complete=completion.countries,
    ),
    _option(
        "--from",
        name="origin",
        kind=list[str] | None,
        metavar="CODE",
        help="Measures on flows from origin CODE: export controls issued by it, tariffs on "
        "goods from it (repeatable; OR).",
        complete=completion.countries,
    ),
    _option(
        "--to",
        kind=list[str] | None,
        metavar="CODE",
        help="Measures on flows to destination CODE: export controls applying to it (naming it, "
        "a group holding it, or all), tariffs it imposes (repeatable; OR).",
        complete=completion.destinations,
    ),
    _option(
        "--kind",
        kind=list[str] | None,
        metavar="KIND",
        help=f"Kind of measure (repeatable; OR): {', '.join(KINDS)}.",
        complete=completion.kinds,
    ),
    _option(
        "--confirmed",
        kind=bool,
        default=False,
        help="Only confirmed events: leave out what rests on reports.",
    ),
]


def with_filters(command):
    """Give a command the shared filter options, collected into one `filters: FilterArgs`."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    names = {"by": "issuer"}
    params = [p.replace(name=names.get(p.name, p.name)) for p in _FILTER_PARAMS]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        picked = {p.name: kwargs.pop(p.name) for p in params}
        return command(*args, filters=FilterArgs(**picked), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{k: v for k, v in command.__annotations__.items() if k != "filters"},
        **{p.name: p.annotation for p in params},
    }
    return wrapper


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Count from DATE instead of today.", show_default=False
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]


def describe_filters(filters: FilterArgs, *given: str) -> str:
    """The filters as typed, then the `given` words (other options, an ID), for a page's header
    and an answer's about sheet."""
    words = []
    for name, option in (("mineral", "-m"), ("country", "-c"), ("category", "-k"),
                         ("tag", "-t"), ("issuer", "--by"), ("origin", "--from"), ("to", "--to"),
                         ("kind", "--kind")):  # fmt: skip
        for value in getattr(filters, name) or ():
            words.append(f"{option} {value}")
    for name in ("text", "since", "until"):
        if (value := getattr(filters, name)) is not None:
            words.append(f"--{name} {value}")
    words += [f"--{flag}" for flag in ("exact", "confirmed") if getattr(filters, flag)]
    return " ".join([*words, *given]) or "none (every event)"


# --- the windows and titles of the views (countdown, timeline, report) --------------------------

MAX_WITHIN_DAYS = 36_525  # a hundred years
Within = Annotated[
    int | None,
    typer.Option(
        "--within",
        click_type=days(MAX_WITHIN_DAYS),
        metavar="DAYS",
        help=f"Only targets from the as-of date to DAYS after it (0 to {MAX_WITHIN_DAYS}; "
        "report: its deadlines, default 90).",
        show_default=False,
    ),
]
Recent = Annotated[
    int | None,
    typer.Option(
        "--recent",
        click_type=days(MAX_WITHIN_DAYS),
        metavar="DAYS",
        help="Also targets lapsed in the last DAYS (default 30 without --within; report: what "
        "changed, default 30).",
        show_default=False,
    ),
]
Title = Annotated[
    str | None,
    typer.Option("--title", metavar="TEXT", help="The title (default: what it shows).",
                 show_default=False),
]  # fmt: skip
