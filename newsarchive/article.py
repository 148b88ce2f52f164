"""The JSON record: the contract between the parser, the store and researchers.

Field meanings are fixed (README, "Record schema"). New fields may be added
with a SCHEMA_VERSION bump; existing ones are never renamed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1

#: fields in the order they are written
FIELDS = (
    "id", "url", "section", "section_slug", "headline", "kicker", "deck", "byline",
    "authors", "agencies", "dateline", "translator", "published", "published_at",
    "modified_at", "print_page", "body", "images", "word_count", "language",
    "parser", "schema_version",
)
#: provenance added by the crawl
PROVENANCE = ("fetched_url", "fetched_at", "capture")
#: fields whose change between two captures counts as an edit of the article
CONTENT_FIELDS = (
    "headline", "kicker", "deck", "byline", "authors", "agencies", "dateline",
    "translator", "section", "section_slug", "published", "print_page", "body", "images",
)


@dataclass
class Image:
    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass
class Article:
    id: str
    url: str
    section: str | None
    section_slug: str | None
    headline: str
    kicker: str | None = None
    deck: str | None = None
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    dateline: str | None = None
    translator: str | None = None
    published: str | None = None  # YYYY-MM-DD, the print date
    published_at: str | None = None
    modified_at: str | None = None
    print_page: int | None = None
    body: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    word_count: int = 0
    language: str = "en"
    parser: str = ""
    schema_version: int = SCHEMA_VERSION

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        return {name: data[name] for name in FIELDS}


def dumps(record: dict[str, Any]) -> str:
    """One record as JSON text: UTF-8 friendly, stable key order as given."""
    return json.dumps(record, ensure_ascii=False)


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which content fields differ between two records of the same article."""
    return [name for name in CONTENT_FIELDS if old.get(name) != new.get(name)]
