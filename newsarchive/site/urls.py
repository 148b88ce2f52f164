"""What the site's URLs mean: article identity, sections, mirrors.

Articles are found by their URL pattern wherever a list, feed or sitemap links
them, never by a list's markup, so a redesign of list pages cannot hide them.
The id alone identifies an article: the same id appears under other section
slugs and dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from newsarchive.errors import InvalidArgument

SITE = "https://www.taipeitimes.com"
SITE_HOST = "www.taipeitimes.com"
#: the paper's image host: articles' photos (https://img.taipeitimes.com/images/YYYY/MM/DD/...jpg). First party, like
#: the site; a mirror serves its paths at its own root.
IMAGE_HOST = "img.taipeitimes.com"
#: the hosts that are the site itself (pages and their requisites)
SITE_HOSTS = (SITE_HOST, "taipeitimes.com")

#: slug -> display name, as the site's menu has them
SECTIONS: dict[str, str] = {
    "front": "Front Page",
    "taiwan": "Taiwan News",
    "biz": "Business",
    "editorials": "Editorial & Opinion",
    "sport": "Sports",
    "world": "World News",
    "feat": "Features",
    "lang": "Bilingual Pages",
}
#: sections that have articles every print day: an empty list there suggests a layout change
ALWAYS_PUBLISHED = ("front", "taiwan", "biz", "editorials", "world", "sport")
SECTION_BY_NAME: dict[str, str] = {name.lower(): slug for slug, name in SECTIONS.items()}

# ASCII digits only: `\d` also matches fullwidth and other Unicode digits, which would make "２００３８２５３７２"
# a second id (a second record, key and state) for article 2003825372
ID_RE = re.compile(r"^[0-9]{10}$", re.ASCII)
ARTICLE_PATH_RE = re.compile(
    r"/News/(?P<section>[A-Za-z]+)/archives/(?P<y>[0-9]{4})/(?P<m>[0-9]{2})/(?P<d>[0-9]{2})/(?P<id>[0-9]{10})(?![0-9])",
    re.ASCII,
)


@dataclass(frozen=True)
class ArticleRef:
    """An article as a link names it: id, the section slug and date in that link."""

    id: str
    section_slug: str
    date: dt.date

    @property
    def canonical_url(self) -> str:
        return f"{SITE}/News/{self.section_slug}/archives/{self.date:%Y/%m/%d}/{self.id}"


def match_article(url: str) -> ArticleRef | None:
    """The article a URL (absolute or a path) points at, or None if it is not an article URL."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0].split("#", 1)[0]
    m = ARTICLE_PATH_RE.fullmatch(path.rstrip("/")) or ARTICLE_PATH_RE.search(path)
    if not m:
        return None
    try:
        date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return ArticleRef(m["id"], m["section"].lower(), date)


def section_name(slug: str | None) -> str | None:
    return SECTIONS.get(slug or "")


def section_slug(name: str | None) -> str | None:
    """Slug for a display name ("Front Page" -> "front"), tolerant of case and spacing."""
    if not name:
        return None
    return SECTION_BY_NAME.get(" ".join(name.split()).lower())


def validate_id(article_id: str) -> str:
    """Refuse anything that is not a ten-digit id: ids become storage keys."""
    if not isinstance(article_id, str) or not ID_RE.fullmatch(article_id):
        raise InvalidArgument(f"not an article id: {article_id!r}")
    return article_id


class Mirror:
    """Maps the site's URLs to a mirror (`--base-url`) and back.

    Pages link to https://www.taipeitimes.com; a mirror may also link to its
    own host. Both are "the site": `to_fetch` gives the URL to request,
    `to_canonical` the URL as the real site names it. The image host is first
    party too (`is_first_party`): a mirror serves its `/images/...` at its root.
    """

    def __init__(self, base_url: str | None = None) -> None:
        base = (base_url or SITE).rstrip("/")
        if "@" in base:
            # never echoed, and never used: it would sit in every request URL, log line and WARC record
            raise InvalidArgument("the base URL takes no credentials (user:password@): a mirror must be readable "
                                  "without them")
        try:
            parts = urlsplit(base)
        except ValueError as exc:  # "Invalid IPv6 URL": say which option was wrong
            raise InvalidArgument(f"not an http(s) base URL: {base_url!r} ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgument(f"not an http(s) base URL: {base_url!r}")
        self.base = base
        self.base_netloc = parts.netloc.lower()
        self.base_scheme = parts.scheme
        self.base_path = parts.path.rstrip("/")
        self.is_mirror = base != SITE

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""

    def is_site(self, url: str) -> bool:
        """A URL of the site's own pages and requisites (www.taipeitimes.com or the mirror)."""
        netloc = _netloc(url)
        return netloc in SITE_HOSTS or netloc == self.base_netloc

    def is_first_party(self, url: str) -> bool:
        """The site or the paper's image host: the only hosts the crawl ever fetches from."""
        return self.is_site(url) or _netloc(url) == IMAGE_HOST

    def to_fetch(self, url: str) -> str:
        """The URL to request for a site URL (absolute, or relative to the site root)."""
        absolute = urljoin(SITE + "/", url)
        parts = urlsplit(absolute)
        netloc = parts.netloc.lower()
        if netloc in SITE_HOSTS or netloc == self.base_netloc or (self.is_mirror and netloc == IMAGE_HOST):
            path = parts.path
            if self.base_path and not path.startswith(self.base_path + "/"):
                path = self.base_path + path
            return urlunsplit((self.base_scheme, self.base_netloc, path, parts.query, ""))
        return absolute

    def to_canonical(self, url: str) -> str:
        """The URL as the real site names it."""
        parts = urlsplit(url)
        if parts.netloc.lower() != self.base_netloc or not self.is_mirror:
            return url
        path = parts.path
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path):]
        host = IMAGE_HOST if path.startswith(IMAGE_PATH_PREFIX) else SITE_HOST
        return urlunsplit(("https", host, path, parts.query, ""))


#: where the image host's photos lie (a mirror's paths under it are the image host's)
IMAGE_PATH_PREFIX = "/images/"


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""
