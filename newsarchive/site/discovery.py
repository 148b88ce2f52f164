"""Finding articles in whatever a list, feed, sitemap or JSON list holds.

Articles are recognised by the article URL pattern, never by a list's markup,
so a redesign of list pages cannot hide them. The same rules serve the crawl
and `newsarchive coverage`, so "listed by the site" means one thing.

Feeds and sitemaps are untrusted XML: a document with a DTD or entity
declarations (billion laughs, external entities) or malformed XML is refused
before anything is read from it. A link that cannot be a URL at all (an
unclosed IPv6 bracket, a port out of range) costs only itself: it is kept in
`Found.bad_links` and the rest of the list is read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from newsarchive.site.urls import SECTIONS, SITE, SITE_HOST, ArticleRef, match_article

_HREF_RE = re.compile(rb"""href\s*=\s*["']([^"'<>]+)["']""", re.I)
_BASE_RE = re.compile(rb"""<base\s[^>]*href\s*=\s*["']([^"']+)["']""", re.I)
# ids are ASCII digits: `\d` would also take fullwidth or Arabic-Indic digits, a second id for the same article
_ARTICLE_TEXT_RE = re.compile(
    r"(?:https?://[^\s\"'<>]+)?/News/[A-Za-z]+/archives/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{10}(?![0-9])", re.ASCII)
#: longest piece of a bad link or its error kept in Found.bad_links
_SHORT = 200


class UnsafeDocument(ValueError):
    """A feed or sitemap we refuse to read (unsafe or malformed XML, broken JSON)."""


@dataclass
class Found:
    """What one list-like document yields."""

    articles: list[tuple[ArticleRef, str]] = field(default_factory=list)  # (ref, absolute URL as linked)
    next_pages: list[str] = field(default_factory=list)  # absolute site URLs of further list pages
    bad_links: list[tuple[str, str]] = field(default_factory=list)  # (link as written, why it is no URL), shortened

    def bad_link(self, href: str, error: Exception) -> None:
        self.bad_links.append((_short(href), _short(str(error))))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def _add_article(found: Found, url: str, seen: set[str]) -> None:
    ref = match_article(url)
    if ref is not None and ref.id not in seen:
        # only the site's own link settles an id: a link on another host (which the crawl does not follow)
        # placed first must not hide the real one
        if urlsplit(url).netloc.lower() in (SITE_HOST, "taipeitimes.com"):
            seen.add(ref.id)
        found.articles.append((ref, url))


def base_url_of(html: bytes, page_url: str) -> str:
    m = _BASE_RE.search(html[:20000])
    if not m:
        return page_url
    try:
        return urljoin(page_url, m.group(1).decode("utf-8", "replace"))
    except ValueError:  # a <base> that is no URL: links resolve against the page, as browsers do
        return page_url


def from_html_list(html: bytes, page_url: str, canonical_page_url: str) -> Found:
    """Article links and pagination links of a section list page.

    `canonical_page_url` is the list's URL on the real site: pagination links
    are those that keep the list's path and pubdate and add a `page` parameter.
    """
    found = Found()
    seen: set[str] = set()
    base = base_url_of(html, canonical_page_url)
    here = urlsplit(canonical_page_url)
    here_query = parse_qs(here.query)
    pages: set[str] = set()
    for m in _HREF_RE.finditer(html):
        raw = m.group(1)
        if b"archives" not in raw and b"page" not in raw.lower():
            continue  # neither an article nor a further page: most of a page's links (menus, assets, ads)
        href = raw.decode("utf-8", "replace").strip().replace("&amp;", "&")
        try:
            url = urljoin(base, href)
            parts = urlsplit(url)
            _add_article(found, url, seen)
        except ValueError as exc:  # "Invalid IPv6 URL", a port out of range: this link only
            found.bad_link(href, exc)
            continue
        if parts.path.rstrip("/").lower() != here.path.rstrip("/").lower():
            continue
        query = parse_qs(parts.query)
        if "page" in query and query.get("pubdate") == here_query.get("pubdate") and url not in pages:
            if query.get("page") != here_query.get("page"):
                pages.add(url)
                found.next_pages.append(url)
    return found


def _safe_xml(body: bytes, what: str):  # -> Element
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeDocument(f"{what}: unsafe XML refused ({type(exc).__name__})") from None
    except SafeET.ParseError as exc:
        raise UnsafeDocument(f"{what}: malformed XML ({exc})") from None


def _texts(root) -> list[str]:
    out: list[str] = []
    for el in root.iter():
        if el.text and el.text.strip():
            out.append(el.text.strip())
        for value in el.attrib.values():
            out.append(value)
    return out


def from_feed(body: bytes, what: str = "feed") -> Found:
    """RSS (RDF 1.0) or a news sitemap: every article URL it holds, in any element or attribute."""
    root = _safe_xml(body, what)
    found = Found()
    seen: set[str] = set()
    for text in _texts(root):
        for m in _ARTICLE_TEXT_RE.finditer(text):
            try:
                _add_article(found, urljoin(SITE + "/", m.group(0)), seen)
            except ValueError as exc:
                found.bad_link(m.group(0), exc)
    return found


def _json(body: bytes, what: str) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnsafeDocument(f"{what}: not JSON ({_short(str(exc))})") from None
    except RecursionError:  # a few hundred thousand nested "[": the parser's recursion, not a syntax error
        raise UnsafeDocument(f"{what}: JSON nested too deep") from None


def from_json_list(body: bytes, what: str = "JSON list") -> Found:
    """The /ajax_json/<page>/list/<section> endpoint: entries with ar_url, ar_head, ar_pubdate."""
    data = _json(body, what)
    if not isinstance(data, list):
        raise UnsafeDocument(f"{what}: expected a JSON array")
    found = Found()
    seen: set[str] = set()
    for entry in data:
        if isinstance(entry, dict) and isinstance(entry.get("ar_url"), str):
            try:
                _add_article(found, urljoin(SITE + "/", entry["ar_url"]), seen)
            except ValueError as exc:
                found.bad_link(entry["ar_url"], exc)
    return found


def json_dates(body: bytes) -> list[dt.date]:
    """Print dates of a JSON list page's entries (to know when to stop paging)."""
    try:
        data = _json(body, "JSON list")
    except UnsafeDocument:
        return []
    out = []
    for entry in data if isinstance(data, list) else []:
        try:
            out.append(dt.date.fromisoformat(str(entry.get("ar_pubdate", ""))[:10]))
        except (ValueError, AttributeError):
            continue
    return out


def section_list_url(section: str, day: dt.date | None = None) -> str:
    if section not in SECTIONS:
        raise ValueError(f"unknown section: {section}")
    url = f"{SITE}/News/{section}"
    return f"{url}?pubdate={day:%Y-%m-%d}" if day else url


def json_list_url(section: str, page: int) -> str:
    return f"{SITE}/ajax_json/{page}/list/{section}"
