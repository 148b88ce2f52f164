"""HTML pages in the site's current template: articles, section lists, home, 404.

Article pages carry every trap listed in TAIPEI_TIMES.md, and each page is
rendered from the corpus's truth, so what a parser should read from it is
known (SiteArticle.expected_record).
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from newsarchive.site.urls import SECTIONS
from tests.site import chrome
from tests.site.corpus import Corpus, SiteArticle, collapse

LIST_PAGE_SIZE = 10
_LONG_WORD = re.compile(r"\b([A-Za-z]{7,})\b")


def print_date_line(day: dt.date, page: int | None) -> str:
    """The h6 over an article: "Wed, Oct 16, 2024 page1" (no page for web-only pieces)."""
    text = f"{day:%a, %b %d, %Y}"
    return f"{text} page{page}" if page is not None else text


def _link(article: SiteArticle, path: str | None = None, relative: bool = False) -> str:
    """Links as the site writes them: mostly absolute, some relative to the base href."""
    path = path or article.path()
    return path.lstrip("/") if relative else chrome.absolute(path)


def _paragraph(article: SiteArticle, n: int, text: str) -> str:
    """One body paragraph, with the inline markup and spacing quirks of real pages."""
    html = escape(text, quote=False)
    if int(article.id) % 2:
        html = html.replace("\u00a0", "&nbsp;")
    if (int(article.id) + n) % 4 == 0:
        html = _LONG_WORD.sub(r"<i>\1</i>", html, count=1)
    if (int(article.id) + n) % 5 == 0:
        html = f"\n    {html}\n  "
    return f"<p>{html}</p>"


def _photo(photo) -> str:
    credit = f"\n  <p>{escape(photo.printed_credit)}</p>" if photo.printed_credit else ""
    caption = escape(photo.caption or "")
    return f"""<div class="imgboxa">
  <div data-fancybox href="{photo.url}"><img src="{photo.url}" width="100%" alt="{caption}"></div>
  <h1>{caption}</h1>{credit}
</div>"""


def _ad(n: int) -> str:
    return (f'<div id="ad-IR{n}" class="boxTitle ad m mob ad-ir"><script>displayDFP(\'ad-IR{n}\',\'m\');</script></div>'
            f'\n<div id="ad-IR{n}d" class="boxTitle ad m pc"><script>displayDFP(\'ad-IR{n}d\',\'m\');</script></div>')


def _deck(article: SiteArticle) -> str:
    if article.deck is None and article.kicker is None:
        return ""
    kicker = f'\n      <font class="red ">{escape(article.kicker)}:</font>' if article.kicker else ""
    return f"<h2>{kicker}\n       {escape(article.deck or '')}           </h2>"


def _byline(article: SiteArticle) -> str:
    name = f'\n  <li><div class="name">{escape(article.byline.printed)}</div></li>' if article.byline.printed else ""
    return f'<ul class="as boxTitle boxText">{name}\n  <li>{chrome.share_buttons(article.url, article.headline)}</li>\n</ul>'


def _article_body(article: SiteArticle) -> str:
    parts: list[str] = []
    for n, text in enumerate(article.body):
        parts += [_photo(p) for p in article.photos if p.after == n]
        parts.append(_paragraph(article, n, text))
        if n + 1 in article.ads_after:
            parts.append(_ad(article.ads_after.index(n + 1) + 1))
    parts += [_photo(p) for p in article.photos if p.after >= len(article.body)]
    if article.translator:
        parts.append(f"<p>（by {escape(article.translator)}）</p>")
    return "\n".join(parts)


def _related_box(corpus: Corpus, article: SiteArticle) -> str:
    items = []
    for n, other in enumerate(corpus.related(article)):
        path = other.path(*other.cross_links[0]) if other.cross_links and n % 2 else other.path()
        byline = (other.byline.printed or "").replace(" and ", " \nand ")
        who = f"<h6>{escape(byline)} </h6>" if byline else ""
        thumb = f'<div class="imgbox"><img src="{other.photos[0].url}" alt=""></div>' if other.photos else ""
        items.append(f'<li><a href="{_link(other, path, relative=n % 3 == 2)}">{thumb}<div class="tit">'
                     f'<h3>{escape(other.headline)}</h3><p>{escape(other.lead)}</p>{who}</div></a></li>')
    rows = "\n".join(items)
    return f"""<div class="dbox2 archivesd"><div class="boxTitle"><h2>You might also like</h2></div>
