"""What the fault and security suite shares: a site that can be hostile, crawls measured from outside, reports.

The site here is the real local site (tests/site) with two additions a fault
test needs and the plain fixture does not give: when each request arrived (to
prove a Retry-After was honoured from the server's side, not from the
crawler's own clock) and pages planted at a URL (a list linking traversal
paths, a feed that is a billion-laughs bomb), served over the same HTTP stack.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsarchive.site.urls import match_article
from tests.faults.hostile import HostileSite
from tests.plugins.cli import REPO, Result
from tests.site.corpus import Corpus, SiteArticle, default_days
from tests.site.routes import HTML, Response, Router
from tests.site.server import SiteServer

#: sections the fault crawls cover: enough articles to fault several at once, few enough to be quick
SECTIONS = ("world", "biz", "taiwan")


class PlantedRouter(Router):
    """The site's router, except for targets a test planted a response at."""

    def __init__(self, corpus: Corpus) -> None:
        super().__init__(corpus)
        self.planted: dict[str, Response] = {}

    def get(self, target: str) -> Response:
        planted = self.planted.get(target)
        return planted if planted is not None else super().get(target)


class FaultSite(SiteServer):
    """The local site, recording when each request came and serving planted pages."""

    def __init__(self, corpus: Corpus) -> None:
        super().__init__(corpus)
        self.router = PlantedRouter(corpus)
        self._times: dict[str, list[float]] = {}
        self._times_lock = threading.Lock()

    def record_hit(self, target: str) -> None:
        super().record_hit(target)
        with self._times_lock:
            self._times.setdefault(target, []).append(time.monotonic())

    def article_hit_times(self, article_id: str) -> list[float]:
        """When the site was asked for one article, under any URL, in order."""
        with self._times_lock:
            return sorted(t for target, times in self._times.items()
                          if (ref := match_article(target)) is not None and ref.id == article_id for t in times)

    def plant(self, target: str, body: bytes | str, content_type: str = HTML, status: int = 200) -> None:
        """Serve `body` at exactly `target` (path and query, as the crawler will ask for it)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        assert isinstance(self.router, PlantedRouter)
        self.router.planted[target] = Response(status, data, content_type)

    @property
    def day(self) -> dt.date:
        return self.corpus.days[-1]

    def list_target(self, section: str) -> str:
        """The request target of a section's list for the site's (single) print day, as the spider asks for it."""
        return f"/News/{section}?pubdate={self.day.isoformat()}"

    def single_linked(self, sections: tuple[str, ...] = SECTIONS) -> list[SiteArticle]:
        """Articles linked under one URL only, so a fault on that path covers every way the crawl can reach them."""
        return [a for s in sections for a in self.corpus.on(self.day, s) if not a.cross_links]

    def expected_ids(self, sections: tuple[str, ...] = SECTIONS) -> set[str]:
        return {a.id for s in sections for a, _ in self.corpus.listing(s, self.day)}

    def linked_ids(self, target: str) -> set[str]:
        """Every article id the page at `target` links, wherever on the page (its list, "Most Popular", ...)."""
        body = self.router.get(target).body.decode("utf-8", "replace")
        return {ref.id for m in re.finditer(r'href="([^"]+)"', body) if (ref := match_article(m[1])) is not None}


@pytest.fixture
def make_fault_site(make_site: Callable[..., SiteServer]) -> Callable[..., FaultSite]:
    """make_fault_site(per_section=...) -> a started one-day site of its own, stopped after the test."""

    def make(per_section: int = 3, **corpus_kwargs: Any) -> FaultSite:
        return make_site(server_cls=FaultSite, days=default_days(1), per_section=per_section, **corpus_kwargs)

    return make


@pytest.fixture
def fault_site(make_fault_site: Callable[..., FaultSite]) -> FaultSite:
    return make_fault_site()


@dataclass
class Crawl:
    """One `newsarchive crawl` child process, as seen from outside."""

    result: Result
    #: the local store (None for an S3 store)
    store: Path | None
    #: peak resident set size of the crawl process and its reaped children (parse workers), in bytes
    peak_rss: int
    seconds: float

    @property
    def code(self) -> int:
        return self.result.code

    @property
    def run_id(self) -> str:
        """From the summary the crawl prints last ("newsarchive run <id>: OUTCOME")."""
        found = re.findall(r"^newsarchive run (\S+): ", self.result.err, re.M)
        assert found, f"no run summary on stderr: {self.result!r}"
        return found[-1]

    def report(self) -> dict[str, Any]:
        """This run's report, runs/<run id>.json."""
        assert self.store is not None, "an S3 crawl: read its report from the bucket"
        return json.loads((self.store / "runs" / f"{self.run_id}.json").read_text("utf-8"))

    def failures(self) -> dict[str | None, str]:
        """Failed articles of this run: id -> reason."""
        return {f["id"]: f["reason"] for f in self.report()["failures"] if f["kind"] == "article"}


