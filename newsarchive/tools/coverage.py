"""`coverage`: for each print day and section, what the site listed against what the archive holds.

"Listed by the site" is read from the store itself, offline: the list pages,
feeds and JSON lists the crawls captured (found through the CDXJ indexes, read
with one ranged GET each) are run through the crawl's own discovery rules
(newsarchive.site.discovery), so coverage and crawl can never disagree on what a
list links. An article counts for the print day and section its link names,
and only if a crawl of those sections and days would fetch it (the spider's
window rule). "Archived" means a record exists for the id.

A day and section whose dated list page (`/News/<section>?pubdate=D`) was never
captured with a 200 (or revisited: its bytes were captured before), or only in
a capture that cannot be read (a decompression bomb, a document the crawl
refused), is a gap too: nothing can be claimed about it. A list capture that
cannot be read makes the result incomplete unless the same list was captured
readably too; captures are read with the crawl's bounds
(newsarchive.archive.decoding).

An archived article whose photos could not all be captured is a gap as well:
part of it is lost. Those are read from `state/images-missing/`, which the
crawl keeps (one LIST and a small read each), with the reasons the run reports
give; `verify` checks every record's photos one by one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newsarchive.archive import decoding, warcread
from newsarchive.archive.keys import RECORDS_PREFIX, STATE_IMAGES_MISSING_PREFIX, parse_record_key
from newsarchive.archive.report import article_failures, image_failures
from newsarchive.archive.warcread import CdxEntry, UnreadableRecord
from newsarchive.errors import KeyNotFound
from newsarchive.site import discovery
from newsarchive.site.urls import SECTIONS, SITE, ArticleRef
from newsarchive.site.window import CrawlWindow
from newsarchive.store.base import Store

_SECTION_LIST = re.compile(r"/News/(?P<section>[A-Za-z]+)/?$")
_JSON_LIST = re.compile(r"/ajax_json/[0-9]+/list/[A-Za-z]+$")
_FEED = re.compile(r"(/xml/[A-Za-z]+\.rss|/sitemap/.+\.xml|/sitemapIndex\.xml)$")
_WARC_DAY = re.compile(r"^warc/([0-9]{4})/([0-9]{2})/([0-9]{2})/")
#: a list for print day D is captured on D (Taipei) at the earliest: D - 1 in UTC
CAPTURE_LEAD = dt.timedelta(days=1)


@dataclass(frozen=True)
class ListCapture:
    kind: str  # html, json, feed
    entry: CdxEntry
    section: str | None = None  # dated section lists only
    day: dt.date | None = None

    @property
    def revisit(self) -> bool:
        """The same bytes as an earlier capture: it shows the list was captured; its links are the original's."""
        return self.entry.is_revisit


@dataclass
class Cell:
    """One print day of one section."""

    day: dt.date
    section: str
    list_captured: bool = False
    listed: dict[str, str] = field(default_factory=dict)  # id -> canonical URL
    archived: set[str] = field(default_factory=set)
    photos_missing: dict[str, list[str]] = field(default_factory=dict)  # archived id -> photo URLs not captured

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.listed) - self.archived)

    @property
    def has_gap(self) -> bool:
        return bool(self.missing) or not self.list_captured or bool(self.photos_missing)


@dataclass
class Coverage:
    since: dt.date
    until: dt.date
    sections: list[str]
    cells: list[Cell]
    reasons: dict[str, str]  # id -> why a crawl failed it, from the run reports
    unreadable: list[str] = field(default_factory=list)  # list captures that could not be read
    photo_reasons: dict[str, str] = field(default_factory=dict)  # photo URL -> why a crawl failed it

    @property
    def gaps(self) -> int:
        return sum(len(c.missing) for c in self.cells)

    @property
    def articles_missing_photos(self) -> int:
        return sum(len(c.photos_missing) for c in self.cells)

    @property
    def uncaptured(self) -> int:
        return sum(1 for c in self.cells if not c.list_captured)

    @property
    def complete(self) -> bool:
        return not any(c.has_gap for c in self.cells) and not self.unreadable

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(), "sections": self.sections,
            "complete": self.complete, "gaps": self.gaps, "lists_not_captured": self.uncaptured,
            "articles_missing_photos": self.articles_missing_photos,
            "unreadable_list_captures": self.unreadable,
            "days": [{
                "day": c.day.isoformat(), "section": c.section, "list_captured": c.list_captured,
                "listed": len(c.listed), "archived": len(c.archived & set(c.listed)),
                "missing": [{"id": i, "url": c.listed[i], "reason": self.reasons.get(i)} for i in c.missing],
                "photos_missing": [{"id": i, "url": c.listed[i],
                                    "photos": [{"url": u, "reason": self.photo_reasons.get(u)} for u in urls]}
                                   for i, urls in sorted(c.photos_missing.items())],
            } for c in self.cells],
        }


