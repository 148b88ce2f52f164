"""Response decoding with a limit, in place of Scrapy's HttpCompressionMiddleware.

Scrapy's middleware takes its decoded-size limit from DOWNLOAD_MAXSIZE, which
also cancels any download whose Content-Length is above it before a byte is
captured; the crawl sets it to 0 to capture everything (the wire cap is
NEWSARCHIVE_MAX_RESPONSE_SIZE, newsarchive.crawl.capture) and so had no
decoded limit at all: 590 bytes of `gzip, gzip` became 256 MiB in memory.
Here the limit depends on what the response is for: NEWSARCHIVE_MAX_FEED_SIZE
for feeds, sitemaps and JSON lists, NEWSARCHIVE_MAX_PAGE_SIZE for what is
parsed as a page (articles, HTML lists, robots.txt), and for anything else (a
photo, a stylesheet) the wire cap's size, NEWSARCHIVE_MAX_RESPONSE_SIZE; a body
not encoded is held to the same limit. The decoder is newsarchive.archive.decoding, which the offline
commands use too.

The response was captured in WARC before any middleware ran, as received; a
body that cannot be used (over the limit, corrupt) ends as
`ResponseUnusable`, which reaches the request's errback and so the run
report, with the reason and the bytes received.
"""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes

from newsarchive.archive import decoding
from newsarchive.crawl.capture import TRUNCATED_META
from newsarchive.crawl.run import CrawlRun

#: request kinds (meta["kind"]) read with the feed limit
FEED_KINDS = ("feed", "json")


class ResponseUnusable(IgnoreRequest):
    """The response is captured as received, but its body cannot be used: too large once decoded, or corrupt."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "response unusable"


class BoundedDecompressionMiddleware:
    def __init__(self, page_limit: int, feed_limit: int, other_limit: int, run: CrawlRun | None = None) -> None:
        self.page_limit, self.feed_limit, self.other_limit = page_limit, feed_limit, other_limit
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoundedDecompressionMiddleware:
        settings = crawler.settings
        return cls(settings.getint("NEWSARCHIVE_MAX_PAGE_SIZE", decoding.PAGE_LIMIT),
                   settings.getint("NEWSARCHIVE_MAX_FEED_SIZE", decoding.FEED_LIMIT),
                   settings.getint("NEWSARCHIVE_MAX_RESPONSE_SIZE"), CrawlRun.of(crawler))

    def limit_for(self, request: Request) -> int:
        if request.meta.get("kind") in FEED_KINDS:
            return self.feed_limit
        if (request.meta.get("kind") == "html" or "article_id" in request.meta
                or urlsplit(request.url).path.endswith("/robots.txt")):
            return self.page_limit  # parsed: the parser's memory is what the limit protects
        return self.other_limit

    def process_request(self, request: Request) -> None:
        # only codings whose decoding is bounded: all of decoding.SUPPORTED
        request.headers.setdefault("Accept-Encoding", decoding.ACCEPT_ENCODING)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.method == "HEAD" or not 200 <= response.status < 300:
            return response  # no body anyone reads: redirects, and errors the retry middleware may try again
        values = response.headers.getlist("Content-Encoding")
        try:
            body = decoding.decode(response.body, values, self.limit_for(request))
        except decoding.DecodedTooLarge as exc:
            self._refuse(request, str(exc), limit=True)
        except decoding.UndecodableBody as exc:
            self._refuse(request, str(exc), limit=False)
        if not values:
            return response
        headers = response.headers.copy()
        del headers["Content-Encoding"]
        respcls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        kwargs: dict[str, Any] = {"cls": respcls, "body": body, "headers": headers}
        if issubclass(respcls, TextResponse):
            kwargs["encoding"] = None  # guessed again from the decoded body
        return response.replace(**kwargs)

    def _refuse(self, request: Request, reason: str, *, limit: bool) -> NoReturn:
        truncated = request.meta.get(TRUNCATED_META)
        if truncated:
            reason += f" (response truncated: {truncated})"
        if limit and self.run is not None:
            self.run.count("limits_hit")
        raise ResponseUnusable(reason)
