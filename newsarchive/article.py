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
#: provenance the crawl adds to each entry of `images` once its photo is captured: the URL fetched, when, and the
#: `capture` pointer ({warc, offset, length, record_id, payload_digest}) to its WARC response record
IMAGE_PROVENANCE = ("fetched_url", "fetched_at", "capture")
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


def image_content(images: Any) -> list[Any]:
    """The entries of `images` without the crawl's provenance: what the article itself says of its photos."""
    if not isinstance(images, list):
        return images
    return [{k: v for k, v in image.items() if k not in IMAGE_PROVENANCE} if isinstance(image, dict) else image
            for image in images]


def carry_image_provenance(images: list[dict[str, Any]], previous: Any) -> None:
    """Give each photo not yet captured the capture an earlier record of the article holds for the same URL.

    A photo's URL names one picture (the image host files them by print date), so a photo captured once need
    not be fetched again when the article is refreshed or parsed again.
    """
    captured = {p["url"]: p for p in previous or () if isinstance(p, dict) and p.get("url") and p.get("capture")}
    for image in images:
        earlier = captured.get(image.get("url"))
        if earlier is not None and not image.get("capture"):
            image.update({k: earlier[k] for k in IMAGE_PROVENANCE if k in earlier})


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which content fields differ between two records of the same article (photos compared without their
    captures: capturing a photo is not an edit)."""
    def value(record: dict[str, Any], name: str) -> Any:
        return image_content(record.get(name)) if name == "images" else record.get(name)

    return [name for name in CONTENT_FIELDS if value(old, name) != value(new, name)]
