"""The era registry: one page-object class per layout the site has used.

A fetched page is decoded and parsed with lxml once (`Page`); every registered
layout class is asked, newest first, whether the page is in its layout
(`Layout.matches`, a few cheap XPath probes). The first that says yes reads the
page; if none does the page is refused with `NotAnArticle` and a reason that
tells "not this site" from "not an article" from "an article in a layout we do
not know" — the last one is what a redesign looks like, and the crawl counts it
towards its layout-change alarm.

Why two parsers: BeautifulSoup is the extraction tool (readable selectors, a
forgiving tree), but building a soup of a whole 47 KB page costs ~16 lxml parses.
So each layout names the few regions it reads (`Layout.regions`); lxml cuts
them out of the page and BeautifulSoup builds a soup of only those. The regions
keep their relative order and nesting, so `Layout.extract` gives the same
record on the cut-down soup as on a soup of the whole page (a test proves it on
every fixture, and bench/parse.py measures both).

Classes here know nothing of Scrapy: they take markup and return an `Article`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import ClassVar

from bs4 import BeautifulSoup
from bs4.element import CData, NavigableString, Tag
from lxml import etree
from lxml import html as lxml_html

from newsarchive.article import Article
from newsarchive.dates import FIRST_ISSUE, today_taipei
from newsarchive.errors import NotAnArticle
from newsarchive.parser.metadata import article_ref
from newsarchive.parser.text import collapse, looks_binary, utf8_markup

_HTML_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
_SITE_MARK = re.compile(r"taipeitimes\.com|taipei\s*times", re.I)


class Page:
    """A page decoded (UTF-8, bad bytes replaced) and parsed by lxml, ready for layouts to probe."""

    def __init__(self, tree: etree._Element, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self._first: dict[str, etree._Element | None] = {}

    @classmethod
    def load(cls, html: str | bytes, url: str | None = None) -> Page:
        if not isinstance(html, (str, bytes, bytearray, memoryview)):
            raise NotAnArticle(f"not markup: {type(html).__name__}")
        if looks_binary(_head_text(html)):
            raise NotAnArticle("binary data, not an HTML page")
        raw = utf8_markup(html).removeprefix(b"\xef\xbb\xbf")
        if not raw or raw.isspace():
            raise NotAnArticle("empty page")
        if b"<" not in raw:
            raise NotAnArticle("plain text, not an HTML page")
        try:
            tree = etree.fromstring(raw, _HTML_PARSER)
        except (etree.ParserError, ValueError) as exc:  # libxml2 gave up on it
            raise NotAnArticle(f"not an HTML page ({exc})") from None
        if tree is None:
            raise NotAnArticle("not an HTML page")
        if any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in _HTML_PARSER.error_log):
            # libxml2 stops nesting at 256 levels and drops the rest: what follows would read as a cut page
            raise NotAnArticle("nested too deep: elements more than 255 levels deep (libxml2's limit), "
                               "the page cannot be read whole")
        return cls(tree, url)

    def xpath(self, query: str) -> list:
        return self.tree.xpath(query)

    def first(self, query: str) -> etree._Element | None:
        """The first element a query finds; remembered, as several layouts' probes ask the same question."""
        if query not in self._first:
            found = self.tree.xpath(query)
            self._first[query] = found[0] if found and isinstance(found[0], etree._Element) else None
        return self._first[query]

    def why_not_article(self) -> str:
        """The reason no layout took this page, in words an archivist can act on."""
        claimed = [str(v) for v in self.xpath(
            "/html/head/meta[@property='og:url']/@content | /html/head/link[@rel='canonical']/@href"
        )]
        if article_ref(*claimed, self.url) is None:
            marks = self.xpath("/html/head/base/@href | /html/head/title//text() | "
                               "/html/head/meta[@property='og:site_name' or @property='og:url']/@content")
            if not any(_SITE_MARK.search(str(m)) for m in marks):
                return "not a Taipei Times page"
            # what the page claims is the page's text: one line, and short, as a report's reason must be
            shown = collapse(claimed[0]) if claimed else ""
            where = f" ({shown[:120]}{'…' if len(shown) > 120 else ''})" if shown else ""
            return f"not an article page{where}"
        return "unknown layout: " + "; ".join(f"{layout.name}: {layout.mismatch(self)}" for layout in LAYOUTS)


