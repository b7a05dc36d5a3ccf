"""The commands that move events in and out: export, add and import."""

import contextlib
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..api import answers
from ..errors import DataError, UsageError
from ..model import ALARM_ON, CATEGORIES, event_to_record
from ..output.words import counted
from ..text import visible
from . import completion, printing
from .application import app
from .completion import completing
from .loading import load_store, say_if_nothing_matched
from .options import (
    AsOf,
    FilterArgs,
    as_of_date,
    days,
    require_utf8,
    target_kinds,
    with_filters,
)
from .paths import NO_HOME, cache_dir, env_store_paths, settings, store_paths, user_store_path
from .printing import print_bytes, print_json, print_lines, say
from .typer_adapter import Command

# --- getting events out and in --------------------------------------------------------------

MAX_ALARM_DAYS = 3660  # ten years and a bit: any reminder a calendar could usefully give


@app.command("export")
@with_filters
def export_command(
    filters: FilterArgs,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="csv, json, jsonl, ics, md, timelinejs or xlsx (default: from the -o file's "
            "name, else csv).",
            show_default=False,
            click_type=completing(completion.export_formats),
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically) instead of stdout.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="csv: start with a UTF-8 byte-order mark, for Excel."),
    ] = False,
    alarm: Annotated[
        int | None,
        typer.Option(
            "--alarm",
            click_type=days(MAX_ALARM_DAYS, example=7),
            metavar="DAYS",
            help=f"ics: a reminder DAYS before each expiry (0 to {MAX_ALARM_DAYS}), or before "
            "each target --alarm-on names.",
            show_default=False,
        ),
    ] = None,
    alarm_on: Annotated[
        list[str] | None,
        typer.Option(
            "--alarm-on",
            metavar="KINDS",
            help="ics: which dates get the --alarm reminder: date, effective, expires, "
            "comma-separated or repeated (default: expires).",
            show_default=False,
            click_type=completing(completion.target_kinds),
        ),
    ] = None,
) -> None:
    """Write the filtered events as CSV, JSON, JSON Lines, iCalendar, Markdown, TimelineJS or
    an Excel workbook (xlsx).

    CSV is RFC 4180 with a header row; cells a spreadsheet would run as formulas get a leading
    apostrophe (import removes it); --bom starts it with a byte-order mark so that Excel reads
    it as UTF-8. ICS has one all-day event per date, effective date and expiry
    inside --since/--until, with DTEND exclusive and stable UIDs; an extended expiry is written at
    its new date, as known on --as-of (default today). xlsx is binary: it needs -o FILE, or
    stdout redirected to a file or a pipe (never a terminal).

    Example: reetimeline export --format ics --alarm 7 -o deadlines.ics -m gallium
    """
    from ..output.formats import EXPORTERS, write_text_atomically
    from ..output.words import horizon_note

    named = output.suffix.casefold() if output is not None else ""
    if fmt is None:  # the file's name says it (a .json file is JSON, not TimelineJS), else csv
        by_suffix = {e.suffix: name for name, e in reversed(EXPORTERS.items())}
        fmt = by_suffix.get(named, "csv")
    fmt = fmt.casefold()
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        from ..vocab import did_you_mean

        raise UsageError(
            f"--format: unknown format '{fmt}'{did_you_mean(fmt, EXPORTERS)}; "
            f"formats: {', '.join(EXPORTERS)}"
        )
    if alarm is not None and fmt != "ics":
        raise UsageError("--alarm goes with --format ics")
    alarm_kinds = target_kinds(alarm_on, "--alarm-on")
    if alarm_kinds is not None and alarm is None:
        raise UsageError("--alarm-on goes with --alarm DAYS")
    if bom and fmt != "csv":
        raise UsageError("--bom goes with --format csv")
    if named != exporter.suffix and named in {e.suffix for e in EXPORTERS.values()}:
        # a file named .csv holding an xlsx opens as garbage
        raise UsageError(f"-o {visible(str(output))}: the name says {named.lstrip('.')} but "
                         f"--format says {fmt}; name the file {exporter.suffix}, or give the "
                         "--format its name says")  # fmt: skip
    # looked up now: tests pretend to be a terminal
    if exporter.binary and output is None and printing.stdout_is_terminal():
        raise UsageError(f"--format {fmt} writes a binary file: give -o FILE (or redirect "
                         "stdout to a file)")  # fmt: skip
    day = as_of_date(as_of)
    flt = filters.build(day)
    loaded = load_store(filters)
    count = loaded.count_matching(flt)
    say_if_nothing_matched(count, loaded)
    text = answers.export(loaded, flt, fmt, as_of=day, alarm_days=alarm, bom=bom,
                          alarm_on=alarm_kinds or ALARM_ON,
                          stamp=dt.datetime.now(dt.UTC).replace(microsecond=0))  # fmt: skip
    note = horizon_note(answers.horizon(loaded), day)
    if output is None and isinstance(text, bytes):
        print_bytes(text)
    elif output is None:
        assert isinstance(text, str)
        sys.stdout.write(text)
    else:
        write_text_atomically(output, text)
        # ics, md and timelinejs say how current the data is inside; the message says it for all
        say(f"wrote {counted(count, 'event')} to {output}" + (f" (data: {note})" if note else ""))


