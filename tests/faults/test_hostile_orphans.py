"""No process outlives its crawl, whatever killed it (issue 11, item 11).

Before: a crawl killed with SIGKILL left its parse workers alive for ever
(parent PID 1, blocked on a pipe read, ~75 MB each; 15 of them after one run
of the suite), and they ignored SIGTERM. Each crawl here runs in a session of
its own, so "every process of the crawl" is every live process of that
session: after `kill -9` of the crawl alone, none may remain.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.hostile import HostileSite
from tests.faults.processes import alive, session, wait_until
from tests.plugins.cli import REPO
from tests.site.corpus import default_days
from tests.site.faults import Fault

pytestmark = pytest.mark.e2e

WORKERS = 2


@pytest.fixture
def slow_site(make_site: Callable[..., HostileSite]) -> HostileSite:
    """Articles that take a while each, so the crawl is still parsing when it is killed."""
    site = make_site(server_cls=HostileSite, days=default_days(2), per_section=6)
    for day in site.corpus.days:
        for section in ("world", "biz"):
            for article in site.articles(section, day):
                site.inject(article.path(), Fault.slow(0.4))
    return site


def start_crawl(site: HostileSite, store: Path, log: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "newsarchive", "crawl", "--base-url", site.base_url, "--store", str(store),
            "--since", site.corpus.days[0].isoformat(), "--until", site.day.isoformat(), "--sections", "world,biz",
            "--set", f"NEWSARCHIVE_PARSE_WORKERS={WORKERS}", "--set", "CONCURRENT_REQUESTS=4"]
    with open(log, "wb") as err:
        return subprocess.Popen(args, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)


def workers_of(proc: subprocess.Popen[bytes]) -> set[int]:
    return session(proc.pid) - {proc.pid}


def test_no_process_of_a_killed_crawl_survives_it(slow_site: HostileSite, tmp_path: Path) -> None:
    proc = start_crawl(slow_site, tmp_path / "archive", tmp_path / "crawl.log")
    try:
        wait_until(lambda: len(workers_of(proc)) >= WORKERS or proc.poll() is not None, 60, "parse workers")
        assert proc.poll() is None, (tmp_path / "crawl.log").read_text()[-2000:]
        workers = workers_of(proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wait_until(lambda: not session(proc.pid), 10, f"the killed crawl's workers {workers} to end")
    finally:
        for pid in session(proc.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_worker_obeys_sigterm_and_the_crawl_goes_on(slow_site: HostileSite, tmp_path: Path) -> None:
    store = tmp_path / "archive"
    proc = start_crawl(slow_site, store, tmp_path / "crawl.log")
    try:
        wait_until(lambda: len(workers_of(proc)) >= WORKERS or proc.poll() is not None, 60, "parse workers")
        victim = min(workers_of(proc))
        os.kill(victim, signal.SIGTERM)
        wait_until(lambda: not alive(victim), 10, "the worker to obey SIGTERM")
        assert proc.wait(timeout=240) in (Exit.OK, Exit.PARTIAL), (tmp_path / "crawl.log").read_text()[-3000:]
        log = (tmp_path / "crawl.log").read_text()
        assert "Traceback" not in log and "run " in log
        wait_until(lambda: not session(proc.pid), 10, "nothing of the crawl left")
    finally:
        for pid in session(proc.pid):
            os.kill(pid, signal.SIGKILL)
