"""Fetching the curated store from a signed feed (The Update Framework), and installing it.

A feed is a folder, served by any static web server or shared as a folder, that
`scripts/publish-feed` writes (docs/curating.md):

    metadata/1.root.json, 2.root.json, ...   the root role's versions (keys and thresholds)
    metadata/timestamp.json                  re-signed often: names the current snapshot
    metadata/N.snapshot.json                 names the current targets metadata
    metadata/N.targets.json                  names events.toml: length, hash, version, current_to
    targets/<sha256>.events.toml             the store

`check` and `update` verify everything with python-tuf's client (`tuf.ngclient.Updater`) against
a trusted root that the caller names (never one fetched from the feed itself: no trust on first
use). Everything is fetched into a temporary folder beside the installation; the store is then
validated like any store file, and only then installed (store/installed.py says how, atomically).
A failure or a refusal raises `FeedError`, one line naming the reason, and changes nothing.

TUF's own files are imported here only: this module is imported by `reetimeline update` alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..errors import ReeError
from .installed import RECORD, STORE, Installed, packaged_current_to, read_record

# The target's name in the feed's targets metadata.
TARGET = STORE

# The largest curated store a feed may hand over (the curated store is about 100 kB today; a team
# store of 100,000 events about 30 MB). Checked against the signed length before downloading.
MAX_FEED_STORE_BYTES = 64 * 1024 * 1024

DEFAULT_TIMEOUT = 30.0  # seconds without a byte before a download is given up


class FeedError(ReeError):
    """An update that failed or was refused: one line, `<reason>: <what happened>`; nothing on
    disk changed (exit 1)."""


class Offer(NamedTuple):
    """What a verified feed offers: its store's version, `current_to`, length and hash."""

    feed: str
    version: int
    current_to: str
    length: int
    sha256: str


class Outcome(NamedTuple):
    """What `update` did: `installed` is the new record, or None when nothing was newer."""

    offer: Offer
    installed: Installed | None
    previous: Installed | None
    why_not: str  # when nothing was installed: why


# --- the feed's address -------------------------------------------------------------------------


def normal_feed(feed: str) -> str:
    """The feed as recorded: a URL without its trailing slash, or a folder's absolute path."""
    if feed.startswith(("http://", "https://")):
        return feed.rstrip("/")
    return str(Path(feed.removeprefix("file://")).expanduser().resolve())


def metadata_url(feed: str) -> tuple[str, str]:
    """(metadata base URL, targets base URL) of a feed given by `normal_feed`."""
    if feed.startswith(("http://", "https://")):
        return f"{feed}/metadata/", f"{feed}/targets/"
    folder = Path(feed)
    if not folder.is_dir():
        raise FeedError(f"offline: the feed folder {folder} does not exist or is not a folder")
    return f"{folder.as_uri()}/metadata/", f"{folder.as_uri()}/targets/"