def writable_store(into: Path | None = None) -> Path:
    """Where `add` and `import` write (the policy is `edit.writable_store`)."""
    from ..api.edit import writable_store as policy

    if settings().curated_only:
        raise UsageError("--curated-only reads the curated store alone, and add and import "
                         "write to another store: leave out --curated-only")  # fmt: skip
    given, env, user = settings().stores, env_store_paths(), user_store_path()
    if user is None and not given and not env and into is None:
        raise UsageError(f"{NO_HOME}: give --store, or set $REETIMELINE_STORE or XDG_DATA_HOME")
    return policy(given, env, user, into=into, in_use=store_paths())


Into = Annotated[
    Path | None,
    typer.Option(
        "--into",
        metavar="FILE",
        show_default=False,
        help="The store file that gets the events: a store file in use, or a .toml file of a "
        "store folder in use (created with a short header if new), e.g. team/alice.toml.",
    ),
]


@app.command("add")
def add_command(
    ctx: typer.Context,
    date: Annotated[
        str,
        typer.Option(
            "--date",
            metavar="DATE",
            help="The event's date (YYYY-MM-DD, YYYY-MM or YYYY).",
            show_default=False,
        ),
    ],
    title: Annotated[
        str, typer.Option("--title", metavar="TEXT", help="One line.", show_default=False)
    ],
    category: Annotated[
        str,
        typer.Option(
            "--category",
            "-k",
            metavar="CATEGORY",
            help="The category: " + ", ".join(CATEGORIES) + ".",
            click_type=completing(completion.categories),
        ),
    ] = "other",
    mineral: Annotated[
        list[str] | None,
        typer.Option(
            "--mineral",
            "-m",
            metavar="NAME",
            help="Mineral (repeatable).",
            show_default=False,
            click_type=completing(completion.minerals),
        ),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country",
            "-c",
            metavar="CODE",
            help="Country (repeatable).",
            show_default=False,
            click_type=completing(completion.countries),
        ),
    ] = None,
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary",
            metavar="TEXT",
            show_default=False,
            help="What happened, in a few sentences.",
        ),
    ] = None,
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            metavar="DATE",
            show_default=False,
            help="The day a measure takes effect, if not --date (forms as --date).",
        ),
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires",
            metavar="DATE",
            show_default=False,
            help="The day a measure, suspension or truce ends (forms as --date).",
        ),
    ] = None,
    suspends: Annotated[
        list[str] | None,
        typer.Option(
            "--suspends",
            metavar="ID",
            help="Id of a measure this suspends (repeatable).",
            show_default=False,
            click_type=completing(completion.ids),
        ),
    ] = None,
    extends: Annotated[
        list[str] | None,
        typer.Option(
            "--extends",
            metavar="ID",
            show_default=False,
            help="Id of a suspension or truce whose end this moves to --expires (repeatable).",
            click_type=completing(completion.ids),
        ),
    ] = None,
    ends: Annotated[
        list[str] | None,
        typer.Option(
            "--ends",
            metavar="ID",
            show_default=False,
            help="Id of a measure this ends, from --effective, else --date (repeatable).",
            click_type=completing(completion.ids),
        ),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer",
            metavar="CODE",
            show_default=False,
            help="Who imposes the measure or suspension (one country or group).",
            click_type=completing(completion.countries),
        ),
    ] = None,
    applies_to: Annotated[
        list[str] | None,
        typer.Option(
            "--applies-to",
            metavar="CODE",
            show_default=False,
            help="A destination it applies to (repeatable), or all.",
            click_type=completing(completion.destinations),
        ),
    ] = None,
    related: Annotated[
        list[str] | None,
        typer.Option(
            "--related",
            metavar="ID",
            show_default=False,
            help="Id of a related event (repeatable).",
            click_type=completing(completion.ids),
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            metavar="TAG",
            show_default=False,
            help="A tag (repeatable).",
            click_type=completing(completion.tags),
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            show_default=False,
            help="What a measure restricts and whom it hits: licensing, ban, informal, "
            "end-use-ban, entity-listing, technology, extraterritorial or tariff.",
            click_type=completing(completion.kinds),
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option("--partial", help="It suspends only part of each measure it suspends."),
    ] = False,
    part_of: Annotated[
        str | None,
        typer.Option(
            "--part-of",
            metavar="ID",
            show_default=False,
            help="The package this measure is a part of.",
            click_type=completing(completion.ids),
        ),
    ] = None,
    confirms: Annotated[
        list[str] | None,
        typer.Option(
            "--confirms",
            metavar="ID",
            show_default=False,
            help="An event whose scheduled changes this one reports as having happened "
            "(repeatable).",
            click_type=completing(completion.ids),
        ),
    ] = None,
    confidence: Annotated[
        str | None,
        typer.Option(
            "--confidence",
            metavar="CONFIDENCE",
            show_default=False,
            help="confirmed or reported (default: confirmed with a source, else reported).",
            click_type=completing(completion.confidences),
        ),
    ] = None,
    source_url: Annotated[
        list[str] | None,
        typer.Option(
            "--source-url",
            metavar="URL",
            show_default=False,
            help="The source's address (repeat with --source-title for several sources).",
        ),
    ] = None,
    source_title: Annotated[
        list[str] | None,
        typer.Option(
            "--source-title",
            metavar="TEXT",
            show_default=False,
            help="The source's title (repeat for several sources).",
        ),
    ] = None,
    source_publisher: Annotated[
        list[str] | None,
        typer.Option(
            "--source-publisher",
            metavar="TEXT",
            show_default=False,
            help="Who published the source (repeat with --source-title for several sources).",
        ),
    ] = None,
    event_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="ID",
            help="The id (default: derived from date and title).",
            show_default=False,
        ),
    ] = None,
    into: Into = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show; write nothing.")
    ] = False,
) -> None:
    """Add one event to your store (validated like `check`), keeping every byte already there.

    Dates here are written as in the store (relative forms are refused: the store keeps facts).
    Without --id, the id is derived from the date and title and made unique. A source is
    --source-title with --source-url (http, https or mailto:), or --source-title alone: a
    reference to a document without a link. Several sources: repeat --source-title, and
    --source-url or --source-publisher once for each title (they pair up in order; an empty
    one, "", is none for that source). --into FILE picks
    the file: in a team folder each person adds to a file of their own
    (reetimeline --store team/ --with-curated add --into team/alice.toml ...).

    Example: reetimeline add --date 2026-11-27 --title "Suspension lapses" -k suspension -m Ga
    --source-url https://example.com/report --source-title "Report"
    """
    from ..api.edit import add_event
    from ..ids import derive_id

    require_utf8(ctx)
    sources = _sources_of(source_title or [], source_url or [], source_publisher or [])
    record: dict[str, Any] = {"date": date, "title": title, "category": category.casefold()}
    optional = {
        "summary": summary,
        "effective": effective,
        "expires": expires,
        "minerals": mineral,
        "countries": country,
        "tags": tag,
        "suspends": suspends,
        "extends": extends,
        "ends": ends,
        "issuer": issuer,
        "applies_to": applies_to,
        "related": related,
        "kind": kind.casefold() if kind else None,
        "partial": partial,
        "part_of": part_of,
        "confirms": confirms,
    }
    record.update({k: v for k, v in optional.items() if v})
    if confidence is not None:
        record["confidence"] = confidence.casefold()
    if sources:
        record["sources"] = sources
    record["id"] = event_id or derive_id(date, title)
    try:
        result = add_event(record, derived_id=event_id is None, target=writable_store(into),
                           paths=store_paths(), cache_dir=cache_dir(), dry_run=dry_run)  # fmt: skip
    except DataError as exc:
        # what is wrong came from the command line: a usage error naming the option
        if any(p.path != "the command line" for p in exc.problems):
            raise
        raise OptionErrors([_option_error(p, record) for p in exc.problems]) from None
    if not result.written:
        print_json(event_to_record(result.event))
        say(f"would add '{result.event.id}' to {result.target} (dry run: nothing written)")
        return
    print(result.event.id)
    say(f"added '{result.event.id}' to {result.target}")


