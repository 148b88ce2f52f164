"""The current article template (the whole archive back to 1999 is served in it).

Reads exactly what TAIPEI_TIMES.md describes, and sidesteps each trap it lists
by *position*, never by tag name alone:

* headline: the first `<h1>` that is a direct child of `div.archives`; photo
  captions are `<h1>`s too, but inside `div.imgboxa`.
* deck: an `<h2>` directly under `div.archives`, after the headline and before
  the first paragraph or byline list; its red `<font>` is the kicker, whose
  colon is dropped. A mid-article `<h2>` is not a deck.
* byline: `div.name` in the `ul.as` list beside the share buttons.
* print date line: the nearest `<h6>` *before* `div.archives`; the `<h6>`s of
  "Most Popular" and "You might also like" (other articles' bylines) come after
  it and are never read. The class test is on the whole token, so
  `div.dbox2.archivesd` is not mistaken for `div.archives`.
* body: `<p>`s in `div.archives` that are not inside photo boxes (captions,
  "Photo: AFP" credits), ads, the byline/share lists, scripts or forms.
* truncation: on a real page the share box, the right column and the footer
  follow the article; a page that ends inside (or right at the end of)
  `div.archives` is a cut-short download and is refused, rather than archived
  with half a body.
* translator: a closing paragraph `（by Eddy Chang）` (full- or half-width
  parentheses, optionally "Translated by"), or a closing "Translated by Name".
  It becomes `translator` and leaves the body.

Page furniture: the view counter ("This story has been viewed 1965 times.") and
the comment policy ("Comments will be moderated. ...") were printed after the
body by the older template the seed came from. In the current template they sit
outside `div.archives` and are never read; if a page does carry them inside it
as paragraphs, a paragraph that is *wholly* such furniture (matched by the
patterns `_VIEW_COUNTER` and `_COMMENT_POLICY`, anywhere in the body) is
dropped. Matching whole paragraphs means a body sentence that merely mentions
comments or views is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from bs4.element import Tag

from newsarchive.article import Article, Image
from newsarchive.errors import NotAnArticle
from newsarchive.parser.base import Layout, Page, has_class, register, serialise, text_of
from newsarchive.parser.bylines import parse_byline
from newsarchive.parser.metadata import HeadMeta, article_ref, iso_with_offset
from newsarchive.parser.text import collapse, or_none, strip_label_colon
from newsarchive.site.urls import SITE, section_name, section_slug

_TOKEN = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
_ARCHIVES_ANY = f"//div[{_TOKEN.format('archives')}]"
_ARCHIVES = f"({_ARCHIVES_ANY}[h1])[1]"
#: only what HeadMeta reads: og:url and article:* metas, <base>, the canonical link, JSON-LD
_HEAD = ("/html/head/*[self::meta[@property='og:url' or @name='og:url' or starts-with(@property, 'article:')"
         " or starts-with(@name, 'article:')] or self::base"
         " or self::link[contains(@rel, 'canonical')] or self::script[@type='application/ld+json']]")
_BODY_LD = "/html/body//script[@type='application/ld+json']"
_BEFORE = f"preceding::div[{_TOKEN.format('where')}][1] | preceding::h6[1]"

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
#: "Wed, Oct 16, 2024 page1" (current) and "Wed, Dec 16, 2015 - Page 7" (older template)
_DATE_LINE = re.compile(
    r"(?:[A-Za-z]{3,9}\.?,?\s+)?(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>[0-9]{1,2}),?\s+(?P<year>[0-9]{4})"
    r"(?:\s*[-–—]?\s*page\s*(?P<page>[0-9]{1,3})\b)?",
    re.I,
)
_CREDIT = re.compile(r"^photos?\s*(?:[:：]|courtesy\s+of\b|by\b)\s*(?P<name>.*\S)", re.I)
_TRANSLATOR = re.compile(
    r"^[（(]\s*(?:translated\s+)?by\s+(?P<paren>[^（）()]+?)\s*[）)]$|^translated\s+by\s+(?P<plain>.+?)\.?$", re.I)
_VIEW_COUNTER = re.compile(r"^this (?:story|article) has been viewed [\d,]+ times?\.?$", re.I)
#: the comment policy's sentences; a paragraph made only of them is furniture
_COMMENT_POLICY = re.compile(
    r"^(?:(?:comments will be moderated|keep comments relevant to the article"
    r"|remarks containing abusive and obscene language, personal attacks of any kind or promotion will be"
    r" removed and the user banned|final decision will be at the discretion of the taipei times)\.?\s*)+$", re.I)
#: containers inside div.archives whose paragraphs are not body text
_NOT_BODY_TAGS = frozenset({"script", "style", "noscript", "template", "form", "figure", "aside", "nav",
                            "iframe", "button", "ul", "ol", "header", "footer", "table"})
_NOT_BODY_CLASSES = ("ad", "as", "sh", "name", "fbsbox", "boxTitle")
_IMGBOX = re.compile(r"^imgbox")


@register
class CurrentLayout(Layout):
    name = "taipeitimes/current"
    version = 1

    @classmethod
    def mismatch(cls, page: Page) -> str:
        if page.first(_ARCHIVES) is not None:
            return ""
        if page.first(_ARCHIVES_ANY) is not None:
            return 'no <h1> headline directly in <div class="archives">'
        return 'no <div class="archives">'

    @classmethod
    def regions(cls, page: Page) -> str:
        """Head metadata, the breadcrumb and print date line before the article, and the article itself."""
        archives = page.first(_ARCHIVES)
        if archives is not None and not archives.xpath("following::*[1]"):
            raise NotAnArticle("truncated page: it ends inside the article")
        before = archives.xpath(_BEFORE) if archives is not None else []
        return ("<html><head>" + serialise(page.xpath(_HEAD)) + "</head><body>"
                + serialise(before) + serialise(page.xpath(_BODY_LD))
                + (serialise([archives]) if archives is not None else "") + "</body></html>")

    @classmethod
    def extract(cls, soup: BeautifulSoup, url: str | None = None) -> Article:
        archives = _archives(soup)
        if archives is None:
            raise NotAnArticle('unknown layout: no <div class="archives"> with a headline')
        head = HeadMeta.read(soup)
        ref = article_ref(head.meta("og:url"), head.ld_str("url"), head.ld_str("mainEntityOfPage"),
                          head.canonical, url)
        if ref is None:
            raise NotAnArticle("no article URL in the page (og:url, JSON-LD) and none given")
        first_h1 = archives.find("h1", recursive=False)
        headline = collapse(text_of(first_h1)) if first_h1 is not None else None
        if not headline:
            raise NotAnArticle("empty headline")

        section = or_none(head.meta("article:section")) or or_none(head.ld_str("articleSection")) \
            or _breadcrumb_section(archives) or section_name(ref.section_slug)
        printed, page_no = _date_line(archives)
        kicker, deck = _deck(archives)
        byline = _byline(archives)
        parts = parse_byline(byline)
        body, translator = _body(archives)
        base = head.base_href or SITE + "/"
        return Article(
            id=ref.id,
            url=ref.canonical_url,
            section=section,
            section_slug=section_slug(section) or ref.section_slug,
            headline=headline,
            kicker=kicker,
            deck=deck,
            byline=byline,
            authors=parts.authors,
            agencies=parts.agencies,
            dateline=parts.dateline,
            translator=translator,
            published=(printed or ref.date).isoformat(),
            published_at=iso_with_offset(head.meta("article:published_time") or head.ld_str("datePublished")),
            modified_at=iso_with_offset(head.meta("article:modified_time") or head.ld_str("dateModified")),
            print_page=page_no,
            body=body,
            images=[image for box in _photo_boxes(archives) if (image := _image(box, base)) is not None],
            word_count=sum(len(paragraph.split()) for paragraph in body),
            parser=cls.parser_id(),
        )


def _archives(soup: BeautifulSoup) -> Tag | None:
    for div in soup.find_all("div"):
        if has_class(div, "archives") and div.find("h1", recursive=False) is not None:
            return div
    return None


def _breadcrumb_section(archives: Tag) -> str | None:
    """The deepest section link of the `div.where` breadcrumb ("Home > Front Page")."""
    where = archives.find_previous("div", class_="where")
    if where is None:
        return None
    names = [collapse(text_of(a)) for a in where.find_all("a", href=True)
             if re.search(r"/News/[A-Za-z]+/?$", str(a["href"]))]
    return next((name for name in reversed(names) if name), None)


def _date_line(archives: Tag) -> tuple[dt.date | None, int | None]:
    """Print date and page from the `<h6>` just before the article; (None, None) if it is missing or odd."""
    h6 = archives.find_previous("h6")
    match = _DATE_LINE.search(collapse(text_of(h6))) if h6 is not None else None
    month = _MONTHS.get(match["month"][:3].lower()) if match else None
    if match is None or month is None:
        return None, None
    try:
        date = dt.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None, None
    page = int(match["page"]) if match["page"] and int(match["page"]) > 0 else None
    return date, page


def _deck(archives: Tag) -> tuple[str | None, str | None]:
    """(kicker, deck) from the `<h2>` between the headline and the first paragraph or byline."""
    headline = archives.find("h1", recursive=False)
    if headline is None:
        return None, None
    for sibling in headline.find_next_siblings():
        if sibling.name == "h2":
            label = sibling.find(class_="red")
            kicker = strip_label_colon(text_of(label)) if label is not None else ""
            deck = collapse(text_of(sibling, skip=label))
            if kicker:
                deck = deck.lstrip(":： ")
            return kicker or None, deck or None
        if sibling.name in ("p", "ul") or _IMGBOX.match(" ".join(sibling.get("class") or ())):
            break
    return None, None


def _byline(archives: Tag) -> str | None:
    holders = [ul for ul in archives.find_all("ul", recursive=False) if has_class(ul, "as")]
    for holder in holders or [archives]:
        name = next((div for div in holder.find_all("div") if has_class(div, "name")), None)
        if name is not None and not _in_photo_box(name, archives):
            return or_none(text_of(name))
    return None


def _in_photo_box(tag: Tag, archives: Tag) -> bool:
    parent = tag.parent
    while parent is not None and parent is not archives:
        if any(_IMGBOX.match(c) for c in parent.get("class") or ()):
            return True
        parent = parent.parent
    return False


def _is_body_paragraph(p: Tag, archives: Tag) -> bool:
    parent = p.parent
    while parent is not None and parent is not archives:
        if parent.name in _NOT_BODY_TAGS or has_class(parent, *_NOT_BODY_CLASSES):
            return False
        if any(_IMGBOX.match(c) for c in parent.get("class") or ()):
            return False
        if str(parent.get("id", "")).startswith("ad-"):
            return False
        parent = parent.parent
    return parent is archives


def _body(archives: Tag) -> tuple[list[str], str | None]:
    """Body paragraphs, and the translator credited by a closing `（by Name）` paragraph."""
    paragraphs = []
    for p in archives.find_all("p"):
        if not _is_body_paragraph(p, archives):
            continue
        text = collapse(text_of(p))
        if text and not _VIEW_COUNTER.match(text) and not _COMMENT_POLICY.match(text):
            paragraphs.append(text)
    translator = None
    if paragraphs:
        match = _TRANSLATOR.match(paragraphs[-1])
        if match:
            translator = collapse(match["paren"] or match["plain"]) or None
            paragraphs.pop()
    return paragraphs, translator


def _photo_boxes(archives: Tag) -> list[Tag]:
    """`div.imgboxa` photo boxes in reading order; a box nested in another counts once."""
    return [div for div in archives.find_all("div")
            if any(_IMGBOX.match(c) for c in div.get("class") or ()) and not _in_photo_box(div, archives)]


def _image(box: Tag, base: str) -> Image | None:
    """One photo: the full-size link (or the img src), the `<h1>` caption, the name after "Photo:"."""
    link = box.find(lambda tag: tag.has_attr("data-fancybox") and tag.has_attr("href"))
    img = box.find("img")
    src = None
    for candidate in (link.get("href") if link else None,
                      img.get("data-src") if img else None, img.get("src") if img else None):
        if isinstance(candidate, str) and candidate.strip():
            src = candidate.strip()
            break
    if src is None:
        return None
    try:
        url = urljoin(base, src)
    except ValueError:  # "http://[bad": untrusted markup, not a photo we can name
        return None
    if not url.startswith(("http://", "https://")):
        return None
    heading = box.find(["h1", "h2", "h3", "h4", "h5", "h6"])
    caption = or_none(text_of(heading)) if heading is not None else None
    credit = None
    for p in box.find_all("p"):
        text = collapse(text_of(p))
        match = _CREDIT.match(text)
        if match and credit is None:
            credit = match["name"].strip()
        elif text and caption is None:
            caption = text
    return Image(url=url, caption=caption, credit=credit)
