"""The Taipei Times spider: it only moves requests.

Sources, by mode:
- no dates: the last two print days (Taipei time): every section's latest list
  and its list for each of those days, the RSS feed, the news sitemap, and the
  JSON list pages while they still reach into the window;
- `since`/`until`: a backfill: for each print day, each section's
  `/News/<section>?pubdate=D` and the pages it paginates to.

Articles are found by their URL pattern (newsarchive.discovery), kept if their
print date falls in the window, and fetched once per id. Extraction is the
pipeline's job (newsarchive.parser); failures go to the run report.

Usage: scrapy crawl taipeitimes -a since=2024-10-01 -a until=2024-10-02 -a sections=front,world
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, AsyncIterator, Iterable

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from newsarchive import discovery
from newsarchive.capture import CAPTURE_DATE_META, CAPTURE_META, IS_REVISIT_META, REVISIT_META, TRUNCATED_META
from newsarchive.crawlrun import CrawlRun
from newsarchive.dates import FIRST_ISSUE, days, parse_date, today_taipei
from newsarchive.urls import SECTIONS, ArticleRef

log = logging.getLogger(__name__)

#: sections that have articles every print day: an empty list there suggests a layout change
ALWAYS_PUBLISHED = ("front", "taiwan", "biz", "editorials", "world", "sport")
MAX_JSON_PAGES = 25
ARTICLE_PRIORITY = 10  # articles before more lists: a capped crawl still archives whole articles


def parse_sections(value: str | Iterable[str] | None) -> list[str]:
    if value is None or value == "":
        return list(SECTIONS)
    items = value.split(",") if isinstance(value, str) else list(value)
    slugs = [s.strip().lower() for s in items if s.strip()]
    unknown = [s for s in slugs if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown section(s): {', '.join(unknown)} (known: {', '.join(SECTIONS)})")
    return slugs


def window(since: str | None, until: str | None) -> tuple[dt.date, dt.date, bool]:
    """(first day, last day, is a backfill) for the spider's arguments; ValueError if they make no sense."""
    today = today_taipei()
    if since or until:
        first = parse_date(since) if since else parse_date(str(until))
        last = parse_date(until) if until else today
        backfill = True
    else:
        first, last, backfill = today - dt.timedelta(days=1), today, False
    if last < first:
        raise ValueError(f"--until {last} is before --since {first}")
    if first < FIRST_ISSUE or last > today + dt.timedelta(days=1):
        raise ValueError(f"dates must lie between the first issue ({FIRST_ISSUE}) and today ({today})")
    return first, last, backfill


def check_arguments(since: str | None = None, until: str | None = None, sections: str | None = None) -> None:
    """Raise ValueError for arguments the spider would refuse (the CLI turns it into a usage error)."""
    window(since, until)
    parse_sections(sections)


