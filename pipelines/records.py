"""Stores each article's JSON record, its history, and what the crawl remembers of it.

Order matters for crash safety: the WARC capture is already on disk (flushed
per record) when the record is written, and the state object is written last.

One id, one record key, for ever: the key is built from the print date the
first time an article is archived and kept in its state; when the site later
corrects the print date, that is an edit like any other (`published` among the
changed fields, the old version in history/), never a second record.
A crash in between costs a re-fetch on the next run, never a lost or doubled
record (the same key is overwritten with the same content).

The article's photos are captured first (newsarchive.crawl.photos), so the
record is written once, with each photo's capture pointer. A photo captured by
an earlier crawl keeps its capture and is not fetched again. One that could not
be captured is reported, and the article is archived all the same, noted under
`state/images-missing/` (before its state, so a crash in between only means a
re-fetch): the next run that lists it fetches the page again (a revisit if
unchanged) and tries the missing photos, and the record gains their pointers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive import article
from newsarchive.archive import records as recordstore
from newsarchive.archive.keys import parse_record_key, record_key
from newsarchive.archive.state import ArticleState
from newsarchive.crawl.photos import PhotoCapture
from newsarchive.crawl.run import CrawlRun
from newsarchive.dates import iso_utc, utc_now

log = logging.getLogger(__name__)


class RecordPipeline:
    def __init__(self, run: CrawlRun, photos: PhotoCapture) -> None:
        self.run = run
        self.photos = photos

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordPipeline:
        return cls(CrawlRun.of(crawler), PhotoCapture(crawler))

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        item.pop("html", None)  # kept in WARC; feeds and Scrapyd's items_dir get the light item
        run = self.run
        record: dict[str, Any] = item.pop("record")
        capture = item.get("capture")
        if capture is None:
            raise DropItem(f"{item['fetched_url']}: no capture")  # its capture failed, reported then (crawl.capture)
        fetched_at: dt.datetime = item.get("fetched_at") or utc_now()
        try:
            published = dt.date.fromisoformat(record["published"])
        except (TypeError, ValueError):
            published = run.window.first if run.window else fetched_at.date()
            record["published"] = published.isoformat()
        record.update(fetched_url=item["fetched_url"], fetched_at=iso_utc(fetched_at), capture=capture)
        # the key first (the one its state names, if archived before), then reads and writes (each fsynced), all in
        # a thread: the reactor keeps fetching meanwhile
        key, day = await asyncio.to_thread(self._key, record["id"], published)
        item["record_key"] = key
        previous = await asyncio.to_thread(recordstore.read_record, run.store, key) if record["id"] in run.known else None
        images: list[dict[str, Any]] = record.get("images") or []
        article.carry_image_provenance(images, previous.get("images") if previous else None)
        missing = await self.photos.capture(record["id"], record["url"], images)
        changed = await asyncio.to_thread(self._store, item, record, key, day, previous, missing)
        if changed is None:
            run.count("articles_new")
        elif not changed:
            run.count("articles_unchanged")
            return item
        else:
            run.count("articles_changed")
            run.report.changes.append({"id": record["id"], "url": record["url"], "fields": changed})
        run.report.records_written += 1
        assert run.writer is not None  # the WARC writer belongs to the reactor thread
        run.writer.write_metadata(item["fetched_url"], capture["record_id"],
                                  {"record": item["record_key"], "article-id": record["id"],
                                   "parser": record.get("parser", "")})
        return item

    def _key(self, article_id: str, published: dt.date) -> tuple[str, dt.date]:
        """The article's record key (and its day): the one its state names if it has been archived before."""
        state = self.run.known.get(article_id) if article_id in self.run.known else None
        if state is not None and state.record:
            parsed = parse_record_key(state.record)
            if parsed is not None and parsed[0] == article_id:
                return state.record, parsed[1]
        return record_key(article_id, published), published

    def _store(self, item: dict[str, Any], record: dict[str, Any], key: str, day: dt.date,
               previous: dict[str, Any] | None, missing: list[str]) -> list[str] | None:
        """Record (and history) first, state last. Returns the changed fields, [] if unchanged, None if new."""
        store = self.run.store
        changed: list[str] = []
        if previous is not None:
            changed = article.changed_fields(previous, record)
            if not changed:
                # the stored record stays, and so does the capture it points to; only photos captured now are added
                kept = {**previous, "images": record.get("images") or []}
                if kept != previous:
                    recordstore.write_record(store, key, kept)
                self._remember(item, kept, key, missing)
                return []
            recordstore.keep_history(store, previous, day)
        recordstore.write_record(store, key, record)
        self._remember(item, record, key, missing)
        return changed if previous is not None else None

    def _remember(self, item: dict[str, Any], record: dict[str, Any], key: str, missing: list[str]) -> None:
        known = self.run.known
        if missing:
            known.mark_images_missing(record["id"], key, missing)
        known.remember(ArticleState.of_record(record, key, item["fetched_url"]))
        if not missing:
            known.clear_images_missing(record["id"])
