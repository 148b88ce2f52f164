"""A local crawl loads only what it uses (issue 15): every module a component names is imported by Scrapy, used or
not, and an unused library costs each crawl's start (aiohttp, redis, boto3, pyarrow, tantivy: ~0.3 s of CPU
together). tldextract does load: surt, which keys the CDXJ lines as cdxj-indexer does, imports it. The crawl runs
under `python -X importtime`, whose report names every module the process (and its forked parse worker) imported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.plugins.cli import REPO
from tests.site.server import SiteServer

pytestmark = pytest.mark.e2e

#: what a crawl into a local store never needs: the S3 client, the Redis frontier, the search index and its exports,
#: Scrapy's unused download handlers and extensions (aiohttp), the reading room
NOT_FOR_A_LOCAL_CRAWL = {"boto3", "botocore", "redis", "scrapy_redis", "pyarrow", "tantivy", "aiohttp", "fastapi",
                         "uvicorn", "jinja2", "numpy", "datasketch"}


def imported(stderr: str) -> set[str]:
    """Top-level packages in `python -X importtime`'s report (`import time: self | cumulative | name`)."""
    return {m.group(1) for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\w+)", stderr, re.M)}


def test_a_local_crawl_imports_only_what_it_uses(site: SiteServer, tmp_path: Path) -> None:
    day = site.corpus.days[-1].isoformat()
    env = {k: v for k, v in os.environ.items() if k != "NEWSARCHIVE_STORE"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "newsarchive", "crawl", "--base-url",
                             site.base_url, "--store", str(tmp_path / "archive"), "--since", day, "--until", day,
                             "--max-articles", "1"], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert result.returncode == Exit.OK, result.stderr[-2000:]
    loaded = imported(result.stderr)
    assert {"scrapy", "warcio", "bs4"} <= loaded  # the report is read right: what a crawl does use is there
    assert loaded & NOT_FOR_A_LOCAL_CRAWL == set()
