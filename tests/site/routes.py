"""Which page answers which URL, rendered once and kept as bytes.

Rendering is the slow part of serving; caching it makes the site fast enough
that a benchmark measures the crawler. Any change to the corpus (its version
moves on) drops the cache, so an edited article is served edited.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from newsarchive.site.urls import SECTIONS, match_article
from tests.site import assets, feeds, pages
from tests.site.corpus import Corpus

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
#: pages that set cookies, twice, as the real site's PHP and load balancer both do
COOKIES = (("Set-Cookie", "PHPSESSID=3f2a9c0d1e4b5a6978e1d2c3b4a59687; path=/; HttpOnly"),
           ("Set-Cookie", "TS01a2b3c4=01ab23cd45ef6789; Path=/; Domain=.taipeitimes.com"))

_MONTHLY = re.compile(r"/sitemap/(\d{4})/(\d{2})\.xml")
_JSON_LIST = re.compile(r"/ajax_json/(\d+)/list/([A-Za-z]+)")
_SECTION_LIST = re.compile(r"/News/([A-Za-z]+)/?")
_RSS = re.compile(r"/xml/([A-Za-z]+)\.rss")
#: when the static files last changed, as a static server says it
_LAST_MODIFIED = "Wed, 16 Oct 2024 00:00:00 GMT"


#: what a static server compresses: text, not images or fonts (already compressed)
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "application/rss+xml")


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def compressible(self) -> bool:
        return self.content_type.startswith(_COMPRESSIBLE)

    def gzipped(self) -> bytes:
        """Compressed once, on first demand, and kept (the race only costs a second compression)."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def parse_pubdate(value: str | None) -> dt.date | None:
    """pubdate as the site takes it: 2024-10-16 or 2024/10/16."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        return None


def _page(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


class Router:
    def __init__(self, corpus: Corpus, link_base: str | None = None, third_party_base: str | None = None) -> None:
        self.corpus = corpus
        #: a mirror that links its own host instead of www.taipeitimes.com (what wget needs to recurse)
        self.link_base = link_base
        #: third parties named as `<third_party_base>/<host>/...` (a canary server counts who asks for them)
        self.third_party_base = third_party_base
        self._photos: set[str] = set()
        #: robots.txt as served (a test may add rules before the first crawl asks for it)
        self.robots = feeds.ROBOTS
        self._cache: dict[str, Response] = {}
        self._articles: dict[str, Response] = {}
        self._version = corpus.version
        self._lock = threading.Lock()

    def get(self, target: str) -> Response:
        """The response to GET `target` (path and query)."""
        with self._lock:
            if self._version != self.corpus.version:
                self._cache.clear()
                self._articles.clear()
                self._photos.clear()
                self._version = self.corpus.version
            cached = self._cache.get(target)
        if cached is not None:
            return cached
        response = self._route(target)
        if (self.link_base or self.third_party_base) and response.compressible:
            body = response.body
            if self.link_base:
                body = body.replace(b"https://www.taipeitimes.com", self.link_base.encode())
            for host in assets.THIRD_PARTY_HOSTS if self.third_party_base else ():
                body = body.replace(f"https://{host}".encode(), f"{self.third_party_base}/{host}".encode())
            response = Response(response.status, body, response.content_type, response.headers)
        if response.status == 200:
            with self._lock:
                self._cache[target] = response
        return response

    def prerender(self) -> int:
        """Render every article page now (benchmarks), so the first crawl is not slower than the rest."""
        for article in self.corpus:
            self.get(article.path())
        return len(self._articles)

    def article(self, article_id: str) -> Response | None:
        """An article's page, shared by every slug and date it is linked under."""
        cached = self._articles.get(article_id)
        if cached is None and article_id in self.corpus.articles:
            body = pages.article_page(self.corpus, self.corpus[article_id]).encode()
            cached = self._articles[article_id] = Response(200, body, HTML, COOKIES)
        return cached

    def _route(self, target: str) -> Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        arg = lambda name: query.get(name, [None])[0]  # noqa: E731
        corpus = self.corpus
        if path in ("/", "/index.html"):
            return Response(200, pages.home_page(corpus).encode(), HTML, COOKIES)
        if path == "/robots.txt":
            return Response(200, self.robots.encode(), TEXT)
        if ref := match_article(path):
            return self.article(ref.id) or self.not_found()
        if path.rstrip("/") == "/News/list":
            body = pages.search_page(corpus, arg("keywords") or "", (arg("section") or "all").lower())
            return Response(200, body.encode(), HTML, COOKIES)
        if (m := _SECTION_LIST.fullmatch(path)) and m[1].lower() in SECTIONS:
            day = parse_pubdate(arg("pubdate"))
            body = pages.list_page(corpus, m[1].lower(), day or corpus.latest_day, _page(arg("page")), day is not None)
            return Response(200, body.encode(), HTML, COOKIES)
        if path == "/xml/index.rss" or ((m := _RSS.fullmatch(path)) and m[1].lower() in SECTIONS):
            return Response(200, feeds.rss(corpus, None if path == "/xml/index.rss" else m[1].lower()).encode(), RSS)
        if path == "/sitemapIndex.xml":
            return Response(200, feeds.sitemap_index(corpus).encode(), XML)
        if path == "/sitemap/sitemap.xml":
            return Response(200, feeds.news_sitemap(corpus).encode(), XML)
        if (m := _MONTHLY.fullmatch(path)) and (text := feeds.monthly_sitemap(corpus, int(m[1]), int(m[2]))):
            return Response(200, text.encode(), XML)
        if m := _JSON_LIST.fullmatch(path):
            return Response(200, feeds.json_list(corpus, int(m[1]), m[2].lower()).encode(), JSON)
        if (static := assets.static(path)) is not None:
            body, content_type, fresh = static
            cache = (("Cache-Control", f"public, max-age={assets.STATIC_MAX_AGE}"),) if fresh else ()
            return Response(200, body, content_type, (("Last-Modified", _LAST_MODIFIED),) + cache)
        if assets.is_photo_path(path) and self.has_photo(assets.photo_url(path)):
            return Response(200, assets.photo(assets.photo_url(path)), assets.JPEG,
                            (("Last-Modified", _LAST_MODIFIED), ("Cache-Control", f"public, max-age={assets.STATIC_MAX_AGE}")))
        return self.not_found()

    def has_photo(self, url: str) -> bool:
        """Whether an article of the corpus shows this photo (the image host serves no other)."""
        with self._lock:
            if not self._photos:
                self._photos = {photo.url for article in self.corpus for photo in article.photos}
            return url in self._photos

    def not_found(self) -> Response:
        return Response(404, pages.not_found_page().encode(), HTML)

    def empty_list(self, target: str) -> Response:
        """The fault "a list page that links to nothing": the list template, no article in it."""
        m = _SECTION_LIST.fullmatch(urlsplit(target).path)
        slug = m[1].lower() if m and m[1].lower() in SECTIONS else "taiwan"
        body = pages.list_page(self.corpus, slug, self.corpus.latest_day, 1, False, links=False)
        return Response(200, body.encode(), HTML, COOKIES)

    def unknown_layout(self, target: str) -> Response:
        ref = match_article(urlsplit(target).path)
        article = self.corpus.articles.get(ref.id) if ref else None
        return Response(200, pages.unknown_layout_page(article).encode(), HTML)
