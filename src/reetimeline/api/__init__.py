"""The Python API: what the command line does, for analysts in notebooks and for programs.

Load the stores once, then ask; every answer is a list of frozen dataclasses whose fields are
plain values (str, int, bool, `datetime.date`, tuples, None), so that
`pandas.DataFrame(reetimeline.api.status(as_of=...))` gives one column per field::

    import datetime as dt
    import reetimeline.api as ree

    stores = ree.load()                    # the curated store; ree.load("team/") adds files
    rows = ree.status(stores, as_of=dt.date(2026, 6, 1), minerals=["gallium"])
    rows[0].state                          # "suspended"

The fields are those of `reetimeline <command> --json`, in the same order (the command line
prints these rows), with lists as tuples. Dates of events are strings as written (`2025`,
`2025-10`, `2025-10-09`: a date may be a year or a month); dates the engine computes are
`datetime.date`. Nothing here reads the clock: `as_of` is always given.

Filters are keyword arguments, as on the command line: `minerals`, `countries`, `categories`,
`tags`, `kinds` (each any of several), `text`, `since`, `until` (a date as written, or a
`datetime.date`), `exact`, `issuers`, `origins`, `destinations` (`--by`, `--from`, `--to`: an
export control restricts exports from its issuer to its destinations, a tariff imports into its
issuer from its origins), `confirmed`. Status rows carry each measure's `kind`, its `flow` in
words, its package (`part_of`), a partial suspension (`partial_by`, `partial_until`) and the
horizon that applies to it (`current_to`); `matrix` rows each cell's controls by kind. Event
and status rows say where each event comes from in `from_` (`from` in JSON): `curated`, `user`
or `team:NAME` (a file `load` is given is a team store). Unknown
names raise `reetimeline.errors.UsageError` with a suggestion; stores with problems raise
`reetimeline.errors.DataError` listing every problem.
"""

# The names live in `public` and are loaded on first use: the command line imports
# `api.answers` (and `api.edit`) on every run, and must not pay for the rows' dataclasses.
__all__ = [
    "ChangeRow",
    "ControlRow",
    "EventRow",
    "MatrixCell",
    "StatusRow",
    "TargetRow",
    "changes",
    "countdown",
    "export",
    "list_events",
    "load",
    "matrix",
    "record",
    "status",
]


def __getattr__(name: str):
    # a submodule (`from . import answers`) is asked for here before it is imported: only the
    # names of `public` are looked up there
    if name.startswith("_") or name in ("answers", "edit", "public"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    try:
        return getattr(importlib.import_module(f"{__name__}.public"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
