"""newsarchive.site.discovery: the articles and further pages a list, feed, sitemap or JSON list yields.

Small hand-written documents pin each rule; the local site's own pages (built
in memory, no server) check that the rules find everything a real list links.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from newsarchive.site.discovery import (
    UnsafeDocument,
    base_url_of,
    from_feed,
    from_html_list,
    from_json_list,
    json_dates,
    json_list_url,
    section_list_url,
)
from newsarchive.site.urls import SITE
from tests.site import feeds, pages
from tests.site.corpus import Corpus, default_days

LIST = f"{SITE}/News/world?pubdate=2024-10-16"
MIRROR_LIST = "http://127.0.0.1:8080/News/world?pubdate=2024-10-16"
A1 = "/News/world/archives/2024/10/16/2003825390"
A2 = "/News/biz/archives/2024/10/15/2003825301"


def html(*links: str, base: str | None = None) -> bytes:
    head = f'<head><base href="{base}"></head>' if base else "<head></head>"
    body = "".join(f'<a href="{link}">x</a>' for link in links)
    return f"<html>{head}<body>{body}</body></html>".encode()


def ids(found) -> list[str]:
    return [ref.id for ref, _ in found.articles]


# -- section list pages ------------------------------------------------------------------------------------

def test_article_links_in_any_form_resolve_against_the_base() -> None:
    found = from_html_list(html(A1, "News/biz/archives/2024/10/15/2003825301", base=f"{SITE}/"), MIRROR_LIST, LIST)
    assert ids(found) == ["2003825390", "2003825301"]
    assert [url for _, url in found.articles] == [SITE + A1, SITE + A2]


def test_without_a_base_links_resolve_against_the_lists_canonical_url() -> None:
    found = from_html_list(html("archives/2024/10/16/2003825390"), MIRROR_LIST, f"{SITE}/News/world/")
    assert [url for _, url in found.articles] == [f"{SITE}/News/world/archives/2024/10/16/2003825390"]


def test_an_id_linked_twice_is_found_once() -> None:
    found = from_html_list(html(A1, A1 + "?from=popular", "/News/front/archives/2024/10/16/2003825390"), LIST, LIST)
    assert ids(found) == ["2003825390"]


def test_a_link_to_another_host_does_not_hide_the_sites_own() -> None:
    """A foreign host's link is reported (the crawl refuses it later) but does not settle the id."""
    evil = "https://evil.example/News/world/archives/2024/10/16/2003825390"
    found = from_html_list(html(evil, A1), LIST, LIST)
    assert [url for _, url in found.articles] == [evil, SITE + A1]


def test_entities_in_links_are_decoded() -> None:
    found = from_html_list(b'<a href="/News/world?pubdate=2024-10-16&amp;page=2">2</a>', LIST, LIST)
    assert found.next_pages == [f"{LIST}&page=2"]


def test_pagination_keeps_the_lists_path_and_day() -> None:
    links = [
        "/News/world?pubdate=2024-10-16&page=2",
        "/News/world?pubdate=2024-10-16&page=3",
        "/News/world?pubdate=2024-10-16&page=2",  # twice: once
        "/News/world?pubdate=2024-10-15&page=2",  # another day
        "/News/biz?pubdate=2024-10-16&page=2",  # another section
        "/News/world?pubdate=2024-10-15",  # the previous day, not a page
        "/News/world?sub=2&pubdate=2024-10-16",  # a menu link
    ]
    found = from_html_list(html(*links), LIST, LIST)
    assert found.next_pages == [f"{LIST}&page=2", f"{LIST}&page=3"]
    assert found.articles == []


def test_the_current_page_is_not_a_next_page() -> None:
    here = f"{LIST}&page=2"
    found = from_html_list(html("/News/world?pubdate=2024-10-16&page=1", "/News/world?pubdate=2024-10-16&page=2"),
                           here, here)
    assert found.next_pages == [f"{LIST}&page=1"]


def test_an_undated_list_pages_without_a_day() -> None:
    undated = f"{SITE}/News/world"
    found = from_html_list(html("/News/world?page=2", "/News/world?pubdate=2024-10-16&page=2"), undated, undated)
    assert found.next_pages == [f"{undated}?page=2"]


def test_base_url_of() -> None:
    assert base_url_of(html(base="https://www.taipeitimes.com/"), LIST) == f"{SITE}/"
    assert base_url_of(html(base="/mirror/"), "http://127.0.0.1:8080/News/world") == "http://127.0.0.1:8080/mirror/"
    assert base_url_of(html(), LIST) == LIST


