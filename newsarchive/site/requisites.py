"""Page requisites: what a page of the site needs to be shown as it was, found in its HTML and stylesheets.

A replayed page without its stylesheets, scripts, fonts and icons is not the page
the site served, so the crawl captures them beside the pages. Only what the page
itself asks the browser to load counts: stylesheets, icons, manifests and
preloads (`<link>`), scripts, images and media sources, and the `url()` /
`@import` references of stylesheets (inline `<style>`, `style=""` attributes and
fetched CSS files). Links to other pages (`<a href>`, canonical, alternate) are
not requisites. Which requisites the crawl may fetch is the caller's rule
(newsarchive.site.urls.Mirror.is_site): never third parties.

Pure functions over bytes and text (no Scrapy), so every rule has a unit test. Every page of the site names
the same chrome, so what resolving a link and reading inline CSS give is kept (lru_cache): a crawl reads
every page it fetches, and resolving the same sixty links again each time cost more than parsing the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

#: <link rel=...> values that make the browser load the target
LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed",
                       "mask-icon", "manifest", "preload", "modulepreload", "prefetch"})
#: what a preload may load for the page (`as=`): a preloaded document is another page, not a requisite
PRELOAD_AS = frozenset({"", "style", "script", "font", "image", "fetch", "audio", "video", "track"})
_MEDIA_TAGS = ("img", "script", "source", "video", "audio", "track", "embed", "input")

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# url(...) with or without quotes, and @import "..." (whose url() form the first pattern finds)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)")


def _unescape_css(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        text = m[1]
        if re.fullmatch(r"[0-9a-fA-F]{1,6}\s?", text):
            code = int(text.strip(), 16)
            return chr(code) if 0 < code < 0x110000 else "\ufffd"
        return text

    return _CSS_ESCAPE.sub(repl, value)


@lru_cache(maxsize=4096)
def absolute(ref: str, base: str) -> str | None:
    """`ref` resolved against `base`, without its fragment; None for what is not fetched over http(s)."""
    ref = ref.strip()
    if not ref or ref.startswith("#"):
        return None
    try:
        url = urljoin(base, ref)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # data:, javascript:, mailto:, blob:, about:
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _unique(urls: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))


def from_css(text: str, url: str) -> list[str]:
    """The URLs a stylesheet (or a style attribute) loads, in source order: `@import`s and every `url()`, resolved
    against `url`."""
    return list(_css_refs(text, url))


@lru_cache(maxsize=256)
def _css_refs(text: str, url: str) -> tuple[str, ...]:
    text = _CSS_COMMENT.sub(" ", text)
    found = [(m.start(), m[1] or m[2] or "") for m in _CSS_IMPORT.finditer(text)]
    found += [(m.start(), next((g for g in m.groups() if g is not None), "")) for m in _CSS_URL.finditer(text)]
    return tuple(_unique(absolute(_unescape_css(ref), url) for _, ref in sorted(found)))


def _srcset(value: str) -> list[str]:
    """The URLs of a srcset: comma-separated candidates, each a URL and an optional descriptor."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def _link_wanted(element: lxml.html.HtmlElement) -> bool:
    rels = set((element.get("rel") or "").lower().split())
    if not rels & LINK_RELS:
        return False
    if rels & {"preload", "prefetch", "modulepreload"} and not rels & {"stylesheet", "icon"}:
        return (element.get("as") or "").strip().lower() in PRELOAD_AS
    return True


def from_html(body: bytes | str, url: str) -> list[str]:
    """The requisites an HTML page names, as absolute URLs in page order, resolved against its `<base href>`."""
    if not body:
        return []
    try:
        root = lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = url
    for element in root.iter("base"):
        if element.get("href"):
            base = urljoin(url, element.get("href", "").strip())
            break
    refs: list[str | None] = []
    for element in root.iter("link", "style", *_MEDIA_TAGS):
        tag = element.tag
        if tag == "link":
            if _link_wanted(element):
                refs.append(absolute(element.get("href") or "", base))
        elif tag == "style":
            refs += from_css(element.text or "", base)
        elif tag == "input" and (element.get("type") or "").lower() != "image":
            continue
        else:
            refs.append(absolute(element.get("src") or "", base))
            if tag in ("img", "source") and element.get("srcset"):
                refs += [absolute(ref, base) for ref in _srcset(element.get("srcset", ""))]
            if tag == "video" and element.get("poster"):
                refs.append(absolute(element.get("poster", ""), base))
    for element in root.xpath("//*[@style]"):
        refs += from_css(element.get("style") or "", base)
    return _unique(refs)


def is_stylesheet(url: str, content_type: str | None) -> bool:
    """Whether a fetched requisite is CSS (whose own references are requisites too)."""
    if content_type:
        return content_type.split(";")[0].strip().lower() == "text/css"
    return urlsplit(url).path.lower().endswith(".css")
