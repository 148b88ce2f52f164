"""Page requisites found in HTML and CSS, and which hosts the crawl may fetch them from (pure rules, no server)."""

from __future__ import annotations

import pytest

from newsarchive.site.requisites import absolute, from_css, from_html, is_stylesheet
from newsarchive.site.urls import IMAGE_HOST, Mirror

SITE = "https://www.taipeitimes.com"
PAGE = f"{SITE}/News/front/archives/2024/10/16/2003825372"


def test_html_requisites_resolve_against_the_base_href_in_page_order() -> None:
    html = b"""<!DOCTYPE html><html><head>
    <base href="https://www.taipeitimes.com/">
    <link rel="stylesheet" href="assets/css/style.css?v=1">
    <link rel="StyleSheet" href="/assets/css/print.css" media="print">
    <link rel="icon" sizes="32x32" href="assets/images/icon-32.png">
    <link rel="shortcut icon" href="favicon.ico">
    <link rel="apple-touch-icon" href="assets/images/touch.png">
    <link rel="preload" as="font" href="assets/fonts/a.woff2" crossorigin>
    <link rel="preload" as="document" href="News/front">
    <link rel="canonical" href="https://www.taipeitimes.com/News/front/archives/2024/10/16/2003825372">
    <link rel="alternate" type="application/rss+xml" href="xml/index.rss">
    <link rel="preconnect" href="https://securepubads.g.doubleclick.net">
    <script src="assets/js/menu.js"></script>
    <script type="application/ld+json">{"url": "https://www.taipeitimes.com/x.js"}</script>
    <style>.logo { background: url("assets/images/logo-bg.png") } @import 'assets/css/inline-import.css';</style>
    </head><body>
    <a href="assets/css/not-a-requisite.css">a link is not a requisite</a>
    <img src="assets/images/logo.png" srcset="assets/images/logo@2x.png 2x, assets/images/logo@3x.png 3x">
    <div style="background-image: url(assets/images/bar.png)"></div>
    <picture><source srcset="assets/images/hero.webp 1x"><img src="assets/images/hero.jpg"></picture>
    <video poster="assets/images/poster.jpg" src="assets/video/clip.mp4"></video>
    <input type="image" src="assets/images/go.png"><input type="text" src="assets/images/not-loaded.png">
    <img src="data:image/png;base64,AAAA"><img src="#"><script src="javascript:void(0)"></script>
    <script src="assets/js/menu.js"></script>
    </body></html>"""
    assert from_html(html, PAGE) == [f"{SITE}/{p}" for p in (
        "assets/css/style.css?v=1", "assets/css/print.css", "assets/images/icon-32.png", "favicon.ico",
        "assets/images/touch.png", "assets/fonts/a.woff2", "assets/js/menu.js",
        "assets/images/logo-bg.png", "assets/css/inline-import.css",
        "assets/images/logo.png", "assets/images/logo@2x.png", "assets/images/logo@3x.png",
        "assets/images/hero.webp", "assets/images/hero.jpg", "assets/video/clip.mp4", "assets/images/poster.jpg",
        "assets/images/go.png", "assets/images/bar.png")]


def test_without_a_base_href_urls_resolve_against_the_page() -> None:
    html = b'<html><head><link rel="stylesheet" href="../css/a.css"></head><body><img src="b.png"></body></html>'
    assert from_html(html, f"{SITE}/News/front/x") == [f"{SITE}/News/css/a.css", f"{SITE}/News/front/b.png"]


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe" * 50, b"not html at all", "<html>ünïcode</html>"])
def test_anything_that_is_not_a_page_has_no_requisites(body: bytes | str) -> None:
    assert from_html(body, PAGE) == []


