"""Turns a fetched article page into a record with the parser (newsarchive.parser).

Parsing is the costliest step of a crawl, so it runs in worker processes beside
the crawl (NEWSARCHIVE_PARSE_WORKERS, default 1; newsarchive.crawl.workers): the
reactor keeps fetching and writing WARC on one core while pages are parsed on
the other.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.archive.report import PARSE_FAILURE
from newsarchive.crawl.run import CrawlRun
from newsarchive.crawl.workers import Workers
from newsarchive.errors import NotAnArticle
from newsarchive.site.urls import match_article

log = logging.getLogger(__name__)


def _warm_up() -> None:
    """A worker's first task, given when the spider opens: the parser's imports (bs4, lxml) happen while the
    crawl is still starting, not when the first article arrives."""
    import newsarchive.parser  # noqa: F401


def parse_to_record(html: bytes, url: str | None) -> dict[str, Any]:
    """Runs in a worker process: plain bytes in, a plain dict out."""
    from newsarchive.parser import parse_article

    return parse_article(html, url=url).to_record()


class ParsePipeline:
    def __init__(self, run: CrawlRun, workers: int) -> None:
        self.run = run
        self.workers = workers
        self.pool: Workers | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(CrawlRun.of(crawler), crawler.settings.getint("NEWSARCHIVE_PARSE_WORKERS", 1))

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = Workers(parse_to_record, self.workers, initializer=_warm_up)
            self.pool.start()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item["canonical"]
        try:
            if self.pool is not None:
                record = await self.pool.run(item["html"], url)
            else:
                record = parse_to_record(item["html"], url)
        except NotAnArticle as exc:
            reason = f"{PARSE_FAILURE}: {exc}"
            if item.get("truncated"):
                reason += f" (response truncated: {item['truncated']})"
            self.run.count("parse_failures")
            self.run.fail(item["fetched_url"], reason, article_id=item["id"])
            raise DropItem(reason) from None
        fetched_as = match_article(item["fetched_url"])
        expected_id = fetched_as.id if fetched_as is not None else item["id"]
        if record.get("id") != expected_id:
            # a page may not speak for another article: filing it under the id it claims would let one page
            # overwrite another's record. It stays captured in WARC and is reported.
            reason = f"page declares article {record.get('id')} but was fetched as {expected_id}"
            self.run.fail(item["fetched_url"], reason, article_id=item["id"])
            raise DropItem(reason)
        item["record"] = record
        return item
