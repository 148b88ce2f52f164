"""`scrapy list` and `scrapy crawl` from the checkout: the path Scrapyd takes, without Scrapyd.

scrapy.cfg names newsarchive.crawl.settings, so Scrapy finds the project from the
checkout's folder; the store and the mirror come in as `-s` settings and the
window as `-a` spider arguments, exactly as Scrapyd passes them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.plugins.scrapyd import BIN, REPO, clean_env
from tests.site.server import SiteServer
from tests.support.expected_archive import assert_archived, run_reports

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def scrapy(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The `scrapy` command of this venv, run in the checkout (where scrapy.cfg is)."""
    return subprocess.run([str(BIN / "scrapy"), *args], cwd=REPO, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def test_scrapy_list_names_the_spider() -> None:
    result = scrapy("list")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["taipeitimes"]


def test_scrapy_crawl_archives_into_the_store_it_is_given(site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    day = site.corpus.latest_day
    sections = ["front", "world"]
    result = scrapy("crawl", "taipeitimes", "-a", f"since={day}", "-a", f"until={day}",
                    "-a", f"sections={','.join(sections)}",
                    "-s", f"NEWSARCHIVE_STORE={store}", "-s", f"NEWSARCHIVE_BASE_URL={site.base_url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_archived(store, site.corpus, [day], sections)
    (report,) = run_reports(store)
    # the spider's arguments reach the report though Scrapy, not newsarchive, created the run
    assert report["parameters"]["since"] == report["parameters"]["until"] == day.isoformat()
    assert report["parameters"]["sections"] == "front,world"
    # the loopback speed rules applied (Scrapy logs the settings that differ from its defaults)
    overridden = result.stderr.split("Overridden settings:", 1)[1].split("\n}", 1)[0]
    assert "'CONCURRENT_REQUESTS_PER_DOMAIN': 32" in overridden
    assert "'AUTOTHROTTLE_ENABLED'" not in overridden and "'DOWNLOAD_DELAY'" not in overridden