def test_css_imports_urls_fonts_and_escapes() -> None:
    css = r"""
    @import url("fonts.css");
    @import 'layout.css' screen;
    @import "https://fonts.googleapis.com/css2?family=Noto+Sans";
    /* url(commented-out.png) */
    @font-face { font-family: Roboto;
      src: url(../fonts/roboto.woff2) format("woff2"), url( '../fonts/roboto.woff' ) format("woff"); }
    .a { background: URL(../images/bg.png) no-repeat; }
    .b { background: url(data:image/svg+xml;base64,PHN2Zz4=); filter: url(#blur); }
    .c { background: url("../images/sp\61 ce.png"); mask: url(../images/bg.png); }
    """
    base = f"{SITE}/assets/css/style.css?v=20241016"
    assert from_css(css, base) == [
        f"{SITE}/assets/css/fonts.css", f"{SITE}/assets/css/layout.css",
        "https://fonts.googleapis.com/css2?family=Noto+Sans",
        f"{SITE}/assets/fonts/roboto.woff2", f"{SITE}/assets/fonts/roboto.woff",
        f"{SITE}/assets/images/bg.png", f"{SITE}/assets/images/space.png",
    ]


@pytest.mark.parametrize("ref, expected", [
    ("a.css#frag", f"{SITE}/assets/a.css"),
    ("  //cdn.example.com/x.js  ", "https://cdn.example.com/x.js"),
    ("mailto:x@y", None), ("blob:https://x/1", None), ("about:blank", None), ("", None), ("#top", None),
    ("http://[bad", None),
])
def test_absolute(ref: str, expected: str | None) -> None:
    assert absolute(ref, f"{SITE}/assets/x.html") == expected


def test_is_stylesheet() -> None:
    assert is_stylesheet(f"{SITE}/a", "text/css; charset=utf-8")
    assert not is_stylesheet(f"{SITE}/a.css", "application/javascript")
    assert is_stylesheet(f"{SITE}/a.CSS?v=1", None)


# -- which hosts are the paper's own -------------------------------------------------------------------------

PHOTO = f"https://{IMAGE_HOST}/images/2024/10/16/P01-241016-3721.jpg"


@pytest.mark.parametrize("url, site, first_party", [
    (f"{SITE}/assets/css/style.css", True, True),
    ("https://taipeitimes.com/assets/a.js", True, True),
    (PHOTO, False, True),
    ("https://securepubads.g.doubleclick.net/tag/js/gpt.js", False, False),
    ("https://www.googletagmanager.com/gtag/js?id=G-1", False, False),
    ("https://connect.facebook.net/en_US/sdk.js", False, False),
    ("https://img.taipeitimes.com.evil.example/images/x.jpg", False, False),
    ("https://www.taipeitimes.com@evil.example/x.css", False, False),
])
def test_first_party_hosts(url: str, site: bool, first_party: bool) -> None:
    mirror = Mirror()
    assert mirror.is_site(url) is site
    assert mirror.is_first_party(url) is first_party


def test_the_real_site_fetches_photos_from_the_image_host() -> None:
    mirror = Mirror()
    assert mirror.to_fetch(PHOTO) == PHOTO
    assert mirror.to_canonical(PHOTO) == PHOTO


def test_a_mirror_serves_the_image_host_too_and_records_keep_canonical_urls() -> None:
    mirror = Mirror("http://127.0.0.1:8000/tt")
    fetched = mirror.to_fetch(PHOTO)
    assert fetched == "http://127.0.0.1:8000/tt/images/2024/10/16/P01-241016-3721.jpg"
    assert mirror.is_first_party(fetched) and mirror.is_first_party(PHOTO)
    assert mirror.to_canonical(fetched) == PHOTO
    asset = mirror.to_fetch(f"{SITE}/assets/css/style.css?v=1")
    assert asset == "http://127.0.0.1:8000/tt/assets/css/style.css?v=1"
    assert mirror.to_canonical(asset) == f"{SITE}/assets/css/style.css?v=1"
    # a third party stays a third party behind a mirror
    assert mirror.to_fetch("https://securepubads.g.doubleclick.net/x.js") == "https://securepubads.g.doubleclick.net/x.js"
    assert not mirror.is_first_party("http://127.0.0.1:9999/x.js")
