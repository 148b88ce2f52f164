"""Captures written by the project's own WARC writer, for tests that need WARCs without a crawl.

Tests of replay and WACZ plant the captures a crawl does not make yet
(photos, stylesheets, truncated bodies) next to a crawl's, exactly as the
crawl would write them: newsarchive.archive.warc.WarcWriter, one WARC file
handed to the store with its CDXJ index.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsarchive.archive.warc import CapturePointer, HttpExchange, WarcWriter
from newsarchive.store.base import Store


@dataclass
class Page:
    """One response to capture: URL, body, headers, and when (the WARC-Date)."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    date: dt.datetime = field(default_factory=lambda: dt.datetime(2024, 10, 16, 3, 20, 5, tzinfo=dt.UTC))
    status: int = 200
    gzipped: bool = False
    truncated: str | None = None
    declared_length: int | None = None  # a Content-Length other than the body's (a truncated capture)

    def exchange(self) -> HttpExchange:
        payload = gzip.compress(self.body, mtime=0) if self.gzipped else self.body
        headers = [("Content-Type", self.content_type),
                   ("Content-Length", str(self.declared_length or len(payload)))]
        if self.gzipped:
            headers.append(("Content-Encoding", "gzip"))
        return HttpExchange(url=self.url, method="GET", request_headers=[("User-Agent", "newsarchive-test")],
                            request_body=b"", status=self.status, protocol="HTTP/1.1", response_headers=headers,
                            response_body=payload, truncated=self.truncated, date=self.date)


def write_captures(store: Store, pages: Iterable[Page], *,
                   revisits: dict[str, dict[str, str]] | None = None) -> list[CapturePointer]:
    """Capture `pages` into one new WARC file of `store` (with its CDXJ); `revisits` maps a URL to the
    earlier capture it repeats ({uri, date, record_id, payload_digest}), written as a revisit record."""
    writer = WarcWriter(store, store.staging_dir())
    try:
        return [writer.write_exchange(page.exchange(), revisit_of=(revisits or {}).get(page.url)) for page in pages]
    finally:
        writer.close()
