"""Crawls into a real S3-compatible store (SeaweedFS): complete, and nothing lost when the bucket goes away."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.plugins.cli import REPO, assert_one_line_error, run_cli
from tests.plugins.seaweed import SeaweedServer
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.archive_contents import comparable, download_bucket, records, spooled, warcio_check
from tests.support.expected_archive import listed_ids, window_days

pytestmark = pytest.mark.e2e


def s3_crawl_args(site: SiteServer, weed: SeaweedServer, prefix: str, spool: Path, *extra: str) -> list[str]:
    return ["crawl", "--base-url", site.base_url, "--store", f"s3://{weed.bucket}/{prefix}",
            "--spool-dir", str(spool), *extra]


def fetch(weed: SeaweedServer, prefix: str, dest: Path) -> Path:
    return download_bucket(weed.client(), weed.bucket, prefix, dest)


def test_crawl_into_seaweedfs(fresh_site: SiteServer, seaweed: SeaweedServer, tmp_path: Path) -> None:
    prefix = f"tt-{uuid.uuid4().hex[:8]}"
    result = run_cli(*s3_crawl_args(fresh_site, seaweed, prefix, tmp_path / "spool"), env=seaweed.env)
    assert result.code == Exit.OK, result
    local = fetch(seaweed, prefix, tmp_path / "copy")
    got = records(local)
    assert set(got) == listed_ids(fresh_site.corpus, window_days())
    truth = fresh_site.corpus.expected_records()
    assert all(comparable(r) == truth[i] for i, r in got.items())
    warcio_check(local)
    assert list((local / "runs").glob("*.json")) and not (local / "state" / "lock.json").exists()
    assert spooled(tmp_path / "spool") == []
    # the endpoint may come from --s3-endpoint-url too; a second run is incremental there as well
    env = {k: v for k, v in seaweed.env.items() if k != "AWS_ENDPOINT_URL"}
    fresh_site.reset_hits()
    again = run_cli(*s3_crawl_args(fresh_site, seaweed, prefix, tmp_path / "spool",
                                   "--s3-endpoint-url", seaweed.endpoint_url), env=env)
    assert again.code == Exit.OK, again
    assert not any(fresh_site.article_hits(i) for i in got)


def test_store_errors_at_the_start(fresh_site: SiteServer, seaweed: SeaweedServer, tmp_path: Path) -> None:
    bad = dict(seaweed.env, AWS_SECRET_ACCESS_KEY="not-the-secret-0123456789")
    denied = run_cli(*s3_crawl_args(fresh_site, seaweed, "x", tmp_path / "spool"), env=bad)
    assert_one_line_error(denied, Exit.STORE_DENIED)
    assert "not-the-secret" not in denied.err
    down = dict(seaweed.env, AWS_ENDPOINT_URL="http://127.0.0.1:9")
    unreachable = run_cli(*s3_crawl_args(fresh_site, seaweed, "x", tmp_path / "spool"), env=down)
    assert_one_line_error(unreachable, Exit.STORE_UNREACHABLE)
    assert fresh_site.total_hits() == 0


def test_bucket_down_mid_crawl_loses_nothing(fresh_site: SiteServer, fresh_seaweed: SeaweedServer,
                                            tmp_path: Path) -> None:
    ids = sorted(listed_ids(fresh_site.corpus, window_days()))
    for article_id in ids[::3]:  # a crawl long enough to pull the plug in the middle of it
        fresh_site.inject(fresh_site.corpus[article_id].path(), Fault.slow(0.4))
    spool = tmp_path / "spool"
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", *s3_crawl_args(fresh_site, fresh_seaweed, "tt", spool)],
        cwd=REPO, env={**__import__("os").environ, **fresh_seaweed.env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while sum(fresh_site.article_hits(i) for i in ids) < len(ids) // 4:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    fresh_seaweed.stop()
    time.sleep(2)
    fresh_seaweed.start()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == Exit.OK, err
    local = fetch(fresh_seaweed, "tt", tmp_path / "copy")
    assert set(records(local)) == set(ids)
    warcio_check(local)
    assert spooled(spool) == []
