"""The local copy of the site, served: every kind of page, every trap, lists, feeds, hit counts and faults.

Its corpus and pages without a server are tested in test_site_corpus.py.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json
import re
import subprocess
import sys
import time
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from newsarchive.site.urls import match_article
from tests.site import Corpus, Fault, SiteServer
from tests.site.faults import OFFSITE_TARGET, PRIVATE_TARGETS
from tests.site.pages import LIST_PAGE_SIZE
from tests.site.seed import SEED_ID

pytestmark = pytest.mark.e2e

ARTICLE_LINK = re.compile(r'href="((?:https://www\.taipeitimes\.com)?/?News/[a-z]+/archives/\d{4}/\d{2}/\d{2}/\d{10})"')
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE_HREF = "https://www.taipeitimes.com/"


class Got:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(server: SiteServer, path: str, method: str = "GET", headers: dict[str, str] | None = None,
          body: bytes | None = None) -> Got:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Got(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def listed_ids(html: str) -> list[str]:
    """Ids in a list page's list proper (its right column links popular articles too)."""
    return article_ids(str(BeautifulSoup(html, "lxml").select_one("ul.searchbox")))


def article_ids(html: str) -> list[str]:
    """Ids of the articles a page links, its relative links resolved against the base href."""
    return [match_article(urljoin(BASE_HREF, href)).id for href in ARTICLE_LINK.findall(html)]


# ---- corpus --------------------------------------------------------------------------------------


def test_edit_and_add_article(fresh_site: SiteServer) -> None:
    corpus = fresh_site.corpus
    article = next(iter(corpus))
    before = fetch(fresh_site, article.path()).text
    corpus.edit(article.id, body=["A wholly new paragraph about zeppelins."])
    after = fetch(fresh_site, article.path()).text
    assert "zeppelins" in after and "zeppelins" not in before
    assert corpus[article.id].expected_record()["body"] == ["A wholly new paragraph about zeppelins."]
    new = corpus.add_article("world", headline="A new article appeared")
    assert int(new.id) > max(int(a.id) for a in corpus if a.id != new.id)
    assert new.id in article_ids(fetch(fresh_site, "/News/world").text)
    assert json.loads(fetch(fresh_site, "/ajax_json/1/list/world").body)[0]["ar_head"] == "A new article appeared"


# ---- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, content_type", [
    ("/", "text/html"), ("/robots.txt", "text/plain"), ("/News/world", "text/html"),
    ("/News/biz?pubdate=2015-12-16", "text/html"), ("/News/biz?pubdate=2015/12/16", "text/html"),
    (f"/News/world/archives/2015/12/16/{SEED_ID}", "text/html"), ("/xml/index.rss", "application/rss+xml"),
    ("/xml/sport.rss", "application/rss+xml"), ("/sitemapIndex.xml", "application/xml"),
    ("/sitemap/sitemap.xml", "application/xml"), ("/sitemap/2015/12.xml", "application/xml"),
    ("/ajax_json/1/list/taiwan", "application/json"), ("/News/list?section=all&keywords=zymurgy", "text/html"),
])
def test_serves_every_kind_of_page(site: SiteServer, path: str, content_type: str) -> None:
    got = fetch(site, path)
    assert got.status == 200 and got.header("Content-Type").startswith(content_type)
    assert int(got.header("Content-Length")) == len(got.body) > 0 and got.header("Date")


@pytest.mark.parametrize("path", ["/nope", "/News/nosuch", "/News/world/archives/2015/12/16/1234567890",
                                  "/sitemap/1999/01.xml"])
def test_unknown_paths_are_404_pages(site: SiteServer, path: str) -> None:
    got = fetch(site, path)
    assert got.status == 404 and "Page not found" in got.text


