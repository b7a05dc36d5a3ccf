"""Which store files there are, where they are, and reading their bytes safely.

A store path is a regular file, a folder (its `*.toml` files), or a pipe (`--store /dev/stdin`,
`<(...)`), which is read once and never cached. Anything else (a character device such as
/dev/zero, a socket) is refused, and no store is read past `MAX_STORE_BYTES`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ..errors import Problem

# Larger than any store people write by hand (the 100,000-event benchmark store is about 30 MB);
# small enough that a wrong path (a disk image, /dev/zero through a pipe) fails fast. README says
# so under "What the tool guarantees".
MAX_STORE_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20


def curated_store_path() -> Path:
    """The curated store in use: the newer of the packaged one and the one `reetimeline update`
    installed (store/installed.py)."""
    from .installed import newer

    return newer(packaged_store_path())


def packaged_store_path() -> Path:
    """The curated store shipped in the package, or the repository's when run from a checkout."""
    packaged = installed_store_path()
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "events.toml"


def installed_store_path() -> Path:
    """Where the wheel puts the curated store (it exists only in an installed package)."""
    return Path(__file__).resolve().parent.parent / "events.toml"


def is_installed_store(path: Path) -> bool:
    """Whether `path` is the curated store inside the installed package, or the one `update`
    installed (through any link)."""
    from .installed import is_installed

    packaged = installed_store_path()
    try:
        return is_installed(path) or (
            packaged.is_file() and path.exists() and os.path.samefile(path, packaged)
        )
    except OSError:
        return False


def expand_store_paths(paths: Iterable[Path]) -> list[Path]:
    """Store files behind `paths`: a folder stands for the `*.toml` files directly in it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.toml") if p.is_file()))
        else:
            files.append(path)
    return files


def code_stamp() -> str:
    """Changes whenever the tool's code does, so caches made by other code are not trusted."""
    import zlib

    folder = Path(__file__).resolve().parent.parent
    stamps: list[str] = []
    for sub in (folder, folder / "store"):
        with os.scandir(sub) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    stamps.append(f"{entry.name}:{info.st_mtime_ns}:{info.st_size}")
    from .. import __version__

    digest = zlib.crc32(";".join(sorted(stamps)).encode("utf-8"))
    return f"{__version__}/{digest:08x}"


class Fingerprint(NamedTuple):
    """What identifies one version of a regular file's content without reading it: any write
    changes the ctime (which no program can set back), a file renamed into place changes the
    inode. `crc` is the CRC-32 of the content that was read with this stat."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> Fingerprint:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class StoreBytes(NamedTuple):
    """A store's bytes as read. `fingerprint` is None for a pipe, or when the file changed while
    it was read (then its content must not be cached); `read_at_ns` is when reading began."""

    data: bytes
    fingerprint: Fingerprint | None
    crc: int
    read_at_ns: int


def kind_of(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_store_bytes(
    path: Path, *, what: str = "store"
) -> tuple[StoreBytes | None, Problem | None]:
    """The bytes of a regular file or a pipe, at most MAX_STORE_BYTES; else a Problem."""
    import time
    import zlib

    name = str(path)
    read_at = time.time_ns()
    try:
        # O_NONBLOCK: opening a pipe that has no writer must not hang; it is cleared below
        fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, Problem(name, f"no such {what} file")
    except OSError as exc:
        return None, Problem(name, f"cannot read: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if not regular and not stat.S_ISFIFO(info.st_mode):
            return None, Problem(
                name, f"is {kind_of(info.st_mode)}, not a {what} file (a regular file or a pipe)"
            )
        if regular and info.st_size > MAX_STORE_BYTES:
            return None, _too_large(name, what)
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        crc = 0
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > MAX_STORE_BYTES:
                return None, _too_large(name, what)
            crc = zlib.crc32(chunk, crc)
            chunks.append(chunk)
        fingerprint = None
        if regular:
            after = os.fstat(fd)
            if Fingerprint.of(after) == Fingerprint.of(info) and total == info.st_size:
                fingerprint = Fingerprint.of(info)
        return StoreBytes(b"".join(chunks), fingerprint, crc, read_at), None
    except OSError as exc:
        return None, Problem(name, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)


def _too_large(name: str, what: str) -> Problem:
    limit = MAX_STORE_BYTES // (1024 * 1024)
    return Problem(name, f"is larger than {limit} MiB, the most a {what} file may hold")
