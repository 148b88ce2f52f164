"""Replaying captures: the collection name, replay URLs, and a mirror's captures under the site's own URLs.

A capture replays at `<base>/<collection>/<14-digit timestamp>/<URL as fetched>`
(pywb's URL scheme, which ReplayWeb.page shares); `id_` after the timestamp
asks for the bytes as captured, without pywb's rewriting. The URL is the one
really fetched (the record's `fetched_url`, the WARC's `WARC-Target-URI`): for
a crawl of a mirror (`--base-url`) that is the mirror's URL, and that is the
truth the WARC keeps.

But a page names its stylesheets and photos by the site's own URLs (its
`<base href>` is https://www.taipeitimes.com/), so replaying a mirror's page
would ask for captures under URLs the index does not hold: unstyled, photos
broken. So every index made for replay (the store's, a WACZ's) lists a
mirror's capture twice: under the URL fetched, and under the site's URL it
stands for (`site_alias`), marked `"alias_of"`. The crawler fetches nothing but
the site or its mirror, so any capture whose host is not the site's is a
mirror's. A mirror that serves the site under a path prefix is not recognised
(its captures replay by the URL fetched only).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newsarchive.archive.cdxj import CdxLine, timestamp14, url_key
from newsarchive.site.urls import IMAGE_HOST, IMAGE_PATH_PREFIX, SITE_HOST

COLLECTION = "taipeitimes"
#: the replay server archivists publish (a proxy in front of `newsarchive replay`, say)
REPLAY_URL_ENV = "NEWSARCHIVE_REPLAY_URL"
DEFAULT_PORT = 8080
DEFAULT_REPLAY_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
SITE_DOMAIN = "taipeitimes.com"


def capture_url(base: str, url: str, timestamp: str, *, original: bool = False, collection: str = COLLECTION) -> str:
    """`<base>/<collection>/<timestamp>[id_]/<url>`: pywb shows the capture closest to the timestamp."""
    return f"{base.rstrip('/')}/{collection}/{timestamp}{'id_' if original else ''}/{url}"


def replay_url(record: dict[str, Any], base: str | None = None, *, original: bool = False) -> str | None:
    """Where a record's capture replays, or None for a record the crawl did not make (no capture).

    `base` defaults to $NEWSARCHIVE_REPLAY_URL, else http://127.0.0.1:8080 (what `newsarchive replay` serves)."""
    url, fetched_at = record.get("fetched_url"), record.get("fetched_at")
    if not isinstance(url, str) or not isinstance(fetched_at, str) or not isinstance(record.get("capture"), dict):
        return None
    base = base or os.environ.get(REPLAY_URL_ENV) or DEFAULT_REPLAY_URL
    return capture_url(base, url, timestamp14(fetched_at), original=original)


def is_site_host(host: str | None) -> bool:
    host = (host or "").lower()
    return host == SITE_DOMAIN or host.endswith("." + SITE_DOMAIN)


def site_url_of(url: str) -> str | None:
    """The site's URL a mirror's URL stands for (photos on the photo host), or None if `url` is the site's."""
    parts = urlsplit(url)
    if not parts.hostname or is_site_host(parts.hostname):
        return None
    host = IMAGE_HOST if parts.path.startswith(IMAGE_PATH_PREFIX) else SITE_HOST
    return urlunsplit(("https", host, parts.path or "/", parts.query, ""))


def site_alias(line: CdxLine) -> CdxLine | None:
    """The same capture listed under the site's URL, for a mirror's capture; None otherwise."""
    canonical = site_url_of(line.url) if line.url else None
    if canonical is None:
        return None
    return CdxLine(url_key(canonical), line.timestamp, {**line.fields, "url": canonical, "alias_of": line.url})


def with_aliases(lines: Iterable[str]) -> Iterator[str]:
    """Index lines as text, each followed by its site alias when it has one (still to be sorted)."""
    for text in lines:
        yield text
        line = CdxLine.parse(text)
        alias = site_alias(line) if line is not None else None
        if alias is not None:
            yield alias.text


def as_fetched(url: str, fetched_from: str) -> tuple[str, ...]:
    """Where a URL a page names may have been captured: as named, and on the host the page came from
    (a mirror serves the site's paths). Only the site's own URLs are mapped; others stay as they are."""
    origin = urlsplit(fetched_from)
    return _as_fetched(url, origin.scheme, origin.netloc)


@functools.lru_cache(maxsize=1 << 14)  # a package asks the same few dozen URLs of every page from one origin
def _as_fetched(url: str, scheme: str, netloc: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    host = urlsplit(f"//{netloc}").hostname
    if is_site_host(parts.hostname) and netloc and not is_site_host(host):
        return url, urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return (url,)