def test_article_page_has_the_real_template_and_every_trap(site: SiteServer, site_corpus: Corpus) -> None:
    article = next(a for a in site_corpus if len(a.photos) > 1 and a.kicker and a.byline.printed
                   and len(a.body) > 8 and any(p.credit for p in a.photos))
    got = fetch(site, article.path())
    assert 38_000 < len(got.body) < 60_000 and len(got.headers) > 6
    assert sum(1 for k, _ in got.headers if k == "Set-Cookie") == 2
    soup = BeautifulSoup(got.body, "lxml")
    assert soup.title.string == f"{article.headline} - Taipei Times"
    assert soup.find("base")["href"] == "https://www.taipeitimes.com/"
    assert soup.find("meta", property="og:url")["content"] == article.url
    assert soup.find("meta", property="article:section")["content"] == article.section
    assert soup.find("meta", property="article:published_time")["content"] == article.published_at
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert (ld["@type"], ld["url"], ld["headline"], ld["articleSection"]) == (
        "NewsArticle", article.url, article.headline, article.section)
    assert ld["dateModified"] == article.modified_at and ld["author"]["name"] == "台北時報"
    assert ld["image"] == {"@type": "ImageObject", "url": article.photos[0].url, "name": article.photos[0].caption}
    assert soup.select_one("div.where") and soup.find("h6").get_text() == f"{article.day:%a, %b %d, %Y} page{article.print_page}"
    archives = soup.select_one("ul > li#left_blake > div.archives")
    assert archives.find("h1", recursive=False).get_text() == article.headline
    assert len(archives.find_all("h1")) == 1 + len(article.photos)  # captions are h1s too
    deck = archives.find("h2", recursive=False)
    assert deck.find("font", class_="red").get_text() == f"{article.kicker}:" and "\n" in deck.get_text()
    assert archives.select_one("ul.as.boxTitle.boxText div.name").get_text() == article.byline.printed
    assert archives.select_one("ul.sh a")
    boxes = archives.select("div.imgboxa")
    assert [b.find("h1").get_text() for b in boxes] == [p.caption for p in article.photos]
    assert any(b.find("p") and b.find("p").get_text().startswith("Photo") for b in boxes)
    ad = archives.select_one("div.ad")
    assert ad.find("script") and ad.find_previous_sibling("p") and ad.find_next_sibling("p")
    assert soup.select_one("div.fbsbox") and soup.select_one("#right_blake").find(string="Most Popular")
    related = soup.select_one("div.dbox2.archivesd")
    assert related.find(string="You might also like") and len(article_ids(str(related))) >= 3
    links = ARTICLE_LINK.findall(got.text)
    assert any(h.startswith("https://") for h in links) and any(h.startswith("News/") for h in links)


def test_translator_chinese_nbsp_and_related_bylines_are_on_pages(site: SiteServer, site_corpus: Corpus) -> None:
    translated = next(a for a in site_corpus if a.translator)
    assert f"<p>（by {translated.translator}）</p>" in fetch(site, translated.path()).text
    spaced = next(a for a in site_corpus if any("\u00a0" in p for p in a.body) and int(a.id) % 2)
    assert "&nbsp;" in fetch(site, spaced.path()).text
    pages = [fetch(site, a.path()).text for a in site_corpus.on(site_corpus.latest_day, "front")]
    assert any(re.search(r"\([^)]*[\u4e00-\u9fff]+\)", page) for page in pages)
    assert any(re.search(r"<h6>By [^<]+ \nand [^<]+ </h6>", page) for page in
               (fetch(site, a.path()).text for a in site_corpus.on(site_corpus.latest_day)))


def test_cross_listed_article_serves_under_its_other_slug_and_date(site: SiteServer, site_corpus: Corpus) -> None:
    article = next(a for a in site_corpus if a.cross_links)
    slug, day = article.cross_links[0]
    assert article.id in article_ids(fetch(site, f"/News/{slug}?pubdate={day}").text
                                     + fetch(site, f"/News/{slug}?pubdate={day}&page=2").text)
    assert fetch(site, article.path(slug, day)).body == fetch(site, article.path()).body


def test_lists_paginate_and_cover_the_day(site: SiteServer, site_corpus: Corpus) -> None:
    day = site_corpus.latest_day
    expected = {a.id for a, _ in site_corpus.listing("taiwan", day)}
    assert len(expected) > LIST_PAGE_SIZE
    first = fetch(site, f"/News/taiwan?pubdate={day}").text
    assert f'pubdate={day}&amp;page=2"' in first
    seen = [set(listed_ids(fetch(site, f"/News/taiwan?pubdate={day}&page={n}").text)) for n in (1, 2, 3)]
    assert len(seen[0]) == LIST_PAGE_SIZE and seen[0] | seen[1] == expected and not seen[2]
    assert set(listed_ids(fetch(site, f"/News/taiwan?pubdate={day:%Y/%m/%d}").text)) == seen[0]
    assert set(listed_ids(first)) == set(listed_ids(fetch(site, "/News/taiwan").text))


