"""`reetimeline update`: fetch a newer curated store from a signed feed; and the staleness hint
the terminal views show when the curated store is old.

The feed is `--from`, else $REETIMELINE_FEED, else `feed` in the config file; its trusted root is
`--trusted-root`, else `trusted_root` in the config file. There is no public feed yet, so no
default: `update` says how to configure one (exit 2). The work is done by store/feed.py, which
alone imports TUF.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from .. import store
from ..errors import UsageError
from .application import app
from .options import Number
from .paths import settings as _settings
from .printing import say

ENV_FEED = "REETIMELINE_FEED"

# Until the maintainers publish a public feed (docs/curating.md), there is no default feed and no
# trusted root shipped in the package: a feed must be configured, with its root.
DEFAULT_FEED: str | None = None
DEFAULT_TRUSTED_ROOT: Path | None = None

NO_FEED = (
    "update: no feed configured; there is no public feed yet. Name one with --from URL|FOLDER, "
    f"${ENV_FEED} or `feed = ...` in the config file, and its root metadata with --trusted-root "
    "FILE or `trusted_root = ...` (docs/curating.md)"
)
NO_ROOT = (
    "update: {feed} needs a trusted root: the feed's root metadata (root.json) from its "
    "publisher, as --trusted-root FILE or `trusted_root = ...` in the config file; a root "
    "fetched from the feed itself would prove nothing"
)


@app.command("update")
def update_command(
    check: Annotated[
        bool,
        typer.Option("--check", help="Only say whether a newer store is available: exit 1 when "
                     "it is (or when the check fails: stderr says why), 0 when not. Nothing is "
                     "written."),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--from", metavar="URL|FOLDER", show_default=False,
                     help=f"The feed: a web address or a folder. Default: ${ENV_FEED}, else "
                     "`feed` in the config file."),
    ] = None,
    trusted_root: Annotated[
        Path | None,
        typer.Option("--trusted-root", metavar="FILE", show_default=False,
                     help="The feed's root metadata, from its publisher. Default: "
                     "`trusted_root` in the config file."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", show_default=False,
                     click_type=Number(0.1, 3600, "seconds", example=30, kind=float),
                     help="Give up when the feed sends nothing for this long (0.1 to 3600; "
                     "default 30)."),
    ] = 30.0,
) -> None:  # fmt: skip
    """Fetch the newest curated store from the configured feed, verify it (signatures, expiry,
    rollback, size: The Update Framework) and install it under your data folder; the tool then
    answers from the newer of the packaged and the installed store. A failed or refused update
    changes nothing and says why in one line (exit 1).

    Example: reetimeline update --check
    """
    from ..store import feed as feeds
    from ..store.installed import curated_folder
    from .options import today

    feed, root_path = _feed_and_root(source, trusted_root)
    curated = curated_folder()
    if curated is None:
        raise UsageError("update: no home folder and no XDG_DATA_HOME to install into")
    root = feeds.read_trusted_root(root_path)
    packaged = store.files.packaged_store_path()
    if check:
        offer, newer, why = feeds.check(feed, root, curated, packaged, timeout=timeout)
        if newer:
            print(f"newer: version {offer.version} of the curated store, current to "
                  f"{offer.current_to}, at {offer.feed}")  # fmt: skip
            raise typer.Exit(1)
        print(f"up to date: {why}")
        return
    outcome = feeds.update(feed, root, curated, packaged, today(), timeout=timeout)
    if outcome.installed is None:
        print(f"up to date: {outcome.why_not}")
        return
    new = outcome.installed
    print(f"installed version {new.version} of the curated store, current to {new.current_to}, "
          f"from {new.feed}: {new.path}")  # fmt: skip


def _feed_and_root(source: str | None, root: Path | None) -> tuple[str, Path]:
    config = _settings().config
    feed = source or os.environ.get(ENV_FEED) or config.feed or DEFAULT_FEED
    if not feed:
        raise UsageError(NO_FEED)
    root = root or config.trusted_root or DEFAULT_TRUSTED_ROOT
    if root is None:
        raise UsageError(NO_ROOT.format(feed=feed))
    return feed, root


def stale_hint(loaded: store.Store, today: dt.date) -> str | None:
    """One line suggesting `reetimeline update` when the curated store in use is older than
    `stale_after_days` (config file; default 30, 0 never), counted from today."""
    days = _settings().config.stale_after_days
    if days <= 0:
        return None
    curated = str(store.curated_store_path())
    for path, date in loaded.current_to:
        if path == curated:
            age = (today - date.last()).days
            if age > days:
                config = _settings().config
                configured = os.environ.get(ENV_FEED) or config.feed or DEFAULT_FEED
                later = "" if configured else " once a feed is configured (docs/curating.md)"
                return (f"the curated store was checked {age} days ago: `reetimeline update` "
                        f"fetches a newer one{later}")  # fmt: skip
    return None


def say_if_stale(loaded: store.Store) -> None:
    """The staleness hint on stderr (the terminal views call this; never piped or JSON)."""
    from .options import today

    hint = stale_hint(loaded, today())
    if hint:
        say(hint)
