"""The Taipei Times spider: it only moves requests.

Sources, by mode:
- no dates: the last two print days (Taipei time): every section's latest list
  and its list for each of those days, the RSS feed, the news sitemap, and the
  JSON list pages while they still reach into the window;
- `since`/`until`: a backfill: for each print day, each section's
  `/News/<section>?pubdate=D` and the pages it paginates to.

Articles are found by their URL pattern (newsarchive.site.discovery), kept if their
print date falls in the window, and fetched once per id. Extraction is the
pipeline's job (newsarchive.parser); failures go to the run report.

Every HTML page's requisites on the site's own host (stylesheets, scripts,
fonts, icons; newsarchive.site.requisites) are fetched once per crawl, and a
stylesheet's own references after it; third parties never. Lists and requisites
name their URL state (newsarchive.crawl.revisits), so an unchanged one is
written as a revisit. Photos are fetched by the record pipeline, once the page
is parsed and its photos known (newsarchive.crawl.photos).

Usage: scrapy crawl taipeitimes -a since=2024-10-01 -a until=2024-10-02 -a sections=front,world
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from newsarchive.crawl.capture import CAPTURE_DATE_META, CAPTURE_META, IS_REVISIT_META, REVISIT_META, TRUNCATED_META
from newsarchive.crawl.decompression import ResponseUnusable
from newsarchive.crawl.headers import header_limit_of
from newsarchive.crawl.revisits import FRESHNESS_META, URL_STATE_META, StillFresh
from newsarchive.crawl.run import CrawlRun
from newsarchive.site import discovery, requisites
from newsarchive.site.urls import ArticleRef, match_article
from newsarchive.site.window import CrawlWindow

log = logging.getLogger(__name__)

MAX_JSON_PAGES = 25
ARTICLE_PRIORITY = 10  # articles before more lists: a capped crawl still archives whole articles
REQUISITE_PRIORITY = 5  # before more lists too: few, and the pages captured so far need them
#: bad links logged per list (all are counted under `bad_links`)
BAD_LINKS_LOGGED = 3


class TaipeiTimesSpider(scrapy.Spider):
    name = "taipeitimes"

    def __init__(self, since: str | None = None, until: str | None = None, sections: str | None = None,
                 max_articles: str | int | None = None, refresh: str | bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window = CrawlWindow.resolve(since, until, sections)
        self.since, self.until, self.backfill = self.window.first, self.window.last, self.window.backfill
        self.days = self.window.days
        self.sections = list(self.window.sections)
        self.max_articles = int(max_articles) if max_articles not in (None, "", 0, "0") else None
        self.refresh = refresh in (True, "1", "true", "yes", "True")
        self.scheduled: set[str] = set()
        self.listed: set[str] = set()
        #: requisites asked for in this crawl (the duplicate filter would drop the rest; this spares building them)
        self.requisites_seen: set[str] = set()
        #: pages seen of each list (kind, section, print day), to stop at NEWSARCHIVE_MAX_LIST_PAGES
        self.list_pages: dict[tuple[str, str | None, str | None], set[str]] = {}

    @property
    def run(self) -> CrawlRun:
        return CrawlRun.of(self.crawler)

    @cached_property
    def max_list_pages(self) -> int:
        return self.crawler.settings.getint("NEWSARCHIVE_MAX_LIST_PAGES", 50)

    @cached_property
    def max_articles_per_page(self) -> int:
        return self.crawler.settings.getint("NEWSARCHIVE_MAX_ARTICLES_PER_LIST_PAGE", 1000)

    # -- sources ----------------------------------------------------------------------
    def _list_request(self, url: str, kind: str, **meta: Any) -> scrapy.Request:
        canonical = self.run.mirror.to_canonical(url)
        return scrapy.Request(self.run.mirror.to_fetch(url), callback=self.parse_list, errback=self.list_failed,
                              meta={"kind": kind, "canonical": canonical, URL_STATE_META: canonical, **meta})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.run.unreachable is not None:
            return  # the pre-flight probe found no site: the run ends at once, reported (newsarchive.crawl.preflight)
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
        self.run.count("list_pages")
        try:
            if kind == "html":
                found = discovery.from_html_list(response.body, response.url, canonical)
            elif kind == "json":
                found = discovery.from_json_list(response.body, canonical)
            else:
                found = discovery.from_feed(response.body, canonical)
        except discovery.UnsafeDocument as exc:
            self.run.fail(canonical, str(exc), kind="list", section=response.meta.get("section"))
            return
        if kind == "html":
            yield from self._page_requisites(response.body, canonical)
        self._bad_links(found, canonical)
        for url in found.next_pages:
            if self._may_follow(canonical, url, kind, response.meta.get("section")):
                yield self._list_request(url, kind, section=response.meta.get("section"))
        if kind == "json":
            yield from self._next_json_page(response)
        articles = found.articles
        if len(articles) > self.max_articles_per_page:
            self.run.limit_hit(canonical, f"links {len(articles):,} articles, more than "
                               f"NEWSARCHIVE_MAX_ARTICLES_PER_LIST_PAGE ({self.max_articles_per_page:,}): "
                               f"the first {self.max_articles_per_page:,} followed", kind="list",
                               section=response.meta.get("section"))
            articles = articles[: self.max_articles_per_page]
        for ref, url in articles:
            request = self._article_request(ref, url, listed_in=response.meta.get("section"))
            if request is not None:
                yield request

    def _bad_links(self, found: discovery.Found, canonical: str) -> None:
        """A link that is no URL costs only itself: counted, and a few of them logged."""
        if not found.bad_links:
            return
        self.run.count("bad_links", len(found.bad_links))
        for href, why in found.bad_links[:BAD_LINKS_LOGGED]:
            log.warning("bad link skipped on %s: %r (%s)", canonical, href, why)
        if len(found.bad_links) > BAD_LINKS_LOGGED:
            log.warning("... and %d more bad links on %s", len(found.bad_links) - BAD_LINKS_LOGGED, canonical)

    def _may_follow(self, canonical: str, url: str, kind: str, section: str | None) -> bool:
        """Whether to fetch a further page of a list: at most NEWSARCHIVE_MAX_LIST_PAGES per list (kind, section,
        print day), so a list that always links one more page cannot keep the crawl (and its lock) for ever."""
        pubdate = parse_qs(urlsplit(canonical).query).get("pubdate", [None])[0]
        pages = self.list_pages.setdefault((kind, section, pubdate), {canonical})
        page = self.run.mirror.to_canonical(self.run.mirror.to_fetch(url))
        if page in pages:
            return False
        if len(pages) < self.max_list_pages:
            pages.add(page)
            return True
        if len(pages) == self.max_list_pages:
            pages.add("")  # reported once per list
            self.run.limit_hit(canonical, f"the list goes on past NEWSARCHIVE_MAX_LIST_PAGES ({self.max_list_pages}) "
                               "pages: further pages not fetched", kind="list", section=section)
        return False

    def _next_json_page(self, response: Response) -> Iterable[scrapy.Request]:
        page = response.meta.get("page", 1)
        dates = discovery.json_dates(response.body)
        if dates and min(dates) >= self.since and page < MAX_JSON_PAGES:
            section = response.meta["section"]
            yield self._list_request(discovery.json_list_url(section, page + 1), "json", section=section, page=page + 1)

    def list_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        fail = self.run.limit_hit if _is_limit(failure) else self.run.fail
        fail(request.meta.get("canonical", request.url), _reason(failure), kind="list", section=request.meta.get("section"))

    # -- articles -----------------------------------------------------------------------
    def _article_request(self, ref: ArticleRef, url: str, listed_in: str | None) -> scrapy.Request | None:
        """Each id is decided once: skipped (already archived), capped, or fetched."""
        if not self.window.wants(ref):
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
        self.run.count("articles_listed")
        meta: dict[str, Any] = {"article_id": ref.id, "canonical": ref.canonical_url}
        if ref.id in self.run.known:
            retry_photos = ref.id in self.run.known.images_missing and self.crawler.settings.getbool("NEWSARCHIVE_IMAGES", True)
            if not self.run.refresh and not retry_photos:
                self.run.count("articles_skipped")
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

    def parse_article(self, response: Response) -> Iterable[dict[str, Any] | scrapy.Request]:
        meta = response.meta
        if meta.get("redirect_urls"):
            # the id asked for decides: a redirect to another article must not file that article under this
            # request (nor count this one archived); redirects within the id (https, a slash, a section) are fine
            landed = match_article(response.url)
            if landed is None or landed.id != meta["article_id"]:
                where = self.run.mirror.to_canonical(response.url)
                reason = (f"redirected to article {landed.id} ({where})" if landed is not None
                          else f"redirected away from the article, to {where}")
                self.run.fail(meta["redirect_urls"][0], reason, article_id=meta["article_id"])
                return
        yield from self._page_requisites(response.body, meta["canonical"])
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
        fail = self.run.limit_hit if _is_limit(failure) else self.run.fail
        fail(request.url, _reason(failure), article_id=request.meta.get("article_id"))


    # -- page requisites -------------------------------------------------------------------------
    def _page_requisites(self, body: bytes, url: str) -> Iterable[scrapy.Request]:
        """Requests for what an HTML page names; the page is read only when requisites are captured (reading one
        costs about as much CPU as Scrapy spends fetching it)."""
        if self.crawler.settings.getbool("NEWSARCHIVE_REQUISITES", True):
            yield from self._requisites(requisites.from_html(body, url))

    def _requisites(self, urls: Iterable[str]) -> Iterable[scrapy.Request]:
        """Requests for the site's own requisites not yet asked for in this crawl (never a third party's)."""
        if not self.crawler.settings.getbool("NEWSARCHIVE_REQUISITES", True):
            return
        for url in urls:
            if url in self.requisites_seen or not self.run.mirror.is_site(url):
                continue
            self.requisites_seen.add(url)
            canonical = self.run.mirror.to_canonical(url)
            yield scrapy.Request(self.run.mirror.to_fetch(url), callback=self.parse_requisite,
                                 errback=self.requisite_failed, priority=REQUISITE_PRIORITY,
                                 meta={"kind": "asset", "canonical": canonical, URL_STATE_META: canonical,
                                       FRESHNESS_META: True})

    def parse_requisite(self, response: Response) -> Iterable[scrapy.Request]:
        self.run.count("assets")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if requisites.is_stylesheet(response.url, content_type):
            text = response.body.decode(getattr(response, "encoding", None) or "utf-8", "replace")
            yield from self._requisites(requisites.from_css(text, response.meta["canonical"]))

    def requisite_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(StillFresh):
            log.debug("%s", failure.value)
            return
        self.run.fail(request.meta.get("canonical", request.url), _reason(failure), kind="asset")



def _is_limit(failure: Failure) -> bool:
    """A limit refused it (the decompression middleware counts its own refusals; the headers' are counted here)."""
    return header_limit_of(failure.value) is not None


def _reason(failure: Failure) -> str:
    exc = failure.value
    limit = header_limit_of(exc)
    if limit is not None:
        return str(limit)
    if isinstance(exc, ResponseUnusable):
        return str(exc)  # says what happened in its own words ("decoded size over limit: ...")
    response = getattr(exc, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
