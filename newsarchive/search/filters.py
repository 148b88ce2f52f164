"""Filters: which records a search, count, concordance or export may return, whatever the text.

Each option may be repeated or given as a comma list, and the values OR
together (`--section taiwan,biz` is Taiwan news or business); different
options AND. Dates take a day, a month or a year (`--since 2026-11` starts on
1 November, `--until 2026` ends on 31 December). Names match whole,
ignoring case, spacing and hyphens.

Filters restrict without changing the ranking, and the same object checks a
record in plain Python for exports and listings that do not go through the
index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Query

from newsarchive.dates import parse_period
from newsarchive.errors import InvalidArgument
from newsarchive.search.schema import date_value, normalize_name
from newsarchive.site.urls import SECTIONS, section_slug

#: what the filter options accept: one value, several, or comma lists of them
Values = str | Iterable[str] | None
DateArg = str | dt.date | None


def split_values(values: Values) -> list[str]:
    """'a,b' and ['a', 'b,c'] -> ['a', 'b', 'c']; blanks dropped."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _slug(value: str) -> str:
    wanted = value.strip().lower()
    slug = wanted if wanted in SECTIONS else section_slug(value)
    if slug is None:
        raise InvalidArgument(f"--section: unknown section {value!r} (one of {', '.join(SECTIONS)})")
    return slug


def _names(values: Values, option: str) -> tuple[str, ...]:
    if values is not None and not split_values(values):
        raise InvalidArgument(f"{option}: empty name")
    names = []
    for value in split_values(values):
        name = normalize_name(value)
        if not name:
            raise InvalidArgument(f"{option}: {value!r} is not a name")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _day(value: DateArg, option: str, end: bool) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        first, last = parse_period(value)
    except InvalidArgument as exc:
        raise InvalidArgument(f"{option}: {exc}") from None
    return last if end else first


@dataclass(frozen=True)
class Filters:
    """Validated filters; build them with `Filters.build` from user input. Empty tuples: no restriction."""

    sections: tuple[str, ...] = ()  # slugs
    since: dt.date | None = None
    until: dt.date | None = None
    authors: tuple[str, ...] = ()  # normalize_name()
    agencies: tuple[str, ...] = ()

    @classmethod
    def build(cls, *, section: Values = None, since: DateArg = None, until: DateArg = None,
              author: Values = None, agency: Values = None) -> Filters:
        sections = tuple(dict.fromkeys(_slug(v) for v in split_values(section)))
        start, end = _day(since, "--since", end=False), _day(until, "--until", end=True)
        if start and end and end < start:
            raise InvalidArgument(f"--until {end} is before --since {start}")
        return cls(sections, start, end, _names(author, "--author"), _names(agency, "--agency"))

    @property
    def empty(self) -> bool:
        return not (self.sections or self.since or self.until or self.authors or self.agencies)

    def matches(self, record: dict[str, Any], published: dt.date) -> bool:
        """The same rule as `to_queries`, in plain Python (for exports and listings)."""
        if self.sections and record.get("section_slug") not in self.sections:
            return False
        if (self.since and published < self.since) or (self.until and published > self.until):
            return False
        for wanted, names in ((self.authors, record.get("authors")), (self.agencies, record.get("agencies"))):
            if wanted and not {normalize_name(n) for n in names or () if isinstance(n, str)} & set(wanted):
                return False
        return True

    def to_queries(self, schema: tantivy.Schema) -> list[Query]:
        """Non-scoring restrictions to AND with the text query."""
        queries: list[Query] = []
        for field, values in (("section_slug", self.sections), ("author", self.authors), ("agency", self.agencies)):
            if len(values) == 1:
                queries.append(Query.term_query(schema, field, values[0]))
            elif values:
                queries.append(Query.term_set_query(schema, field, list(values)))
        if self.since or self.until:
            queries.append(Query.range_query(
                schema, "published", FieldType.Date,
                date_value(self.since) if self.since else None,
                date_value(self.until) if self.until else None,
            ))
        return [Query.const_score_query(q, 0.0) for q in queries]

    def restrict(self, schema: tantivy.Schema, query: Query | None) -> Query:
        """`query` (None: every document) restricted by these filters."""
        restrictions = self.to_queries(schema)
        if query is None:
            query = Query.all_query()
            if restrictions:
                return Query.boolean_query([(Occur.Must, q) for q in restrictions])
        if not restrictions:
            return query
        return Query.boolean_query([(Occur.Must, query), *((Occur.Must, q) for q in restrictions)])
