"""The commands that move events in and out: export, add and import."""

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UsageError
from ..model import event_to_record
from . import (
    FilterArgs,
    _settings,
    app,
    cache_dir,
    env_store_paths,
    print_json,
    print_lines,
    say,
    selected,
    store_paths,
    user_store_path,
    with_filters,
)

# --- getting events out and in --------------------------------------------------------------


@app.command("export")
@with_filters
def export_command(
    filters: FilterArgs,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="csv, json, jsonl, ics, md or timelinejs."
        ),
    ] = "csv",
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
    alarm: Annotated[
        int | None,
        typer.Option(
            "--alarm",
            min=0,
            metavar="DAYS",
            help="ics: a reminder DAYS before each expiry.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the filtered events as CSV, JSON, JSON Lines, iCalendar, Markdown or TimelineJS.

    CSV is RFC 4180 with a header row; cells a spreadsheet would run as formulas get a leading
    apostrophe (import removes it). ICS has one all-day event per date, effective date and expiry,
    with DTEND exclusive and stable UIDs.

    Example: reetimeline export --format ics --alarm 7 -o deadlines.ics -m gallium
    """
    from ..export import EXPORTERS, write_text_atomically

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        from ..vocab import did_you_mean

        raise UsageError(
            f"--format: unknown format '{fmt}'{did_you_mean(fmt, EXPORTERS)}; "
            f"formats: {', '.join(EXPORTERS)}"
        )
    if alarm is not None and fmt != "ics":
        raise UsageError("--alarm goes with --format ics")
    events = selected(filters)
    text = exporter.write(
        events, stamp=dt.datetime.now(dt.UTC).replace(microsecond=0), alarm_days=alarm
    )
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(output, text)
        say(f"wrote {len(events)} events to {output}")


def writable_store() -> Path:
    """Where `add` and `import` write (the policy is `edit.writable_store`)."""
    from ..edit import writable_store as policy

    return policy(_settings().stores, env_store_paths(), user_store_path())


@app.command("add")
def add_command(
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
    category: Annotated[str, typer.Option("--category", "-k", help="The category.")] = "other",
    mineral: Annotated[
        list[str] | None,
        typer.Option(
            "--mineral", "-m", metavar="NAME", help="Mineral (repeatable).", show_default=False
        ),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country", "-c", metavar="CODE", help="Country (repeatable).", show_default=False
        ),
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", metavar="TEXT", show_default=False)
    ] = None,
    effective: Annotated[
        str | None, typer.Option("--effective", metavar="DATE", show_default=False)
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", metavar="DATE", show_default=False)
    ] = None,
    suspends: Annotated[
        list[str] | None,
        typer.Option(
            "--suspends",
            metavar="ID",
            help="Id of a measure this suspends (repeatable).",
            show_default=False,
        ),
    ] = None,
    related: Annotated[
        list[str] | None, typer.Option("--related", metavar="ID", show_default=False)
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", metavar="TAG", show_default=False)
    ] = None,
    confidence: Annotated[
        str, typer.Option("--confidence", help="confirmed or reported.")
    ] = "confirmed",
    source_url: Annotated[
        str | None, typer.Option("--source-url", metavar="URL", show_default=False)
    ] = None,
    source_title: Annotated[
        str | None, typer.Option("--source-title", metavar="TEXT", show_default=False)
    ] = None,
    source_publisher: Annotated[
        str | None, typer.Option("--source-publisher", metavar="TEXT", show_default=False)
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
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show; write nothing.")
    ] = False,
) -> None:
    """Add one event to your store (validated like `check`), keeping every byte already there.

    Dates here are written as in the store (relative forms are refused: the store keeps facts).
    Without --id, the id is derived from the date and title and made unique.

    Example: reetimeline add --date 2026-11-27 --title "Suspension lapses" -k suspension -m Ga
    --source-url https://example.com/report --source-title "Report"
    """
    from ..edit import add_event
    from ..ids import derive_id

    if (source_url is None) != (source_title is None):
        raise UsageError("--source-url and --source-title go together")
    record: dict[str, Any] = {"date": date, "title": title, "category": category}
    optional = {
        "summary": summary,
        "effective": effective,
        "expires": expires,
        "minerals": mineral,
        "countries": country,
        "tags": tag,
        "suspends": suspends,
        "related": related,
    }
    record.update({k: v for k, v in optional.items() if v})
    if confidence != "confirmed":
        record["confidence"] = confidence
    if source_url is not None:
        source = {"title": source_title, "url": source_url}
        if source_publisher:
            source["publisher"] = source_publisher
        record["sources"] = [source]
    record["id"] = event_id or derive_id(date, title)
    result = add_event(record, derived_id=event_id is None, target=writable_store(),
                       paths=store_paths(), cache_dir=cache_dir(), dry_run=dry_run)  # fmt: skip
    if not result.written:
        print_json(event_to_record(result.event))
        say(f"would add '{result.event.id}' to {result.target} (dry run: nothing written)")
        return
    print(result.event.id)
    say(f"added '{result.event.id}' to {result.target}")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file that `export` wrote.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="csv, json or jsonl (default: from the file name).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added.")] = False,
    skip_existing: Annotated[
        bool,
        typer.Option("--skip-existing", help="Skip events whose id exists instead of refusing."),
    ] = False,
) -> None:
    """Import events from CSV, JSON or JSON Lines as `export` writes them.

    Every row is validated first and every problem is reported with its row number; nothing is
    written unless every row is valid. An id that already exists is refused, or skipped with
    --skip-existing (and named in the output).

    Example: reetimeline import colleague.csv --dry-run
    """
    from ..edit import import_events
    from ..importer import FORMATS, guess_format

    fmt = fmt or guess_format(file)
    if fmt not in FORMATS:
        raise UsageError(f"--format: give one of {', '.join(FORMATS)} (the file name does not say)")
    target = writable_store()
    with _progress_bar(f"reading {file.name}") as progress:
        result = import_events(file, fmt, target=target, paths=store_paths(),
                               cache_dir=cache_dir(), skip_existing=skip_existing,
                               dry_run=dry_run, progress=progress)  # fmt: skip
    for event_id in result.skipped:
        say(f"skipped '{event_id}': already exists")
    if dry_run:
        print_lines(f"would add {e.id}\t{e.date}\t{e.title}" for e in result.added)
        say(f"would add {len(result.added)} events to {target} (dry run: nothing written)")
        return
    say(
        f"added {len(result.added)} events to {target}"
        + (f", skipped {len(result.skipped)}" if result.skipped else "")
    )


PROGRESS_MIN_ROWS = 500


@contextlib.contextmanager
def _progress_bar(label: str):
    """A progress bar on stderr for long work, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = None

        def advance(done: int, total: int) -> None:
            nonlocal task
            if total < PROGRESS_MIN_ROWS:
                return
            if task is None:
                task = bar.add_task(label, total=total)
            bar.update(task, completed=done)

        yield advance
