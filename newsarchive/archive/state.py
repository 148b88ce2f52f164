"""What the store remembers of each article and URL, so a daily run fetches only what is new.

One small object per article under `state/articles/<id>.json` (the layout
contract): id, payload digest and time of the last capture, the record key.
It is written after the record, so a crash between the two only costs a
re-fetch, never a lost article. The whole set is listed once at the start of a
run (one LIST per thousand articles on S3) and kept in memory, with the ids
under `state/images-missing/`: archived articles whose photos were not all
captured, fetched again by the next run that lists them.

Under `state/urls/<sha1 of the URL>.json`, the last capture of each list page
and page requisite: what a revisit record refers to when the same bytes come
again, and (requisites) until when the site said the bytes stay fresh. These
are read one at a time, when the URL is about to be fetched.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from newsarchive.archive.keys import (
    STATE_ARTICLES_PREFIX,
    STATE_IMAGES_MISSING_PREFIX,
    images_missing_key,
    state_key,
    url_state_key,
)
from newsarchive.dates import iso_utc, utc_now
from newsarchive.errors import KeyNotFound
from newsarchive.store.base import Store

log = logging.getLogger(__name__)


@dataclass
class ArticleState:
    id: str
    payload_digest: str | None
    fetched_at: str
    record: str  # record key
    url: str  # URL of the capture (WARC-Target-URI)
    record_id: str | None = None  # WARC-Record-ID of the capture
    checked_at: str | None = None  # when a crawl last fetched it (a revisit may be later than fetched_at)

    @classmethod
    def of_record(cls, record: dict[str, Any], key: str, fetched_url: str = "") -> ArticleState:
        """What to remember of a stored record (its capture pointer, its fetch), checked now."""
        capture = record.get("capture") or {}
        return cls(
            id=record["id"], payload_digest=capture.get("payload_digest"), fetched_at=record["fetched_at"],
            record=key, url=record.get("fetched_url") or fetched_url, record_id=capture.get("record_id"),
            checked_at=iso_utc(utc_now()),
        )


class KnownArticles:
    """The ids the store holds; details are read lazily (only `--refresh` needs them)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._ids: set[str] = set()
        self._cache: dict[str, ArticleState] = {}
        #: archived articles with photos not captured (state/images-missing/)
        self.images_missing: set[str] = set()

    def _list_ids(self, prefix: str) -> set[str]:
        ids = set()
        for info in self.store.list(prefix):
            name = info.key[len(prefix):]
            if name.endswith(".json") and "/" not in name:
                ids.add(name[:-5])
        return ids

    def load(self) -> KnownArticles:
        self._ids = self._list_ids(STATE_ARTICLES_PREFIX)
        self.images_missing = self._list_ids(STATE_IMAGES_MISSING_PREFIX)
        log.info("state: %d articles already archived%s", len(self._ids),
                 f", {len(self.images_missing)} with photos missing" if self.images_missing else "")
        return self

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, article_id: str) -> ArticleState | None:
        if article_id not in self._ids:
            return None
        if article_id not in self._cache:
            try:
                data = json.loads(self.store.get_bytes(state_key(article_id)))
                self._cache[article_id] = ArticleState(**{k: data.get(k) for k in ArticleState.__dataclass_fields__})
            except Exception as exc:  # noqa: BLE001 - a damaged state object only costs a re-fetch
                log.warning("state of %s unreadable (%s): it will be fetched again", article_id, exc)
                return None
        return self._cache[article_id]

    def remember(self, state: ArticleState) -> None:
        # not fsynced: the record it follows is (and the WARC capture before that), so a crash of the machine can
        # lose only this state, which costs a re-fetch; a state that survives always points at a record on disk
        self.store.put_bytes(state_key(state.id), json.dumps(asdict(state)).encode(), durable=False)
        self._ids.add(state.id)
        self._cache[state.id] = state

    def mark_images_missing(self, article_id: str, record_key: str, urls: list[str]) -> None:
        """Note an archived article whose photos were not all captured (before its state: a crash in between
        only leaves it to be fetched again)."""
        doc = {"id": article_id, "record": record_key, "images": urls, "since": iso_utc(utc_now())}
        self.store.put_bytes(images_missing_key(article_id), json.dumps(doc).encode())
        self.images_missing.add(article_id)

    def clear_images_missing(self, article_id: str) -> None:
        if article_id in self.images_missing:
            self.store.delete(images_missing_key(article_id))
            self.images_missing.discard(article_id)


@dataclass
class UrlState:
    """The last capture of a list page or page requisite: what a revisit refers to, and how long it stays fresh."""

    url: str  # the URL as the real site names it (the key is its hash)
    fetched_url: str  # WARC-Target-URI of the capture
    fetched_at: str  # its WARC-Date
    record_id: str  # its WARC-Record-ID
    payload_digest: str
    fresh_until: str | None = None  # requisites: the site said the bytes stay fresh until then
    checked_at: str | None = None  # when a crawl last fetched it (a revisit is later than fetched_at)

    def revisit_of(self) -> dict[str, str]:
        """What WarcWriter.write_exchange needs to write a revisit of this capture."""
        return {"payload_digest": self.payload_digest, "uri": self.fetched_url, "date": self.fetched_at,
                "record_id": self.record_id}

    def is_fresh(self, now: dt.datetime) -> bool:
        if not self.fresh_until:
            return False
        try:
            until = dt.datetime.fromisoformat(self.fresh_until.replace("Z", "+00:00"))
        except ValueError:
            return False
        return now < until


class KnownUrls:
    """`state/urls/`: one object per list page or requisite URL, read when the URL is about to be fetched."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, url: str) -> UrlState | None:
        try:
            data = json.loads(self.store.get_bytes(url_state_key(url)))
            state = UrlState(**{k: data.get(k) for k in UrlState.__dataclass_fields__})
        except KeyNotFound:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged state object only costs a full capture
            log.warning("state of %s unreadable (%s): it will be captured whole", url, exc)
            return None
        if state.url != url or not (state.record_id and state.payload_digest and state.fetched_url):
            return None  # another URL's (a hash collision) or incomplete: capture whole
        return state

    def remember(self, state: UrlState) -> None:
        self.store.put_bytes(url_state_key(state.url), json.dumps(asdict(state)).encode())
