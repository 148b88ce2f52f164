"""Request fingerprints: the article id, not the URL, identifies an article.

The same article is linked under several section slugs and dates; with this
fingerprinter Scrapy's duplicate filter (and scrapy-redis's, across workers)
fetches it once. Other requests keep Scrapy's default fingerprint.
"""

from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import RequestFingerprinter

from newsarchive.site.urls import match_article


class ArticleFingerprinter:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        ref = match_article(request.url)
        if ref is not None and request.method == "GET":
            return hashlib.sha1(b"taipeitimes-article:" + ref.id.encode()).digest()
        return self._default.fingerprint(request)
