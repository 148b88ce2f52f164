"""A list is read link by link, and whatever stops it is that list's failure, never a silent drop (issue 11, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsarchive.crawl.listfailures import ListFailureMiddleware
from newsarchive.crawl.run import CrawlRun
from newsarchive.site import discovery

LIST = "https://www.taipeitimes.com/News/world?pubdate=2024-10-16"
GOOD = "/News/world/archives/2024/10/16/2003825372"


def test_a_link_that_is_no_url_costs_only_itself() -> None:
    html = (f'<base href="http://[::2/"><a href="http://[::1/News/world/archives/x">bad</a>'
            f'<a href="{GOOD}">good</a><a href="//[fe80::1/News/world/archives/y">bad</a>').encode()
    found = discovery.from_html_list(html, LIST, LIST)  # the broken <base> is ignored, as browsers do
    assert [ref.id for ref, _ in found.articles] == ["2003825372"]
    assert found.bad_links == [("http://[::1/News/world/archives/x", "Invalid IPv6 URL"),
                               ("//[fe80::1/News/world/archives/y", "Invalid IPv6 URL")]


def test_json_nested_too_deep_is_an_unsafe_document() -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(discovery.UnsafeDocument, match="JSON nested too deep"):
        discovery.from_json_list(nested)
    assert discovery.json_dates(nested) == []


@pytest.fixture
def run(tmp_path: Path) -> CrawlRun:
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_STORE": str(tmp_path / "archive")})
    return CrawlRun(crawler.settings, {}).attach(crawler)


def response(meta: dict) -> HtmlResponse:
    return HtmlResponse(LIST, body=b"<html></html>", request=Request(LIST, meta=meta))


def test_any_exception_while_reading_a_list_is_a_list_failure(run: CrawlRun) -> None:
    assert run.crawler is not None
    middleware = ListFailureMiddleware.from_crawler(run.crawler)
    result = middleware.process_spider_exception(response({"kind": "html", "canonical": LIST, "section": "world"}),
                                                 RecursionError("maximum recursion depth exceeded"))
    assert result == []
    assert run.report.failures == [{"kind": "list", "url": LIST, "id": None,
                                    "reason": "list unreadable: RecursionError: maximum recursion depth exceeded"}]
    assert run.counts["list_failures"] == 1


def test_an_exception_on_an_article_is_left_to_scrapy(run: CrawlRun) -> None:
    assert run.crawler is not None
    middleware = ListFailureMiddleware.from_crawler(run.crawler)
    assert middleware.process_spider_exception(response({"article_id": "2003825372"}), ValueError("x")) is None
    assert run.report.failures == []
