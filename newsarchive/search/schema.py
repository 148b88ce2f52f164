"""What the full-text index holds, and how a record becomes an index document.

The index is a cache: everything in it is derived from a record, so changing
this module only needs INDEX_VERSION bumped and the index rebuilds itself.

Text is cut into words by one analyzer, used both when indexing and when
querying, so the two always agree: split at anything that is not a letter or
digit, drop words over 40 characters, lower-case, fold accents to ASCII
("Café" matches "cafe"). No stemming: a researcher counting "protests" should
not silently get "protest".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import tantivy
from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

#: bump when the schema or analyzer changes: an index of another version is rebuilt
INDEX_VERSION = 2
ANALYZER = "news"
#: searched fields and their BM25 boosts: a word in the headline says more than one in paragraph nine
TEXT_FIELDS: dict[str, float] = {"headline": 3.0, "kicker": 1.5, "deck": 2.0, "body": 1.0}
MAX_WORD = 40


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
    sb.add_text_field("section_slug", tokenizer_name="raw")
    sb.add_text_field("author", tokenizer_name="raw")  # normalize_name() of each author
    sb.add_text_field("agency", tokenizer_name="raw")
    sb.add_date_field("published", indexed=True, fast=True)
    # Records themselves are not stored: that would triple the index and add half again to the build
    # time, for ten reads from the store per search.
    return sb.build()


def normalize_name(name: str) -> str:
    """Author and agency filters ignore case and spacing: "lee  I-chia" finds "Lee I-chia"."""
    return " ".join(name.split()).casefold()


def date_value(day: dt.date) -> dt.datetime:
    """Dates are indexed as midnight UTC of the print day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def to_document(key: str, record: dict[str, Any], published: dt.date) -> tantivy.Document:
    """`published` comes from the key, so a record with a missing or odd date still filters by where it lies."""
    fields: dict[str, Any] = {
        "key": key,
        "id": str(record.get("id") or ""),
        # one value per paragraph: phrases never span two
        "body": [p for p in record.get("body") or () if isinstance(p, str)],
        "published": date_value(published),
    }
    for name in ("headline", "kicker", "deck", "section_slug"):
        value = record.get(name)
        if isinstance(value, str) and value:
            fields[name] = value
    for field, names in (("author", record.get("authors")), ("agency", record.get("agencies"))):
        values = [normalize_name(n) for n in names or () if isinstance(n, str) and n.strip()]
        if values:
            fields[field] = values
    return tantivy.Document(**fields)
