"""Writing a file by name without damaging what the name points at.

`write_bytes(path, data)` is the one way the tool writes a whole file: `export -o`, `timeline
--svg/--html` and the store writer's final step. What the path names decides what happens:

- nothing yet: a new regular file is made (permissions from the umask), atomically;
- a regular file: replaced atomically (a fsynced temporary file in the same folder, then
  `os.replace`), keeping its permission bits, owner and group. It is refused, and left as it
  was, when it is read-only (no write bit at all, e.g. 0444: refused even for root), when the
  writer may not write it, when its owner or group cannot be kept (only root may give a file
  away), or when it has other hard links (a replace would split them from it; the tool never
  writes such a file in place either, which could leave it half-written);
- a character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe): with
  `streams=True` (what `export -o` and the pictures use) the data are written into it, as a
  shell's `>` would, and it stays what it was; without (a store) it is refused;
- a folder, a block device, a socket: refused;
- a symlink: followed, and what it points at is treated as above (the link stays a link; a link
  to nothing creates its target); a symlink loop is refused.

Every refusal is a `WriteError` naming the path and saying why; nothing is written.

While the temporary file exists, SIGTERM and SIGHUP (a `kill`, a closed terminal) are turned
into an exception, as Ctrl-C is, so that the temporary file is removed and the old file left as
it was; then the signal is delivered again to its own handler (by default it ends the process,
killed by that signal, as if it had come a moment before the write). The few steps that create,
rename or remove the temporary file run with these signals held back, so no signal can fall
between a step and the record of it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import WriteError


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def target_of(path: str | os.PathLike[str], *, streams: bool = False, display: str | None = None):
    """What writing `path` would write: `(real path, its stat or None when it does not exist)`.

    Raises WriteError for everything the rules above refuse, before anything is written; the
    command line calls this early so that `--dry-run` refuses what the real run would.
    """
    display = display or str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteError(f"{display}: a symlink loop (too many levels of symbolic links); "
                             "nothing was written") from None  # fmt: skip
        raise WriteError(f"{display}: cannot write: {exc.strerror or exc}") from None
    real = Path(os.path.realpath(path))
    if info is None:
        return real, None
    if stat.S_ISREG(info.st_mode):
        _check_regular(display, real, info)
        return real, info
    if streams and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        return real, info
    if streams:
        rule = "only regular files, character devices and FIFOs are written"
    else:
        rule = "a store must be a regular file"
    raise WriteError(f"{display}: is {_kind(info.st_mode)}; {rule}; nothing was written")


def _check_regular(display: str, real: Path, info: os.stat_result) -> None:
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:
        raise WriteError(
            f"{display}: is read-only (mode {mode:04o}); nothing was written (make it writable, "
            "e.g. chmod u+w, if it should change)"
        )
    if not os.access(real, os.W_OK):
        raise WriteError(f"{display}: you may not write it (mode {mode:04o}, owner uid "
                         f"{info.st_uid}); nothing was written")  # fmt: skip
    if info.st_nlink > 1:
        raise WriteError(
            f"{display}: has {info.st_nlink} hard links; replacing it would split it from its "
            "other names, so nothing was written (write to a copy, or remove the other links)"
        )


def write_bytes(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    streams: bool = False,
    expected_old: bytes | None = None,
    display: str | None = None,
) -> None:
    """Write `data` as the whole content of the file at `path`, by the rules of this module.

    With `expected_old`, a regular file must still hold exactly those bytes just before it is
    replaced (else nothing is written). On any failure the old file is intact and the temporary
    file is removed.
    """
    display = display or str(path)
    real, info = target_of(path, streams=streams, display=display)
    if info is not None and not stat.S_ISREG(info.st_mode):
        # opened by the name given: /dev/stdout leads to "pipe:[...]", which no real path names
        _write_into(Path(path), data, display)
        return

    def unchanged() -> bool:
        try:
            return real.read_bytes() == expected_old
        except FileNotFoundError:
            return expected_old == b""

    replace(real, info, lambda handle: handle.write(data),
            unchanged=None if expected_old is None else unchanged, display=display)  # fmt: skip


def write_with(
    path: str | os.PathLike[str],
    fill: Callable[[BinaryIO], object],
    *,
    unchanged: Callable[[], bool] | None = None,
    display: str | None = None,
) -> Path:
    """Replace the regular file at `path` (or make it) with what `fill(handle)` writes, by the
    rules of this module (for a store: no device, no FIFO). With `unchanged`, it must return
    True just before the replace, else nothing is written. Returns the real path written."""
    display = display or str(path)
    real, info = target_of(path, streams=False, display=display)
    replace(real, info, fill, unchanged=unchanged, display=display)
    return real


def _write_into(path: Path, data: bytes, display: str) -> None:
    """Write into a character device or FIFO, as `>` would (no O_CREAT, no O_TRUNC)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise WriteError(f"{display}: cannot write: {exc.strerror or exc}") from exc
    try:
        now = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(now) or stat.S_ISFIFO(now)):
            # swapped for something else since it was looked at: do not write into a file
            raise WriteError(f"{display}: changed while it was being opened; nothing was written")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise WriteError(f"{display}: cannot write: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


class Changed(Exception):
    """Raised by a `fill` or `unchanged` that finds the file changed: nothing is written."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a temporary file existed (a BaseException, like
    KeyboardInterrupt: no `except Exception` may swallow it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _signals() -> list[int]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return []  # only the main thread may set handlers; Python runs them there only
    return [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]


@contextlib.contextmanager
def _terminations_raise(display: str) -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated inside the block; after it, a caught one is
    delivered again to the handler it had before (ignored signals stay ignored)."""
    import signal

    def terminated(signum, _frame):
        raise Terminated(signum)

    old = {}
    for signum in _signals():
        handler = signal.getsignal(signum)
        if handler is not signal.SIG_IGN and handler is not None:
            old[signum] = signal.signal(signum, terminated)
    try:
        yield
    except Terminated as caught:
        for signum, handler in old.items():
            signal.signal(signum, handler)
        old = {}
        signal.raise_signal(caught.signum)
        # a handler of the caller's own that returned: the write did not happen
        raise WriteError(f"{display}: interrupted by {signal.Signals(caught.signum).name}; "
                         "the file is unchanged") from None  # fmt: skip
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _held_back() -> Iterator[None]:
    """SIGTERM, SIGHUP and SIGINT wait until the block is done (then they are delivered)."""
    import signal

    signums = _signals()
    if not signums or not hasattr(signal, "pthread_sigmask"):  # Windows has neither
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, [*signums, signal.SIGINT])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def replace(
    target: Path,
    info: os.stat_result | None,
    fill: Callable[[BinaryIO], object],
    *,
    unchanged: Callable[[], bool] | None,
    display: str,
) -> None:
    """Replace `target` atomically (a regular file, or nothing yet) with what `fill` writes."""
    import tempfile

    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    changed = WriteError(
        f"{display}: the store changed on disk while it was being written (edited by "
        "something that does not take the lock); nothing was written, try again"
    )
    tmp_name = None
    with _terminations_raise(display):
        try:
            with _held_back():
                # the store writer removes `.<name>.*.tmp` left by a killed writer: keep it
                fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                                dir=target.parent)  # fmt: skip
            with os.fdopen(fd, "wb") as handle:
                if info is not None:
                    _keep_owner(handle.fileno(), info, display)
                try:
                    fill(handle)
                except Changed:
                    raise changed from None
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, mode)  # after the chown, which may clear set-id bits
            if unchanged is not None and not unchanged():
                raise changed
            with _held_back():
                os.replace(tmp_name, target)
                tmp_name = None
            _fsync_folder(target.parent)
        except OSError as exc:
            raise WriteError(
                f"{display}: cannot write: {exc.strerror or exc}; the file is unchanged"
            ) from exc
        finally:
            if tmp_name is not None:
                with _held_back(), contextlib.suppress(OSError):
                    os.unlink(tmp_name)


def _keep_owner(fd: int, old: os.stat_result, display: str) -> None:
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:
        raise WriteError(
            f"{display}: belongs to uid {old.st_uid} gid {old.st_gid}; replacing it would give it "
            f"to uid {new.st_uid} gid {new.st_gid}, so nothing was written"
        ) from None


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