def _sources_of(titles: list[str], urls: list[str], publishers: list[str]) -> list[dict]:
    """The sources of `add`'s options: the n-th --source-title with the n-th --source-url and
    --source-publisher, each of which is given once per title or not at all (a title without a
    URL, or with an empty one, is a reference to a document; an empty publisher is none); any
    other count is a usage error, never a silent loss."""
    if not titles and (urls or publishers):
        raise UsageError("--source-url and --source-publisher go with --source-title (a "
                         "source is a title, with a link or alone as a reference)")  # fmt: skip
    for option, given in (("--source-url", urls), ("--source-publisher", publishers)):
        if given and len(given) != len(titles):
            raise UsageError(
                f"{option} is given {counted(len(given), 'time')} and --source-title "
                f"{counted(len(titles), 'time')}: give {option} once for each --source-title "
                "(they pair up in order), or not at all"
            )
    sources: list[dict] = []
    for number, title in enumerate(titles):
        source = {"title": title}
        if urls and urls[number]:  # without a URL: a reference to a document
            source["url"] = urls[number]
        if publishers and publishers[number]:
            source["publisher"] = publishers[number]
        sources.append(source)
    return sources


# the part of a source a problem names (`sources[2]: url: ...`), and the option that gives it
_SOURCE_PART = re.compile(r"sources\[\d+\]: (title|url|publisher)\b")
_SOURCE_OPTIONS = {"title": "--source-title", "url": "--source-url",
                   "publisher": "--source-publisher"}  # fmt: skip


