"""A list that cannot be read is a list failure in the run report, whatever went wrong.

The spider reports the failures it expects (unsafe or malformed XML, broken
JSON, a limit). Anything else raised while a list, feed or sitemap is read (a
link that makes a URL function raise, JSON nested past the recursion limit, a
bug) would otherwise be Scrapy's "Spider error processing" log line and the
list's articles would vanish from the run without a trace: a run that archived
nothing could end OK. This spider middleware, closest to the spider, turns
such an exception into a list failure (so the run is PARTIAL) and keeps what
the callback had already yielded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response

from newsarchive.crawl.logformat import one_line
from newsarchive.crawl.run import CrawlRun

log = logging.getLogger(__name__)

#: request kinds (meta["kind"]) of lists: section lists, feeds and sitemaps, JSON lists
LIST_KINDS = ("html", "feed", "json")


class ListFailureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ListFailureMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if response.meta.get("kind") not in LIST_KINDS:
            return None  # not a list: Scrapy's own handling
        where = response.meta.get("canonical", response.url)
        reason = f"list unreadable: {type(exception).__name__}: {one_line(exception, 150)}"
        CrawlRun.of(self.crawler).fail(where, reason, kind="list")
        log.warning("%s: %s", where, reason)
        return []
