"""Where things are: the XDG folders, the stores in use, the cache, and the global settings.

The command line beats the environment, which beats the config file, which beats the defaults.
The only module of the command line that reads the XDG variables and $REETIMELINE_STORE.
"""

import os
from pathlib import Path
from typing import Any, NamedTuple

from .. import store
from ..errors import ReeError
from .config import Config, read_config
from .typer_adapter import current_context

ENV_STORE = "REETIMELINE_STORE"
NO_HOME = "no home folder (HOME is unset and the user has no passwd entry)"


class Settings(NamedTuple):
    """The global options as given on the command line (None: not given), and the config file.
    The command line beats the environment, which beats the config file, which beats the
    defaults: see `store_paths`, `printing.color_decision` and `printing.pager_decision`.
    `deferred` is what the console script leaves until after the answer (None in tests and
    for programs that run the app)."""

    stores: list[Path] | None = None
    color: str | None = None
    pager: bool | None = None
    with_curated: bool = False
    config: Config = Config()
    deferred: store.Deferred | None = None
    curated_only: bool = False


def deferred_of(obj: Any) -> store.Deferred | None:
    """The `Deferred` the console script gave the app as its context object (`run.main`)."""
    if isinstance(obj, store.Deferred):
        return obj
    return obj.deferred if isinstance(obj, Settings) else None


def settings(ctx: Any = None) -> Settings:
    """The global options of the command being run, from Click's context: the app's callback
    leaves them in `ctx.obj`; during completion (which runs no callback) they are read from the
    parsed parameters, so that `show <TAB>` sees the `--store` on the line."""
    ctx = ctx or current_context()
    if ctx is None:
        return Settings()
    root = ctx.find_root()
    if isinstance(root.obj, Settings):
        return root.obj
    params = root.params
    # Typer converts values only when it calls the callback: here they are Click's strings
    stores = [Path(p) for p in params.get("store_paths") or ()] or None
    try:
        config = read_config(config_path())
    except ReeError:
        config = Config()  # completing: a bad config file is said by the command itself
    color = params.get("color")
    result = Settings(stores, color.casefold() if isinstance(color, str) else None,
                      params.get("pager"), bool(params.get("with_curated")), config,
                      deferred_of(root.obj), bool(params.get("curated_only")))  # fmt: skip
    root.obj = result
    return result


def store_paths(ctx: Any = None) -> list[Path]:
    """The curated store alone with --curated-only; --store, else $REETIMELINE_STORE (either
    with the curated store first when --with-curated), else the curated store, the config
    file's `stores` and the user store if present."""
    given = settings(ctx)
    if given.curated_only:  # beats $REETIMELINE_STORE and the config file; --store is refused
        return [store.curated_store_path()]
    named = given.stores or env_store_paths()
    if named:
        if not given.with_curated:
            return named
        curated = store.curated_store_path()
        return [curated, *(p for p in named if not _same_file(p, curated))]
    paths = [store.curated_store_path(), *given.config.stores]
    user = user_store_path()
    if user is not None and user.exists():
        paths.append(user)
    return paths


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.exists() and path.samefile(other)
    except OSError:
        return False


def _base_folder(variable: str, *under_home: str) -> Path | None:
    """$variable if it is an absolute path (the XDG spec ignores relative ones), else the folder
    under the home folder; None when there is no home folder either (HOME unset and no passwd
    entry, as in some containers)."""
    value = os.environ.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value)
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return home.joinpath(*under_home) if home.is_absolute() else None


def config_path() -> Path | None:
    """$XDG_CONFIG_HOME/reetimeline/config.toml (default ~/.config/...), or None without a
    home folder."""
    base = _base_folder("XDG_CONFIG_HOME", ".config")
    return None if base is None else base / "reetimeline" / "config.toml"


def user_store_path() -> Path | None:
    """$XDG_DATA_HOME/reetimeline/events.toml (default ~/.local/share/...), or None without a
    home folder: then there is no user store to read, and `add` asks for --store."""
    base = _base_folder("XDG_DATA_HOME", ".local", "share")
    return None if base is None else base / "reetimeline" / "events.toml"


def env_store_paths() -> list[Path]:
    return [Path(p) for p in os.environ.get(ENV_STORE, "").split(os.pathsep) if p]


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/reetimeline (default ~/.cache/reetimeline); REETIMELINE_NO_CACHE=1 turns
    the cache off, and so does having no home folder."""
    if os.environ.get("REETIMELINE_NO_CACHE"):
        return None
    base = _base_folder("XDG_CACHE_HOME", ".cache")
    return None if base is None else base / "reetimeline"