def _option_error(problem: Any, record: dict[str, Any]) -> str:
    """A problem of `add`'s options as a line naming the option; a list option given two names
    in one (`-m "Ga, Ge"`) gets a hint to repeat the option."""
    from ..output.formats.cells import comma_hint

    option = _ADD_OPTIONS.get(problem.field or "", problem.field or "add")
    if problem.field == "sources" and (part := _SOURCE_PART.match(problem.message)):
        option = _SOURCE_OPTIONS[part[1]]

    def repeated(parts: list[str]) -> str:
        return f"give {option} once for each: " + " ".join(f"{option} {p}" for p in parts)

    value = record.get(problem.field or "")
    return f"{option}: {comma_hint(problem.message, problem.field, value, repeated)}"


# the option of `add` that gives each field, for usage errors that name it
_ADD_OPTIONS = {
    "id": "--id", "date": "--date", "title": "--title", "category": "--category",
    "summary": "--summary", "minerals": "--mineral", "countries": "--country", "tags": "--tag",
    "effective": "--effective", "expires": "--expires", "suspends": "--suspends",
    "extends": "--extends", "ends": "--ends", "issuer": "--issuer", "applies_to": "--applies-to",
    "related": "--related", "confidence": "--confidence", "sources": "--source-url",
    "kind": "--kind", "partial": "--partial", "part_of": "--part-of", "confirms": "--confirms",
}  # fmt: skip