<ul class="relatedlist">
{rows}
</ul></div>"""


def _fbsbox(article: SiteArticle) -> str:
    return f"""<div class="fbsbox">
<div class="fb-like" data-href="{article.url}" data-layout="button_count" data-action="like"></div>
<p class="views">This story has been viewed {int(article.id) % 9000 + 100} times.</p>
<div class="fb-comments" data-href="{article.url}" data-width="100%" data-numposts="5"></div>
<p class="rule">Comments will be moderated. Keep comments relevant to the article. Remarks containing abusive and obscene
language, personal attacks of any kind or promotion will be removed and the user banned. Final decision will be at the
discretion of the Taipei Times.</p>
<div id="ad-IR3" class="boxTitle ad m"><script>displayDFP('ad-IR3','m');</script></div>
</div>"""


def _popular(corpus: Corpus) -> list[tuple[str, str, str]]:
    return [(_link(a, relative=n % 2 == 1), a.headline, a.lead) for n, a in enumerate(corpus.most_popular())]


def _breadcrumb(slug: str) -> str:
    return (f'<div class="where"><ul><li><a href="https://www.taipeitimes.com/">Home</a></li>\n'
            f'                        <li><a href="https://www.taipeitimes.com/News/{slug}">{escape(SECTIONS[slug])}'
            f'</a></li></ul></div>')


def article_page(corpus: Corpus, article: SiteArticle) -> str:
    image = article.photos[0] if article.photos else None
    json_ld = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "url": article.url, "headline": article.headline, "articleSection": article.section,
        "datePublished": article.published_at, "dateModified": article.modified_at,
        "image": {"@type": "ImageObject", "url": image.url if image else chrome.LOGO,
                  "name": image.caption if image else "Taipei Times"},
        "author": {"@type": "Organization", "name": "台北時報"},
        "publisher": {"@type": "Organization", "name": "Taipei Times",
                      "logo": {"@type": "ImageObject", "url": chrome.LOGO}},
    }
    lead = article.lead
    meta = [("name", "description", lead), ("name", "keywords", f"{article.section}, Taiwan, Taipei Times"),
            ("property", "og:title", article.headline), ("property", "og:type", "article"),
            ("property", "og:url", article.url), ("property", "og:image", image.url if image else chrome.LOGO),
            ("property", "og:description", lead), ("property", "article:section", article.section),
            ("property", "article:published_time", article.published_at),
            ("name", "twitter:card", "summary_large_image"), ("name", "twitter:title", article.headline)]
    return "\n".join([
        chrome.head(f"{collapse(article.headline)} - Taipei Times", meta, json_ld),
        chrome.menus(article.section_slug),
        '<div class="container">',
        _breadcrumb(article.section_slug),
        f"<h6>{print_date_line(article.day, article.print_page)}</h6>",
        '<ul class="row"><li id="left_blake" class="col-lg-8">\n  <div class="archives">',
        f"<h1>{escape(article.headline)}</h1>",
        _deck(article), _byline(article), _article_body(article),
        "  </div>", _fbsbox(article),
        f'</li><li class="col-lg-4">{chrome.right_column(_popular(corpus))}</li></ul>',
        _related_box(corpus, article),
        "</div>", chrome.footer(),
    ])


def _list_item(n: int, article: SiteArticle, path: str) -> str:
    thumb = f'<div class="imgbox"><img src="{article.photos[0].url}" alt=""></div>' if article.photos else ""
    return (f'<li><a href="{_link(article, path, relative=n % 2 == 0)}" class="tit">{thumb}<div class="text">'
            f"<h1>{escape(article.headline)}</h1><h2>{escape(article.lead)}</h2>"
            f'<span class="date">{article.day.isoformat()}</span></div></a></li>')


def _pager(base: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    sep = "&amp;" if "?" in base else "?"
    links = [f'<a href="{base}{sep}page={n}"{" class=active" if n == page else ""}>{n}</a>' for n in range(1, pages + 1)]
    if page < pages:
        links.append(f'<a href="{base}{sep}page={page + 1}" class="next">Next</a>')
    if page > 1:
        links.insert(0, f'<a href="{base}{sep}page={page - 1}" class="prev">Prev</a>')
    return '<div class="page">' + " ".join(links) + "</div>"


def list_page(corpus: Corpus, slug: str, day: dt.date, page: int, dated: bool, links: bool = True) -> str:
    """A section's list for one print day, LIST_PAGE_SIZE articles a page (`links=False`: a list of nothing)."""
    rows = corpus.listing(slug, day) if links else []
    pages = max(1, -(-len(rows) // LIST_PAGE_SIZE))
    shown = rows[(page - 1) * LIST_PAGE_SIZE: page * LIST_PAGE_SIZE]
    items = "\n".join(_list_item(n, a, path) for n, (a, path) in enumerate(shown))
    base = f"News/{slug}?pubdate={day.isoformat()}" if dated else f"News/{slug}"
    previous = day - dt.timedelta(days=1)
    title = SECTIONS[slug]
    meta = [("name", "description", f"{title} - Taipei Times"), ("property", "og:title", f"{title} - Taipei Times"),
            ("property", "og:url", chrome.absolute(f"/News/{slug}")), ("property", "og:image", chrome.LOGO)]
    return "\n".join([
        chrome.head(f"{title} - Taipei Times", meta), chrome.menus(slug), '<div class="container">',
        _breadcrumb(slug),
        f'<div class="boxTitle"><h1>{escape(title)}</h1><span class="pubdate">{day:%a, %b %d, %Y}</span>'
        f'<a href="News/{slug}?pubdate={previous.isoformat()}" class="prevday">Previous day</a></div>',
        f'<ul class="row"><li class="col-lg-8"><div class="archivesbox"><ul class="searchbox">\n{items}\n</ul>',
        _pager(base, page, pages) if links else "",
        f'</div></li><li class="col-lg-4">{chrome.right_column(_popular(corpus) if links else [])}</li></ul></div>',
        chrome.footer(),
    ])


def search_page(corpus: Corpus, keywords: str, section: str) -> str:
    """/News/list: articles whose body holds the keywords (the site's search, roughly)."""
    ids = corpus.ids_containing(keywords) if keywords.strip() else []
    hits = [corpus[i] for i in ids if section in ("all", corpus[i].section_slug)][:LIST_PAGE_SIZE * 5]
    items = "\n".join(_list_item(n, a, a.path()) for n, a in enumerate(hits))
    meta = [("property", "og:title", "Search - Taipei Times")]
    return "\n".join([chrome.head("Search - Taipei Times", meta), chrome.menus(None), '<div class="container">',
                      f'<div class="boxTitle"><h1>Search: {escape(keywords)}</h1></div>',
                      f'<ul class="searchbox">\n{items}\n</ul></div>', chrome.footer()])


def home_page(corpus: Corpus) -> str:
    blocks = []
    for slug, name in SECTIONS.items():
        rows = "".join(_list_item(n, a, path)
                       for n, (a, path) in enumerate(corpus.listing(slug, corpus.latest_day)[:4]))
        blocks.append(f'<div class="boxTitle"><h2><a href="News/{slug}">{escape(name)}</a></h2></div>'
                      f'<ul class="searchbox">{rows}</ul>')
    meta = [("property", "og:title", "Taipei Times"), ("property", "og:url", chrome.absolute("/"))]
    return "\n".join([chrome.head("Taipei Times - Taiwan News, Business, Sports", meta), chrome.menus("front"),
                      '<div class="container">', *blocks, "</div>", chrome.footer()])


def not_found_page() -> str:
    meta = [("name", "robots", "noindex")]
    return "\n".join([chrome.head("404 Not Found - Taipei Times", meta), chrome.menus(None),
                      '<div class="container"><div class="error404"><h1>Page not found</h1>'
                      "<p>The page you requested could not be found.</p>"
                      '<p><a href="https://www.taipeitimes.com/">Back to the home page</a></p></div></div>',
                      chrome.footer()])


def unknown_layout_page(article: SiteArticle | None) -> str:
    """An article in a template nobody has seen: a parser must fail loudly on it, not guess."""
    headline = escape(article.headline if article else "Redesigned story")
    paragraphs = "".join(f"<div class='para'>{escape(p)}</div>" for p in (article.body if article else ["Text."]))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{headline} | TT</title>
<base href="https://www.taipeitimes.com/"></head><body><main id="app" data-v="3">
<article class="story"><header class="story__head"><span class="story__title">{headline}</span></header>
<section class="story__text">{paragraphs}</section></article></main></body></html>"""
