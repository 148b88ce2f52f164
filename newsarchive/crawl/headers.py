"""Scrapy's HTTP/1.1 download handler with limits on a response's headers.

Twisted's HTTP client parser limits a header line to 16 KB and nothing else:
a response with a million header lines held a crawl at 1 GB, and every line
went into WARC (headers are not counted by the wire cap of
NEWSARCHIVE_MAX_RESPONSE_SIZE). Scrapy's handler already swaps in its own
parser class (to skip lines without a colon); this handler swaps in a
subclass of it that counts the headers and their bytes and gives up past
NEWSARCHIVE_MAX_HEADER_COUNT or NEWSARCHIVE_MAX_HEADER_BYTES. Twisted then
fails the request with ResponseFailed, which the retry middleware does not
retry (`header_limit_of`) and the spider reports with the limit's name.
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)
from scrapy.crawler import Crawler
from twisted.web._newclient import HEADER, STATUS
from twisted.web.client import ResponseFailed


class ResponseHeadersTooLarge(Exception):
    """A response's headers passed a limit: more of them, or more bytes, than any real page sends."""


class _HeaderLimitedParser(_LenientHTTPClientParser):
    """Installed over an existing parser object (its __init__ never runs): the counts start from missing."""

    max_count: int
    max_bytes: int

    def lineReceived(self, line: bytes) -> None:
        if self.state in (STATUS, HEADER):
            self._na_bytes = getattr(self, "_na_bytes", 0) + len(line) + 2
            if self._na_bytes > self.max_bytes:
                raise ResponseHeadersTooLarge(
                    f"response headers over NEWSARCHIVE_MAX_HEADER_BYTES ({self.max_bytes:,} bytes)")
        super().lineReceived(line)

    def headerReceived(self, name: bytes, value: bytes) -> None:
        self._na_count = getattr(self, "_na_count", 0) + 1
        if self._na_count > self.max_count:
            raise ResponseHeadersTooLarge(
                f"more than NEWSARCHIVE_MAX_HEADER_COUNT ({self.max_count:,}) response headers")
        super().headerReceived(name, value)


class _HeaderLimitedProtocol(_LenientHTTP11ClientProtocol):
    max_count = 500
    max_bytes = 256 * 1024

    def request(self, request: Any) -> Any:
        d = super().request(request)
        assert self._parser is not None
        self._parser.__class__ = _HeaderLimitedParser
        self._parser.max_count, self._parser.max_bytes = self.max_count, self.max_bytes  # type: ignore[attr-defined]
        return d


class HeaderLimitedDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        protocol = type("HeaderLimitedProtocol", (_HeaderLimitedProtocol,), {
            "max_count": settings.getint("NEWSARCHIVE_MAX_HEADER_COUNT", 500),
            "max_bytes": settings.getint("NEWSARCHIVE_MAX_HEADER_BYTES", 256 * 1024),
        })

        class Factory(_LenientHTTP11ClientFactory):
            def buildProtocol(self, addr: Any) -> Any:
                return protocol(self._quiescentCallback)

        self._pool._factory = Factory


def header_limit_of(exc: BaseException | None) -> ResponseHeadersTooLarge | None:
    """The header limit a download failure hit, if that is why it failed (Scrapy wraps Twisted's ResponseFailed
    in its own DownloadFailedError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ResponseHeadersTooLarge):
            return exc
        if isinstance(exc, ResponseFailed):
            for reason in exc.reasons:
                if isinstance(reason.value, ResponseHeadersTooLarge):
                    return reason.value
        exc = exc.__cause__ or exc.__context__
    return None