def read_trusted_root(path: Path) -> bytes:
    """The trusted root metadata a team names (`trusted_root` in the config file)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"trusted root: cannot read {path}: {exc.strerror or exc}") from None
    try:
        signed = json.loads(data)["signed"]
        if signed["_type"] != "root":
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise FeedError(f"trusted root: {path} is not TUF root metadata (root.json)") from None
    return data


# --- fetching -----------------------------------------------------------------------------------


def _fetcher(timeout: float):
    """python-tuf's urllib3 fetcher (proxies from the environment) with a bounded wait: a read
    that times out is not retried (urllib3 would try four times), and `file:` URLs read a
    shared folder."""
    import urllib3
    from tuf.api import exceptions
    from tuf.ngclient import Urllib3Fetcher

    class Fetcher(Urllib3Fetcher):
        def _fetch(self, url: str) -> Iterator[bytes]:
            if url.startswith("file:"):
                return _read_file_url(url, exceptions)
            try:
                response = self._proxy_env.request(
                    "GET", url, preload_content=False,
                    timeout=urllib3.Timeout(connect=timeout, read=timeout),
                    retries=urllib3.Retry(total=2, connect=2, read=0, status=0, redirect=3),
                )  # fmt: skip
            except urllib3.exceptions.MaxRetryError as exc:
                # a refused connection is a NewConnectionError, which urllib3 2 still derives
                # from its timeout error: it is "offline", not "timeout"
                refused = isinstance(exc.reason, urllib3.exceptions.NewConnectionError)
                if isinstance(exc.reason, urllib3.exceptions.TimeoutError) and not refused:
                    raise exceptions.SlowRetrievalError from exc
                raise
            except urllib3.exceptions.TimeoutError as exc:
                raise exceptions.SlowRetrievalError from exc
            if response.status >= 400:
                response.close()
                raise exceptions.DownloadHTTPError(
                    f"HTTP error occurred with status {response.status}", response.status
                )
            return self._chunks(response)

    from .. import __version__

    return Fetcher(app_user_agent=f"reetimeline/{__version__}")


def _read_file_url(url: str, exceptions) -> Iterator[bytes]:
    from urllib.parse import unquote, urlparse

    path = Path(unquote(urlparse(url).path))
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except FileNotFoundError:
        # what a web server says, so that TUF sees "no newer root" the same way
        raise exceptions.DownloadHTTPError(f"{path}: no such file", 404) from None

    def chunks() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(1 << 20):
                yield chunk

    return chunks()


@contextlib.contextmanager
def _staging(curated: Path) -> Iterator[Path]:
    """A new folder beside the installation, removed afterwards unless it was installed."""
    curated.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix=".fetch-", dir=curated))
    try:
        yield folder
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def _verified_offer(feed: str, root: bytes, work: Path, trusted: Path | None, timeout: float):
    """Refresh the feed's metadata in `work/metadata` (starting from the metadata trusted so
    far, copied from `trusted`) and return (the Updater, the store's TargetFile, the Offer)."""
    from tuf.ngclient import Updater

    metadata_base, targets_base = metadata_url(feed)
    metadata = work / "metadata"
    if trusted is not None and trusted.is_dir():
        shutil.copytree(trusted, metadata, symlinks=True)
    else:
        metadata.mkdir()
    try:
        updater = Updater(str(metadata), metadata_base, str(work / "download"), targets_base,
                          fetcher=_fetcher(timeout), bootstrap=root)  # fmt: skip
        updater.refresh()
        info = updater.get_targetinfo(TARGET)
    except Exception as exc:  # every failure of TUF is said as one reason
        raise _reason(exc, feed, timeout) from None
    if info is None:
        raise FeedError(f"refused: the feed {feed} signs no {TARGET}")
    custom = info.custom if isinstance(info.custom, dict) else {}
    try:
        version = int(custom["version"])
        current_to = str(custom["current_to"])
        dt.date.fromisoformat(current_to)
    except (KeyError, TypeError, ValueError):
        raise FeedError(f"refused: the feed {feed} does not say the version and current_to "
                        f"of its {TARGET}") from None  # fmt: skip
    sha256 = info.hashes.get("sha256", "")
    offer = Offer(feed, version, current_to, info.length, sha256)
    return updater, info, offer


def _reason(exc: BaseException, feed: str, timeout: float) -> FeedError:
    """TUF's exception as one line: the reason first (offline, timeout, signature, expired
    metadata, rollback, tampered, size)."""
    from tuf.api import exceptions as tuf

    detail = str(exc) or type(exc).__name__
    if isinstance(exc, tuf.SlowRetrievalError):
        return FeedError(f"timeout: the feed {feed} sent nothing for {timeout:g} s")
    if isinstance(exc, tuf.DownloadLengthMismatchError):
        return FeedError(f"size: the feed {feed} sent more than its signed metadata allows "
                         f"({detail})")  # fmt: skip
    if isinstance(exc, tuf.DownloadHTTPError):
        if not feed.startswith(("http://", "https://")):
            return FeedError(f"offline: the feed folder {feed} is incomplete ({detail})")
        return FeedError(f"offline: the feed {feed} answered HTTP {exc.status_code}")
    if isinstance(exc, tuf.DownloadError):
        cause = exc.__cause__ or exc.__context__
        why = getattr(cause, "reason", None) or cause or detail
        return FeedError(f"offline: cannot reach the feed {feed} ({why})")
    if isinstance(exc, tuf.ExpiredMetadataError):
        return FeedError(f"expired metadata: {detail} (the feed is frozen, or no longer "
                         "refreshed by its publisher)")  # fmt: skip
    if isinstance(exc, tuf.UnsignedMetadataError):
        return FeedError(f"signature: {detail} (not signed by the keys the trusted root names)")
    if isinstance(exc, tuf.BadVersionNumberError):
        return FeedError(f"rollback: {detail} (the feed offers older metadata than was "
                         "already trusted)")  # fmt: skip
    if isinstance(exc, tuf.LengthOrHashMismatchError):
        return FeedError(f"tampered: {detail} (a file does not match its signed length "
                         "or hash)")  # fmt: skip
    if isinstance(exc, tuf.RepositoryError):
        return FeedError(f"refused: {detail}")
    if isinstance(exc, OSError):
        return FeedError(f"cannot write the update: {exc.strerror or exc}")
    return FeedError(f"refused: {type(exc).__name__}: {detail}")


# --- checking and installing --------------------------------------------------------------------


def _is_newer(offer: Offer, previous: Installed | None, packaged: Path) -> tuple[bool, str]:
    """Whether the feed's store would be newer than the one in use; else why not."""
    if previous is not None and previous.feed == offer.feed:
        if offer.version < previous.version:
            raise FeedError(f"rollback: the feed offers version {offer.version} of the store, "
                            f"older than version {previous.version} installed")  # fmt: skip
        if offer.version == previous.version:
            return False, f"the installed store is the feed's newest (version {offer.version})"
    elif previous is not None and offer.current_to < previous.current_to:
        return False, (f"the feed's store (current to {offer.current_to}) is older than the "
                       f"installed one (current to {previous.current_to})")  # fmt: skip
    shipped = packaged_current_to(packaged)
    if shipped is not None and offer.current_to < shipped:
        return False, (f"the feed's store (version {offer.version}, current to "
                       f"{offer.current_to}) is older than the packaged one (current to "
                       f"{shipped})")  # fmt: skip
    return True, ""


def check(feed: str, root: bytes, curated: Path, packaged: Path, *,
          timeout: float = DEFAULT_TIMEOUT) -> tuple[Offer, bool, str]:  # fmt: skip
    """What the feed offers (verified), whether it is newer than the store in use, and why not.
    Nothing is written: the metadata is refreshed in a temporary folder."""
    feed = normal_feed(feed)
    previous = read_record(curated)
    trusted = previous.folder / "metadata" if previous and previous.feed == feed else None
    with _staging(curated) as work:
        _updater, _info, offer = _verified_offer(feed, root, work, trusted, timeout)
    newer, why = _is_newer(offer, previous, packaged)
    return offer, newer, why


def update(feed: str, root: bytes, curated: Path, packaged: Path, today: dt.date, *,
           timeout: float = DEFAULT_TIMEOUT) -> Outcome:  # fmt: skip
    """Fetch, verify and install the feed's store when it is newer than the one in use."""
    feed = normal_feed(feed)
    previous = read_record(curated)
    trusted = previous.folder / "metadata" if previous and previous.feed == feed else None
    with _staging(curated) as work:
        updater, info, offer = _verified_offer(feed, root, work, trusted, timeout)
        newer, why = _is_newer(offer, previous, packaged)
        if not newer:
            return Outcome(offer, None, previous, why)
        if offer.length > MAX_FEED_STORE_BYTES:
            raise FeedError(f"size: the feed's store is {offer.length:,} bytes, more than the "
                            f"{MAX_FEED_STORE_BYTES:,} a curated store may be")  # fmt: skip
        download = work / STORE
        try:
            updater.download_target(info, str(download))
        except Exception as exc:  # said as one reason
            raise _reason(exc, feed, timeout) from None
        _validate(download, offer)
        record = _install(work, curated, offer, packaged, today)
    _remove_old(curated, record.folder)
    return Outcome(offer, record, previous, "")


def _validate(path: Path, offer: Offer) -> None:
    """The fetched store must be a valid store on its own, saying the `current_to` its signed
    metadata says: a signed store the tool cannot read is not installed."""
    from . import read

    loaded, problems = read([path])
    if problems:
        first = str(problems[0]).replace(str(path), "the feed's store", 1)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise FeedError(f"invalid store: {first}{more}")
    declared = [str(date) for _file, date in loaded.current_to]
    if declared != [offer.current_to]:
        raise FeedError(f"invalid store: its current_to ({', '.join(declared) or 'none'}) is not "
                        f"the {offer.current_to} its signed metadata says")  # fmt: skip


def _install(work: Path, curated: Path, offer: Offer, packaged: Path, today: dt.date) -> Installed:
    """Move the staging folder into place and switch `installed.json` to it, atomically."""
    from ..safefile import write_bytes

    shutil.rmtree(work / "download", ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"v{offer.version}-", dir=curated))
    folder.rmdir()
    work.rename(folder)
    try:
        info = packaged.stat()
        shipped = packaged_current_to(packaged)
        known = [info.st_size, info.st_mtime_ns, shipped] if shipped else None
    except OSError:
        known = None
    record = {
        "folder": folder.name,
        "feed": offer.feed,
        "version": offer.version,
        "current_to": offer.current_to,
        "fetched": today.isoformat(),
        "sha256": hashlib.sha256((folder / STORE).read_bytes()).hexdigest(),
        "packaged": known,
    }
    try:
        write_bytes(curated / RECORD, (json.dumps(record, indent=2) + "\n").encode())
    except ReeError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    installed = read_record(curated)
    assert installed is not None
    return installed


def _remove_old(curated: Path, keep: Path) -> None:
    """Earlier installations and leftovers of interrupted runs (not another run's staging)."""
    for entry in curated.iterdir():
        if entry.is_dir() and entry != keep and entry.name.startswith("v"):
            shutil.rmtree(entry, ignore_errors=True)
