"""From what a researcher types to a tantivy query.

The query language is deliberately small, so that what matches can be stated
in one sentence (and checked by a test in plain Python): every word must
occur in the headline, kicker, deck or body; a "quoted phrase" must occur as
consecutive words within one of them (never across two paragraphs); a word
or phrase after `-` must not occur. We do not hand the text to tantivy's own
query parser: it rejects ordinary news text such as `Taiwan's`, and its
operators would make hit sets hard to predict.

Filters (section, print-date range, author, agency) restrict without
changing the ranking, and the same `Filters` object checks a record in plain
Python for exports and listings that do not go through the index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Query

from newsarchive.dates import parse_date
from newsarchive.errors import InvalidArgument
from newsarchive.search.schema import TEXT_FIELDS, date_value, normalize_name
from newsarchive.site.urls import SECTIONS, section_slug

_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)([^\s"]+)|(")')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # analyzed words; more than one means a phrase
    exclude: bool = False


def parse_terms(text: str, analyze: Callable[[str], list[str]]) -> list[Term]:
    """Split a query into words and phrases; InvalidArgument if it cannot be searched."""
    terms: list[Term] = []
    for m in _TOKEN.finditer(text):
        if m[5]:
            raise InvalidArgument(f"cannot parse query {text!r}: a quote is not closed")
        minus, raw = (m[1], m[2]) if m[2] is not None else (m[3], m[4])
        words = tuple(analyze(raw))
        if words:  # punctuation alone ("&", "-") searches nothing
            terms.append(Term(words, exclude=bool(minus)))
    if not any(not t.exclude for t in terms):
        raise InvalidArgument(f"cannot parse query {text!r}: it has no words to search for")
    return terms


def _field_query(schema: tantivy.Schema, field: str, words: tuple[str, ...]) -> Query:
    if len(words) == 1:
        return Query.term_query(schema, field, words[0], index_option="freq")
    return Query.phrase_query(schema, field, list(words))


def _term_query(schema: tantivy.Schema, term: Term) -> Query:
    per_field = [
        (Occur.Should, Query.boost_query(_field_query(schema, field, term.words), boost))
        for field, boost in TEXT_FIELDS.items()
    ]
    return Query.boolean_query(per_field)


def text_query(schema: tantivy.Schema, terms: list[Term]) -> Query:
    return Query.boolean_query(
        [(Occur.MustNot if t.exclude else Occur.Must, _term_query(schema, t)) for t in terms]
    )


def _as_date(value: str | dt.date | None, option: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InvalidArgument(f"{option}: {exc}") from None


@dataclass(frozen=True)
class Filters:
    """Validated filters; build them with `Filters.build` from user input."""

    section: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    author: str | None = None  # normalized
    agency: str | None = None  # normalized

    @classmethod
    def build(cls, *, section: str | None = None, since: str | dt.date | None = None,
              until: str | dt.date | None = None, author: str | None = None,
              agency: str | None = None) -> Filters:
        slug = None
        if section:
            slug = section.strip().lower() if section.strip().lower() in SECTIONS else section_slug(section)
            if slug is None:
                raise InvalidArgument(f"--section: unknown section {section!r} (one of {', '.join(SECTIONS)})")
        start, end = _as_date(since, "--since"), _as_date(until, "--until")
        if start and end and end < start:
            raise InvalidArgument(f"--until {end} is before --since {start}")
        return cls(slug, start, end, _name(author, "--author"), _name(agency, "--agency"))

    def matches(self, record: dict[str, Any], published: dt.date) -> bool:
        """The same rule as `to_query`, in plain Python (for exports and listings)."""
        if self.section and record.get("section_slug") != self.section:
            return False
        if (self.since and published < self.since) or (self.until and published > self.until):
            return False
        for wanted, names in ((self.author, record.get("authors")), (self.agency, record.get("agencies"))):
            if wanted and wanted not in {normalize_name(n) for n in names or () if isinstance(n, str)}:
                return False
        return True

    def to_queries(self, schema: tantivy.Schema) -> list[Query]:
        """Non-scoring restrictions to AND with the text query."""
        queries: list[Query] = []
        if self.section:
            queries.append(Query.term_query(schema, "section_slug", self.section))
        if self.since or self.until:
            queries.append(Query.range_query(
                schema, "published", FieldType.Date,
                date_value(self.since) if self.since else None,
                date_value(self.until) if self.until else None,
            ))
        for field, name in (("author", self.author), ("agency", self.agency)):
            if name:
                queries.append(Query.term_query(schema, field, name))
        return [Query.const_score_query(q, 0.0) for q in queries]


def _name(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    name = normalize_name(value)
    if not name:
        raise InvalidArgument(f"{option}: empty name")
    return name


def build_query(schema: tantivy.Schema, terms: list[Term], filters: Filters) -> Query:
    restrictions = filters.to_queries(schema)
    text = text_query(schema, terms)
    if not restrictions:
        return text
    return Query.boolean_query([(Occur.Must, text), *((Occur.Must, q) for q in restrictions)])
