"""newsarchive.crawl.addon: the settings a crawl derives from its base URL and its frontier, as Scrapy applies them."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsarchive.crawl import settings as project_settings
from newsarchive.crawl.addon import NewsarchiveAddon, frontier_settings, is_loopback, speed_settings

LOCAL = "http://127.0.0.1:8080"


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:8080", True),
    ("http://127.8.9.10/", True),
    ("http://localhost:1234/copy", True),
    ("http://[::1]:8080", True),
    ("https://www.taipeitimes.com", False),
    ("http://10.0.0.5:8080", False),
    ("http://localhost.example.com", False),
    ("http://[::1", False),  # unparseable: not loopback, not an error here
    ("", False),
    (None, False),
])
def test_is_loopback(url: str | None, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_full_speed_only_on_the_loopback() -> None:
    assert speed_settings("https://www.taipeitimes.com") == {} == speed_settings(None)
    fast = speed_settings(LOCAL)
    assert fast["DOWNLOAD_DELAY"] == 0 and fast["AUTOTHROTTLE_ENABLED"] is False
    assert fast["CONCURRENT_REQUESTS_PER_DOMAIN"] == 32


def test_a_frontier_swaps_the_scheduler_and_drops_the_store_lock() -> None:
    assert frontier_settings(None) == {} == frontier_settings("")
    shared = frontier_settings("redis://127.0.0.1:6379/0")
    assert shared["SCHEDULER"] == "newsarchive.crawl.scheduler.FrontierScheduler"
    assert shared["DUPEFILTER_CLASS"] == "newsarchive.crawl.scheduler.FrontierDupeFilter"
    assert shared["REDIS_URL"] == "redis://127.0.0.1:6379/0" and shared["NEWSARCHIVE_LOCK"] is False


def project(**cmdline: Any) -> Settings:
    """The project's settings module, plus `-s` settings at the command line's priority."""
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(cmdline, priority="cmdline")
    return settings


def test_the_addon_keeps_the_polite_defaults_for_the_real_site() -> None:
    settings = project()
    NewsarchiveAddon().update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.5 and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2 and settings.getbool("NEWSARCHIVE_LOCK")


def test_the_addon_lifts_the_brakes_on_a_local_mirror_but_the_command_line_wins() -> None:
    settings = project(NEWSARCHIVE_BASE_URL=LOCAL, DOWNLOAD_DELAY=2)
    NewsarchiveAddon().update_settings(settings)
    assert not settings.getbool("AUTOTHROTTLE_ENABLED") and settings.getint("CONCURRENT_REQUESTS") == 32
    assert settings.getfloat("DOWNLOAD_DELAY") == 2  # given with -s: kept


def test_scrapy_applies_the_addon_named_in_the_project_settings() -> None:
    """How `scrapy crawl` and Scrapyd get the same rules as `newsarchive crawl`: ADDONS, applied by the crawler."""
    module = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    crawler = get_crawler(settings_dict={**module, "NEWSARCHIVE_BASE_URL": LOCAL,
                                         "NEWSARCHIVE_FRONTIER": "redis://127.0.0.1:1/0"})
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0
    assert crawler.settings.get("SCHEDULER") == "newsarchive.crawl.scheduler.FrontierScheduler"
    assert crawler.settings.getbool("NEWSARCHIVE_LOCK") is False
