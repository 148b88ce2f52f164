"""Revisits of list pages and page requisites: each URL's last capture, read before it is fetched, kept after.

Articles are revisited through `state/articles/` (the spider hands the last
capture over with the request). List pages and requisites have no record;
their last capture is kept under `state/urls/` (newsarchive.archive.state.KnownUrls).
This downloader middleware reads it for every request that names a URL state
(`URL_STATE_META`; robots.txt too), in a thread (a store read must not stall the reactor), so
the capture extension writes a revisit record when the same bytes come again;
and it keeps the new state once a 200 is captured whole.

A requisite (`FRESHNESS_META`) whose last capture the site declared still
fresh (`Cache-Control: max-age`, `Expires`) is not fetched at all: the site
said it cannot have changed. Its freshness is capped at
NEWSARCHIVE_ASSETS_MAX_FRESH, so even "immutable" files are looked at again
now and then. List pages are always fetched: they are how new articles are found.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from newsarchive.archive.state import UrlState
from newsarchive.crawl.capture import CAPTURE_DATE_META, CAPTURE_META, IS_REVISIT_META, REVISIT_META, TRUNCATED_META
from newsarchive.crawl.run import CrawlRun
from newsarchive.dates import iso_utc, utc_now
from newsarchive.errors import StoreError

log = logging.getLogger(__name__)

#: request meta: the URL (as the real site names it) whose last capture a revisit may repeat
URL_STATE_META = "url_state"
#: request meta: skip the fetch while the last capture is fresh (requisites)
FRESHNESS_META = "skip_while_fresh"
_LOOKED_UP = "url_state_read"


class StillFresh(IgnoreRequest):
    """A requisite not fetched: its last capture is still fresh by the site's own word."""


def _parse_http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def freshness(headers: Mapping[str, str], received: dt.datetime, cap: float) -> float:
    """Seconds a response stays fresh by its own headers (lower-case names), at most `cap`; 0 if it does not say.

    `max-age` (less `Age`) wins over `Expires`; `no-store`, `no-cache` and an unreadable `Expires` mean 0. No
    heuristic freshness: a response that says nothing is asked for again.
    """
    directives: dict[str, str] = {}
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    if "max-age" in directives:
        try:
            seconds = float(int(directives["max-age"]))
        except ValueError:
            return 0.0
        try:
            seconds -= float(int(headers.get("age", "0") or 0))
        except ValueError:
            pass
    else:
        expires = _parse_http_date(headers.get("expires"))
        if expires is None:
            return 0.0
        date = _parse_http_date(headers.get("date")) or received
        seconds = (expires - date).total_seconds()
    return max(0.0, min(seconds, cap))


def _is_robots(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"


def _lower_headers(response: Response) -> dict[str, str]:
    return {name.decode("latin-1").lower(): values[-1].decode("latin-1")
            for name, values in response.headers.items() if values}


class UrlStateMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_fresh = crawler.settings.getfloat("NEWSARCHIVE_ASSETS_MAX_FRESH", 30 * 24 * 3600)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlStateMiddleware:
        return cls(crawler)

    @property
    def run(self) -> CrawlRun:
        return CrawlRun.of(self.crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get(URL_STATE_META) is None and _is_robots(request):
            # Scrapy's robots.txt middleware asks for it: an unchanged one is a revisit too
            request.meta[URL_STATE_META] = self.run.mirror.to_canonical(request.url)
        url = request.meta.get(URL_STATE_META)
        if not url or request.meta.get(_LOOKED_UP):
            return None  # retries and redirects carry what the first request read
        request.meta[_LOOKED_UP] = True
        try:
            state = await asyncio.to_thread(self.run.urls.get, url)
        except (OSError, StoreError) as exc:
            log.warning("state of %s cannot be read (%s): it is captured whole", url, exc)
            return None
        if state is None:
            return None
        if request.meta.get(FRESHNESS_META) and state.is_fresh(utc_now()):
            raise StillFresh(f"fresh until {state.fresh_until}, not fetched: {url}")
        request.meta[REVISIT_META] = state.revisit_of()
        return None

    async def process_response(self, request: Request, response: Response) -> Response:
        url = request.meta.get(URL_STATE_META)
        capture = request.meta.get(CAPTURE_META)
        if not url or response.status != 200 or not capture or request.meta.get(TRUNCATED_META):
            return response
        received: dt.datetime = request.meta.get(CAPTURE_DATE_META) or utc_now()
        fresh = freshness(_lower_headers(response), received, self.max_fresh) if request.meta.get(FRESHNESS_META) else 0
        fresh_until = iso_utc(received + dt.timedelta(seconds=fresh)) if fresh else None
        if request.meta.get(IS_REVISIT_META):
            previous = request.meta[REVISIT_META]
            if not fresh_until:
                return response  # nothing new to keep: the revisit refers to the capture the state names
            state = UrlState(url, previous["uri"], previous["date"], previous["record_id"], previous["payload_digest"],
                             fresh_until, iso_utc(received))
        else:
            state = UrlState(url, response.url, iso_utc(received), capture["record_id"], capture["payload_digest"],
                             fresh_until, iso_utc(received))
        try:
            await asyncio.to_thread(self.run.urls.remember, state)
        except (OSError, StoreError) as exc:
            self.run.store_failed(exc)
        return response
