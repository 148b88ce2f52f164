"""`Archive`: the corpus from Python.

    from newsarchive.search import Archive
    archive = Archive("./archive")                      # or "s3://bucket/prefix"
    for hit in archive.search('"martial law" protest', since="1999-06-15", section="taiwan"):
        print(hit.score, hit.record["headline"], hit.snippet)
    for record in archive.articles(since="2024-01-01", until="2024-01-31"):
        ...
    archive.get("2003825372")

Searches bring the index up to date first when the store changed (see
newsarchive.search.index for the rule), then read their hits' records from
the store (threads for S3); `articles` and `get` read the store itself.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tantivy

from newsarchive.errors import ArticleNotFound, InvalidArgument
from newsarchive.search.index import SearchIndex, UpdateStats
from newsarchive.search.query import Filters, build_query, parse_terms
from newsarchive.search.records import fetch_records, list_records, read_records
from newsarchive.search.schema import analyzer
from newsarchive.site.urls import validate_id
from newsarchive.store import Store, open_store

SNIPPET_CHARS = 200


@dataclass
class Hit:
    """One ranked result: the record (as the store has it now), its BM25 score, a snippet around the matches."""

    record: dict[str, Any]
    score: float
    snippet: str = ""
    #: (start, end) character offsets of matched words within `snippet`
    highlights: list[tuple[int, int]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.record["id"]

    def to_dict(self) -> dict[str, Any]:
        return {**self.record, "score": self.score}


def _char_ranges(text: str, byte_ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """tantivy reports UTF-8 byte offsets; Python slices by character."""
    raw = text.encode("utf-8")
    return [(len(raw[:a].decode("utf-8", "ignore")), len(raw[:b].decode("utf-8", "ignore"))) for a, b in byte_ranges]


class Archive:
    """The corpus of one store.

    `auto_update`: searches update a stale index first. The staleness check
    costs tens of milliseconds on a large local store, so one Archive repeats
    it at most every `recheck_seconds`; call `update()` to force one.
    """

    def __init__(self, store: str | Store | None = None, *, index_dir: str | None = None,
                 auto_update: bool = True, recheck_seconds: float = 1.0) -> None:
        self.store = store if isinstance(store, Store) else open_store(store)
        self.index = SearchIndex(self.store, index_dir)
        self.auto_update = auto_update
        self.recheck_seconds = recheck_seconds
        self._checked_at: float | None = None
        self._analyzer = analyzer()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, rebuild: bool = False) -> UpdateStats:
        """Bring the index in line with the store now (what `newsarchive index` does)."""
        stats = self.index.update(rebuild=rebuild)
        self._checked_at = time.monotonic()
        return stats

    def _ready(self) -> None:
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.recheck_seconds:
            return
        if self.auto_update:
            self.index.ensure_fresh()
        elif not self.index.exists:
            self.index.update()
        self._checked_at = now

    def search(self, query: str, *, section: str | None = None, since: str | dt.date | None = None,
               until: str | dt.date | None = None, author: str | None = None, agency: str | None = None,
               limit: int = 10, snippets: bool = True) -> list[Hit]:
        """Top `limit` records by BM25 for which every word and phrase of `query` matches."""
        if limit < 1:
            raise InvalidArgument(f"--limit must be at least 1, not {limit}")
        terms = parse_terms(query, self._analyzer.analyze)
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        self._ready()
        searcher = self.index.searcher()
        schema = self.index.schema
        q = build_query(schema, terms, filters)
        result = searcher.search(q, limit, count=False)
        keys = [str(searcher.doc(address).get_first("key")) for _, address in result.hits]
        found = zip(fetch_records(self.store, keys), (score for score, _ in result.hits), strict=True)
        hits = [Hit(record, score) for record, score in found if record is not None]
        if snippets and hits:
            self._add_snippets(searcher, q, hits)
        return hits

    def _add_snippets(self, searcher: tantivy.Searcher, q: tantivy.Query, hits: list[Hit]) -> None:
        """A window of the body around the matches (the deck, then the headline, if the body has none)."""
        schema = self.index.schema
        generators = {name: tantivy.SnippetGenerator.create(searcher, q, schema, name) for name in ("body", "deck", "headline")}
        for gen in generators.values():
            gen.set_max_num_chars(SNIPPET_CHARS)
        for hit in hits:
            for name, gen in generators.items():
                values = hit.record.get(name)
                values = values if isinstance(values, list) else [values] if values else []
                if not values:
                    continue
                snippet = gen.snippet_from_doc(tantivy.Document(**{name: values}))
                ranges = [(r.start, r.end) for r in snippet.highlighted()]
                if ranges or name == "headline":
                    text = snippet.fragment() or " ".join(values)[:SNIPPET_CHARS]
                    hit.snippet, hit.highlights = text, _char_ranges(text, ranges)
                    break

    def articles(self, *, since: str | dt.date | None = None, until: str | dt.date | None = None,
                 section: str | None = None, author: str | None = None,
                 agency: str | None = None) -> Iterator[dict[str, Any]]:
        """Every record matching the filters, by print date then id, read from the store."""
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        keys = list_records(self.store, filters.since, filters.until)
        for rk, record, _ in read_records(self.store, keys):
            if record is not None and filters.matches(record, rk.published):
                yield record

    def has_records(self) -> bool:
        return next(list_records(self.store), None) is not None

    def get(self, article_id: str) -> dict[str, Any]:
        """The stored record of one article (the index only says where it lies)."""
        validate_id(article_id)
        key = self.key_of(article_id)
        return json.loads(self.store.get_bytes(key))

    def key_of(self, article_id: str) -> str:
        self._ready()
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.term_query(self.index.schema, "id", article_id), 1, count=False)
        if not found.hits:
            raise ArticleNotFound(f"no article {article_id} in {self.store.uri}")
        return str(searcher.doc(found.hits[0][1]).get_first("key"))
