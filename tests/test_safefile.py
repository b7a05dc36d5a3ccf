"""safefile.write_bytes: what a path names decides how it is written, and nothing that is not a
regular file, nothing read-only, nothing hard-linked and no other owner's file is clobbered.

The device tests make a character device with os.mknod, which needs root (CI runs as root)."""

import os
import stat
import threading
from pathlib import Path

import pytest

from reetimeline import safefile
from reetimeline.errors import WriteError
from reetimeline.store import load
from reetimeline.store.write import append_events, replace_file

OLD = '[[events]]\nid = "old"\ndate = 2025-01-01\ntitle = "Old"\ncategory = "other"\n'
ADD = ("add", "--date", "2026-01-01", "--title", "New")


@pytest.fixture
def device(tmp_path) -> Path:
    """A character device like /dev/null (same major and minor), in tmp_path."""
    if os.geteuid() != 0:
        pytest.skip("making a character device needs root (CI runs as root)")
    path = tmp_path / "mynull"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, Path("/dev/null").stat().st_rdev)
    except PermissionError:
        pytest.skip("this container may not make devices (no CAP_MKNOD)")
    return path


def _same_device(path: Path, rdev: int) -> bool:
    info = path.stat()
    return stat.S_ISCHR(info.st_mode) and info.st_rdev == rdev


def _one_line(result) -> str:
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.rstrip("\n")


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- devices and links to them ---------------------------------------------------------------


def test_export_writes_into_a_device_and_leaves_it_a_device(run, device, tmp_path):
    rdev = device.stat().st_rdev
    link = tmp_path / "link.csv"
    link.symlink_to(device)
    for target in (device, link):
        result = run("export", "-f", "csv", "-o", str(target))
        assert result.exit_code == 0, result.stderr
        assert result.stderr.startswith("wrote ")
        assert _same_device(device, rdev)
    assert link.is_symlink() and link.resolve() == device
    assert _listing(tmp_path) == ["link.csv", "mynull"]  # no temporary file left


def test_timeline_pictures_through_a_link_to_a_device(run, device, tmp_path):
    rdev = device.stat().st_rdev
    svg, page = tmp_path / "link.svg", tmp_path / "link.html"
    svg.symlink_to(device)
    page.symlink_to(device)
    result = run("timeline", "--as-of", "2026-01-01", "--svg", str(svg), "--html", str(page))
    assert result.exit_code == 0, result.stderr
    assert _same_device(device, rdev)
    assert svg.is_symlink() and page.is_symlink()


@pytest.mark.parametrize("through_link", [False, True], ids=["device", "link"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["real", "dry-run"])
def test_add_refuses_a_store_that_is_a_device(run, device, tmp_path, through_link, dry_run):
    rdev = device.stat().st_rdev
    store = device
    if through_link:
        store = tmp_path / "events.toml"
        store.symlink_to(device)
    result = run("--store", str(store), *ADD, *(["--dry-run"] if dry_run else []))
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result) == (
        f"{store}: is a character device; a store must be a regular file; nothing was written"
    )
    assert _same_device(device, rdev)
    assert _listing(tmp_path) == (["events.toml", "mynull"] if through_link else ["mynull"])


def test_the_store_writer_refuses_a_device(device):
    rdev = device.stat().st_rdev
    with pytest.raises(WriteError, match="is a character device; a store must be a regular"):
        replace_file(device, b"x")
    assert _same_device(device, rdev)


def test_export_writes_into_a_fifo(run, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "-f", "jsonl", "-o", str(fifo), "-m", "gallium")
    reader.join(5)
    assert result.exit_code == 0, result.stderr
    assert received and received[0].startswith(b'{"id": ')
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("kind", ["folder", "socket"])
def test_what_cannot_hold_a_file_is_refused(run, tmp_path, kind):
    target = tmp_path / "out"
    if kind == "folder":
        target.mkdir()
    else:
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    result = run("export", "-o", str(target))
    assert result.exit_code == 1
    name = {"folder": "a folder", "socket": "a socket"}[kind]
    assert _one_line(result) == (
        f"{target}: is {name}; only regular files, character devices and FIFOs are written; "
        "nothing was written"
    )


# --- permissions, owners, hard links, loops -------------------------------------------------


