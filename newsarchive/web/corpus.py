"""The one place the web app asks the corpus anything: a thin layer over `newsarchive.search.Archive`.

The pages and the API search, filter, count and export through here and
nowhere else, and this module only passes the reader's selection on to the
same Archive the command line uses: the app has no query language, filter
rule or count of its own, so a page and `newsarchive search` can never
disagree.

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
from dataclasses import dataclass, field
from typing import Any

from newsarchive.search import Archive, Hit
from newsarchive.site.urls import validate_id
from newsarchive.store import Store

SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Selection:
    """What a reader asks for: a query and the filters, as given (Archive validates them)."""

    q: str = ""
    sections: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    author: str | None = None
    agency: str | None = None

    def filters(self) -> dict[str, Any]:
        return {"section": ",".join(self.sections) or None, "since": self.since, "until": self.until,
                "author": self.author, "agency": self.agency}


@dataclass
class ResultPage:
    """Hits `offset` .. `offset + len(hits)` of `total`."""

    total: int | None
    hits: list[Hit]
    offset: int
    limit: int
    reading: str | None = None  # how the query was read, when the Archive says
    sort: str = "relevance"
    extra: dict[str, Any] = field(default_factory=dict)


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
            hits = self.archive.search(selection.q, limit=offset + limit, **selection.filters())
        return ResultPage(None, hits[offset:], offset, limit, sort=sort)

    def counts(self, selection: Selection, *, by: str = "month", normalize: bool = False) -> Any:
        """Matches per day, month, year or section, from the index (Archive.counts)."""
        with self._lock:
            return self.archive.counts(selection.q or None, by=by, normalize=normalize,  # type: ignore[attr-defined]
                                       **selection.filters())

    def record(self, article_id: str) -> dict[str, Any]:
        """The stored record (InvalidArgument for a malformed id before the store is touched)."""
        with self._lock:
            return self.archive.get(article_id)

    def article(self, article_id: str) -> tuple[dict[str, Any], str]:
        """The stored record and its key (where its revisions are found)."""
        with self._lock:
            key = self.archive.key_of(validate_id(article_id))
        return json.loads(self.store.get_bytes(key)), key

    def records(self, selection: Selection) -> Iterator[dict[str, Any]]:
        """Every record the selection matches, read from the store, in key order: what a download writes."""
        with Archive(self.store, index_dir=self.index_dir, auto_update=False) as archive:
            hits = archive.search(selection.q, limit=1_000_000, snippets=False, **selection.filters())
            yield from (hit.record for hit in hits)
