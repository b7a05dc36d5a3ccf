"""The curated store installed by `reetimeline update`, beside the one shipped in the package.

`update` (store/feed.py) installs a verified store under `$XDG_DATA_HOME/reetimeline/curated/`
(default `~/.local/share/reetimeline/curated/`):

    curated/
      installed.json        the record: which folder, from which feed, version, dates
      v7-k2j3h1/events.toml the store, exactly as the feed signed it
      v7-k2j3h1/metadata/   the feed's TUF metadata trusted so far (rollback protection)

`installed.json` is replaced last, atomically: it is the one commit point, so a reader sees the
old installation or the new one, never a mix. The tool answers from the newer of the packaged and
the installed store: the later `current_to`, then the higher version (the packaged store has
none, so on the same day the installed one, fetched on purpose, wins).

This module is read on every command's start: it imports nothing heavy, and finds nothing to do
in one failed `stat` when no store was ever installed. TUF is imported by store/feed.py only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

RECORD = "installed.json"
STORE = "events.toml"


def data_folder() -> Path | None:
    """`$XDG_DATA_HOME/reetimeline` (an absolute value; default `~/.local/share/reetimeline`),
    the folder of the user store; None without a home folder. The same rule as the command
    line's `user_store_path`."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value) / "reetimeline"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return home / ".local" / "share" / "reetimeline" if home.is_absolute() else None


def curated_folder(base: Path | None = None) -> Path | None:
    """Where `update` installs curated stores."""
    base = base if base is not None else data_folder()
    return None if base is None else base / "curated"


class Installed(NamedTuple):
    """What `installed.json` says about the installed store."""

    path: Path  # the store file
    folder: Path  # its folder (with metadata/)
    feed: str  # where it came from: a URL or a folder
    version: int  # the feed's version of the store (its targets metadata version)
    current_to: str  # the store's own current_to, YYYY-MM-DD
    fetched: str  # the day it was fetched, YYYY-MM-DD
    sha256: str
    # the packaged store as it was when this one was installed: (size, mtime_ns, current_to),
    # so that start-up need not read it again while the package is unchanged
    packaged: tuple[int, int, str] | None


def read_record(folder: Path | None = None) -> Installed | None:
    """The installed store's record, or None when there is none or it cannot be used (then the
    packaged store answers: a damaged installation never stops the tool)."""
    folder = folder if folder is not None else curated_folder()
    if folder is None:
        return None
    try:
        with open(folder / RECORD, "rb") as handle:
            data = handle.read(65536)
    except OSError:
        return None
    import json

    try:
        raw = json.loads(data)
        sub = folder / raw["folder"]
        if sub.parent != folder or raw["folder"] in ("", ".", ".."):
            return None
        packaged = raw.get("packaged")
        return Installed(
            sub / STORE, sub, str(raw["feed"]), int(raw["version"]), str(raw["current_to"]),
            str(raw["fetched"]), str(raw["sha256"]),
            (int(packaged[0]), int(packaged[1]), str(packaged[2])) if packaged else None,
        )  # fmt: skip
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def packaged_current_to(path: Path, known: tuple[int, int, str] | None = None) -> str | None:
    """The packaged store's `current_to` (YYYY-MM-DD), from `known` when the file is unchanged
    since it was recorded, else from the top-level keys of the file (which TOML puts before its
    first table)."""
    try:
        info = path.stat()
    except OSError:
        return None
    if known is not None and (info.st_size, info.st_mtime_ns) == known[:2]:
        return known[2]
    return read_current_to(path)


def read_current_to(path: Path) -> str | None:
    """A store file's `current_to` as written, read with the TOML parser from its top-level keys
    only (the text before the first `[` table header); None when it has none."""
    head: list[str] = []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for line in handle:
                if line.lstrip().startswith("["):
                    break
                head.append(line)
    except (OSError, UnicodeDecodeError):
        return None
    import tomli

    try:
        value = tomli.loads("".join(head)).get("current_to")
    except tomli.TOMLDecodeError:
        return None
    return None if value is None else str(value)


def newer(packaged: Path, folder: Path | None = None) -> Path:
    """The store the tool answers from: the installed one when it is at least as current as
    the packaged one (by `current_to`; on the same day the installed one wins, having a
    version), else the packaged one."""
    record = read_record(folder)
    if record is None or not record.path.is_file():
        return packaged
    shipped = packaged_current_to(packaged, record.packaged)
    if shipped is not None and shipped > record.current_to:
        return packaged
    return record.path


def is_installed(path: Path, folder: Path | None = None) -> bool:
    """Whether `path` is the store `update` installed (through any link)."""
    record = read_record(folder)
    if record is None:
        return False
    try:
        return path.exists() and os.path.samefile(path, record.path)
    except OSError:
        return False
