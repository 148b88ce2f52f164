"""The one place the web app asks the corpus anything: a thin layer over `newsarchive.search.Archive`.

The pages and the API search, filter, count, export and cite through here
and nowhere else, and this module only passes the reader's selection on to
the same Archive the command line uses: the app has no query language,
filter rule or count of its own, so a page and `newsarchive search` can
never disagree.

Two things are the server's own business rather than the corpus's:

* **Freshness.** Archive re-checks the store before a search at most once a
  second, which costs tens of milliseconds on a large store and would land on
  whichever reader came next; here the index is opened with `auto_update`
  off and `refresh()` (a background thread of the app) brings it up to date.
* **Threads.** The app answers requests from a thread pool; one lock keeps
  one Archive's calls apart (they are milliseconds). Downloads, which read
  many records, get an Archive of their own so that searches go on meanwhile.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newsarchive.search import Archive, Hit
from newsarchive.search.archive import SORTS
from newsarchive.search.counts import Counts
from newsarchive.site.urls import validate_id
from newsarchive.store import Store

__all__ = ["SORTS", "Corpus", "ResultPage", "Selection"]


@dataclass(frozen=True)
class Selection:
    """What a reader asks for: a query and the filters, as given (Archive validates them)."""

    q: str = ""
    sections: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    author: str | None = None
    agency: str | None = None
    dedupe: bool = False  # one article per wire story

    def filters(self) -> dict[str, Any]:
        return {"section": list(self.sections) or None, "since": self.since, "until": self.until,
                "author": self.author, "agency": self.agency, "dedupe": self.dedupe}

    def only(self, section: str) -> Selection:
        return Selection(self.q, (section,), self.since, self.until, self.author, self.agency, self.dedupe)


@dataclass
class ResultPage:
    """Hits `offset` .. `offset + len(hits)` of `total`; `reading` is how the query was read."""

    total: int
    hits: list[Hit]
    offset: int
    limit: int
    reading: str
    sort: str = "relevance"


class Corpus:
    def __init__(self, store: Store, *, index_dir: str | None = None) -> None:
        self.store = store
        self.index_dir = index_dir
        self.archive = Archive(store, index_dir=index_dir, auto_update=False)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.archive.close()

    def refresh(self) -> bool:
        """Bring the index up to date if the store changed; True if it did (the app's background thread)."""
        if not self.archive.index.exists:
            with self._lock:
                self.archive.update()
            return True
        return self.archive.index.ensure_fresh() is not None

    def search(self, selection: Selection, *, offset: int = 0, limit: int = 20, sort: str = "relevance") -> ResultPage:
        with self._lock:
            hits = self.archive.search(selection.q, limit=limit, offset=offset, sort=sort, **selection.filters())
        return ResultPage(hits.total, list(hits), offset, limit, hits.query, sort)

    def counts(self, selection: Selection, *, by: str = "month", normalize: bool = False) -> Counts:
        """Matches per day, month, year or section, from the index (no record is read)."""
        with self._lock:
            return self.archive.counts(selection.q or None, by=by, normalize=normalize, **selection.filters())

    def article(self, article_id: str) -> tuple[dict[str, Any], str]:
        """The stored record and its key (where its revisions are found)."""
        with self._lock:
            key = self.archive.key_of(validate_id(article_id))
        return json.loads(self.store.get_bytes(key)), key

    def records(self, selection: Selection) -> Iterator[dict[str, Any]]:
        """Every record the selection matches, read from the store, in key order: what a download writes."""
        archive = Archive(self.store, index_dir=self.index_dir, auto_update=False)  # not closed: the store is shared
        yield from archive.records(selection.q or None, **selection.filters())
