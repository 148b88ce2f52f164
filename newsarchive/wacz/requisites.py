"""What a captured page uses: the URLs a browser would fetch to show it as it was.

Read from the page as captured, never guessed, by the rules the crawl used
to capture them (newsarchive.site.requisites: stylesheets, icons and preloads,
scripts, images and media with their srcsets and posters, `<style>` blocks and
`style` attributes; in every stylesheet its `url(...)` and `@import`, relative
to the stylesheet), so a package holds what the crawl captured for the page
and looks for nothing it would never have fetched. URLs resolve against the
page's `<base href>` when it has one (the site's pages do:
https://www.taipeitimes.com/).

Only the site's own URLs count (taipeitimes.com and its subdomains, such as the
photo host, or the mirror the page was fetched from): the crawl never fetches
third-party hosts (ads, trackers, widgets), so the store has nothing of theirs.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from newsarchive.archive.replay import is_site_host
from newsarchive.site.requisites import from_html


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
    return [url for url in from_html(html, page_url) if (host := _host(url)) == page_host or is_site_host(host)]
