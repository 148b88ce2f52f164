"""What the full-text index holds, and how a record becomes an index document.

The index is a cache: everything in it is derived from a record, so changing
this module only needs INDEX_VERSION bumped and the index rebuilds itself.

Text is cut into words by one analyzer, used both when indexing and when
querying (and by KWIC and highlighting, through `TextAnalyzer.pre_tokenize`),
so all of them always agree: split at anything that is not a letter or
digit, drop words of 40 bytes or more (UTF-8: 14 CJK characters, 20 `é`),
lower-case, fold accents to ASCII ("Café" matches "cafe"). No stemming: a
researcher counting "protests" should not silently get "protest".

Besides the text, each document carries what counts and filters read
without touching the store: print `year`, `month` (yyyymm) and `day`
(yyyymmdd) as fast u64 fields (tantivy's date histogram has no calendar
months), the section as a fast field, and the record's duplicate group
(newsarchive.search.dedupe): `dup_group` (the id of the group's
representative) and `dup_rep` (this document is that representative).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import tantivy
from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

#: bump when the schema or analyzer changes: an index of another version is rebuilt
INDEX_VERSION = 3
ANALYZER = "news"
#: searched fields and their BM25 boosts: a word in the headline says more than one in paragraph nine
TEXT_FIELDS: dict[str, float] = {"headline": 3.0, "kicker": 1.5, "deck": 2.0, "body": 1.0}
#: analysed like the text, but searched only when a query names it (byline:): "staff reporter" is not news
BYLINE_BOOST = 1.0
MAX_WORD = 40
#: fast u64 fields a count can group by, and how a print day becomes their value
PERIOD_FIELDS = ("year", "month", "day")
_NAME_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def analyzer() -> tantivy.TextAnalyzer:
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(MAX_WORD))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
        .build()
    )


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=True, tokenizer_name="raw")  # the store key: what updates replace
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name=ANALYZER)
    sb.add_text_field("byline", tokenizer_name=ANALYZER)
    sb.add_text_field("section_slug", tokenizer_name="raw", fast=True)
    sb.add_text_field("author", tokenizer_name="raw")  # normalize_name() of each author
    sb.add_text_field("agency", tokenizer_name="raw")
    sb.add_date_field("published", indexed=True, fast=True)
    for name in PERIOD_FIELDS:
        sb.add_unsigned_field(name, indexed=True, fast=True)
    sb.add_unsigned_field("dup_group", indexed=True, fast=True)
    sb.add_boolean_field("dup_rep", indexed=True, fast=True)
    # Records themselves are not stored: that would triple the index and add half again to the build
    # time, for ten reads from the store per search.
    return sb.build()


def normalize_name(name: str) -> str:
    """Author and agency filters ignore case, spacing and hyphens: "lee i chia" and "LeeI-chia" find
    "Lee I-chia" (romanised names are spelt all these ways); only whole names match."""
    return _NAME_NOISE.sub("", name).casefold()


def date_value(day: dt.date) -> dt.datetime:
    """Dates are indexed as midnight UTC of the print day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def period_value(field: str, day: dt.date) -> int:
    """year 2024, month 202410, day 20241002: readable bucket keys that sort as dates."""
    return {"year": day.year, "month": day.year * 100 + day.month,
            "day": day.year * 10000 + day.month * 100 + day.day}[field]


def to_document(key: str, record: dict[str, Any], published: dt.date, dup_group: int, dup_rep: bool) -> tantivy.Document:
    """`published` comes from the key, so a record with a missing or odd date still filters by where it lies."""
    fields: dict[str, Any] = {
        "key": key,
        "id": str(record.get("id") or ""),
        # one value per paragraph: exact phrases never span two
        "body": [p for p in record.get("body") or () if isinstance(p, str)],
        "published": date_value(published),
        "dup_rep": dup_rep,
    }
    for name in ("headline", "kicker", "deck", "byline", "section_slug"):
        value = record.get(name)
        if isinstance(value, str) and value:
            fields[name] = value
    for field, names in (("author", record.get("authors")), ("agency", record.get("agencies"))):
        values = [normalize_name(n) for n in names or () if isinstance(n, str) and n.strip()]
        if values:
            fields[field] = values
    doc = tantivy.Document(**fields)
    for name in PERIOD_FIELDS:  # u64 values must be added as such: Document(**kw) takes ints as i64
        doc.add_unsigned(name, period_value(name, published))
    doc.add_unsigned("dup_group", dup_group)
    return doc