def test_rss_is_rdf_with_recent_articles(site: SiteServer, site_corpus: Corpus) -> None:
    root = ElementTree.fromstring(fetch(site, "/xml/index.rss").body)
    assert root.tag == f"{RDF}RDF"
    items = root.findall(f"{RSS1}item")
    recent = {a.url for a in site_corpus if a.day >= site_corpus.latest_day - dt.timedelta(days=1)}
    assert {i.findtext(f"{RSS1}link") for i in items} == recent
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\+08:00", i.findtext(f"{DC}date")) for i in items)
    world = ElementTree.fromstring(fetch(site, "/xml/world.rss").body).findall(f"{RSS1}item")
    assert world and all("/News/world/" in i.findtext(f"{RSS1}link") for i in world)


def test_sitemaps_index_every_article(site: SiteServer, site_corpus: Corpus) -> None:
    index = ElementTree.fromstring(fetch(site, "/sitemapIndex.xml").body)
    locs = [loc.text for loc in index.iter(f"{SM}loc")]
    assert "https://www.taipeitimes.com/sitemap/2015/12.xml" in locs
    urls = set()
    for loc in locs:
        tree = ElementTree.fromstring(fetch(site, loc.removeprefix("https://www.taipeitimes.com")).body)
        urls |= {u.text for u in tree.iter(f"{SM}loc")}
    assert urls == {a.url for a in site_corpus}


def test_json_list_pages_newest_first_then_empty(site: SiteServer, site_corpus: Corpus) -> None:
    entries, page = [], 1
    while chunk := json.loads(fetch(site, f"/ajax_json/{page}/list/world").body):
        assert len(chunk) <= 20
        entries += chunk
        page += 1
    assert page > 2 and {e["ar_url"] for e in entries} == {a.path() for a in site_corpus if a.section_slug == "world"}
    assert all(match_article(e["ar_url"]) and e["ar_head"] and dt.date.fromisoformat(e["ar_pubdate"]) for e in entries)
    assert [e["ar_pubdate"] for e in entries] == sorted((e["ar_pubdate"] for e in entries), reverse=True)
    assert json.loads(fetch(site, "/ajax_json/1/list/all").body)[0]["ar_pubdate"] == site_corpus.latest_day.isoformat()


def test_robots_allows_all_but_search(site: SiteServer) -> None:
    text = fetch(site, "/robots.txt").text
    assert "User-agent: *" in text and "Disallow: /search" in text and "Disallow: /News/\n" not in text


# ---- server --------------------------------------------------------------------------------------


def test_gzip_when_asked(site: SiteServer, site_corpus: Corpus) -> None:
    path = next(iter(site_corpus)).path()
    plain = fetch(site, path)
    zipped = fetch(site, path, headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.header("Content-Encoding") is None and zipped.header("Content-Encoding") == "gzip"
    assert zipped.header("Vary") == "Accept-Encoding" and int(zipped.header("Content-Length")) == len(zipped.body)
    assert gzip.decompress(zipped.body) == plain.body and len(zipped.body) < len(plain.body) / 3


def test_keep_alive_serves_many_requests_on_one_connection(site: SiteServer, site_corpus: Corpus) -> None:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=5)
    for article in list(site_corpus)[:20]:
        conn.request("GET", article.path())
        response = conn.getresponse()
        assert response.status == 200 and response.read()
    conn.close()


def test_hits_count_per_url_and_per_article(fresh_site: SiteServer) -> None:
    article = next(a for a in fresh_site.corpus)
    fetch(fresh_site, article.path())
    fetch(fresh_site, article.path("front", dt.date(2020, 1, 1)) + "?from=rss")
    fetch(fresh_site, "/News/world?page=2")
    assert fresh_site.hits == {article.path(): 1, article.path("front", dt.date(2020, 1, 1)) + "?from=rss": 1,
                               "/News/world?page=2": 1}
    assert fresh_site.article_hits(article.id) == 2
    assert json.loads(fetch(fresh_site, "/__site/hits").body) == fresh_site.hits
    assert json.loads(fetch(fresh_site, f"/__site/hits?article={article.id}").body)["hits"] == 2
    fresh_site.reset_hits()
    assert fresh_site.hits == {}
    fetch(fresh_site, "/robots.txt")
    assert fetch(fresh_site, "/__site/reset_hits", "POST", body=b"{}").status == 200 and fresh_site.hits == {}


# ---- faults --------------------------------------------------------------------------------------


@pytest.fixture
def page(fresh_site: SiteServer) -> str:
    return next(iter(fresh_site.corpus)).path()


def test_fault_500_n_times_then_ok(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.error(500, times=2))
    assert [fetch(fresh_site, page).status for _ in range(3)] == [500, 500, 200]


