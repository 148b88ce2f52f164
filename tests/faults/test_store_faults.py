"""The S3 store failing under a crawl: down for the whole run, slow, answering 503. Nothing may be lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.s3proxy import FaultyProxy
from tests.plugins.cli import REPO, run_cli
from tests.plugins.seaweed import SeaweedServer
from tests.site.server import SiteServer
from tests.support.archive_contents import comparable, download_bucket, records, spooled, warcio_check
from tests.support.expected_archive import listed_ids, window_days

pytestmark = pytest.mark.e2e


def args_for(site: SiteServer, weed: SeaweedServer, spool: Path, prefix: str = "tt", *extra: str) -> list[str]:
    return ["crawl", "--base-url", site.base_url, "--store", f"s3://{weed.bucket}/{prefix}",
            "--spool-dir", str(spool), *extra]


def assert_uploaded_whole(site: SiteServer, weed: SeaweedServer, prefix: str, dest: Path) -> None:
    local = download_bucket(weed.client(), weed.bucket, prefix, dest)
    got = records(local)
    assert set(got) == listed_ids(site.corpus, window_days())
    truth = site.corpus.expected_records()
    assert all(comparable(r) == truth[i] for i, r in got.items())
    warcio_check(local)


def test_store_down_for_the_whole_run_spools_then_uploads(fresh_site: SiteServer, fresh_seaweed: SeaweedServer,
                                                         tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    args = args_for(fresh_site, fresh_seaweed, spool, "tt", "--set", "NEWSARCHIVE_FLUSH_TIMEOUT=1")
    proc = subprocess.Popen([sys.executable, "-m", "newsarchive", *args], cwd=REPO,
                            env={**os.environ, **fresh_seaweed.env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    # the start-up check has passed once the site sees its first request; then the bucket goes away
    deadline = time.monotonic() + 30
    while fresh_site.total_hits() == 0:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    fresh_seaweed.stop()
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == Exit.SPOOLED, err
    assert "wait in the spool" in err and "Traceback" not in err
    waiting = spooled(spool)
    assert any(k.startswith("records/") for k in waiting) and any(k.endswith(".warc.gz") for k in waiting)
    # the next run, with the bucket back, uploads everything and fetches no article again
    fresh_seaweed.start()
    fresh_site.reset_hits()
    again = run_cli(*args_for(fresh_site, fresh_seaweed, spool), env=fresh_seaweed.env)
    assert again.code == Exit.OK, again
    assert not any(fresh_site.article_hits(i) for i in listed_ids(fresh_site.corpus, window_days()))
    assert spooled(spool) == []
    assert_uploaded_whole(fresh_site, fresh_seaweed, "tt", tmp_path / "copy")


def test_slow_store(fresh_site: SiteServer, seaweed: SeaweedServer, tmp_path: Path) -> None:
    prefix = f"slow-{time.monotonic_ns()}"
    with FaultyProxy(seaweed.endpoint_url) as proxy:
        proxy.delay = 0.05
        env = dict(seaweed.env, AWS_ENDPOINT_URL=proxy.url)
        result = run_cli(*args_for(fresh_site, seaweed, tmp_path / "spool", prefix), env=env)
    assert result.code == Exit.OK, result
    assert proxy.requests > 50
    assert spooled(tmp_path / "spool") == []
    assert_uploaded_whole(fresh_site, seaweed, prefix, tmp_path / "copy")


def test_store_answering_503_for_a_while(fresh_site: SiteServer, seaweed: SeaweedServer, tmp_path: Path) -> None:
    prefix = f"busy-{time.monotonic_ns()}"
    with FaultyProxy(seaweed.endpoint_url) as proxy:
        env = dict(seaweed.env, AWS_ENDPOINT_URL=proxy.url)
        proc = subprocess.Popen([sys.executable, "-m", "newsarchive", *args_for(fresh_site, seaweed, tmp_path / "spool", prefix)],
                                cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 30
        while fresh_site.total_hits() == 0:
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.01)
        proxy.fail_for(3.0)
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == Exit.OK, err
    assert proxy.failed > 0, "the store never answered 503: the test proved nothing"
    assert spooled(tmp_path / "spool") == []
    assert_uploaded_whole(fresh_site, seaweed, prefix, tmp_path / "copy")
