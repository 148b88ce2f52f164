"""Counts over time or by section, answered from the index alone: the researcher's first chart.

A count is a tantivy terms aggregation over a fast field (`year`, `month`,
`day` as yyyy, yyyymm, yyyymmdd, or `section_slug`) of the documents a query
matches: exact (the buckets sum to the hit count), and no record is read,
so a common word over a million records counts by month in milliseconds
where reading every hit took minutes. tantivy's date histogram has no
calendar months, hence the integer fields.

Normalised counts divide by the same aggregation over every record the
filters select (the query left out): the share of that day's, month's or
section's articles that match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import tantivy

from newsarchive.search.filters import Filters

BY = ("day", "month", "year", "section")
_FIELDS = {"day": "day", "month": "month", "year": "year", "section": "section_slug"}
#: more buckets than any range of print days needs (a century of days is 36,525)
_SIZE = 100_000


@dataclass
class Bucket:
    """`key`: 2024-10-02, 2024-10, 2024, or a section slug. Normalised counts add `articles` and `share`."""

    key: str
    count: int
    articles: int | None = None
    share: float | None = None  # count / articles; None for a bucket without articles

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "count": self.count}
        if self.articles is not None:
            out.update(articles=self.articles, share=self.share)
        return out


@dataclass
class Counts:
    """`total`: every record that matched (what the buckets add up to, less records without a section when
    counting by section)."""

    by: str
    total: int
    buckets: list[Bucket]
    normalized: bool = False
    query: str = ""  # how the query was read ("" for filters alone)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "by": self.by, "query": self.query, "normalized": self.normalized,
                "buckets": [b.to_dict() for b in self.buckets]}


def _terms(searcher: tantivy.Searcher, q: tantivy.Query, field: str) -> tuple[int, dict[str, int]]:
    """(how many documents match, {bucket value: how many}) in one pass over the matches: every document has a
    `day`, so counting its values counts the matches (a second search would evaluate a phrase twice)."""
    result = searcher.aggregate(q, {"b": {"terms": {"field": field, "size": _SIZE}},
                                    "n": {"value_count": {"field": "day"}}})
    buckets = {str(b["key"]) if field == "section_slug" else str(int(b["key"])): int(b["doc_count"])
               for b in result["b"]["buckets"]}
    return int(result["n"]["value"]), buckets


def _as_day(value: int) -> dt.date:
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def _extent(searcher: tantivy.Searcher, every: tantivy.Query, filters: Filters) -> tuple[dt.date, dt.date] | None:
    """The range to list buckets for: the filters' dates where given, else the first and last print day."""
    if filters.since and filters.until:
        return filters.since, filters.until
    stats = searcher.aggregate(every, {"s": {"stats": {"field": "day"}}})["s"]
    if stats["min"] is None:
        return None
    return filters.since or _as_day(int(stats["min"])), filters.until or _as_day(int(stats["max"]))


def period_keys(by: str, first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """(field value, label) of every day, month or year from `first` to `last`."""
    if by == "year":
        return [(str(y), str(y)) for y in range(first.year, last.year + 1)]
    if by == "month":
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        return [(f"{m // 12}{m % 12 + 1:02d}", f"{m // 12}-{m % 12 + 1:02d}") for m in months]
    labels = np.datetime_as_string(np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)).tolist()
    return [(label.replace("-", ""), label) for label in labels]  # 10,000 days: strftime took 100 ms


def count(searcher: tantivy.Searcher, q: tantivy.Query, every: tantivy.Query, by: str, filters: Filters, *,
          normalize: bool, query: str) -> Counts:
    """Buckets of `q`'s matches; `every` is the filters-only query (range, sections, denominators)."""
    field = _FIELDS[by]
    matched, found = _terms(searcher, q, field)
    articles = _terms(searcher, every, field)[1] if normalize or by == "section" else {}
    if by == "section":  # every section with articles under the filters, most matches first
        keys = [(k, k) for k in sorted(set(articles) | set(found), key=lambda k: (-found.get(k, 0), k))]
    else:
        extent = _extent(searcher, every, filters)
        keys = period_keys(by, *extent) if extent else []
    buckets = []
    for value, label in keys:
        hits = found.get(value, 0)
        if normalize:
            n = articles.get(value, 0)
            buckets.append(Bucket(label, hits, n, hits / n if n else None))
        else:
            buckets.append(Bucket(label, hits))
    return Counts(by, matched, buckets, normalize, query)
