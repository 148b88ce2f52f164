"""Articles' photos: fetched once the page is parsed, before its record is written.

A photo's URL comes from the record (`images`), so it can only be asked for
after the parser has read the page; the record pipeline waits for its photos
and writes the record once each is captured or has failed, so a record never
points at a capture that is not in a WARC file, and a crash before the record
only means the article (and its photos) are fetched again.

Photos go through Scrapy's downloader (`engine.download_async`): the same
downloader middlewares as pages (robots.txt, first-party hosts only, retries
with backoff) and the same per-host slots (concurrency, delay, AutoThrottle),
so politeness holds for them as for pages; and the capture extension writes
each exchange into the WARC file as it does every other. A photo is fetched
once per crawl however many articles show it. Only the paper's own hosts are
asked (the image host, or the site): a photo on another host is not fetched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from newsarchive.crawl.capture import CAPTURE_DATE_META, CAPTURE_META, TRUNCATED_META
from newsarchive.crawl.run import CrawlRun
from newsarchive.dates import iso_utc

log = logging.getLogger(__name__)

#: what a photo's capture gives the record's image entry (newsarchive.article.IMAGE_PROVENANCE), or why it failed
Outcome = dict[str, Any] | str


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if type(exc).__name__ in text or isinstance(exc, IgnoreRequest) else f"{type(exc).__name__}: {text}"


class PhotoCapture:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("NEWSARCHIVE_IMAGES", True)
        self._fetches: dict[str, asyncio.Task[Outcome]] = {}

    @property
    def run(self) -> CrawlRun:
        return CrawlRun.of(self.crawler)

    def wanted(self, image: dict[str, Any], page_url: str) -> str | None:
        """The absolute URL to fetch for an image entry, or None (captured already, not the paper's, no URL)."""
        url = image.get("url")
        if not isinstance(url, str) or not url.strip() or image.get("capture"):
            return None
        absolute = urljoin(page_url, url.strip())
        return absolute if self.run.mirror.is_first_party(absolute) else None

    async def capture(self, article_id: str, page_url: str, images: list[dict[str, Any]]) -> list[str]:
        """Fetch every photo of `images` not captured yet (in parallel) and give each captured entry its
        provenance; returns the URLs left without a capture, each reported (kind "image")."""
        if not self.enabled:
            return [image["url"] for image in images if self.wanted(image, page_url)]
        todo = [(image, url) for image in images if (url := self.wanted(image, page_url))]
        outcomes = await asyncio.gather(*(self._fetch(url) for _, url in todo))
        missing = []
        for (image, url), outcome in zip(todo, outcomes, strict=True):
            if isinstance(outcome, str):
                if self.run.fatal is None:  # once the store failed the crawl is stopping: that is the report's news
                    self.run.fail(url, outcome, kind="image", article_id=article_id)
                missing.append(image["url"])
            else:
                image.update(outcome)
        return missing

    def _fetch(self, url: str) -> asyncio.Task[Outcome]:
        """One download per URL and crawl, shared by every article that shows the photo."""
        task = self._fetches.get(url)
        if task is None:
            task = self._fetches[url] = asyncio.ensure_future(self._download(url))
        return task

    async def _download(self, url: str) -> Outcome:
        engine = self.crawler.engine
        assert engine is not None
        request = Request(self.run.mirror.to_fetch(url), meta={"kind": "image", "canonical": url})
        try:
            response = await engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - any failure of one photo is that photo's, reported, not the crawl's
            return _reason(exc)
        meta = response.request.meta if response.request is not None else {}
        if response.status != 200:
            return f"HTTP {response.status}"
        capture = meta.get(CAPTURE_META)
        if not capture:
            return "not captured (the store failed)"
        if meta.get(TRUNCATED_META):
            return f"response truncated ({meta[TRUNCATED_META]})"
        self.run.count("images")
        return {"fetched_url": response.url, "fetched_at": iso_utc(meta[CAPTURE_DATE_META]), "capture": capture}
