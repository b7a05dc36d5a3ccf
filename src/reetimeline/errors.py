"""The project's errors. Core code raises them; `cli.main` turns them into messages and exit codes.

Exit codes:
    0   success (also when nothing matches, and when the reader of a pipe left early: quiet)
    1   a store, import file or write failed (bad data, unreadable file, failed write)
    2   usage error (unknown option, bad option value, unknown mineral/country/category/id)
    130 interrupted (Ctrl-C)
"""

from __future__ import annotations

from typing import NamedTuple

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class ReeError(Exception):
    """Base of every error the tool reports to the user instead of a traceback."""

    exit_code = EXIT_DATA

    def messages(self) -> list[str]:
        return [str(self)]


class UsageError(ReeError):
    """The command line asks for something that does not exist or cannot be parsed."""

    exit_code = EXIT_USAGE


class Problem(NamedTuple):
    """One thing wrong in a data file, with where it is.

    `line` is 1-based; for imports of CSV/JSON it is the row number and `unit` says so.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    event_id: str | None = None
    field: str | None = None
    unit: str = "line"

    def __str__(self) -> str:
        if self.unit == "line":
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
        else:
            where = f"{self.path}: {self.unit} {self.line}" if self.line is not None else self.path
        parts = [where]
        if self.event_id:
            # events without a usable id are named by their position: "event #3"
            label = self.event_id if self.event_id.startswith("#") else f"'{self.event_id}'"
            parts.append(f"event {label}")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            self.unit: self.line,
            "column": self.column,
            "id": self.event_id,
            "field": self.field,
            "message": self.message,
        }


class DataError(ReeError):
    """A store or an import file holds problems; all of them are listed, one line each."""

    exit_code = EXIT_DATA

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


class WriteError(ReeError):
    """A store could not be written; the file on disk is as it was."""

    exit_code = EXIT_DATA
