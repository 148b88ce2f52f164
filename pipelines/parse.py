"""Turns a fetched article page into a record with the parser (newsarchive.parser).

Parsing is the costliest step of a crawl, so it runs in worker processes beside
the crawl (NEWSARCHIVE_PARSE_WORKERS, default 1; newsarchive.crawl.workers): the
reactor keeps fetching and writing WARC on one core while pages are parsed on
the other.
"""

from __future__ import annotations

import logging
import os
from functools import partial
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.archive.report import PARSE_FAILURE
from newsarchive.crawl.run import CrawlRun
from newsarchive.crawl.workers import WorkerDied, Workers
from newsarchive.errors import NotAnArticle
from newsarchive.processes import die_with

log = logging.getLogger(__name__)


def _start_worker(crawl_pid: int) -> None:
    """What a worker does first, as the spider opens: end with the crawl however it ends (die_with), and import
    the parser (bs4, lxml) while the crawl is still starting, not when the first article arrives."""
    die_with(crawl_pid)
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
            self.pool = self._new_pool()

    def _new_pool(self) -> Workers:
        pool = Workers(parse_to_record, self.workers, initializer=partial(_start_worker, os.getpid()))
        pool.start()
        return pool

    def close_spider(self) -> None:
        pool, self.pool = self.pool, None  # a task failed by the close below must not start a new pool
        if pool is not None:
            pool.close()

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item["canonical"]
        pool = self.pool
        try:
            if pool is not None:
                record = await pool.run(item["html"], url)
            else:
                record = parse_to_record(item["html"], url)
        except NotAnArticle as exc:
            reason = f"{PARSE_FAILURE}: {exc}"
            if item.get("truncated"):
                reason += f" (response truncated: {item['truncated']})"
            self.run.count("parse_failures")
            self.run.fail(item["fetched_url"], reason, article_id=item["id"])
            raise DropItem(reason) from None
        except WorkerDied as exc:
            # a worker died under it (the OOM killer, kill -9): this article failed; the next ones get a new pool
            reason = f"the parse worker died ({exc})"
            self.run.fail(item["fetched_url"], reason, article_id=item["id"])
            if self.pool is pool:  # the first item to see it replaces it; the others only fail
                self._replace_pool()
            raise DropItem(reason) from None
        if record.get("id") != item["id"]:
            # a page may not speak for another article: filing it under the id it claims would let one page
            # overwrite another's record. It stays captured in WARC and is reported. (The id asked for, not the
            # one in the URL after redirects: the spider refuses a redirect to another article before this.)
            reason = f"page declares article {record.get('id')} but was fetched as {item['id']}"
            self.run.fail(item["fetched_url"], reason, article_id=item["id"])
            raise DropItem(reason)
        item["record"] = record
        return item

    def _replace_pool(self) -> None:
        broken, self.pool = self.pool, self._new_pool()
        if broken is not None:
            broken.close(timeout=5.0)
