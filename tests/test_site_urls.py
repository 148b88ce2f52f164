"""newsarchive.site.urls: what an article URL says, which ids are ids, and mapping the site to a mirror and back."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.site.urls import SITE, ArticleRef, Mirror, match_article, section_name, section_slug, validate_id

URL = "https://www.taipeitimes.com/News/world/archives/2024/10/16/2003825390"


# -- match_article ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    URL,
    "/News/world/archives/2024/10/16/2003825390",
    "http://127.0.0.1:8080/News/world/archives/2024/10/16/2003825390",
    "http://127.0.0.1:8080/mirror/News/world/archives/2024/10/16/2003825390?utm=x#comments",
    "/News/world/archives/2024/10/16/2003825390/",
    "/News/World/archives/2024/10/16/2003825390",  # the slug is case-insensitive
])
def test_article_urls_in_every_form(url: str) -> None:
    assert match_article(url) == ArticleRef("2003825390", "world", dt.date(2024, 10, 16))


@pytest.mark.parametrize("url", [
    "https://www.taipeitimes.com/News/world",
    "https://www.taipeitimes.com/News/world?pubdate=2024-10-16",
    "/News/world/archives/2024/10/16/200382539",  # nine digits
    "/News/world/archives/2024/10/16/20038253901",  # eleven
    "/News/world/archives/2024/02/30/2003825390",  # no such day
    "/News/world/archives/2024/13/01/2003825390",
    "/News/world2/archives/2024/10/16/2003825390",
    "/News/world/archives/2024/10/16/２００３８２５３９０",  # digits, but not ASCII ones: never a storage key
    "/ajax_json/1/list/world",
    "News/world/archives/2024/10/16/2003825390",  # relative to what? discovery resolves links first
    "",
])
def test_what_is_not_an_article_url(url: str) -> None:
    assert match_article(url) is None


def test_the_canonical_url_comes_from_the_ref() -> None:
    ref = match_article("http://127.0.0.1:1/News/feat/archives/2028/02/29/2008000001?x=1")
    assert ref is not None and ref.canonical_url == f"{SITE}/News/feat/archives/2028/02/29/2008000001"


def test_section_names_and_slugs() -> None:
    assert section_name("editorials") == "Editorial & Opinion" and section_name(None) is None
    assert section_name("nope") is None
    assert section_slug("Front Page") == section_slug("  front   page ") == "front"
    assert section_slug("Editorial & Opinion") == "editorials"
    assert section_slug("Opinion") is None and section_slug(None) is None and section_slug("") is None


# -- validate_id: ids become storage keys ------------------------------------------------------------------

def test_a_ten_digit_id_is_valid() -> None:
    assert validate_id("2003634936") == "2003634936"


@pytest.mark.parametrize("bad", ["", "200363493", "20036349360", "../../etc", "2003634936/", "2003634936\n",
                                 "２００３６３４９３６", " 2003634936", 2003634936, None])
def test_anything_else_is_refused(bad: object) -> None:
    with pytest.raises(InvalidArgument, match="not an article id"):
        validate_id(bad)  # type: ignore[arg-type]


# -- Mirror ------------------------------------------------------------------------------------------------

def test_without_a_base_url_the_real_site_is_used_as_is() -> None:
    mirror = Mirror()
    assert (mirror.base, mirror.is_mirror, mirror.host) == (SITE, False, "www.taipeitimes.com")
    assert mirror.to_fetch(URL) == URL
    assert mirror.to_fetch("/News/world?pubdate=2024-10-16") == f"{SITE}/News/world?pubdate=2024-10-16"
    assert mirror.to_canonical(URL) == URL


def test_a_mirror_fetches_what_the_site_links() -> None:
    mirror = Mirror("http://127.0.0.1:8080/")
    assert mirror.is_mirror and mirror.base == "http://127.0.0.1:8080" and mirror.host == "127.0.0.1"
    assert mirror.to_fetch(URL) == "http://127.0.0.1:8080/News/world/archives/2024/10/16/2003825390"
    assert mirror.to_fetch("/xml/index.rss") == "http://127.0.0.1:8080/xml/index.rss"
    assert mirror.to_fetch("News/world?pubdate=2024-10-16&page=2") == \
        "http://127.0.0.1:8080/News/world?pubdate=2024-10-16&page=2"
    assert mirror.to_fetch("https://taipeitimes.com/News/biz") == "http://127.0.0.1:8080/News/biz"
    # the fragment is never sent
    assert mirror.to_fetch(URL + "#top") == "http://127.0.0.1:8080/News/world/archives/2024/10/16/2003825390"


def test_other_hosts_are_left_alone() -> None:
    mirror = Mirror("http://127.0.0.1:8080")
    assert mirror.to_fetch("https://example.com/News/world") == "https://example.com/News/world"
    assert mirror.to_canonical("https://example.com/x") == "https://example.com/x"


def test_a_mirror_maps_back_to_the_site() -> None:
    mirror = Mirror("http://127.0.0.1:8080")
    assert mirror.to_canonical("http://127.0.0.1:8080/News/world/archives/2024/10/16/2003825390") == URL
    assert mirror.to_canonical("http://127.0.0.1:8080/News/world?pubdate=2024-10-16") == \
        f"{SITE}/News/world?pubdate=2024-10-16"
    assert mirror.to_canonical(URL) == URL


def test_a_mirror_under_a_path() -> None:
    mirror = Mirror("http://127.0.0.1:8080/copy/")
    fetched = mirror.to_fetch(URL)
    assert fetched == "http://127.0.0.1:8080/copy/News/world/archives/2024/10/16/2003825390"
    assert mirror.to_fetch(fetched) == fetched  # a mirror's own link is not prefixed twice
    assert mirror.to_canonical(fetched) == URL


def test_is_site_knows_both_hosts_and_the_mirror() -> None:
    mirror = Mirror("http://127.0.0.1:8080")
    assert mirror.is_site(URL) and mirror.is_site("https://taipeitimes.com/News/world")
    assert mirror.is_site("http://127.0.0.1:8080/News/world") and mirror.is_site("http://WWW.TaipeiTimes.com/")
    assert not mirror.is_site("http://127.0.0.1:8081/News/world")
    assert not mirror.is_site("https://www.taipeitimes.com.evil.example/News/world")
    assert not Mirror().is_site("http://127.0.0.1:8080/News/world")


@pytest.mark.parametrize("base", ["ftp://example", "example.com", "http://", "http://[::1"])
def test_a_bad_base_url_is_an_invalid_argument(base: str) -> None:
    with pytest.raises(InvalidArgument, match="not an http"):
        Mirror(base)
