"""What a captured page uses: the URLs a browser would fetch to show it as it was.

Read from the page as captured, never guessed: stylesheets, icons and
preloads (`<link>`), scripts, images (`src`, `srcset`, the lazy loaders'
`data-src`), posters, inline `style` attributes and `<style>` blocks; then, in
every captured stylesheet, its `url(...)` and `@import` (relative to the
stylesheet). URLs are resolved as the browser resolves them, against the
page's `<base href>` when it has one (the site's pages do:
https://www.taipeitimes.com/).

Only the site's own URLs count (taipeitimes.com and its subdomains, such as the
photo host, or the mirror the page was fetched from): the crawl never fetches
third-party hosts (ads, trackers, widgets), so the store has nothing of theirs.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from newsarchive.archive.replay import is_site_host

#: <link rel=...> that a browser fetches to render the page
LINK_RELS = {"stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "preload",
             "prefetch", "modulepreload", "manifest"}
IMAGE_ATTRS = ("src", "data-src", "data-original", "data-lazy-src")
#: the elements that can make a browser fetch something (XPath: lxml walks the tree in C, in document order)
WANTED = lxml.etree.XPath("//link[@href] | //script[@src] | //iframe[@src] | //embed[@src] | //audio[@src] | "
                          "//track[@src] | //input[@type='image'] | //img | //source | //video | //style | //*[@style]")
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s][^)\s]*))\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 14)  # the site's furniture repeats on every page, with the same base
def _clean(base: str, value: str | None) -> str | None:
    """An absolute http(s) URL without its fragment, or None (data:, javascript:, mailto:, empty)."""
    value = (value or "").strip()
    if not value or value.startswith(("data:", "javascript:", "mailto:", "about:", "#")):
        return None
    try:
        parts = urlsplit(urljoin(base, value))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def css_urls(css: str, css_url: str) -> list[str]:
    """`url(...)` and `@import` targets of a stylesheet (or a style attribute), resolved against `css_url`."""
    found = []
    for match in sorted((*CSS_URL.finditer(css), *CSS_IMPORT.finditer(css)), key=lambda m: m.start()):
        url = _clean(css_url, next(group for group in match.groups() if group is not None))
        if url:
            found.append(url)
    return found


def page_urls(html: bytes, page_url: str) -> list[str]:
    """Every URL the page makes a browser fetch to show it (any host), in page order, once each."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = page_url
    for element in doc.iter("base"):
        if element.get("href"):
            base = urljoin(page_url, element.get("href", ""))
            break
    raw: list[str | None] = []
    for element in WANTED(doc):
        tag = element.tag
        if tag == "link" and LINK_RELS & set((element.get("rel") or "").lower().split()):
            raw.append(_clean(base, element.get("href")))
        elif tag in ("script", "iframe", "embed", "audio", "track") or (tag == "input" and element.get("type") == "image"):
            raw.append(_clean(base, element.get("src")))
        elif tag in ("img", "source", "video"):
            raw += [_clean(base, element.get(attr)) for attr in (*IMAGE_ATTRS, "poster")]
            for attr in ("srcset", "data-srcset"):
                raw += [_clean(base, candidate) for candidate in _srcset(element.get(attr) or "")]
        elif tag == "style" and element.text:
            raw += css_urls(element.text, base)
        if element.get("style"):
            raw += css_urls(element.get("style", ""), base)
    return list(dict.fromkeys(url for url in raw if url))


@functools.lru_cache(maxsize=1 << 14)
def _host(url: str) -> str | None:
    return urlsplit(url).hostname


def same_site(url: str, fetched_from: str) -> bool:
    """The site's own URL: on taipeitimes.com or a subdomain, or on the host the page was fetched from."""
    host = _host(url)
    return is_site_host(host) or host == urlsplit(fetched_from).hostname


def page_requisites(html: bytes, page_url: str) -> list[str]:
    """The same-site URLs a captured page uses (`page_url` is the URL it was fetched from)."""
    page_host = urlsplit(page_url).hostname
    return [url for url in page_urls(html, page_url) if (host := _host(url)) == page_host or is_site_host(host)]