def classify(entry: CdxEntry) -> ListCapture | None:
    """Is this capture a list the crawl reads articles from? Mirrors' URLs count like the site's."""
    if entry.status != 200:
        return None
    parts = urlsplit(entry.url)
    if m := _SECTION_LIST.search(parts.path):
        section = m["section"].lower()
        if section not in SECTIONS:
            return None
        pubdate = (parse_qs(parts.query).get("pubdate") or [""])[0]
        try:
            day = dt.date.fromisoformat(pubdate.strip().replace("/", "-")) if pubdate else None
        except ValueError:
            day = None
        return ListCapture("html", entry, section, day)
    if _JSON_LIST.search(parts.path):
        return ListCapture("json", entry)
    if _FEED.search(parts.path):
        return ListCapture("feed", entry)
    return None


def _canonical(url: str) -> str:
    """The list's URL on the real site, which discovery resolves relative links against."""
    parts = urlsplit(url)
    m = _SECTION_LIST.search(parts.path)
    path = parts.path[m.start():] if m else parts.path
    return f"{SITE}{path}" + (f"?{parts.query}" if parts.query else "")


def links(store: Store, capture: ListCapture) -> list[ArticleRef]:
    """The articles a captured list links, by the discovery rules the crawl used; UnreadableRecord if the list
    cannot be read (whatever the reason: a list is reported, never a crash)."""
    rec = warcread.read_record(store, capture.entry.warc, capture.entry.offset, capture.entry.length)
    body = rec.body(decoding.page_limit() if capture.kind == "html" else decoding.feed_limit())
    canonical = _canonical(capture.entry.url)
    try:
        if capture.kind == "html":
            found = discovery.from_html_list(body, canonical, canonical)
        elif capture.kind == "json":
            found = discovery.from_json_list(body, canonical)
        else:
            found = discovery.from_feed(body, canonical)
    except discovery.UnsafeDocument as exc:
        raise UnreadableRecord(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - any other failure to read a list is that list's, not the command's
        text = " ".join(str(exc).split())[:150]
        raise UnreadableRecord(f"list unreadable: {type(exc).__name__}: {text}") from None
    return [ref for ref, _url in found.articles]


def _warc_day(key: str) -> dt.date | None:
    m = _WARC_DAY.match(key)
    return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None


def list_captures(store: Store, since: dt.date) -> list[ListCapture]:
    """List captures in WARCs written late enough to hold lists of `since` or after (by their key's date)."""
    found = []
    for info in warcread.warc_files(store):
        day = _warc_day(info.key)
        if day is not None and day < since - CAPTURE_LEAD:
            continue
        for entry in warcread.responses(store, info.key):
            if (capture := classify(entry)) is not None:
                found.append(capture)
    return found


def coverage(store: Store, since: dt.date, until: dt.date, sections: list[str] | None = None) -> Coverage:
    window = CrawlWindow(since, until, tuple(sections or SECTIONS))
    chosen = list(window.sections)
    cells = {(d, s): Cell(d, s) for d in window.days for s in chosen}
    result = Coverage(since, until, chosen, list(cells.values()), {})
    wanted = window.wants  # what a crawl of these days and sections fetches

    read: set[str] = set()  # lists read at least once
    unreadable: list[tuple[str, str]] = []  # (list, note)
    for capture in list_captures(store, since):
        if capture.revisit:  # its original, captured no earlier than its print day, is read among the others
            if capture.day is not None and capture.section is not None and (capture.day, capture.section) in cells:
                cells[(capture.day, capture.section)].list_captured = True
            continue
        try:
            refs = links(store, capture)
        except (UnreadableRecord, KeyNotFound) as exc:
            unreadable.append((_canonical(capture.entry.url),
                               f"{capture.entry.warc}@{capture.entry.offset} ({capture.entry.url}): {exc}"))
            continue
        read.add(_canonical(capture.entry.url))
        if capture.day is not None and capture.section is not None and (capture.day, capture.section) in cells:
            cells[(capture.day, capture.section)].list_captured = True
        for ref in refs:
            cell = cells.get((ref.date, ref.section_slug))
            if cell is not None and wanted(ref):
                cell.listed.setdefault(ref.id, ref.canonical_url)
            elif wanted(ref):  # a slug the site does not list: counted under the list that linked it
                owner = cells.get((capture.day, capture.section)) if capture.day and capture.section else None
                if owner is not None:
                    owner.listed.setdefault(ref.id, ref.canonical_url)
    result.unreadable = [note for url, note in unreadable if url not in read]  # a readable capture supersedes
    archived = {parsed[0] for info in store.list(RECORDS_PREFIX)
                if (parsed := parse_record_key(info.key)) is not None}
    photos = photos_missing(store)
    for cell in result.cells:
        cell.archived = archived & set(cell.listed)
        cell.photos_missing = {i: photos[i] for i in cell.archived if i in photos}
    if result.gaps:
        result.reasons = article_failures(store)
    if result.articles_missing_photos:
        result.photo_reasons = image_failures(store)
    return result


def photos_missing(store: Store) -> dict[str, list[str]]:
    """Archived articles whose photos were not all captured, per the crawl's notes: id -> the photos' URLs."""
    found: dict[str, list[str]] = {}
    for info in store.list(STATE_IMAGES_MISSING_PREFIX):
        try:
            doc = json.loads(store.get_bytes(info.key))
        except (KeyNotFound, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            found[doc["id"]] = [str(u) for u in doc.get("images") or ()]
    return found

