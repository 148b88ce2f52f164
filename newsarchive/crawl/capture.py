"""The WARC capture extension: every HTTP exchange, at the point Scrapy has the raw bytes.

Listening to `response_downloaded` means the capture happens before any
downloader middleware touches the response: the body is as received (still
compressed), redirects and error responses are captured like any page, and
robots.txt too. Requests are recorded with the headers the middlewares set.
Oversized bodies are cut at NEWSARCHIVE_MAX_RESPONSE_SIZE and marked
`WARC-Truncated: length`; a body shorter than its Content-Length is kept and
marked `WARC-Truncated: disconnect`.

Limits of what Scrapy hands us: header names come normalised (Title-Case)
and the reason phrase is the standard one for the status code.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response

from newsarchive.archive.warc import HttpExchange
from newsarchive.crawl.run import CrawlRun
from newsarchive.dates import utc_now
from newsarchive.errors import StoreError
from newsarchive.redact import redact_uri

log = logging.getLogger(__name__)

TRUNCATED_META = "newsarchive_truncated"
CAPTURE_META = "capture"
REVISIT_META = "revisit_of"
CAPTURE_DATE_META = "capture_date"
IS_REVISIT_META = "is_revisit"


def _header_pairs(headers) -> list[tuple[str, str]]:  # scrapy Headers
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1")
        for value in values:
            pairs.append((key, value.decode("latin-1")))
    return pairs


class WarcCapture:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run = CrawlRun.of(crawler)
        self.max_size = crawler.settings.getint("NEWSARCHIVE_MAX_RESPONSE_SIZE")
        self._received: dict[int, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        ext = cls(crawler)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        return ext

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        if not self.max_size:
            return
        total = self._received.get(id(request), 0) + len(data)
        self._received[id(request)] = total
        if total > self.max_size:
            request.meta[TRUNCATED_META] = "length"
            raise StopDownload(fail=False)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        self._received.pop(id(request), None)
        truncated = request.meta.get(TRUNCATED_META)
        if not truncated and "dataloss" in response.flags:
            truncated = "disconnect"
        body = response.body
        if truncated == "length" and len(body) > self.max_size:
            body = body[: self.max_size]
        exchange = HttpExchange(
            url=response.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body or b"",
            status=response.status,
            protocol=response.protocol or "HTTP/1.1",
            response_headers=_header_pairs(response.headers),
            response_body=body,
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated=truncated,
            date=utc_now(),
        )
        assert self.run.writer is not None
        if self.run.fatal is not None:
            return  # the store failed: nothing more is written (the crawl is stopping)
        try:
            capture = self.run.writer.write_exchange(exchange, revisit_of=request.meta.get(REVISIT_META))
        except (OSError, StoreError) as exc:
            self.run.store_failed(exc)
            return
        except Exception as exc:  # noqa: BLE001 - Scrapy's signal dispatch would swallow it: the page would go
            # uncaptured and its record be dropped for want of a capture, while the run said OK
            log.error("capture of %s failed", redact_uri(response.url), exc_info=True)
            article_id = request.meta.get("article_id")
            meta_kind = str(request.meta.get("kind", ""))
            kind = "article" if article_id else meta_kind if meta_kind in ("asset", "image") else "list"
            self.run.fail(response.url, f"not captured: {type(exc).__name__}: {exc}", kind=kind,
                          article_id=article_id)
            return
        self.run.count("responses")
        revisit_of = request.meta.get(REVISIT_META)
        request.meta[CAPTURE_META] = capture.as_dict()
        request.meta[CAPTURE_DATE_META] = exchange.date
        request.meta[IS_REVISIT_META] = revisit_of is not None and revisit_of.get("payload_digest") == capture.payload_digest
        if request.meta[IS_REVISIT_META]:
            self.run.count("revisits")
        if truncated:
            request.meta[TRUNCATED_META] = truncated
