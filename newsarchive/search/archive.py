"""`Archive`: the corpus from Python, and the one implementation behind the CLI and the web API.

    from newsarchive.search import Archive
    archive = Archive("./archive")                      # or "s3://bucket/prefix"
    hits = archive.search('"martial law" protest', since="1999-06", section="taiwan,editorials")
    print(hits.total, hits.query)                       # every match, and how the query was read
    for hit in hits:
        print(hit.score, hit.record["headline"], hit.snippet_field, hit.snippet)
    archive.counts("typhoon", by="month", normalize=True).to_dict()
    archive.kwic("typhoon*", limit=50).lines
    archive.get("2003825372")

Every result type has `to_dict()` giving plain JSON types. Searches bring
the index up to date first when the store changed (see
newsarchive.search.index for the rule), then read their hits' records from
the store (threads for S3); `articles` and `get` read the store itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tantivy

from newsarchive.errors import ArticleNotFound, InvalidArgument
from newsarchive.search.capture import captured_page, stored_bytes
from newsarchive.search.counts import BY, Counts, count
from newsarchive.search.filters import DateArg, Filters, Values
from newsarchive.search.index import Progress, SearchIndex, UpdateStats
from newsarchive.search.kwic import WIDTH, KwicLine, kwic
from newsarchive.search.query import build_query, fast_value, hit_count, total
from newsarchive.search.records import fetch_records, list_records, read_records
from newsarchive.search.schema import analyzer
from newsarchive.search.snippets import Snippet, main_snippet, snippets
from newsarchive.search.syntax import Node, parse, positive_matches
from newsarchive.site.urls import validate_id
from newsarchive.store import Store, open_store

#: orders of search results: BM25, or newest print day first
SORTS = ("relevance", "date")
#: hits a concordance reads unless told otherwise (every occurrence in each)
KWIC_HITS = 100
READ_BATCH = 256


@dataclass
class Hit:
    """One ranked result: the record (as the store has it now), its BM25 score, snippets of the fields it matched."""

    record: dict[str, Any]
    score: float
    #: the snippet standing for the hit (the body's, else deck, kicker, headline) and its field
    snippet: str = ""
    #: (start, end) character offsets of the matches within `snippet`
    highlights: list[tuple[int, int]] = field(default_factory=list)
    snippet_field: str | None = None
    #: every field with a match -> its snippet
    snippets: dict[str, Snippet] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.record["id"]

    def to_dict(self, *, snippets: bool = False) -> dict[str, Any]:
        """The record plus `score` (what `search --format jsonl` prints); with `snippets`, those too."""
        out = {**self.record, "score": self.score}
        if snippets:
            out["snippets"] = {name: s.to_dict() for name, s in self.snippets.items()}
        return out


class Hits(list[Hit]):
    """The hits asked for (a list, as before) with `total`, every record that matched, and `query`, how the
    query was read (fully parenthesised)."""

    def __init__(self, hits: list[Hit], total: int, query: str) -> None:
        super().__init__(hits)
        self.total = total
        self.query = query

    @property
    def hits(self) -> list[Hit]:
        return list(self)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "query": self.query, "hits": [h.to_dict(snippets=True) for h in self]}


@dataclass
class Concordance:
    """KWIC lines of the first `articles` of `total` matching records (all of them if equal)."""

    total: int
    articles: int
    query: str
    lines: list[KwicLine]

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "articles": self.articles, "query": self.query,
                "lines": [line.to_dict() for line in self.lines]}


class Archive:
    """The corpus of one store.

    `auto_update`: searches update a stale index first. The staleness check
    costs tens of milliseconds on a large local store, so one Archive repeats
    it at most every `recheck_seconds`; call `update()` to force one.

    Filters, in every method: `section`, `author`, `agency` take a value, a
    comma list or a list (they OR together); `since`/`until` a date or
    `YYYY-MM-DD`, `YYYY-MM`, `YYYY` (the first day for `since`, the last for
    `until`). `dedupe=True` keeps one record per duplicate group.
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

    def update(self, rebuild: bool = False, progress: Progress | None = None) -> UpdateStats:
        """Bring the index in line with the store now (what `newsarchive index` does)."""
        stats = self.index.update(rebuild=rebuild, progress=progress)
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

    # -- queries -------------------------------------------------------------------------------
    def parse(self, query: str) -> Node:
        """The query's tree; InvalidArgument if it cannot be read. `parse(q).describe()` is its reading."""
        return parse(query, self._analyzer.analyze)

    def explain(self, query: str) -> str:
        """How the query is read, fully parenthesised: `a b OR c` -> `(a AND (b OR c))`."""
        return self.parse(query).describe()

    def _query(self, query: str | None, filters: Filters, dedupe: bool) -> tuple[tantivy.Searcher, tantivy.Query,
                                                                                  Node | None]:
        node = self.parse(query) if query is not None else None
        self._ready()
        searcher = self.index.searcher()
        return searcher, build_query(self.index.schema, searcher, node, filters, dedupe=dedupe,
                                     query_text=query or ""), node

    def _top(self, searcher: tantivy.Searcher, q: tantivy.Query, limit: int | None, *, offset: int = 0,
             sort: str = "relevance") -> tuple[int, list]:
        """(total, [(score, address)]) of the best `limit` (None: all) after the first `offset`; never limit 0,
        which panics tantivy. Sorted by date, newest print day first, and the score is 0.0 (not computed)."""
        if limit is None:
            matched = total(searcher, q)
            return matched, searcher.search(q, matched, count=False).hits if matched else []
        if sort == "date":
            result = searcher.search(q, limit, count=True, offset=offset, order_by_field="day",
                                     order=tantivy.Order.Desc)
            return hit_count(result), [(0.0, address) for _, address in result.hits]
        result = searcher.search(q, limit, count=True, offset=offset)
        return hit_count(result), result.hits

    def _ranked(self, query: str, limit: int | None, dedupe: bool, filters: Filters, *, offset: int = 0,
                sort: str = "relevance") -> tuple[Node, int, list[tuple[dict[str, Any], float]]]:
        """(the query's tree, how many match, the best `limit` records after the first `offset` with their
        scores; None: all)."""
        if limit is not None and limit < 1:
            raise InvalidArgument(f"--limit must be at least 1, not {limit}")
        if offset < 0:
            raise InvalidArgument(f"--offset must be at least 0, not {offset}")
        if sort not in SORTS:
            raise InvalidArgument(f"--sort: {sort!r} is not one of {', '.join(SORTS)}")
        searcher, q, node = self._query(query, filters, dedupe)
        assert node is not None
        total, top = self._top(searcher, q, limit, offset=offset, sort=sort)
        keys = [str(searcher.doc(address).get_first("key")) for _, address in top]
        found = zip(fetch_records(self.store, keys), (score for score, _ in top), strict=True)
        return node, total, [(record, score) for record, score in found if record is not None]

    def search(self, query: str, *, section: Values = None, since: DateArg = None, until: DateArg = None,
               author: Values = None, agency: Values = None, limit: int | None = 10, snippets: bool = True,
               dedupe: bool = False, offset: int = 0, sort: str = "relevance") -> Hits:
        """The best `limit` records by BM25 (None: every match) after the first `offset`, with the total count
        of matches; `sort="date"`: newest print day first instead (scores are then 0.0)."""
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        node, total, found = self._ranked(query, limit, dedupe, filters, offset=offset, sort=sort)
        hits = [Hit(record, score) for record, score in found]
        if snippets:
            matches = list(positive_matches(node))
            for hit in hits:
                self._add_snippets(hit, matches)
        return Hits(hits, total, node.describe())

    def _add_snippets(self, hit: Hit, matches: list) -> None:
        hit.snippets = snippets(hit.record, matches, self._analyzer)
        main = main_snippet(hit.snippets)
        if main is not None:
            hit.snippet, hit.highlights, hit.snippet_field = main.text, main.highlights, main.field

    def counts(self, query: str | None = None, *, by: str = "month", normalize: bool = False, dedupe: bool = False,
               section: Values = None, since: DateArg = None, until: DateArg = None, author: Values = None,
               agency: Values = None) -> Counts:
        """Matching records per day, month, year or section, from the index alone (no record is read).

        Every bucket from the first to the last day of the range is listed
        (zeros included, so a chart's x axis is whole): the range is
        since/until if given, else the archive's first and last print day.
        `normalize`: each bucket also gets `articles` (all records in it,
        under the same filters) and `share` = count / articles. `query` None
        counts every record the filters select."""
        if by not in BY:
            raise InvalidArgument(f"--count-by: {by!r} is not one of {', '.join(BY)}")
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        searcher, q, node = self._query(query, filters, dedupe)
        every = build_query(self.index.schema, searcher, None, filters, dedupe=dedupe)
        return count(searcher, q, every, by, filters, normalize=normalize,
                     query=node.describe() if node is not None else "")

    def kwic(self, query: str, *, width: int = WIDTH, limit: int | None = KWIC_HITS, dedupe: bool = False,
             section: Values = None, since: DateArg = None, until: DateArg = None, author: Values = None,
             agency: Values = None) -> Concordance:
        """Every occurrence of the query in the best `limit` matching records (None: all of them), with
        `width` characters of context each side, in rank order then reading order."""
        if width < 1:
            raise InvalidArgument(f"--width must be at least 1, not {width}")
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        node, total, found = self._ranked(query, limit, dedupe, filters)
        matches = list(positive_matches(node))
        lines = [line for record, _ in found for line in kwic(record, matches, self._analyzer, width)]
        return Concordance(total, len(found), node.describe(), lines)

    def keys(self, query: str | None = None, *, dedupe: bool = False, section: Values = None, since: DateArg = None,
             until: DateArg = None, author: Values = None, agency: Values = None) -> list[str]:
        """Store keys of every matching record, in key order (print date, then id)."""
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        searcher, q, _ = self._query(query, filters, dedupe)
        _, top = self._top(searcher, q, None)
        return sorted(str(searcher.doc(address).get_first("key")) for _, address in top)

    def records(self, query: str | None = None, *, dedupe: bool = False, section: Values = None,
                since: DateArg = None, until: DateArg = None, author: Values = None,
                agency: Values = None) -> Iterator[dict[str, Any]]:
        """What an export writes: the records a query (through the index) or the filters alone (the store's
        listing, no index needed) select, read from the store, in key order."""
        if query is None and not dedupe:
            yield from self.articles(section=section, since=since, until=until, author=author, agency=agency)
            return
        keys = self.keys(query, dedupe=dedupe, section=section, since=since, until=until, author=author,
                         agency=agency)
        for start in range(0, len(keys), READ_BATCH):  # batches: threads read ahead on S3
            yield from (r for r in fetch_records(self.store, keys[start:start + READ_BATCH]) if r is not None)

    def articles(self, *, since: DateArg = None, until: DateArg = None, section: Values = None, author: Values = None,
                 agency: Values = None) -> Iterator[dict[str, Any]]:
        """Every record matching the filters, by print date then id, read from the store."""
        filters = Filters.build(section=section, since=since, until=until, author=author, agency=agency)
        keys = list_records(self.store, filters.since, filters.until)
        for rk, record, _ in read_records(self.store, keys):
            if record is not None and filters.matches(record, rk.published):
                yield record

    def has_records(self) -> bool:
        return next(list_records(self.store), None) is not None

    # -- one article ---------------------------------------------------------------------------
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

    def page(self, record: dict[str, Any]) -> str:
        """The captured page the record was parsed from, decoded (`show --html`)."""
        return captured_page(self.store, record)

    def warc_record(self, record: dict[str, Any]) -> bytes:
        """The WARC response record, exactly as stored: a one-record .warc.gz (`show --warc`)."""
        return stored_bytes(self.store, record)

    def duplicates(self, article_id: str) -> list[str]:
        """Ids of the records in the same duplicate group as this one (itself included), representative first."""
        key = self.key_of(article_id)
        searcher = self.index.searcher()
        address = searcher.search(tantivy.Query.term_query(self.index.schema, "key", key), 1, count=False).hits[0][1]
        group = fast_value(searcher, "dup_group", address)
        q = tantivy.Query.term_query(self.index.schema, "dup_group", group)
        _, top = self._top(searcher, q, None)
        ids = sorted(str(searcher.doc(a).get_first("id")) for _, a in top)
        return sorted(ids, key=lambda i: int(i) != group)
