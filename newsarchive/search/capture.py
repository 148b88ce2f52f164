"""An article's capture, as archived: the WARC response record its record points to, and the page in it.

`show --warc` gives the record exactly as stored (one gzip member: itself a
valid .warc.gz file, which any WARC tool reads), `show --html` the page a
reader saw, decoded as a browser would: the payload's transfer and content
encodings undone, then the charset taken from a byte-order mark, the HTTP
Content-Type, the page's own <meta>, else UTF-8 (w3lib, Scrapy's rules).
Both check the record against its pointer first (length, digests), so a
damaged capture is reported, never shown as if it were the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from w3lib.encoding import html_to_unicode
from warcio.recordloader import ArcWarcRecordLoader

from newsarchive.archive.warcread import UnreadableRecord, WarcRecord, decompress_member, parse_member
from newsarchive.errors import ArticleNotFound, CaptureDamaged, KeyNotFound
from newsarchive.store import Store


@dataclass(frozen=True)
class Pointer:
    warc: str
    offset: int
    length: int
    record_id: str | None
    payload_digest: str | None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Pointer:
        capture = record.get("capture")
        if not isinstance(capture, dict) or not capture.get("warc"):
            raise ArticleNotFound(f"article {record.get('id')}: no capture recorded (the record was not made by a crawl)")
        try:
            return cls(str(capture["warc"]), int(capture["offset"]), int(capture["length"]),
                       capture.get("record_id"), capture.get("payload_digest"))
        except (KeyError, TypeError, ValueError):
            raise CaptureDamaged(f"article {record.get('id')}: its capture pointer is incomplete ({capture})") from None


def stored_bytes(store: Store, record: dict[str, Any]) -> bytes:
    """The response record's gzip member exactly as stored, after checking it is the record pointed to."""
    pointer = Pointer.of(record)
    try:
        data = store.get_range(pointer.warc, pointer.offset, pointer.length)
    except KeyNotFound:
        raise ArticleNotFound(f"article {record.get('id')}: its WARC file {pointer.warc} is not in the store") from None
    _check(record, pointer, data)
    return data


def _check(record: dict[str, Any], pointer: Pointer, data: bytes) -> WarcRecord:
    where = f"article {record.get('id')}: capture {pointer.warc}@{pointer.offset}"
    try:
        if len(data) != pointer.length:
            raise UnreadableRecord(f"only {len(data)} of {pointer.length} bytes")
        warc = parse_member(pointer.warc, pointer.offset, pointer.length, decompress_member(data))
    except UnreadableRecord as exc:
        raise CaptureDamaged(f"{where}: {exc}") from None
    problems = list(warc.digest_problems)
    if warc.type != "response":
        problems.append(f"a {warc.type} record, not a response")
    if pointer.record_id and warc.record_id != pointer.record_id:
        problems.append(f"record id {warc.record_id}, the record names {pointer.record_id}")
    if pointer.payload_digest and warc.header_payload_digest != pointer.payload_digest:
        problems.append(f"payload digest {warc.header_payload_digest}, the record names {pointer.payload_digest}")
    if problems:
        raise CaptureDamaged(f"{where}: {'; '.join(problems)}")
    return warc


def captured_page(store: Store, record: dict[str, Any]) -> str:
    """The captured page as text, decoded as a browser would."""
    pointer = Pointer.of(record)
    warc = _check(record, pointer, stored_bytes(store, record))
    try:
        body = warc.body()
    except UnreadableRecord as exc:
        raise CaptureDamaged(f"article {record.get('id')}: capture {pointer.warc}@{pointer.offset}: {exc}") from None
    parsed = ArcWarcRecordLoader().parse_record_stream(io.BytesIO(warc.member))
    content_type = parsed.http_headers.get_header("Content-Type") if parsed.http_headers else None
    return html_to_unicode(content_type, body)[1]
