"""From a parsed query (newsarchive.search.syntax) to a tantivy query, with filters and --dedupe.

A word is searched in the headline, kicker, deck and body, each with its
BM25 boost (TEXT_FIELDS): exactly the query earlier versions built, so a
query without operators keeps its hits and scores. A phrase is a phrase
query per field (consecutive words within one paragraph; `~N` lets up to N
other words in between, and, as in Lucene, also transposed words at a cost
of 2 per swap; tantivy leaves one position between paragraphs, so `~N` with
N >= 1 can reach into the next paragraph, counting the break as a word).

A prefix (`protest*`) is expanded here, from the index's own word list, to at
most MAX_EXPANSIONS words: past that the query is refused rather than cut,
since a silently truncated prefix gives wrong counts. (tantivy's
phrase-prefix query keeps 50 expansions without saying so; we never use it.)
Prefix matches score a constant 1.0 per field (times its boost): every
expansion counts the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur, Query

from newsarchive.search.filters import Filters
from newsarchive.search.schema import BYLINE_BOOST, TEXT_FIELDS
from newsarchive.search.syntax import And, Match, Node, Not, Or, syntax_error

#: distinct index words a prefix may stand for, summed over the fields it searches
MAX_EXPANSIONS = 1000
BOOSTS: dict[str, float] = {**TEXT_FIELDS, "byline": BYLINE_BOOST}


@dataclass
class Compiler:
    """Builds one query; needs the searcher to expand prefixes from the index's words."""

    schema: tantivy.Schema
    searcher: tantivy.Searcher
    query_text: str = ""
    _expansions: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def build(self, node: Node) -> Query:
        if isinstance(node, Match):
            return self._match(node)
        if isinstance(node, Or):
            return Query.boolean_query([(Occur.Should, self.build(c)) for c in node.children])
        if isinstance(node, And):
            return Query.boolean_query([(Occur.MustNot, self.build(c.child)) if isinstance(c, Not)
                                        else (Occur.Must, self.build(c)) for c in node.children])
        raise AssertionError("a NOT outside an AND (the parser refuses those)")

    def expand(self, field_name: str, prefix: str) -> list[str]:
        """Every index word of the field starting with `prefix` (the walk is complete; limit= only trims)."""
        key = (field_name, prefix)
        if key not in self._expansions:
            self._expansions[key] = [t for t, _ in self.searcher.terms_with_prefix(field_name, prefix)]
        return self._expansions[key]

    def _check_expansions(self, m: Match) -> None:
        distinct: set[str] = set()
        for f in m.fields:
            distinct.update(self.expand(f, m.words[-1]))
        if len(distinct) > MAX_EXPANSIONS:
            raise syntax_error(self.query_text, f"{m.source} stands for {len(distinct):,} different words "
                                                f"(at most {MAX_EXPANSIONS:,}): use a longer prefix")

    def _field_query(self, f: str, m: Match) -> Query:
        if m.prefix:
            terms = self.expand(f, m.words[-1])
            if not terms:
                return Query.empty_query()
            if len(m.words) == 1:
                return Query.term_set_query(self.schema, f, terms)
            # a phrase whose last word is a prefix; errors (never truncates) past 16,384 expansions, and
            # MAX_EXPANSIONS was checked already
            patterns: list[str | tuple[int, str]] = [re.escape(w) for w in m.words[:-1]]
            patterns.append(re.escape(m.words[-1]) + ".*")
            return Query.regex_phrase_query(self.schema, f, patterns)
        if len(m.words) == 1:
            return Query.term_query(self.schema, f, m.words[0], index_option="freq")
        # never a one-word phrase query: tantivy panics on those
        return Query.phrase_query(self.schema, f, list(m.words), slop=m.slop)

    def _match(self, m: Match) -> Query:
        if m.prefix:
            self._check_expansions(m)
        per_field = [(Occur.Should, Query.boost_query(self._field_query(f, m), BOOSTS.get(f, 1.0)))
                     for f in m.fields]
        return Query.boolean_query(per_field)


def hit_count(result: tantivy.SearchResult) -> int:
    """The match count of a search made with count=True (tantivy's type stubs omit it)."""
    return int(result.count)  # type: ignore[attr-defined]


def total(searcher: tantivy.Searcher, q: tantivy.Query) -> int:
    """How many documents match: a one-hit search with count=True (counting is free next to the top-k;
    never limit 0, which panics tantivy)."""
    return hit_count(searcher.search(q, 1, count=True))


def fast_value(searcher: tantivy.Searcher, field: str, address: tantivy.DocAddress) -> int:
    """One document's u64 fast field value."""
    value = searcher.fast_field_values(field, [address])[0]
    return int(value) if isinstance(value, int | float) else 0


def dedupe_query(schema: tantivy.Schema) -> Query:
    """Only each duplicate group's representative (newsarchive.search.dedupe); adds nothing to scores."""
    return Query.const_score_query(Query.term_query(schema, "dup_rep", True), 0.0)


def build_query(schema: tantivy.Schema, searcher: tantivy.Searcher, node: Node | None, filters: Filters,
                *, dedupe: bool = False, query_text: str = "") -> Query:
    """The text query (None: every record) restricted by the filters and, with `dedupe`, to representatives."""
    text = Compiler(schema, searcher, query_text).build(node) if node is not None else None
    query = filters.restrict(schema, text)
    if dedupe:
        query = Query.boolean_query([(Occur.Must, query), (Occur.Must, dedupe_query(schema))])
    return query
