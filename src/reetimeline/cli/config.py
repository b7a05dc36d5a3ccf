"""The config file: what a person sets once instead of typing it every time.

`$XDG_CONFIG_HOME/reetimeline/config.toml` (default `~/.config/reetimeline/config.toml`; the
command line finds it, since only it reads the environment):

    stores = ["~/team-events/", "extra.toml"]   # used together with the curated and user stores
    color = "auto"                              # auto, always or never
    pager = false                               # page long output on a terminal
    feed = "https://..." or "/shared/feed/"     # where `reetimeline update` fetches from
    trusted_root = "~/team/root.json"           # the feed's root metadata, given by its publisher
    stale_after_days = 30                       # hint at `reetimeline update` after (0: off)

Relative store paths are relative to the config file's folder; `~` is the home folder. The
command line beats the environment, which beats this file, which beats the defaults. A bad file
is every problem, one line each with the file, line and key (exit 1); the parser is imported
only when the file exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import DataError, Problem

KEYS = ("stores", "color", "pager", "feed", "trusted_root", "stale_after_days")
COLORS = ("auto", "always", "never")


class Config(NamedTuple):
    """The settings of the config file at `path` (None: no home folder to look in); `read` says
    whether the file was there and read. Unset values are None."""

    path: Path | None = None
    read: bool = False
    stores: tuple[Path, ...] = ()
    color: str | None = None
    pager: bool | None = None
    feed: str | None = None  # a URL, or a folder (relative to the config file's folder)
    trusted_root: Path | None = None
    stale_after_days: int = 30


def read_config(path: Path | None) -> Config:
    """The config file at `path`, or the defaults when there is none; DataError when it is bad."""
    if path is None:
        return Config(path)
    name = str(path)
    try:
        path.stat()
    except FileNotFoundError:
        return Config(path)  # a link to nothing is no file either
    except OSError as exc:  # a symlink loop, a folder that may not be read
        raise DataError([Problem(name, f"cannot read: {exc.strerror or exc}")]) from None
    from ..store.files import read_store_bytes

    source, problem = read_store_bytes(path, what="config")
    if problem or source is None:
        raise DataError([problem] if problem else [])
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.data.count(b"\n", 0, exc.start) + 1
        raise DataError([Problem(name, "not UTF-8 text", line)]) from None
    import tomli

    try:
        document = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = getattr(exc, "msg", str(exc))
        problem = Problem(name, f"TOML syntax error: {message}", exc.lineno, exc.colno)
        raise DataError([problem]) from None
    except RecursionError:  # tomli refuses arrays and tables nested more than 400 deep
        problem = Problem(name, "TOML arrays or tables nested more than 400 levels deep")
        raise DataError([problem]) from None
    return _settings_of(path, text, document)


def _settings_of(path: Path, text: str, document: dict[str, Any]) -> Config:
    name = str(path)
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(name, message, _line_of(text, key), None, None, key))

    for key in document:
        if key not in KEYS:
            from ..vocab import did_you_mean

            bad(key, f"unknown key{did_you_mean(key, KEYS)}; the keys are "
                f"{', '.join(KEYS[:-1])} and {KEYS[-1]}")  # fmt: skip
    stores: list[Path] = []
    value = document.get("stores", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        bad("stores", 'must be a list of paths, like stores = ["~/team-events/"]')
    else:
        for item in value:
            if not item.strip():
                bad("stores", "holds an empty path")
                continue
            try:
                store = Path(item).expanduser()
            except RuntimeError:
                bad("stores", f"cannot expand {item!r}: there is no home folder")
                continue
            stores.append(store if store.is_absolute() else path.parent / store)
    color = document.get("color")
    if color is not None:
        if not isinstance(color, str) or color.casefold() not in COLORS:
            bad("color", f"{color!r} is not one of: {', '.join(COLORS)}")
            color = None
        else:
            color = color.casefold()
    pager = document.get("pager")
    if pager is not None and not isinstance(pager, bool):
        bad("pager", f"{pager!r} is not true or false")
        pager = None
    feed, trusted_root, stale = _update_settings(path, document, bad)
    if problems:
        raise DataError(problems)
    return Config(path, True, tuple(stores), color, pager, feed, trusted_root, stale)


def _update_settings(path: Path, document: dict[str, Any], bad) -> tuple[str | None, Path | None,
                                                                         int]:  # fmt: skip
    """`feed`, `trusted_root` and `stale_after_days` (for `reetimeline update`)."""
    feed = document.get("feed")
    if feed is not None and (not isinstance(feed, str) or not feed.strip()):
        bad("feed", "must be a URL or a folder, like feed = \"/shared/reetimeline-feed/\"")
        feed = None
    elif feed is not None and not feed.startswith(("http://", "https://")):
        feed = str(path.parent / Path(feed).expanduser())
    root = document.get("trusted_root")
    trusted_root = None
    if root is not None:
        if not isinstance(root, str) or not root.strip():
            bad("trusted_root", "must be the path of the feed's root.json")
        else:
            trusted_root = path.parent / Path(root).expanduser()
    stale = document.get("stale_after_days", 30)
    if isinstance(stale, bool) or not isinstance(stale, int) or not 0 <= stale <= 36525:
        bad("stale_after_days", f"{stale!r} is not a number of days from 0 (never) to 36525")
        stale = 30
    return feed, trusted_root, stale


def _line_of(text: str, key: str) -> int | None:
    """The line where `key` is set (`key =`, a quoted key, a dotted key or a `[key]` table)."""
    quoted = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
    pattern = re.compile(rf"[ \t]*(?:\[+[ \t]*)?{quoted}[ \t]*[=.\]]")
    for number, line in enumerate(text.split("\n"), 1):
        if pattern.match(line):
            return number
    return None
