"""The settings a crawl derives from other settings, as a Scrapy add-on.

Two rules: a mirror on the loopback (tests, demos, benchmarks) is crawled at
full speed, since politeness is for the real site; and a Redis frontier swaps
in the shared scheduler and duplicate filter. Scrapy applies add-ons before it
builds anything, for `newsarchive crawl`, `scrapy crawl` and Scrapyd alike;
`newsarchive crawl` applies the same add-on to the settings it checks first.
Rules go in at "project" priority, over the polite defaults of the project's settings
module; anything given with `-s` or `--set` still wins.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings


def is_loopback(base_url: str | None) -> bool:
    try:
        host = urlsplit(base_url or "").hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def speed_settings(base_url: str | None) -> dict[str, Any]:
    """Full speed against a local copy of the site: politeness is for the real one."""
    if not is_loopback(base_url):
        return {}
    return {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "NEWSARCHIVE_RETRY_BACKOFF": 0.05,
        "DOWNLOAD_TIMEOUT": 20,
    }


def frontier_settings(url: str | None) -> dict[str, Any]:
    """The settings that route scheduling through Redis when a frontier is set; none otherwise.

    The store lock is turned off: workers sharing a frontier would otherwise lock
    each other out; they coordinate through Redis instead.
    """
    if not url:
        return {}
    return {
        "SCHEDULER": "newsarchive.crawl.scheduler.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "newsarchive.crawl.scheduler.LeasedPriorityQueue",
        "DUPEFILTER_CLASS": "newsarchive.crawl.scheduler.FrontierDupeFilter",
        # the scheduler empties Redis itself, once the whole crawl (not one worker) is done
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "REDIS_URL": url,
        # the password from the environment, at connect time (newsarchive.crawl.frontier.FrontierRedis)
        "REDIS_PARAMS": {"redis_cls": "newsarchive.crawl.frontier.FrontierRedis"},
        "NEWSARCHIVE_LOCK": False,
    }


CONTACT_ENV = "NEWSARCHIVE_CONTACT"


def contact(settings: BaseSettings) -> str | None:
    """Who runs the crawl: NEWSARCHIVE_CONTACT (--contact), else $NEWSARCHIVE_CONTACT, else None."""
    value = settings.get("NEWSARCHIVE_CONTACT") or os.environ.get(CONTACT_ENV) or ""
    return " ".join(str(value).split()) or None


def contact_warning(settings: BaseSettings) -> str | None:
    """The one warning a crawl of the real site (or any mirror not on the loopback) logs without a contact."""
    if contact(settings) is not None or is_loopback(settings.get("NEWSARCHIVE_BASE_URL")):
        return None
    return ("no contact set (--contact or NEWSARCHIVE_CONTACT): the User-Agent and the WARC files name nobody the "
            "site's operators can reach about this crawl")


def user_agent(base: str, who: str | None) -> str:
    """The User-Agent with the operator's contact inside its comment: "newsarchive/0.1.0 (archival crawler; contact: X)"."""
    if not who:
        return base
    if base.endswith(")"):
        return f"{base[:-1]}; contact: {who})"
    return f"{base} (contact: {who})"


class NewsarchiveAddon:
    """Enabled in newsarchive.crawl.settings (ADDONS)."""

    def update_settings(self, settings: BaseSettings) -> None:
        who = contact(settings)
        if who:
            if settings.get("NEWSARCHIVE_CONTACT") != who:  # from the environment: the warcinfo reads it too
                settings.set("NEWSARCHIVE_CONTACT", who, priority="project")
            agent = settings.get("USER_AGENT") or ""
            # a User-Agent the user set whole (--set USER_AGENT=...) is sent as given
            if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"] and "contact:" not in agent:
                settings.set("USER_AGENT", user_agent(agent, who), priority="project")
        url = settings.get("NEWSARCHIVE_FRONTIER")
        if url:  # a password in the URL leaves the settings before Scrapy logs them (newsarchive.crawl.frontier)
            from newsarchive.crawl.frontier import without_password  # redis loads only for a crawl with a frontier

            settings.set("NEWSARCHIVE_FRONTIER", without_password(url),
                         priority=settings.getpriority("NEWSARCHIVE_FRONTIER") or "project")
        settings.setdict(speed_settings(settings.get("NEWSARCHIVE_BASE_URL")), priority="project")
        settings.setdict(frontier_settings(settings.get("NEWSARCHIVE_FRONTIER")), priority="project")
