"""kill -9 at any moment, then the same command: the job completes, nothing lost, nothing twice.

The crawl process is killed for real (SIGKILL to its pid, as an OOM killer or a
reboot would), at chosen moments and at random ones, and the archive is then
checked from the outside: records, WARC files (`warcio check`), leftovers, lock.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.processes import assert_all_end, descendants
from tests.plugins.cli import REPO, run_cli
from tests.plugins.seaweed import SeaweedServer
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.archive_contents import comparable, download_bucket, leftovers, records, spooled, warcio_check
from tests.support.expected_archive import listed_ids, window_days

pytestmark = pytest.mark.e2e


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """The crawl in the background; its log goes to a file (a pipe nobody reads would block it)."""
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"newsarchive-kill-{os.getpid()}.log", "ab")
    with log:
        return subprocess.Popen([sys.executable, "-m", "newsarchive", *args], cwd=REPO,
                                env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=log)


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 60) -> bool:
    """SIGKILL the crawl once `ready()` holds; False if it finished first. No process of the crawl (its parse
    workers) may outlive it."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.01)
    workers = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_all_end(workers)
    return True


def assert_complete(site: SiteServer, store: Path) -> None:
    """Every listed article recorded exactly once, as the site shows it; every WARC sound; nothing left over."""
    got = records(store)  # fails on an id recorded twice
    assert set(got) == listed_ids(site.corpus, window_days())
    truth = site.corpus.expected_records()
    assert all(comparable(record) == truth[i] for i, record in got.items())
    warcio_check(store)
    assert leftovers(store) == []
    assert not (store / "state" / "lock.json").exists()
    staging = store / ".staging"
    assert not staging.exists() or not any(staging.rglob("*.warc.gz*"))


def local_args(site: SiteServer, store: Path, *extra: str) -> list[str]:
    return ["crawl", "--base-url", site.base_url, "--store", str(store), *extra]


def article_hits(site: SiteServer) -> int:
    return sum(site.article_hits(i) for i in listed_ids(site.corpus, window_days()))


@pytest.mark.parametrize("moment", ["warc-open", "fetching", "fetched-all"])
def test_kill_at_a_moment_then_rerun(fresh_site: SiteServer, tmp_path: Path, moment: str) -> None:
    store = tmp_path / "archive"
    ids = sorted(listed_ids(fresh_site.corpus, window_days()))
    for article_id in ids[::4]:  # slow enough to land the kill where we want it
        fresh_site.inject(fresh_site.corpus[article_id].path(), Fault.slow(0.3))
    moments = {
        "warc-open": lambda: any((store / ".staging").rglob("*.warc.gz.open")),
        "fetching": lambda: article_hits(fresh_site) >= len(ids) // 2,
        "fetched-all": lambda: article_hits(fresh_site) >= len(ids),
    }
    proc = start(local_args(fresh_site, store))
    assert kill_when(proc, moments[moment])
    result = run_cli(*local_args(fresh_site, store))
    assert result.code == Exit.OK, result
    assert_complete(fresh_site, store)


def test_kill_while_uploading_to_seaweedfs(fresh_site: SiteServer, seaweed: SeaweedServer, tmp_path: Path) -> None:
    spool, prefix = tmp_path / "spool", f"kill-{os.getpid()}-{time.monotonic_ns()}"
    args = ["crawl", "--base-url", fresh_site.base_url, "--store", f"s3://{seaweed.bucket}/{prefix}",
            "--spool-dir", str(spool)]
    ids = listed_ids(fresh_site.corpus, window_days())
    proc = start(args, env=seaweed.env)
    # the moment the last articles are in and records, state and WARC files are on their way up
    assert kill_when(proc, lambda: article_hits(fresh_site) >= len(ids) and any(spool.glob("*.json")))
    result = run_cli(*args, env=seaweed.env)
    assert result.code == Exit.OK, result
    assert spooled(spool) == []
    assert_complete(fresh_site, download_bucket(seaweed.client(), seaweed.bucket, prefix, tmp_path / "copy"))


def test_random_kills_across_many_runs(make_site: Callable[..., SiteServer], tmp_path: Path) -> None:
    """20 runs of the same command killed at random moments, with edits on the site between runs."""
    from tests.site.corpus import default_days

    site = make_site(days=default_days(2), per_section=3)
    store = tmp_path / "archive"
    rng = random.Random(20261127)
    ids = sorted(listed_ids(site.corpus, window_days()))
    # --refresh: every run does the whole job again, so every moment of a run is a moment worth killing
    command = local_args(site, store, "--refresh")
    first = run_cli(*command)
    assert first.code == Exit.OK, first
    # the moments to kill at are drawn over a run like the killed ones (a refresh of a full store), not over the
    # first run, which also parses and writes every record: on a loaded machine that one can take twice as long;
    # and over the shorter of two such runs, so a burst of load during one cannot push the moments past the end
    durations = []
    for _ in range(2):
        started = time.monotonic()
        calibration = run_cli(*command)
        assert calibration.code == Exit.OK, calibration
        durations.append(time.monotonic() - started)
    duration = min(durations)
    killed = 0
    for run in range(20):
        if run % 5 == 4:  # an editor corrects a story: the runs must record the change
            article = site.corpus[rng.choice(ids)]
            site.corpus.edit(article.id, body=[*article.body, f"Correction number {run}."])
        proc = start(command)
        deadline = time.monotonic() + rng.uniform(0.05, 0.95) * duration
        killed += kill_when(proc, lambda deadline=deadline: time.monotonic() >= deadline)
        if proc.returncode not in (-signal.SIGKILL, Exit.OK):
            pytest.fail(f"run {run} exited {proc.returncode}")
    assert killed >= 15, f"only {killed} of 20 runs were killed mid-way"
    final = run_cli(*command)
    assert final.code == Exit.OK, final
    assert_complete(site, store)
    # history holds earlier versions of edited articles only, never a copy of an unchanged one
    for path in (store / "history").rglob("*.json") if (store / "history").exists() else []:
        assert path.parent.name in ids
