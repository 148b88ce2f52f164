"""Replay for the tests: the replay environment (made by the recipe `make replay-venv` runs), a crawled store
with the requisites a page uses planted beside it, and `newsarchive replay` run as a user runs it.

The store is a real crawl of the local site (a mirror: records keep the site's URLs, WARC the mirror's).
The crawl does not capture stylesheets and photos yet, so the tests plant them with the project's own
WarcWriter, under the mirror URLs a crawl of the mirror would fetch: the stylesheet the article page links,
an image that stylesheet names in a `url()`, the article's first photo, and a truncated capture (a script
whose server announced 20,000 bytes of which 5,000 were kept).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.cdxj import CdxLine, timestamp14, url_key
from newsarchive.archive.replay import as_fetched
from newsarchive.archive.warcread import read_record
from newsarchive.exitcodes import Exit
from newsarchive.replay.env import ReplayEnv
from newsarchive.store import LocalStore
from tests.captures import Page, write_captures
from tests.plugins.cli import REPO
from tests.plugins.process import ServerProcess, free_port
from tests.support.crawled_archive import crawled_archive, small_site

STYLESHEET = "https://www.taipeitimes.com/assets/css/style.css?v=20241016"  # as the article page links it
BACKGROUND = "https://www.taipeitimes.com/assets/images/bg-header.png"  # named by the stylesheet
BIG_SCRIPT = "https://www.taipeitimes.com/assets/js/big.js"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"


@dataclass
class Planted:
    """A crawled store and what was planted in it: site URL -> (mirror URL captured, body)."""

    root: Path
    article: dict[str, Any]  # the record of the article the requisites belong to
    captures: dict[str, tuple[str, bytes]]
    truncated: tuple[str, int, int]  # mirror URL, bytes kept, bytes announced

    @property
    def store(self) -> LocalStore:
        return LocalStore(self.root)

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted((self.root / "records").rglob("*.json"))]


def captured_payload(store: LocalStore, capture: dict[str, Any]) -> bytes:
    """The HTTP payload of a capture as stored (still content-encoded): what id_ replay must send."""
    return read_record(store, capture["warc"], capture["offset"], capture["length"]).payload


def store_captures(root: Path) -> dict[str, list[CdxLine]]:
    """Every capture a store holds, by URL key, read from the per-WARC indexes themselves."""
    found: dict[str, list[CdxLine]] = {}
    for path in (root / "warc").rglob("*.cdxj"):
        warc = path.relative_to(root).as_posix()[: -len(".cdxj")] + ".warc.gz"
        for text in path.read_text().splitlines():
            line = CdxLine.parse(text)
            if line is not None:
                found.setdefault(line.urlkey, []).append(line.moved(warc))
    return found


def closest_payloads(planted: Planted, url: str) -> set[bytes]:
    """The payloads of the store's captures of a URL the article's page names (as named, or on the mirror)
    closest in time to the article's: what a replay at the article's time must send. Empty if there are none.
    (More than one on a tie; the crawl may capture these URLs too, once it captures requisites.)"""
    when = int(timestamp14(planted.article["fetched_at"]))
    everything = store_captures(planted.root)
    lines = [line for u in as_fetched(url, planted.article["fetched_url"]) for line in everything.get(url_key(u), [])]
    if not lines:
        return set()
    best = min(abs(int(line.timestamp) - when) for line in lines)
    return {read_record(planted.store, line.filename, line.offset, line.length).payload
            for line in lines if abs(int(line.timestamp) - when) == best}


def plant(root: Path, article: dict[str, Any]) -> Planted:
    mirror = article["fetched_url"]
    when = dt.datetime.fromisoformat(article["fetched_at"].replace("Z", "+00:00")) + dt.timedelta(seconds=1)
    photo = article["images"][0]["url"]
    css = ".header{background:url('../images/bg-header.png') no-repeat}"  # BACKGROUND, relative to the stylesheet
    bodies = {STYLESHEET: ("text/css", css.encode()), BACKGROUND: ("image/png", PNG), photo: ("image/jpeg", JPEG)}
    pages = [Page(as_fetched(url, mirror)[1], body, kind, date=when, gzipped=kind == "text/css")
             for url, (kind, body) in bodies.items()]
    big = as_fetched(BIG_SCRIPT, mirror)[1]
    pages.append(Page(big, b"/* kept */" + b"x" * 4990, "application/javascript", date=when, truncated="length",
                      declared_length=20_000))
    write_captures(LocalStore(root), pages)
    captures = {url: (page.url, page.body) for url, page in zip(bodies, pages)}
    return Planted(root, article, captures, (big, 5000, 20_000))


@pytest.fixture(scope="session")
def replay_env() -> ReplayEnv:
    """The replay environment, made now if `make test` did not make it already (same recipe)."""
    return ReplayEnv().ensure(say=lambda line: print(line, file=sys.stderr))


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    """A crawl of a small site of its own (two days, two sections), with requisites planted: tests only read it."""
    root = crawled_archive(small_site(), tmp_path_factory.mktemp("replay"), Exit.OK)
    records = [json.loads(p.read_text()) for p in sorted((root / "records").rglob("*.json"))]
    article = next(r for r in records if r["images"])
    return plant(root, article)


@pytest.fixture
def planted_copy(planted: Planted, tmp_path: Path) -> Planted:
    """The planted store, copied for a test that adds to it."""
    root = tmp_path / "archive"
    shutil.copytree(planted.root, root)
    return Planted(root, planted.article, planted.captures, planted.truncated)


class ReplayProcess:
    """`newsarchive replay` in a child process, as a user (or the web app) starts it."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, **(env or {})}
        full_env.pop("NEWSARCHIVE_STORE", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "newsarchive", "replay", "--port", "0", *args],
                                     cwd=REPO, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.err = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_url(self, timeout: float = 120) -> str:
        """The collection URL from the line printed once pywb answers."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        if not line or " at " not in line:
            self.stop()
            raise AssertionError(f"replay did not start: {line!r} {self.err}")
        return line.split(" at ", 1)[1].split()[0]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            _, self.err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, self.err = self.proc.communicate()
        return self.proc.returncode


@contextmanager
def running_replay(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[ReplayProcess, str]]:
    replay = ReplayProcess(*args, env=env)
    try:
        yield replay, replay.wait_url()
    finally:
        replay.stop()


class Wayback(ServerProcess):
    """pywb's own `wayback` over a folder of collections (what `wb-manager` makes), as another archive runs it."""

    name = "wayback"

    def __init__(self, env: ReplayEnv, root: Path) -> None:
        self.env, self.root, self.port = env, root, free_port()
        self.log = root / "wayback.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        self.spawn([str(self.env.bin("wayback")), "-p", str(self.port), "-b", "127.0.0.1"], cwd=self.root, log=self.log)
        self.wait_ready(lambda: urllib.request.urlopen(self.base_url + "/", timeout=5).read(), timeout, log=self.log)


def wb_manager(env: ReplayEnv, root: Path, *args: str) -> None:
    subprocess.run([str(env.bin("wb-manager")), *args], cwd=root, check=True, capture_output=True, timeout=300)


def upload(weed: Any, root: Path, prefix: str) -> None:
    """A local store's objects into the SeaweedFS bucket under `prefix`: the same store, on S3."""
    client = weed.client()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not rel.parts[0].startswith("."):
            client.upload_file(str(path), weed.bucket, f"{prefix}/{rel.as_posix()}")