class TaipeiTimesSpider(scrapy.Spider):
    name = "taipeitimes"

    def __init__(self, since: str | None = None, until: str | None = None, sections: str | None = None,
                 max_articles: str | int | None = None, refresh: str | bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.since, self.until, self.backfill = window(since, until)
        self.days = days(self.since, self.until)
        self.sections = parse_sections(sections)
        self.max_articles = int(max_articles) if max_articles not in (None, "", 0, "0") else None
        self.refresh = refresh in (True, "1", "true", "yes", "True")
        self.scheduled: set[str] = set()
        self.listed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "TaipeiTimesSpider":  # type: ignore[no-untyped-def]
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.run = CrawlRun.of(crawler)
        spider.run.refresh = spider.run.refresh or spider.refresh
        spider.run.section_hits = {s: 0 for s in spider.sections if s in ALWAYS_PUBLISHED}
        spider.run.window = (spider.since, spider.until)
        return spider

    # -- sources ----------------------------------------------------------------------
    def _list_request(self, url: str, kind: str, **meta: Any) -> scrapy.Request:
        return scrapy.Request(self.run.mirror.to_fetch(url), callback=self.parse_list, errback=self.list_failed,
                              meta={"kind": kind, "canonical": self.run.mirror.to_canonical(url), **meta})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for section in self.sections:
            if not self.backfill:
                yield self._list_request(discovery.section_list_url(section), "html", section=section)
            for day in self.days:
                yield self._list_request(discovery.section_list_url(section, day), "html", section=section)
        if not self.backfill:
            yield self._list_request(discovery.SITE + "/xml/index.rss", "feed")
            yield self._list_request(discovery.SITE + "/sitemap/sitemap.xml", "feed")
            for section in self.sections:
                yield self._list_request(discovery.json_list_url(section, 1), "json", section=section, page=1)

    # -- lists --------------------------------------------------------------------------
    def parse_list(self, response: Response) -> Iterable[scrapy.Request]:
        kind = response.meta["kind"]
        canonical = response.meta["canonical"]
        self.run.report.counts["list_pages"] += 1
        try:
            if kind == "html":
                found = discovery.from_html_list(response.body, response.url, canonical)
            elif kind == "json":
                found = discovery.from_json_list(response.body, canonical)
            else:
                found = discovery.from_feed(response.body, canonical)
        except discovery.UnsafeDocument as exc:
            self.run.report.fail(canonical, str(exc), kind="list")
            return
        for url in found.next_pages:
            yield self._list_request(url, kind, section=response.meta.get("section"))
        if kind == "json":
            yield from self._next_json_page(response)
        for ref, url in found.articles:
            request = self._article_request(ref, url, listed_in=response.meta.get("section"))
            if request is not None:
                yield request

    def _next_json_page(self, response: Response) -> Iterable[scrapy.Request]:
        page = response.meta.get("page", 1)
        dates = discovery.json_dates(response.body)
        if dates and min(dates) >= self.since and page < MAX_JSON_PAGES:
            section = response.meta["section"]
            yield self._list_request(discovery.json_list_url(section, page + 1), "json", section=section, page=page + 1)

    def list_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.run.report.fail(request.meta.get("canonical", request.url), _reason(failure), kind="list")

    # -- articles -----------------------------------------------------------------------
    def in_window(self, ref: ArticleRef) -> bool:
        """In the date window, and in a chosen section (a slug the site does not list passes)."""
        return self.since <= ref.date <= self.until and (
            ref.section_slug in self.sections or ref.section_slug not in SECTIONS)

    def _article_request(self, ref: ArticleRef, url: str, listed_in: str | None) -> scrapy.Request | None:
        """Each id is decided once: skipped (already archived), capped, or fetched."""
        if not self.in_window(ref):
            return None
        if not self.run.mirror.is_site(url):
            # a link to another host is not followed, and must not use up the id before the site's own link
            log.debug("not the site, not followed: %s", url)
            return None
        if listed_in in self.run.section_hits:
            self.run.section_hits[listed_in] += 1
        if ref.id in self.listed:
            return None
        self.listed.add(ref.id)
        self.run.report.counts["articles_listed"] += 1
        meta: dict[str, Any] = {"article_id": ref.id, "canonical": ref.canonical_url}
        if ref.id in self.run.known:
            if not self.run.refresh:
                self.run.report.counts["articles_skipped"] += 1
                return None
            state = self.run.known.get(ref.id)
            if state is not None and state.payload_digest:
                meta[REVISIT_META] = {"payload_digest": state.payload_digest, "uri": state.url,
                                      "date": state.fetched_at, "record_id": state.record_id or ""}
        if self.max_articles is not None and len(self.scheduled) >= self.max_articles:
            return None
        self.scheduled.add(ref.id)
        return scrapy.Request(self.run.mirror.to_fetch(url), callback=self.parse_article, errback=self.article_failed,
                              priority=ARTICLE_PRIORITY, meta=meta)

    def parse_article(self, response: Response) -> Iterable[dict[str, Any]]:
        meta = response.meta
        yield {
            "id": meta["article_id"],
            "canonical": meta["canonical"],
            "fetched_url": response.url,
            "fetched_at": meta.get(CAPTURE_DATE_META),
            "capture": meta.get(CAPTURE_META),
            "revisit": meta.get(IS_REVISIT_META, False),
            "truncated": meta.get(TRUNCATED_META),
            "html": response.body,
        }

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.run.report.fail(request.url, _reason(failure), article_id=request.meta.get("article_id"))


def _reason(failure: Failure) -> str:
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
