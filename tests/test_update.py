"""`reetimeline update`: feeds built here with throwaway keys by scripts/publish-feed (the same
code curators run), served by a real HTTP server on 127.0.0.1 or read as a folder. A good update
changes the answers; every refused one exits 1 with one line naming the reason and leaves the
installed store byte-identical and the answers unchanged."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import http.server
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import reetimeline.cli
from reetimeline.store import feed as feeds
from reetimeline.store.files import packaged_store_path

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 12, 6)


def _publisher():
    path = ROOT / "scripts" / "publish-feed"
    loader = importlib.machinery.SourceFileLoader("publish_feed", str(path))
    spec = importlib.util.spec_from_loader("publish_feed", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


publisher = _publisher()

FEED_STORE = """\
current_to = 2026-12-01

[[events]]
id = "feed-gallium-licensing"
date = 2026-11-20
title = "Feed: China licenses gallium exports again"
category = "export-control"
minerals = ["gallium"]
countries = ["CN", "US"]
issuer = "CN"
applies_to = ["all"]
kind = "licensing"
sources = [{ title = "Report", url = "https://example.com/feed-ga" }]
"""

FEED_STORE_2 = (
    FEED_STORE.replace("2026-12-01", "2026-12-05")
    + """
[[events]]
id = "feed-second-note"
date = 2026-12-04
title = "Feed: a second note"
category = "other"
sources = [{ title = "Note", url = "https://example.com/feed-note" }]
"""
)

LIST_AFTER = (
    "date\tcategory\tkind\ttitle\tminerals\tcountries\tconfidence\tid\n"
    "2026-11-20\texport-control\tlicensing\tFeed: China licenses gallium exports again"
    "\tgallium\tCN, US"
    "\tsources: confirmed\tfeed-gallium-licensing\n"
)


class Feed:
    """A feed folder with one throwaway key for every role."""

    def __init__(self, folder: Path, keys: Path):
        self.folder = folder
        keyfile = keys / "key.pem"
        publisher.keygen(keyfile)
        self.signer = publisher.load_signer(keyfile)
        self.root = publisher.init(folder, [self.signer], [self.signer], [self.signer],
                                   [self.signer])  # fmt: skip
        self.stores = keys

    def publish(self, text: str, **kwargs) -> int:
        store = self.stores / f"store-{len(list(self.stores.glob('store-*')))}.toml"
        store.write_text(text, encoding="utf-8")
        return publisher.publish(self.folder, store, [self.signer], [self.signer], [self.signer],
                                 **kwargs)  # fmt: skip


@pytest.fixture(autouse=True)
def no_feed_from_the_environment(monkeypatch):
    monkeypatch.delenv("REETIMELINE_FEED", raising=False)


@pytest.fixture
def feed(tmp_path) -> Feed:
    (tmp_path / "keys").mkdir()
    return Feed(tmp_path / "feed", tmp_path / "keys")


class _Handler(http.server.SimpleHTTPRequestHandler):
    hang: threading.Event | None = None

    def do_GET(self):
        if self.hang is not None:
            self.hang.wait(10)  # released when the test ends
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path, *, hang: bool = False) -> Iterator[str]:
    """A static web server on 127.0.0.1 for `folder`, stopped (every thread) at the end."""
    release = threading.Event()
    handler = type("Handler", (_Handler,), {"hang": release if hang else None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()  # joins the handler threads
        thread.join()


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(reetimeline.cli.options, "today", lambda: TODAY)


def curated_folder() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "reetimeline" / "curated"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_a_good_update_over_http_changes_the_answers(run, feed, today):
    feed.publish(FEED_STORE)
    args = ["--trusted-root", str(feed.root)]
    before = run("list", "-m", "gallium")
    assert "\tga-ge-export-licensing\n" in before.stdout
    with serve(feed.folder) as url:
        check = run("update", "--check", "--from", url, *args)
        assert (check.exit_code, check.stdout, check.stderr) == (
            1,
            f"newer: version 1 of the curated store, current to 2026-12-01, at {url}\n",
            "",
        )
        done = run("update", "--from", url, *args)
        installed = next(curated_folder().glob("v1-*")) / "events.toml"
        assert (done.exit_code, done.stderr) == (0, "")
        assert done.stdout == (
            f"installed version 1 of the curated store, current to "
            f"2026-12-01, from {url}: {installed}\n"
        )
        assert installed.read_text(encoding="utf-8") == FEED_STORE
        again = run("update", "--check", "--from", url, *args)
        assert (again.exit_code, again.stdout) == (
            0,
            "up to date: the installed store is the feed's newest (version 1)\n",
        )
    # the packaged curated events are gone: only the feed's store answers
    assert run("list").stdout == LIST_AFTER
    status = run("status", "-m", "gallium", "--as-of", "2026-12-06")
    assert status.stdout == (
        "state\tsince\tuntil\tconfidence\tkind\ttitle\tnote\tid\n"
        "in-force\t2026-11-20\t\tsources: confirmed\tlicensing\t"
        "Feed: China licenses gallium exports again\t\t"
        "feed-gallium-licensing\n"
    )
    doctor = json.loads(run("doctor", "--json").stdout)
    assert doctor["curated"] == {"path": str(installed), "source": "feed", "feed": url,
                                 "version": 1, "current_to": "2026-12-01",
                                 "fetched": "2026-12-06"}  # fmt: skip
    assert doctor["data"] == "curated store current to 2026-12-01, 5 days ago"
    line = [x for x in run("doctor").stdout.splitlines() if x.startswith("curated")]
    assert line == [f"curated     {installed} (version 1 from {url}, fetched 2026-12-06, "
                    "current to 2026-12-01)"]  # fmt: skip


def test_a_folder_feed_named_in_the_config_file(run, feed, today, tmp_path):
    feed.publish(FEED_STORE)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'feed = "{feed.folder}"\ntrusted_root = "{feed.root}"\n', encoding="utf-8")
    result = run("update")
    installed = next(curated_folder().glob("v1-*")) / "events.toml"
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"installed version 1 of the curated store, current to 2026-12-01, from "
           f"{feed.folder}: {installed}\n", "")  # fmt: skip
    assert run("list").stdout == LIST_AFTER
    feed.publish(FEED_STORE_2)
    assert run("update", "--check").exit_code == 1
    second = run("update")
    assert second.exit_code == 0
    assert [p.name[:3] for p in curated_folder().iterdir() if p.is_dir()] == ["v2-"]
    assert run("list", "-k", "other").stdout.endswith("\tfeed-second-note\n")


def _installed_v1(run, feed, url_or_folder: str) -> tuple[dict[str, bytes], str]:
    feed.publish(FEED_STORE)
    result = run("update", "--from", url_or_folder, "--trusted-root", str(feed.root))
    assert result.exit_code == 0, result.stderr
    return files_under(curated_folder()), run("list").stdout


def _refused(run, feed, before, answers, url, reason: str, *args: str) -> str:
    """`update` from `url` is refused: exit 1, one line starting with `reason`, and nothing on
    disk or in the answers changed."""
    result = run("update", "--from", url, "--trusted-root", str(feed.root), *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(reason), result.stderr
    assert files_under(curated_folder()) == before
    assert run("list").stdout == answers
    return result.stderr


@pytest.fixture
def installed(run, feed, today):
    """A feed served over HTTP whose version 1 is installed: (feed, url, files, answers)."""
    with serve(feed.folder) as url:
        files, answers = _installed_v1(run, feed, url)
        assert answers == LIST_AFTER
        yield feed, url, files, answers


def test_a_tampered_store_is_refused(run, installed):
    feed, url, files, answers = installed
    feed.publish(FEED_STORE_2)
    target = next(p for p in (feed.folder / "targets").iterdir() if b"second" in p.read_bytes())
    target.write_bytes(target.read_bytes().replace(b"a second note", b"a forged note"))
    message = _refused(run, feed, files, answers, url, "tampered: ")
    forged = FEED_STORE_2.replace("a second note", "a forged note")
    assert message == (f"tampered: Observed hash {sha256(forged)} does not match expected hash "
                       f"{sha256(FEED_STORE_2)} (a file does not match its signed length or "
                       "hash)\n")  # fmt: skip


def test_a_tampered_signature_is_refused(run, installed):
    feed, url, files, answers = installed
    feed.publish(FEED_STORE_2)
    path = feed.folder / "metadata" / "timestamp.json"
    signed = json.loads(path.read_bytes())
    signed["signed"]["expires"] = "2099-01-01T00:00:00Z"  # changed after signing
    path.write_text(json.dumps(signed), encoding="utf-8")
    message = _refused(run, feed, files, answers, url, "signature: ")
    assert message == ("signature: timestamp was signed by 0/1 keys (not signed by the keys the "
                       "trusted root names)\n")  # fmt: skip


def test_expired_metadata_a_frozen_feed_is_refused(run, installed):
    feed, url, files, answers = installed
    feed.publish(FEED_STORE_2, now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    message = _refused(run, feed, files, answers, url, "expired metadata: ")
    assert message == ("expired metadata: timestamp.json is expired (the feed is frozen, or no "
                       "longer refreshed by its publisher)\n")  # fmt: skip


def test_a_rollback_to_an_older_version_is_refused(run, installed, tmp_path):
    feed, url, _files, _answers = installed
    old = tmp_path / "feed-v1"
    shutil.copytree(feed.folder, old)
    feed.publish(FEED_STORE_2)
    assert run("update", "--from", url, "--trusted-root", str(feed.root)).exit_code == 0
    files, answers = files_under(curated_folder()), run("list").stdout
    shutil.rmtree(feed.folder)
    shutil.copytree(old, feed.folder)  # the server now offers version 1 again
    message = _refused(run, feed, files, answers, url, "rollback: ")
    assert message == ("rollback: New timestamp version 1 must be >= 2 (the feed offers older "
                       "metadata than was already trusted)\n")  # fmt: skip


def test_a_store_over_the_size_limit_is_refused(run, installed, monkeypatch):
    feed, url, files, answers = installed
    feed.publish(FEED_STORE_2)
    monkeypatch.setattr(feeds, "MAX_FEED_STORE_BYTES", 300)
    size = len(FEED_STORE_2.encode())
    message = _refused(run, feed, files, answers, url, "size: ")
    assert message == (f"size: the feed's store is {size:,} bytes, more than the 300 a curated "
                       "store may be\n")  # fmt: skip


def test_a_server_that_hangs_is_given_up_after_the_timeout(run, installed):
    feed, _url, files, answers = installed
    with serve(feed.folder, hang=True) as hanging:
        message = _refused(run, feed, files, answers, hanging, "timeout: ", "--timeout", "1")
    assert message == f"timeout: the feed {hanging} sent nothing for 1 s\n"


def test_an_unreachable_feed_is_offline(run, installed):
    feed, _url, files, answers = installed
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    message = _refused(run, feed, files, answers, f"http://127.0.0.1:{port}", "offline: ")
    assert message.startswith(f"offline: cannot reach the feed http://127.0.0.1:{port} (")
    assert message.endswith("Connection refused)\n")


def test_an_invalid_store_signed_by_the_feed_is_not_installed(run, installed):
    feed, url, files, answers = installed
    feed.publish(FEED_STORE_2.replace('category = "other"', 'category = "gossip"'), check=False)
    message = _refused(run, feed, files, answers, url, "invalid store: ")
    assert "category" in message and "gossip" in message


def test_no_feed_configured_says_how_to_configure_one(run):
    result = run("update")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"reetimeline: error: {reetimeline.cli.update.NO_FEED}\n"
    assert "--from URL|FOLDER" in result.stderr and "trusted_root" in result.stderr


def test_a_feed_needs_a_trusted_root(run, feed):
    result = run("update", "--from", str(feed.folder))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("reetimeline: error: update: " + str(feed.folder) + " needs a "
                             "trusted root: the feed's root metadata (root.json) from its "
                             "publisher, as --trusted-root FILE or `trusted_root = ...` in the "
                             "config file; a root fetched from the feed itself would prove "
                             "nothing\n")  # fmt: skip
    assert not curated_folder().exists()


def test_a_foreign_root_is_a_signature_refusal(run, feed, tmp_path):
    feed.publish(FEED_STORE)
    (tmp_path / "other-keys").mkdir()
    other = Feed(tmp_path / "other", tmp_path / "other-keys")
    result = run("update", "--from", str(feed.folder), "--trusted-root", str(other.root))
    assert result.exit_code == 1
    assert result.stderr.startswith("signature: ")
    assert not (curated_folder() / "installed.json").exists()


def test_staleness_hint_on_terminal_views_only(run, monkeypatch, today, tmp_path):
    # the packaged store is current to 2026-10-08: 59 days before "today"
    hint = ("the curated store was checked 59 days ago: `reetimeline update` fetches a newer "
            "one once a feed is configured (docs/curating.md)\n")  # fmt: skip
    coloured = run("status", "-m", "gallium", "--color", "always")
    assert coloured.stderr.endswith(f"data: curated store current to 2026-10-08, 59 days ago\n"
                                    f"{hint}")  # fmt: skip
    for view in (["timeline", "--since", "2026-06"], ["show", "busan"], ["countdown"]):
        assert run(*view, "--color", "always").stderr.endswith(hint), view
        assert hint not in run(*view).stderr, view  # piped
    # piped: how current the data is, and no hint
    assert run("status", "-m", "gallium").stderr == (
        "data: curated store current to 2026-10-08, 59 days ago\n")  # fmt: skip
    assert run("status", "-m", "gallium", "--json", "--color", "always").stderr == ""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("stale_after_days = 60\n", encoding="utf-8")
    assert hint not in run("countdown", "--color", "always").stderr
    config.write_text("stale_after_days = 0\n", encoding="utf-8")
    assert hint not in run("status", "--color", "always").stderr
    # with a feed configured, the hint is only the command
    config.write_text(f'feed = "{tmp_path}"\n', encoding="utf-8")
    assert run("countdown", "--color", "always").stderr.endswith(
        "the curated store was checked 59 days ago: `reetimeline update` fetches a newer one\n")


def test_the_packaged_store_wins_when_it_is_newer(run, feed, today):
    feed.publish(FEED_STORE.replace("2026-12-01", "2026-09-30"))
    result = run("update", "--from", str(feed.folder), "--trusted-root", str(feed.root))
    assert (result.exit_code, result.stdout) == (
        0, "up to date: the feed's store (version 1, current to 2026-09-30) is older than the "
           "packaged one (current to 2026-10-08)\n")  # fmt: skip
    assert "\tga-ge-export-licensing\n" in run("list").stdout


def test_other_commands_never_import_tuf(feed, tmp_path):
    """Start-up does not grow: only `update` loads the TUF client, even with a store installed."""
    feed.publish(FEED_STORE)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}  # fmt: skip
    code = ("import sys, reetimeline.cli as c\n"
            "sys.argv = ['reetimeline'] + sys.argv[1:]\n"
            "try:\n    c.app()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tuf', 'securesystemslib', 'urllib3', 'cryptography'))\n"
            "print('HEAVY', heavy)\n")  # fmt: skip

    def modules(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                              text=True, check=False)  # fmt: skip
        return done.stdout

    installed = modules("update", "--from", str(feed.folder), "--trusted-root", str(feed.root))
    assert "installed version 1" in installed and "'tuf.ngclient" in installed
    listed = modules("list")
    assert listed.endswith("HEAVY []\n")
    assert "\tfeed-gallium-licensing\n" in listed


# The addresses that the source may name: each exists in the repository today, and none is a feed.
ALLOWED_URLS = {
    "http://www.w3.org/2000/svg",  # the SVG namespace
    "https://example.com/report",  # an example in `add`'s help
    "https://no-color.org",  # cited in a docstring
}


def test_no_address_is_hard_coded_that_the_project_does_not_control():
    found = set()
    for path in [*sorted((ROOT / "src").rglob("*.py")), ROOT / "scripts" / "publish-feed"]:
        for url in re.findall(
            r"https?://[A-Za-z0-9][^\s\"'<>)`:,]*", path.read_text(encoding="utf-8")
        ):
            found.add(url.rstrip("."))
    assert found == ALLOWED_URLS
    assert reetimeline.cli.update.DEFAULT_FEED is None


def test_publish_feed_refuses_a_store_reetimeline_would_refuse(feed, tmp_path):
    store = tmp_path / "bad.toml"
    store.write_text(FEED_STORE.replace("current_to = 2026-12-01\n", ""), encoding="utf-8")
    with pytest.raises(publisher.PublishError, match="current_to: missing"):
        feed.publish(store.read_text(encoding="utf-8"))
    assert not (feed.folder / "metadata" / "timestamp.json").exists()


def test_publish_feed_command_line(tmp_path, capsys):
    key = tmp_path / "k.pem"
    assert publisher.main(["keygen", str(key)]) == 0
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    folder = tmp_path / "feed"
    keys = ["--targets-key", str(key), "--snapshot-key", str(key), "--timestamp-key", str(key)]
    assert publisher.main(["init", str(folder), "--root-key", str(key), *keys]) == 0
    store = tmp_path / "s.toml"
    store.write_text(FEED_STORE, encoding="utf-8")
    assert publisher.main(["publish", str(folder), str(store), *keys]) == 0
    assert publisher.main(["refresh", str(folder), *keys[2:]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [f"wrote {folder}/metadata/1.root.json: give this file to users as "
                       "their trusted_root", f"published {store} as version 1 of {folder}",
                       f"refreshed {folder}: timestamp version 2"]  # fmt: skip
    assert publisher.main(["init", str(folder), "--root-key", str(key), *keys]) == 1


def test_readme_fresh_data_examples_run_as_written(run, feed, today):
    """README's "Fresh data" commands, in order, against a feed named in the config file."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Fresh data", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("  #")[0].split()[1:] for block in
                re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)
                for line in block.splitlines() if line.startswith("reetimeline ")]  # fmt: skip
    assert [c[:2] for c in commands] == [["update", "--check"], ["update"], ["update", "--check"],
                                         ["doctor"]]  # fmt: skip
    feed.publish(FEED_STORE)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'feed = "{feed.folder}"\ntrusted_root = "{feed.root}"\n', encoding="utf-8")
    assert [run(*c).exit_code for c in commands] == [1, 0, 0, 0]


