"""Progress while a crawl runs: a bar on a terminal, a line every so often in logs.

Under cron nobody watches a bar, and a mail full of carriage returns is
unreadable, so the bar appears only when stderr is a terminal.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet import task

from newsarchive.crawl.run import CrawlRun

log = logging.getLogger("newsarchive.crawl.progress")


class CrawlProgress:
    def __init__(self, crawler: Crawler) -> None:
        self.run = CrawlRun.of(crawler)
        self.interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", 30)
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self._bar: Any = None
        self._task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _done(self) -> int:
        c = self.run.counts
        return c["articles_new"] + c["articles_changed"] + c["articles_unchanged"] + c["articles_failed"]

    def line(self) -> str:
        c = self.run.counts
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (f"progress: {c['list_pages']} list pages, {self._done()}/{c['articles_listed'] - c['articles_skipped']} "
                f"articles ({c['articles_new']} new, {c['articles_changed']} changed, {c['articles_failed']} failed, "
                f"{c['articles_skipped']} already archived), {c['responses'] / elapsed:.1f} responses/s")

    def spider_opened(self, spider: Spider) -> None:
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("[bold]archiving"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[note]}"), TimeElapsedColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("crawl", total=None, note="")
            self._loop = task.LoopingCall(self.tick)
            self._loop.start(0.5, now=False)
        elif self.interval > 0:
            self._loop = task.LoopingCall(lambda: log.info(self.line()))
            self._loop.start(self.interval, now=False)

    def tick(self) -> None:
        c = self.run.counts
        total = max(c["articles_listed"] - c["articles_skipped"], self._done())
        assert self._bar is not None
        self._bar.update(self._task, completed=self._done(), total=total or None,
                         note=f"{c['list_pages']} lists, {c['articles_failed']} failed")

    def spider_closed(self, spider: Spider) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._bar is not None:
            self._bar.stop()
