"""What a captured page uses, read from the page: the URLs a browser fetches to show it, resolved as a browser
resolves them, and only the site's own."""

from __future__ import annotations

from newsarchive.wacz.requisites import page_requisites, same_site

MIRROR = "http://127.0.0.1:8000/News/front/archives/2024/10/16/2003825372"


def test_a_page_with_a_base_href_names_the_sites_urls() -> None:
    """The crawl's own rules (newsarchive.site.requisites, tested there): what it captured is what is looked for."""
    html = b"""<html><head><base href="https://www.taipeitimes.com/">
    <link rel="stylesheet" href="assets/css/style.css?v=1"><link rel="Shortcut Icon" href="/favicon.ico">
    <link rel="canonical" href="https://www.taipeitimes.com/x"><link rel="alternate" href="/xml/index.rss">
    <script src="assets/js/a.js"></script><script>var inline = 1;</script>
    <style>@import "assets/css/print.css"; .x{background:url( 'assets/images/x.png' )}</style></head>
    <body style="background-image:url(/assets/images/body.jpg)">
    <img src="https://img.taipeitimes.com/images/2024/10/16/P01.jpg" srcset="assets/images/s.png 1x, assets/images/t.png 2x">
    <picture><source srcset="assets/images/p.webp"></picture>
    <video poster="assets/images/poster.jpg"></video><input type="image" src="assets/images/go.png">
    <script src="https://connect.facebook.net/sdk.js"></script><a href="News/front">not fetched</a>
    </body></html>"""
    site = "https://www.taipeitimes.com/"
    assert page_requisites(html, MIRROR) == [
        site + "assets/css/style.css?v=1", site + "favicon.ico", site + "assets/js/a.js", site + "assets/css/print.css",
        site + "assets/images/x.png", "https://img.taipeitimes.com/images/2024/10/16/P01.jpg",
        site + "assets/images/s.png", site + "assets/images/t.png", site + "assets/images/p.webp",
        site + "assets/images/poster.jpg", site + "assets/images/go.png", site + "assets/images/body.jpg",
    ]


def test_without_a_base_urls_resolve_against_the_page_and_its_mirror_is_the_site() -> None:
    html = b'<link rel="stylesheet" href="../../x.css"><img src="/a.png#frag"><script src="//cdn.example.com/j.js"></script>'
    assert page_requisites(html, MIRROR) == ["http://127.0.0.1:8000/News/front/archives/2024/x.css", "http://127.0.0.1:8000/a.png"]


def test_what_is_not_a_page() -> None:
    assert page_requisites(b"", MIRROR) == [] and page_requisites(b"\x00\x01\x02", MIRROR) == []


def test_the_site_is_taipeitimes_and_the_host_a_page_came_from() -> None:
    for url in ("https://www.taipeitimes.com/a", "https://img.taipeitimes.com/b", "http://taipeitimes.com/",
                "http://127.0.0.1:8000/c"):
        assert same_site(url, MIRROR)
    for url in ("https://taipeitimes.com.evil.example/a", "https://ads.doubleclick.net/x", "http://127.0.0.2:8000/c"):
        assert not same_site(url, MIRROR)
