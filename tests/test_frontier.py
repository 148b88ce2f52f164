"""Several `newsarchive crawl --frontier` processes sharing one crawl through a real Valkey.

What one process would have built, and nothing more: every listed article recorded once and fetched once
(counted at the site), WARC files valid and named apart, one run report per worker, Redis left clean. A
worker killed with SIGKILL mid-crawl: the others take over its in-flight requests and finish the job; a
re-run closes the WARC file it left open.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from newsarchive.exitcodes import Exit
from newsarchive.site.urls import match_article
from tests.plugins.cli import REPO, assert_one_line_error, run_cli
from tests.plugins.seaweed import SeaweedServer
from tests.plugins.valkey import free_port
from tests.site.corpus import default_days
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.archive_contents import download_bucket, records, warc_files, warcio_check
from tests.support.expected_archive import listed_ids

pytestmark = pytest.mark.e2e

DAYS = 2
PER_SECTION = 5  # 8 sections x 2 days x 5: ~80 articles, lists that paginate, cross-listed articles
#: short enough that a killed worker's requests come back within the test, long enough for a loaded machine
FAST_FRONTIER = ("-s", "NEWSARCHIVE_FRONTIER_LEASE_TTL=3", "-s", "NEWSARCHIVE_FRONTIER_GRACE=1")


def corpus_site(make_site: Callable[..., SiteServer]) -> SiteServer:
    return make_site(days=default_days(DAYS), per_section=PER_SECTION)


class Worker:
    """One `newsarchive crawl --frontier` process, its stderr kept in a file for the failure message."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        full_env = {k: v for k, v in os.environ.items() if k != "NEWSARCHIVE_STORE"}
        full_env.update(env or {})
        with open(log, "wb") as fh:
            self.proc = subprocess.Popen([sys.executable, "-m", "newsarchive", *args], cwd=REPO, env=full_env,
                                         stdout=subprocess.DEVNULL, stderr=fh, stdin=subprocess.DEVNULL)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait(self, timeout: float = 90) -> int:
        return self.proc.wait(timeout=timeout)

    def err(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def start_workers(n: int, args: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> list[Worker]:
    return [Worker(args, tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log", env) for _ in range(n)]


def finish(workers: list[Worker], code: int = Exit.OK) -> None:
    for worker in workers:
        assert worker.wait() == code, worker.err()


def wait_for(condition: Callable[[], object], timeout: float = 30, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def local_args(site: SiteServer, store: Path, frontier: str) -> list[str]:
    return ["crawl", "--base-url", site.base_url, "--store", str(store), "--frontier", frontier, *FAST_FRONTIER]


def assert_one_crawl(site: SiteServer, store: Path, workers: list[Worker]) -> None:
    """What a single process would have left: every listed article once, fetched once, valid WARC."""
    expected = listed_ids(site.corpus, default_days(DAYS))
    assert set(records(store)) == expected  # records() fails on an article stored twice
    twice = {i: site.article_hits(i) for i in expected if site.article_hits(i) != 1}
    assert twice == {}, "articles fetched more (or less) than once across the workers"
    warcio_check(store)
    names = [p.name for p in warc_files(store)]
    assert len(names) == len(set(names))
    reports = [json.loads(p.read_text()) for p in (store / "runs").glob("*.json")]
    assert len(reports) == len(workers)
    assert {r["run_id"].rsplit("-", 1)[1] for r in reports} == {str(w.pid) for w in workers}
    assert all(r["outcome"] == "OK" and r["parameters"]["frontier"].startswith("redis://") for r in reports)
    assert sum(r["counts"]["articles_new"] for r in reports) == len(expected)
    assert sorted(k for r in reports for k in r["warc_files"]) == sorted(
        str(p.relative_to(store)) for p in warc_files(store))
    assert not (store / "state" / "lock.json").exists()


def assert_redis_clean(url: str) -> None:
    """A finished crawl leaves no queue, duplicate filter, lease or worker behind (the next run starts afresh)."""
    left = [k.decode() for k in redis.Redis.from_url(url).keys("newsarchive:*")]
    assert not [k for k in left if k.rsplit(":", 1)[1] in ("queue", "seen", "workers") or ":lease:" in k], left


def test_two_workers_make_one_crawl_and_leave_each_others_warc_alone(
        make_site: Callable[..., SiteServer], valkey: str, tmp_path: Path) -> None:
    site = corpus_site(make_site)
    # a few slow articles keep the first worker busy while the second one starts and runs its recovery
    single = [i for i in sorted(listed_ids(site.corpus, default_days(DAYS))) if not site.corpus[i].cross_links]
    for article_id in single[:3]:  # linked under one URL only, so the fault covers every way to them
        site.inject(site.corpus[article_id].path(), Fault.slow(10.0))
    store = tmp_path / "archive"
    args = local_args(site, store, valkey)
    first = start_workers(1, args, tmp_path)[0]

    def open_warc(worker: Worker) -> list[Path]:
        return [p for p in store.rglob("*.warc.gz.open") if p.name.endswith(f"-{worker.pid}.warc.gz.open")]

    first_open = wait_for(lambda: open_warc(first), what="the first worker's WARC")
    second = start_workers(1, args, tmp_path)[0]
    # it joins the crawl only after its start-up recovery of dead workers' WARC files has run
    wait_for(lambda: "joins crawl" in second.err() or second.proc.poll() is not None, what="the second worker joining")
    assert first.proc.poll() is None, "the first worker ended too soon for this test to mean anything"
    assert all(p.exists() for p in first_open), "a starting worker touched a live worker's open WARC"
    finish([first, second])
    assert_one_crawl(site, store, [first, second])
    assert_redis_clean(valkey)


def test_three_workers_into_seaweedfs(make_site: Callable[..., SiteServer], seaweed: SeaweedServer, valkey: str,
                                      tmp_path: Path) -> None:
    site = corpus_site(make_site)
    prefix = f"frontier-{uuid.uuid4().hex[:8]}"
    # one machine's workers share its spool (it is safe between processes)
    args = ["crawl", "--base-url", site.base_url, "--store", f"s3://{seaweed.bucket}/{prefix}",
            "--spool-dir", str(tmp_path / "spool"), "--frontier", valkey, *FAST_FRONTIER]
    workers = start_workers(3, args, tmp_path, env=seaweed.env)
    finish(workers)
    local = download_bucket(seaweed.client(), seaweed.bucket, prefix, tmp_path / "copy")
    assert_one_crawl(site, local, workers)
    assert_redis_clean(valkey)


def _leased_article_ids(url: str, pid: int) -> set[str]:
    from scrapy_redis import picklecompat

    client = redis.Redis.from_url(url)
    ids = set()
    for key in client.keys(f"newsarchive:*:lease:*-{pid}"):
        for data in client.hkeys(key):
            ref = match_article(picklecompat.loads(data)["url"])
            if ref is not None:
                ids.add(ref.id)
    return ids


def test_a_worker_killed_mid_crawl_loses_nothing(make_site: Callable[..., SiteServer], valkey: str,
                                                 tmp_path: Path) -> None:
    site = corpus_site(make_site)
    expected = listed_ids(site.corpus, default_days(DAYS))
    for article_id in sorted(expected)[::2]:  # slow enough that both workers hold leases, even on a busy machine
        for slug, day in [(None, None), *site.corpus[article_id].cross_links]:
            site.inject(site.corpus[article_id].path(slug, day), Fault.slow(1.5))
    store = tmp_path / "archive"
    args = local_args(site, store, valkey)
    victim, survivor = start_workers(2, args, tmp_path)
    # kill it while it holds leases and has already archived something
    in_flight = wait_for(lambda: (store / "records").exists() and _leased_article_ids(valkey, victim.pid),
                         timeout=90, what="the victim holding leased articles")
    in_flight |= _leased_article_ids(valkey, victim.pid)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    finish([survivor])
    # the survivor fetched what the victim had in flight: the archive is complete without a re-run
    assert set(records(store)) == expected
    hits = {i: site.article_hits(i) for i in expected}
    assert all(n >= 1 for n in hits.values())
    assert {i for i, n in hits.items() if n > 1} <= in_flight, "only the victim's in-flight articles twice"
    assert any(p.name.endswith(f"-{victim.pid}.warc.gz.open") for p in store.rglob("*.open"))
    # a re-run (one worker) closes the victim's WARC and has nothing else to fetch
    site.reset_hits()
    rerun = start_workers(1, args, tmp_path)
    finish(rerun)
    assert not any(site.article_hits(i) for i in expected)
    assert set(records(store)) == expected
    warcio_check(store)
    for record in records(store).values():
        assert (store / record["capture"]["warc"]).exists(), record["id"]
    assert not list(store.rglob("*.open"))
    assert_redis_clean(valkey)


def test_frontier_errors_are_one_line(fresh_site: SiteServer, tmp_path: Path) -> None:
    base = ["crawl", "--base-url", fresh_site.base_url, "--store", str(tmp_path / "a")]
    bad = run_cli(*base, "--frontier", "http://127.0.0.1:1/0")
    assert_one_line_error(bad, Exit.USAGE)
    assert "frontier" in bad.err
    down = run_cli(*base, "--frontier", f"redis://127.0.0.1:{free_port()}/0")
    assert_one_line_error(down, Exit.STORE_UNREACHABLE)
    assert "cannot be reached" in down.err
    assert fresh_site.total_hits() == 0 and not (tmp_path / "a" / "records").exists()
