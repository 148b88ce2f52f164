"""The machine-readable ways into the site: RSS, sitemaps, the JSON list, robots.txt."""

from __future__ import annotations

import datetime as dt
import json
from xml.sax.saxutils import escape

from newsarchive.site.urls import SECTIONS, SITE
from tests.site.corpus import Corpus, SiteArticle

JSON_PAGE_SIZE = 20
RECENT_DAYS = 2

ROBOTS = f"""User-agent: *
Disallow: /search
Disallow: /News/list
Disallow: /__site/

Sitemap: {SITE}/sitemapIndex.xml
Sitemap: {SITE}/sitemap/sitemap.xml
"""


def _recent(corpus: Corpus, slug: str | None = None) -> list[SiteArticle]:
    since = corpus.latest_day - dt.timedelta(days=RECENT_DAYS - 1)
    return [a for a in corpus.newest_first(slug) if a.day >= since]


def rss(corpus: Corpus, slug: str | None) -> str:
    """RDF 1.0 (RSS 1.0) with dc:date, as /xml/index.rss and /xml/<section>.rss are."""
    name = "Top News" if slug is None else SECTIONS[slug]
    about = f"{SITE}/xml/{slug or 'index'}.rss"
    articles = _recent(corpus, slug)
    seq = "\n".join(f'<rdf:li rdf:resource="{escape(a.url)}"/>' for a in articles)
    items = "\n".join(f"""<item rdf:about="{escape(a.url)}">
<title>{escape(a.headline)}</title>
<link>{escape(a.url)}</link>
<description>{escape(a.lead)}</description>
<dc:date>{a.published_at}</dc:date>
<dc:subject>{escape(a.section)}</dc:subject>
</item>""" for a in articles)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{about}">
<title>Taipei Times - {escape(name)}</title>
<link>{SITE}/</link>
<description>Taipei Times - {escape(name)}</description>
<dc:language>en</dc:language>
<dc:date>{corpus.latest_day.isoformat()}T00:00:00+08:00</dc:date>
<items><rdf:Seq>
{seq}
</rdf:Seq></items>
</channel>
{items}
</rdf:RDF>
"""


def months(corpus: Corpus) -> list[tuple[int, int]]:
    return sorted({(a.day.year, a.day.month) for a in corpus}, reverse=True)


def sitemap_index(corpus: Corpus) -> str:
    entries = [f"{SITE}/sitemap/sitemap.xml"] + [f"{SITE}/sitemap/{y:04d}/{m:02d}.xml" for y, m in months(corpus)]
    rows = "\n".join(f"<sitemap><loc>{loc}</loc><lastmod>{corpus.latest_day.isoformat()}</lastmod></sitemap>"
                     for loc in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{rows}
</sitemapindex>
"""


def monthly_sitemap(corpus: Corpus, year: int, month: int) -> str | None:
    articles = [a for a in corpus.newest_first() if (a.day.year, a.day.month) == (year, month)]
    if not articles:
        return None
    rows = "\n".join(f"<url><loc>{escape(a.url)}</loc><lastmod>{a.modified_at or a.published_at}</lastmod></url>"
                     for a in articles)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{rows}
</urlset>
"""


def news_sitemap(corpus: Corpus) -> str:
    rows = "\n".join(f"""<url><loc>{escape(a.url)}</loc><news:news>
<news:publication><news:name>Taipei Times</news:name><news:language>en</news:language></news:publication>
<news:publication_date>{a.published_at}</news:publication_date><news:title>{escape(a.headline)}</news:title>
</news:news></url>""" for a in _recent(corpus))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{rows}
</urlset>
"""


def json_list(corpus: Corpus, page: int, slug: str) -> str:
    """/ajax_json/<page>/list/<section>: newest first, JSON_PAGE_SIZE a page, [] past the end."""
    articles = corpus.newest_first(None if slug == "all" else slug) if slug == "all" or slug in SECTIONS else []
    chunk = articles[(page - 1) * JSON_PAGE_SIZE: page * JSON_PAGE_SIZE] if page >= 1 else []
    return json.dumps([{
        "ar_id": a.id, "ar_url": a.path(), "ar_head": a.headline, "ar_pubdate": a.day.isoformat(),
        "ar_section": a.section_slug, "ar_image": a.photos[0].url if a.photos else "",
        "ar_cont": a.lead,
    } for a in chunk], ensure_ascii=False)
