"""newsarchive.crawl.capture: a capture that fails for a reason other than the store is a reported failure.

Scrapy's signal dispatch logs and swallows what a handler raises: before this,
an exception while writing an exchange left the page uncaptured, its record
dropped for want of a capture, and the run's outcome OK. A real Crawler
(settings, stats, no engine) and a local store in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsarchive.crawl.capture import CAPTURE_META, WarcCapture
from newsarchive.crawl.run import CrawlRun


class BrokenWriter:
    def write_exchange(self, exchange: Any, revisit_of: Any = None) -> Any:
        raise ValueError("a bug in the writer")


@pytest.fixture
def capture(tmp_path: Path) -> WarcCapture:
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_STORE": str(tmp_path / "archive")})
    run = CrawlRun(crawler.settings, {}).attach(crawler)
    run.writer = BrokenWriter()  # type: ignore[assignment]
    return WarcCapture(crawler)


@pytest.mark.parametrize(("meta", "kind", "count"), [
    ({"article_id": "2003825390"}, "article", "articles_failed"),
    ({"kind": "image"}, "image", "images_failed"),
    ({}, "list", "list_failures"),
])
def test_a_capture_that_raises_is_a_counted_failure(capture: WarcCapture, meta: dict[str, Any], kind: str,
                                                    count: str) -> None:
    url = "http://127.0.0.1:8080/News/world/archives/2024/10/16/2003825390"
    request = Request(url, meta=dict(meta))
    response = HtmlResponse(url, body=b"<html></html>", request=request)
    capture.response_downloaded(response, request, None)  # type: ignore[arg-type]
    assert CAPTURE_META not in request.meta
    assert capture.run.counts[count] == 1
    [failure] = capture.run.report.failures
    assert failure["kind"] == kind and failure["reason"] == "not captured: ValueError: a bug in the writer"
    assert capture.run.counts["responses"] == 0