def test_packaged_store_path_is_the_shipped_one():
    assert packaged_store_path().read_text(encoding="utf-8").count("[[events]]") > 60


def test_bad_update_settings_in_the_config_file(run):
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "reetimeline" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('feed = 3\ntrusted_root = ""\nstale_after_days = -1\n', encoding="utf-8")
    result = run("update")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f'{config}:1: feed: must be a URL or a folder, like feed = "/shared/reetimeline-feed/"\n'
        f"{config}:2: trusted_root: must be the path of the feed's root.json\n"
        f"{config}:3: stale_after_days: -1 is not a number of days from 0 (never) to 36525\n"
    )


def test_add_never_writes_into_the_installed_feed_store(run, feed, today):
    feed.publish(FEED_STORE)
    assert (
        run("update", "--from", str(feed.folder), "--trusted-root", str(feed.root)).exit_code == 0
    )
    installed = next(curated_folder().glob("v1-*")) / "events.toml"
    result = run("--store", str(installed), "add", "--date", "2026-12-02", "--title", "Mine",
                 "-k", "other")  # fmt: skip
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"reetimeline: error: {installed} is the store installed with the "
                             "tool; write to your own store (--store FILE, or leave --store out "
                             "for your user store)\n")  # fmt: skip
    assert installed.read_text(encoding="utf-8") == FEED_STORE


def test_the_feed_from_the_environment_and_from_beats_it(run, feed, today, monkeypatch, tmp_path):
    feed.publish(FEED_STORE)
    monkeypatch.setenv("REETIMELINE_FEED", str(tmp_path / "nowhere"))
    refused = run("update", "--check", "--trusted-root", str(feed.root))
    assert (refused.exit_code, refused.stderr) == (
        1,
        f"offline: the feed folder {tmp_path / 'nowhere'} does not exist or is not a folder\n",
    )
    monkeypatch.setenv("REETIMELINE_FEED", str(feed.folder))
    assert run("update", "--check", "--trusted-root", str(feed.root)).exit_code == 1
    beaten = run("update", "--from", str(tmp_path / "nowhere"), "--trusted-root", str(feed.root))
    assert beaten.exit_code == 1