class Layout:
    """One era of the article template. Subclasses are plain page objects: markup in, `Article` out."""

    #: "taipeitimes/current": names the era in every record's `parser` field
    name: ClassVar[str]
    #: bumped when the class starts reading the same era differently, so records can be re-parsed selectively
    version: ClassVar[int]

    @classmethod
    def parser_id(cls) -> str:
        return f"{cls.name}@{cls.version}"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return not cls.mismatch(page)

    @classmethod
    def mismatch(cls, page: Page) -> str:
        """Empty if the page is in this layout, else what is missing (used in the "unknown layout" reason)."""
        raise NotImplementedError

    @classmethod
    def regions(cls, page: Page) -> str:
        """The parts of the page `extract` reads, as markup for a small soup."""
        raise NotImplementedError

    @classmethod
    def extract(cls, soup: BeautifulSoup, url: str | None = None) -> Article:
        """The record, from a soup of `regions` or of the whole page (both give the same result)."""
        raise NotImplementedError

    @classmethod
    def parse(cls, page: Page) -> Article:
        return cls.extract(BeautifulSoup(cls.regions(page), "lxml"), page.url)


def _head_text(html: str | bytes | bytearray | memoryview) -> str:
    """The first 4 KB as text, for the "is it binary?" test (a character cut in two costs one U+FFFD)."""
    if isinstance(html, str):
        return html[:4096].lstrip("\ufeff")
    return bytes(html[:4096]).decode("utf-8", "replace").lstrip("\ufeff")


#: newest era first; filled by `register`
LAYOUTS: list[type[Layout]] = []


def register(layout: type[Layout]) -> type[Layout]:
    LAYOUTS.append(layout)
    return layout


def parse_article(html: str | bytes, url: str | None = None) -> Article:
    """One saved article page -> its record.

    `url` is where the page came from; it is used only when the page does not
    name its own canonical URL (og:url, JSON-LD). Raises `NotAnArticle` (with a
    short reason) for anything that is not a Taipei Times article in a known
    layout, and nothing else.
    """
    page = Page.load(html, url)
    for layout in LAYOUTS:
        if layout.matches(page):
            return _in_the_papers_life(layout.parse(page))
    raise NotAnArticle(page.why_not_article())


def _in_the_papers_life(article: Article) -> Article:
    """A print date before the first issue or after tomorrow (Taipei) is no print date: "Mon, Jan 01, 0001"
    must not file a record under year 1, nor a typo under 2204."""
    if article.published is None:
        return article  # no date at all: the crawl files it under the day it was listed for
    last = today_taipei() + dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(article.published)
    except (TypeError, ValueError):
        raise NotAnArticle(f"print date {article.published!r} is not a date") from None
    if not FIRST_ISSUE <= day <= last:
        raise NotAnArticle(f"print date {day.isoformat()} outside the paper's life "
                           f"({FIRST_ISSUE.isoformat()}..{last.isoformat()})")
    return article


# --- helpers for reading soups, shared by the eras ---------------------------------------------

_BREAK_TAGS = frozenset({"br", "hr", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"})


def text_of(tag: Tag, skip: Tag | None = None) -> str:
    """The text a reader sees in `tag`, white space not yet collapsed.

    Unlike `get_text()`, a `<br>` or nested block counts as a space ("line<br>two"
    is two words), while inline markup joins without one ("Tai<b>pei</b>" is one).
    Comments, scripts and styles are not text. `skip` leaves out one descendant
    (the kicker inside a deck). Iterative, so a pathologically deep page cannot
    exhaust the stack.
    """
    out: list[str] = []
    stack: list[object] = list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if node is skip:
            continue
        if type(node) is NavigableString or type(node) is CData:
            out.append(str(node))
        elif isinstance(node, Tag):
            if node.name in _BREAK_TAGS:
                out.append(" ")
            stack.extend(reversed(node.contents))
    return "".join(out)


def has_class(tag: Tag, *names: str) -> bool:
    classes = tag.get("class") or ()
    return any(c in names for c in classes)


def serialise(nodes: Iterable[etree._Element]) -> str:
    return "".join(etree.tostring(node, encoding="unicode", method="html", with_tail=False) for node in nodes)