class OptionErrors(UsageError):
    """Every problem of the options of `add`, each naming its option (exit 2)."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.lines = messages

    def messages(self) -> list[str]:
        return self.lines


@app.command("import", cls=Command)
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file that `export` wrote.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="csv, json, jsonl or xlsx (default: from the file name; .tsv is csv).",
            show_default=False,
            click_type=completing(completion.import_formats),
        ),
    ] = None,
    dayfirst: Annotated[
        bool,
        typer.Option("--dayfirst", help="CSV and xlsx: dates like 25/11/2026 are day-first."),
    ] = False,
    into: Into = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added.")] = False,
    skip_existing: Annotated[
        bool,
        typer.Option("--skip-existing", help="Skip events whose id exists instead of refusing."),
    ] = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Replace the events of the store written to whose content changed; add the "
            "new ones; leave the same ones.",
        ),
    ] = False,
) -> None:
    """Import events from CSV, JSON, JSON Lines or xlsx as `export` writes them.

    Every row is validated first and every problem is reported with its row number; nothing is
    written unless every row is valid. A row without an id (no id column, or an empty cell)
    gets the id `add` would derive from its date and title. An id that already exists is
    refused, or skipped with --skip-existing (and named in the output). --update replaces the
    events of the store written to whose content changed, adds the new ones and leaves the same
    ones, in one atomic write (a row whose id only another store holds, such as the curated one,
    is left when it equals that event and refused when it differs). A list cell is separated by
    `;`. CSV may be separated by commas, semicolons or
    tabs (the header row decides; the message names the separator) and start with a byte-order
    mark. Dates are YYYY-MM-DD, YYYY-MM or YYYY; 25.11.2026 is day-first; 25/11/2026 is read
    only with --dayfirst (day and month are never guessed). --into FILE picks the store file, as
    for `add`.

    Example: reetimeline import colleague.csv --dry-run
    """
    from ..api.edit import import_events
    from ..output.formats import FORMATS, guess_format

    fmt = fmt.casefold() if fmt else guess_format(file)
    if fmt not in FORMATS:
        raise UsageError(f"--format: give one of {', '.join(FORMATS)} (the file name does not say)")
    target = writable_store(into)
    if dayfirst and fmt not in ("csv", "xlsx"):
        raise UsageError("--dayfirst goes with CSV and xlsx files")
    with _progress_bar(f"reading {file.name}") as progress:
        result = import_events(file, fmt, target=target, paths=store_paths(),
                               cache_dir=cache_dir(), skip_existing=skip_existing,
                               update=update, dry_run=dry_run, progress=progress,
                               dayfirst=dayfirst)  # fmt: skip
    how = result.how
    if update:
        _say_updated(result, dry_run)
        return
    for event_id in result.skipped:
        say(f"skipped '{event_id}': already exists")
    if dry_run:
        print_lines(f"would add {e.id}\t{e.date}\t{visible(e.title)}" for e in result.added)
        say(f"would add {counted(len(result.added), 'event')} to {target} (dry run: nothing written"
            + (f"; {how})" if how else ")"))  # fmt: skip
        return
    say(
        f"added {counted(len(result.added), 'event')} to {target}"
        + (f", skipped {len(result.skipped)}" if result.skipped else "")
        + (f" ({how})" if how else "")
    )


def _say_updated(result: Any, dry_run: bool) -> None:
    """What `import --update` did (or would do): one line per event replaced or added on
    stdout in a dry run, the counts on stderr."""
    counts = (f"updated {len(result.updated)}, added {len(result.added)}, "
              f"unchanged {len(result.unchanged)}")  # fmt: skip
    if result.elsewhere:  # rows equal to another store's events (a re-imported export)
        curated = all(code == "curated" for _id, code in result.elsewhere)
        counts += (f" ({len(result.elsewhere)} of them in "
                   + ("the curated store)" if curated else "other stores in use)"))  # fmt: skip
    if dry_run:
        print_lines(
            [
                *(f"would update {e.id}\t{e.date}\t{visible(e.title)}" for e in result.updated),
                *(f"would add {e.id}\t{e.date}\t{visible(e.title)}" for e in result.added),
            ]
        )
        say(f"would have {counts} in {result.target} (dry run: nothing written"
            + (f"; {result.how})" if result.how else ")"))  # fmt: skip
        return
    say(f"{counts} in {result.target}" + (f" ({result.how})" if result.how else ""))


PROGRESS_MIN_ROWS = 500


@contextlib.contextmanager
def _progress_bar(label: str):
    """A progress bar on stderr for long work, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from ..output.render import progress_bar

    with progress_bar(visible(label), min_total=PROGRESS_MIN_ROWS) as advance:
        yield advance