def test_every_article_the_sites_lists_link_is_found_and_every_page_followed() -> None:
    """The local site's real list pages (rendered in memory): nothing listed is missed, whatever the page."""
    corpus = Corpus(days=default_days(1), per_section=pages.LIST_PAGE_SIZE + 3)
    day = corpus.latest_day
    for section in ("world", "biz"):
        canonical = f"{SITE}/News/{section}?pubdate={day}"
        first = from_html_list(pages.list_page(corpus, section, day, 1, dated=True).encode(), canonical, canonical)
        # the pager links every page, the first too (its URL with `page=1` is not the one read)
        assert first.next_pages == [f"{canonical}&page=1", f"{canonical}&page=2"]
        second = from_html_list(pages.list_page(corpus, section, day, 2, dated=True).encode(),
                                first.next_pages[1], first.next_pages[1])
        assert second.next_pages == [f"{canonical}&page=1"]
        listed = {a.id for a, _ in corpus.listing(section, day)}
        assert listed <= set(ids(first)) | set(ids(second))


# -- feeds and sitemaps ------------------------------------------------------------------------------------

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="{SITE}/xml/index.rss"><title>Taipei Times</title></channel>
<item rdf:about="{SITE}{A1}"><title>One</title><link>{SITE}{A1}</link></item>
<item rdf:about="{SITE}{A2}"><title>Two</title><description>see {A2} and /News/front/archives/2024/10/14/2003825001
</description></item>
</rdf:RDF>""".encode()


def test_a_feed_yields_every_article_url_in_any_element_or_attribute() -> None:
    found = from_feed(RSS)
    assert ids(found) == ["2003825390", "2003825301", "2003825001"]
    assert found.articles[2][1] == f"{SITE}/News/front/archives/2024/10/14/2003825001"
    assert found.next_pages == []


def test_the_sites_feeds_and_news_sitemap_list_their_articles() -> None:
    corpus = Corpus(days=default_days(2), per_section=2)
    assert set(ids(from_feed(feeds.news_sitemap(corpus).encode(), "news sitemap"))) <= set(corpus.articles)
    rss_ids = ids(from_feed(feeds.rss(corpus, None).encode()))
    assert rss_ids and set(rss_ids) <= set(corpus.articles)


@pytest.mark.parametrize("body, words", [
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>', "unsafe XML refused"),
    (b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', "unsafe XML refused"),
    (b"<rss><channel><item>", "malformed XML"),
    (b"", "malformed XML"),
])
def test_unsafe_or_broken_xml_is_refused(body: bytes, words: str) -> None:
    with pytest.raises(UnsafeDocument, match=f"sitemap: {words}"):
        from_feed(body, "sitemap")


# -- the JSON list ---------------------------------------------------------------------------------------

def entry(url: object, day: object = "2024-10-16") -> dict[str, object]:
    return {"ar_url": url, "ar_head": "x", "ar_pubdate": day}


def test_the_json_list_yields_its_entries_urls() -> None:
    body = json.dumps([entry(A1), entry(f"{SITE}{A2}"), entry(A1), entry(None), entry(7), "junk", {"ar_head": "y"}])
    found = from_json_list(body.encode())
    assert ids(found) == ["2003825390", "2003825301"]
    assert [url for _, url in found.articles] == [SITE + A1, SITE + A2]


@pytest.mark.parametrize("body, words", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b'{"ar_url": "/x"}', "expected a JSON array"),
])
def test_a_broken_json_list_is_refused(body: bytes, words: str) -> None:
    with pytest.raises(UnsafeDocument, match=f"JSON list: {words}"):
        from_json_list(body)


def test_json_dates_read_what_they_can() -> None:
    body = json.dumps([entry(A1, "2024-10-16"), entry(A2, "2024-10-15T08:00:00+08:00"), entry(A1, "soon"),
                       entry(A1, None), "junk"])
    assert json_dates(body.encode()) == [dt.date(2024, 10, 16), dt.date(2024, 10, 15)]
    assert json_dates(b"{broken") == [] and json_dates(b'{"a": 1}') == [] and json_dates(b"[]") == []


def test_the_sites_json_list_dates_are_its_print_days() -> None:
    corpus = Corpus(days=default_days(2), per_section=2)
    body = feeds.json_list(corpus, 1, "world").encode()
    assert set(json_dates(body)) <= set(corpus.days)
    assert set(ids(from_json_list(body))) == {a.id for a in corpus.articles.values() if a.section_slug == "world"}


# -- the URLs the crawl starts from --------------------------------------------------------------------------

def test_list_urls() -> None:
    assert section_list_url("world") == f"{SITE}/News/world"
    assert section_list_url("lang", dt.date(2028, 2, 29)) == f"{SITE}/News/lang?pubdate=2028-02-29"
    assert json_list_url("biz", 3) == f"{SITE}/ajax_json/3/list/biz"
    with pytest.raises(ValueError, match="unknown section: nope"):
        section_list_url("nope")