def test_a_read_only_store_is_not_written_even_by_root(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    path.chmod(0o444)
    for dry_run in ([], ["--dry-run"]):
        result = run("--store", str(path), *ADD, *dry_run)
        assert (result.exit_code, result.stdout) == (1, "")
        assert _one_line(result) == (
            f"{path}: is read-only (mode 0444); nothing was written (make it writable, e.g. "
            "chmod u+w, if it should change)"
        )
    assert path.read_text(encoding="utf-8") == OLD
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    exported = tmp_path / "out.csv"
    exported.write_text("keep", encoding="utf-8")
    exported.chmod(0o444)
    assert run("export", "-o", str(exported)).exit_code == 1
    assert exported.read_text(encoding="utf-8") == "keep"


def test_a_hard_linked_store_is_not_split(run, tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    other = tmp_path / "other-name.toml"
    os.link(path, other)
    result = run("--store", str(path), *ADD)
    assert (result.exit_code, result.stdout) == (1, "")
    assert _one_line(result) == (
        f"{path}: has 2 hard links; replacing it would split it from its other names, so nothing "
        "was written (write to a copy, or remove the other links)"
    )
    assert path.stat().st_ino == other.stat().st_ino
    assert path.stat().st_nlink == 2
    assert path.read_text(encoding="utf-8") == OLD


def test_owner_group_and_mode_are_kept(run, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root (CI runs as root)")
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    os.chown(path, 4242, 4243)
    path.chmod(0o640)
    exported = tmp_path / "out.csv"
    exported.write_text("old", encoding="utf-8")
    os.chown(exported, 4242, 4243)
    assert run("--store", str(path), *ADD).exit_code == 0
    assert run("export", "-o", str(exported)).exit_code == 0
    for written in (path, exported):
        info = written.stat()
        assert (info.st_uid, info.st_gid) == (4242, 4243)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [e.id for e in load([path]).events] == ["old", "2026-01-01-new"]


def test_a_file_whose_owner_cannot_be_kept_is_refused(tmp_path, monkeypatch):
    """What a user who is not root meets with another user's file in a group-writable folder:
    chown is not allowed, so the file is not replaced (it would change owner)."""
    path = tmp_path / "events.toml"
    path.write_text(OLD, encoding="utf-8")
    real_fstat = os.fstat

    def other_owner(fd):
        info = real_fstat(fd)
        return os.stat_result((*info[:4], info.st_uid + 1, *info[5:]))

    def not_root(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fstat", other_owner)
    monkeypatch.setattr(os, "fchown", not_root)
    [new] = load([_one(tmp_path)]).events
    with pytest.raises(WriteError, match=r"belongs to uid \d+ gid \d+; replacing it would give it"):
        append_events(path, [new])
    assert path.read_text(encoding="utf-8") == OLD
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_file_the_user_may_not_write_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("keep", encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    with pytest.raises(WriteError, match="you may not write it"):
        safefile.write_bytes(path, b"new", streams=True)
    assert path.read_text(encoding="utf-8") == "keep"


def _one(tmp_path: Path) -> Path:
    path = tmp_path / "one.toml"
    path.write_text('[[events]]\nid = "new"\ndate = 2026-01-01\ntitle = "N"\ncategory = "other"\n')
    return path


@pytest.mark.parametrize(
    "command",
    [ADD, ("import", "IMPORT"), ("export", "-o", "STORE"), ("timeline", "--svg", "STORE")],
    ids=["add", "import", "export", "timeline"],
)
def test_a_symlink_loop_is_a_clear_error(run, tmp_path, command):
    loop = tmp_path / "events.toml"
    other = tmp_path / "back.toml"
    loop.symlink_to(other)
    other.symlink_to(loop)
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "x", "date": "2025", "title": "X", "category": "other"}\n')
    args = [{"IMPORT": str(batch), "STORE": str(loop)}.get(a, a) for a in command]
    store = [] if command[0] in ("export", "timeline") else ["--store", str(loop)]
    result = run(*store, *args)
    assert (result.exit_code, result.stdout if store else "") == (1, "")
    assert _one_line(result) == (
        f"{loop}: a symlink loop (too many levels of symbolic links); nothing was written"
    )
    assert loop.is_symlink() and other.is_symlink()


def test_a_link_to_nothing_creates_its_target(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "real.csv")
    safefile.write_bytes(link, b"data", streams=True)
    assert link.is_symlink()
    assert (tmp_path / "real.csv").read_bytes() == b"data"


def test_a_new_file_gets_the_umask_permissions(tmp_path):
    previous = os.umask(0o027)
    try:
        safefile.write_bytes(tmp_path / "new.csv", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


def test_export_to_dev_stdout_writes_into_the_pipe(tmp_path):
    """/dev/stdout leads to the pipe itself ("pipe:[...]"), which has no path of its own."""
    import subprocess
    import sys

    env = {**os.environ, "REETIMELINE_NO_CACHE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "reetimeline", "export", "-f", "jsonl", "-m", "gallium", "-o",
         "/dev/stdout", "--as-of", "2026-11-25"], capture_output=True, text=True, env=env,
        cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('{"id": ')
    assert result.stderr == (
        "wrote 10 events to /dev/stdout (data: curated store current to 2026-10-08, 48 days ago)\n"
    )
