"""What the store remembers of each article, so a daily run fetches only what is new.

One small object per article under `state/articles/<id>.json` (the layout
contract): id, payload digest and time of the last capture, the record key.
It is written after the record, so a crash between the two only costs a
re-fetch, never a lost article. The whole set is listed once at the start of a
run (one LIST per thousand articles on S3) and kept in memory.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from newsarchive.archive.keys import STATE_ARTICLES_PREFIX, state_key
from newsarchive.dates import iso_utc, utc_now
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

    def load(self) -> KnownArticles:
        prefix = STATE_ARTICLES_PREFIX
        for info in self.store.list(prefix):
            name = info.key[len(prefix):]
            if name.endswith(".json") and "/" not in name:
                self._ids.add(name[:-5])
        log.info("state: %d articles already archived", len(self._ids))
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
        self.store.put_bytes(state_key(state.id), json.dumps(asdict(state)).encode())
        self._ids.add(state.id)
        self._cache[state.id] = state