def test_fault_503_until_cleared(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.unavailable())
    assert [fetch(fresh_site, page).status for _ in range(3)] == [503, 503, 503]
    fresh_site.clear_faults(page)
    assert fetch(fresh_site, page).status == 200


def test_fault_429_with_retry_after(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.throttled(times=1, retry_after=7))
    got = fetch(fresh_site, page)
    assert (got.status, got.header("Retry-After")) == (429, "7")
    assert fetch(fresh_site, page).status == 200


def test_fault_connection_reset_mid_body(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.reset())
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        fetch(fresh_site, page)


def test_fault_body_shorter_than_content_length(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.short_body())
    with pytest.raises(http.client.IncompleteRead):
        fetch(fresh_site, page)


def test_fault_endless_redirect_loop(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.redirect_loop())
    location = page
    for n in range(1, 6):
        got = fetch(fresh_site, location)
        location = got.header("Location")
        assert got.status == 302 and location == f"{page}?loop={n}"


@pytest.mark.parametrize("fault, target", [(Fault.redirect_offsite(), OFFSITE_TARGET),
                                           (Fault.redirect_private(), PRIVATE_TARGETS[0]),
                                           (Fault.redirect_private(PRIVATE_TARGETS[1]), "http://10.0.0.1/")])
def test_fault_redirects_away(fresh_site: SiteServer, page: str, fault: Fault, target: str) -> None:
    fresh_site.inject(page, fault)
    got = fetch(fresh_site, page)
    assert (got.status, got.header("Location")) == (302, target)


def test_fault_huge_response_is_streamed(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.huge())
    conn = http.client.HTTPConnection(fresh_site.host, fresh_site.port, timeout=10)
    conn.request("GET", page)
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Length") == str(50 * 1024 * 1024)
    assert response.read(1 << 20).startswith(b"<p>filler")
    conn.close()
    fresh_site.inject(page, Fault.huge(size=3_000_000))
    assert len(fetch(fresh_site, page).body) == 3_000_000


def test_fault_garbage_with_status_200(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.garbage())
    got = fetch(fresh_site, page)
    assert got.status == 200
    with pytest.raises(UnicodeDecodeError):
        got.body.decode("utf-8")


def test_fault_unknown_layout(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.unknown_layout())
    got = fetch(fresh_site, page)
    assert got.status == 200 and "story__title" in got.text and "archives" not in got.text


def test_fault_slow_response(fresh_site: SiteServer, page: str) -> None:
    fresh_site.inject(page, Fault.slow(0.4, times=1))
    start = time.monotonic()
    assert fetch(fresh_site, page).status == 200 and time.monotonic() - start >= 0.4


def test_fault_list_that_links_to_nothing(fresh_site: SiteServer) -> None:
    assert article_ids(fetch(fresh_site, "/News/taiwan").text)
    fresh_site.inject("/News/taiwan", Fault.empty_list())
    got = fetch(fresh_site, "/News/taiwan?page=1")
    assert got.status == 200 and "searchbox" in got.text and not article_ids(got.text)


def test_faults_over_http_for_another_process(fresh_site: SiteServer, page: str) -> None:
    post = json.dumps({"path": page, "kind": "status", "status": 500, "times": 1}).encode()
    assert fetch(fresh_site, "/__site/fault", "POST", body=post).status == 200
    assert page in json.loads(fetch(fresh_site, "/__site/faults").body)
    assert [fetch(fresh_site, page).status for _ in range(2)] == [500, 200]
    fetch(fresh_site, "/__site/fault", "POST", body=json.dumps({"path": page, "kind": "garbage"}).encode())
    assert fetch(fresh_site, "/__site/clear", "POST", body=b"{}").status == 200
    assert fetch(fresh_site, page).text.startswith("<!DOCTYPE html>")
    bad = fetch(fresh_site, "/__site/fault", "POST", body=json.dumps({"path": page, "kind": "nope"}).encode())
    assert bad.status == 400


def test_a_fault_on_a_url_with_query_leaves_the_bare_path_alone(fresh_site: SiteServer) -> None:
    fresh_site.inject("/News/world?page=2", Fault.error(500))
    assert fetch(fresh_site, "/News/world?page=2").status == 500
    assert fetch(fresh_site, "/News/world").status == 200


# ---- running it ----------------------------------------------------------------------------------


def test_serve_command_prints_its_base_url() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.site", "serve", "--days", "1", "--per-section", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=5)
        conn.request("GET", "/robots.txt")
        assert conn.getresponse().status == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