def run_reports(store: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((store / "runs").glob("*.json"))]


#: runs argv[2:] and writes its peak RSS (KiB, from wait4) to the file argv[1]; exits as the command did. Why a
#: process between: a child started with vfork (subprocess's way on Linux) takes its parent's memory high-water
#: mark into its own at exec, so measured straight from pytest (300-400 MB once the suite is loaded) every command
#: would weigh at least as much as pytest. This small process's high-water mark is what its child inherits.
_MEASURE = """import os, signal, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
signal.signal(signal.SIGTERM, lambda *_: child.terminate())
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss))
if child.returncode < 0:
    signal.signal(-child.returncode, signal.SIG_DFL)
    os.kill(os.getpid(), -child.returncode)
sys.exit(child.returncode)
"""


def run_measured(args: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> tuple[Result, int, float]:
    """`newsarchive ARGS` as a child process, with its peak RSS from wait4 (the kernel's own accounting): the
    largest of the process and the children it reaped (parse workers).

    Like tests.plugins.cli.run_cli (same interpreter, same module, no inherited NEWSARCHIVE_STORE), started
    through a small measuring process (_MEASURE) that reads the high-water mark of exactly this command.
    """
    full_env = dict(os.environ)
    full_env.pop("NEWSARCHIVE_STORE", None)
    full_env.update(env or {})
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        rss_file = Path(folder) / "maxrss"
        command = [sys.executable, "-c", _MEASURE, str(rss_file), sys.executable, "-m", "newsarchive", *args]
        with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=full_env, cwd=REPO, start_new_session=True) as proc:
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the command too, not only the measuring process
                out, err = proc.communicate()
        code = proc.returncode
        peak_kib = int(rss_file.read_text() or 0) if rss_file.exists() else 0
    result = Result(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
    return result, peak_kib * 1024, time.monotonic() - started


def crawl(site: SiteServer, store: Path | str, *args: str, sections: tuple[str, ...] = SECTIONS,
          env: dict[str, str] | None = None, backfill: bool = True) -> Crawl:
    """A crawl into `store` (a path or URI), as an operator would start it: by default a backfill of the site's
    last print day; `backfill=False` is the daily crawl, which also reads the RSS feed, sitemap and JSON lists."""
    when = site.corpus.days[-1].isoformat()
    window = ["--since", when, "--until", when] if backfill else []
    result, peak, seconds = run_measured(
        ["crawl", "--base-url", site.base_url, "--store", str(store), *window, "--sections", ",".join(sections),
         *args], env=env)
    return Crawl(result, None if "://" in str(store) else Path(store), peak, seconds)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real, small file system at `path` (a tmpfs: the test runs as root), always unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True,
                   capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True, capture_output=True)


def remount_read_only(path: Path) -> None:
    """Make a tmpfs read-only in place: root ignores file modes, so only the kernel can refuse a write to root."""
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def files_under(root: Path) -> set[str]:
    """Every file and folder below `root`, as relative paths (what a test compares before and after a run)."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


#: every file a crawl may leave in a local store: the public layout (README), nothing else
STORE_FILE = re.compile(
    r"warc/\d{4}/\d{2}/\d{2}/TT-\d{20}-\d{5}-[A-Za-z0-9.-]+\.(?:warc\.gz|cdxj)"
    r"|records/\d{4}/\d{2}/\d{2}/\d{10}\.json"
    r"|history/\d{4}/\d{2}/\d{2}/\d{10}/\d{8}T\d{12}Z\.json"
    r"|runs/[A-Za-z0-9.-]+\.json"
    r"|state/articles/\d{10}\.json"
    r"|state/images-missing/\d{10}\.json"
    r"|state/urls/[0-9a-f]{40}\.json"
)


def assert_store_layout(store: Path) -> None:
    """Every file in the store has a key of the documented layout: no page text became a path."""
    stray = [p for p in sorted(store.rglob("*"))
             if p.is_file() and not STORE_FILE.fullmatch(p.relative_to(store).as_posix())]
    assert not stray, stray


@pytest.fixture
def hostile_site(make_site: Callable[..., SiteServer]) -> HostileSite:
    """A one-day hostile site of its own (tests/faults/hostile.py), 3 articles a section."""
    return make_site(server_cls=HostileSite, days=default_days(1), per_section=3)
