"""Downloader middlewares: where requests may go, and how failures are retried.

Only the site (www.taipeitimes.com, or the configured mirror) and the paper's
image host are ever fetched: pages are untrusted input, and a link or redirect
to another host (ads, trackers, social widgets), or to a private or link-local
address, must not make the archive fetch it.

Retries are for pages that fail while the site is up. Until the site has
answered once, a request that cannot connect, or gets no answer within
NEWSARCHIVE_FIRST_RESPONSE_TIMEOUT, is not retried, and after
NEWSARCHIVE_UNREACHABLE_AFTER of them the crawl ends as SITE_UNREACHABLE:
a site that is not there is said so in seconds, not after every start
request's five tries with backoff.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.internet.error import ConnectError
from twisted.internet.error import TimeoutError as TxTimeoutError

from newsarchive.crawl.headers import header_limit_of
from newsarchive.crawl.run import CrawlRun
from newsarchive.dates import utc_now
from newsarchive.site.urls import Mirror

log = logging.getLogger(__name__)


class OffSiteRefused(IgnoreRequest):
    """A request to a host that is not the site."""


def mirror_from(crawler: Crawler) -> Mirror:
    return Mirror(crawler.settings.get("NEWSARCHIVE_BASE_URL"))


def _is_private_host(host: str) -> bool:
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast


class MirrorMiddleware:
    """Sends every request for the site (and its image host) to the configured base URL, and refuses other hosts."""

    def __init__(self, mirror: Mirror) -> None:
        self.mirror = mirror

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorMiddleware:
        return cls(mirror_from(crawler))

    def process_request(self, request: Request) -> Request | None:
        if not self.mirror.is_first_party(request.url):
            raise OffSiteRefused(f"not the site, not fetched: {request.url}")
        target = self.mirror.to_fetch(request.url)
        if target != request.url:
            # this request already passed the duplicate filter under its site URL
            return request.replace(url=target, dont_filter=True)
        return None


class SafeRedirectMiddleware(RedirectMiddleware):
    """Follows redirects only within the site; a loop ends at REDIRECT_MAX_TIMES.

    The 3xx response itself is captured in WARC either way (capture happens
    before any middleware). A redirect to the same article under another URL
    must not be dropped as a duplicate of itself, hence dont_filter.
    """

    mirror: Mirror

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeRedirectMiddleware:
        mw = super().from_crawler(crawler)
        mw.mirror = mirror_from(crawler)
        return mw

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        host = urlsplit(redirected.url).hostname or ""
        if not self.mirror.is_first_party(redirected.url):
            raise OffSiteRefused(f"redirect off the site not followed: {request.url} -> {redirected.url}")
        if _is_private_host(host) and host != self.mirror.host:
            raise OffSiteRefused(f"redirect to a private address refused: {redirected.url}")
        redirected = super()._redirect(redirected, request, reason)
        redirected.dont_filter = True
        return redirected


def retry_after_seconds(response: Response) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, (parsedate_to_datetime(text) - utc_now()).total_seconds())
    except (TypeError, ValueError):
        return None


#: failures that mean "nothing answered" (the name, the connection, the wait for a response)
NO_ANSWER = (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError, DownloadFailedError,
             ConnectError, TxTimeoutError)
#: request meta: this request got the short timeout of a crawl that has had no response yet
_FIRST_TIMEOUT_META = "newsarchive_first_timeout"


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries 429/5xx and network errors with exponential backoff, honouring Retry-After.

    The wait happens inside the middleware, so a slot stays busy while the site
    asked us to wait: exactly the politeness a 429 asks for. A response whose
    headers passed a limit (newsarchive.crawl.headers) is not retried: it would
    only send the same again.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF", 1.0)
        self.max_retry_after = settings.getfloat("NEWSARCHIVE_MAX_RETRY_AFTER", 120)
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 180)
        self.first_timeout = min(self.timeout, settings.getfloat("NEWSARCHIVE_FIRST_RESPONSE_TIMEOUT", 8.0))
        self.unreachable_after = settings.getint("NEWSARCHIVE_UNREACHABLE_AFTER", 2)
        self.run: CrawlRun | None = None
        self.unanswered = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = super().from_crawler(crawler)
        mw.run = CrawlRun.of(crawler)
        return mw

    def _answered(self) -> bool:
        """Has the site answered this crawl at least once (any response, captured)?"""
        stats = self.run.stats if self.run is not None else None
        return stats is None or bool(stats.get_value("newsarchive/responses", 0))

    def process_request(self, request: Request) -> None:
        if not self._answered():
            request.meta["download_timeout"] = self.first_timeout
            request.meta[_FIRST_TIMEOUT_META] = True
        elif request.meta.pop(_FIRST_TIMEOUT_META, False):
            request.meta["download_timeout"] = self.timeout  # a retry of a request sent before the first answer

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = self.backoff * (2 ** attempt) * (0.5 + random.random() / 2)
        if response is not None:
            asked = retry_after_seconds(response)
            if asked is not None:
                delay = max(delay, asked)
        return min(delay, self.max_retry_after)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response)
        if asked is not None and asked > self.max_retry_after:
            log.warning("%s asks to retry after %.0f s, more than NEWSARCHIVE_MAX_RETRY_AFTER: giving up",
                        request.url, asked)
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await asyncio.sleep(self._delay(request, response))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if header_limit_of(exception) is not None:
            return None
        if isinstance(exception, NO_ANSWER) and not self._answered():
            self._unanswered(request, exception)
            return None
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await asyncio.sleep(self._delay(request, None))
        return retry

    def _unanswered(self, request: Request, exception: Exception) -> None:
        """One more request with no answer while the site has never answered; enough of them end the crawl."""
        self.unanswered += 1
        if self.run is None or self.unanswered != self.unreachable_after:
            return
        why = " ".join(str(exception).split())[:200] or type(exception).__name__
        reason = (f"site unreachable: {self.unanswered} requests got no answer and none did "
                  f"(the last: {type(exception).__name__}: {why})")
        log.error("%s; the crawl stops", reason)
        self.run.fail(self.run.mirror.base + "/", reason, kind="list")
        self.run.stop("site_unreachable")
