"""Reading the store's WARC files back: one record by its pointer, whole files as a stream, CDXJ indexes.

`newsarchive.archive.warc` writes; this module reads, for `verify`, `reparse` and
`coverage`. Every record is its own gzip member (see newsarchive.archive.warc), which
gives two ways in: a ranged read of `offset, length` (one GET on S3, the way a
record's capture pointer is followed), or a stream over the whole file split
member by member. Splitting members ourselves, rather than handing the file to
warcio's iterator, lets a scan report a damaged member and carry on from the
next one, so one flipped byte costs one record, not the rest of the file.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException

from newsarchive.archive import decoding
from newsarchive.archive.keys import WARC_PREFIX, cdxj_key
from newsarchive.archive.warc import payload_digest
from newsarchive.errors import KeyNotFound
from newsarchive.store.base import ObjectInfo, Store

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_SUFFIX = ".warc.gz"
CHUNK = 1 << 20


class UnreadableRecord(ValueError):
    """A WARC record that cannot be read: a damaged gzip member or a malformed record."""


@dataclass
class WarcRecord:
    """One WARC record as read back, with the digest checks warcio made while reading it."""

    warc: str
    offset: int
    length: int  # compressed length: the member's size in the file
    type: str
    record_id: str | None
    target_uri: str | None
    date: str | None
    status: int | None  # HTTP status of a response or revisit
    payload: bytes  # the HTTP payload as transmitted (still content-encoded), or the whole block
    digest_problems: list[str] = field(default_factory=list)
    member: bytes = field(default=b"", repr=False)  # the decompressed record, to decode the payload on demand
    header_payload_digest: str | None = None

    @property
    def computed_payload_digest(self) -> str:
        return payload_digest(self.payload)

    def body(self, limit: int | None = None) -> bytes:
        """The payload decoded (chunked and Content-Encoding undone), as the parser and discovery need it, by the
        crawl's own bounded decoder (newsarchive.archive.decoding): at most `limit` bytes (default: the page
        limit), else UnreadableRecord. So a stored decompression bomb costs an offline command what it cost the
        crawl, and br, zstd and stacked codings read back exactly as the crawl read them."""
        return decoded_payload(self.member, limit)


def decoded_payload(member: bytes, limit: int | None = None) -> bytes:
    """The payload of a decompressed record, chunked and Content-Encoding undone (no digest computed), bounded as
    `WarcRecord.body` says."""
    limit = decoding.page_limit() if limit is None else limit
    try:
        record = ArcWarcRecordLoader().parse_record_stream(io.BytesIO(member))
        headers = record.http_headers
        raw = record.raw_stream
        if headers is None:
            return raw.read()
        if (headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
            raw = ChunkedDataReader(raw, decomp_type=None)  # de-chunks only (and reads on if it is not chunked)
        codings = [value for name, value in headers.headers if name.lower() == "content-encoding"]
        return decoding.decode(raw.read(), codings, limit)  # still encoded, the payload is the record's size
    except decoding.DecodedTooLarge as exc:
        raise UnreadableRecord(str(exc)) from None
    except decoding.UndecodableBody as exc:
        raise UnreadableRecord(f"payload cannot be decoded ({exc})") from None
    except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, EOFError, OSError) as exc:
        raise UnreadableRecord(f"payload cannot be decoded ({exc})") from None


@dataclass(frozen=True)
class Damage:
    """A stretch of a WARC file that is not a whole gzip member."""

    warc: str
    offset: int
    length: int
    reason: str


@dataclass(frozen=True)
class CdxEntry:
    """One line of a CDXJ index: a response (or revisit) and where it lies."""

    warc: str
    url: str
    timestamp: str
    status: int | None
    mime: str | None
    digest: str | None
    offset: int
    length: int

    @property
    def is_revisit(self) -> bool:
        return self.mime == "warc/revisit"


def _parse(member: bytes) -> tuple[ArcWarcRecord, bytes]:
    """A decompressed member -> (record with digest checks, payload bytes)."""
    try:
        record = ArcWarcRecordLoader().parse_record_stream(io.BytesIO(member), check_digests=True)
        payload = record.raw_stream.read()
    except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, EOFError) as exc:
        raise UnreadableRecord(f"malformed WARC record ({exc})") from None
    return record, payload


def parse_member(warc: str, offset: int, length: int, member: bytes) -> WarcRecord:
    """A decompressed gzip member -> WarcRecord; UnreadableRecord if it is not a WARC record."""
    record, payload = _parse(member)
    headers = record.rec_headers
    status = None
    if record.http_headers is not None and record.rec_type in ("response", "revisit"):
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            status = None
    return WarcRecord(
        warc=warc, offset=offset, length=length, type=record.rec_type or "", status=status, payload=payload,
        record_id=headers.get_header("WARC-Record-ID"), target_uri=headers.get_header("WARC-Target-URI"),
        date=headers.get_header("WARC-Date"), digest_problems=list(record.digest_checker.problems),
        member=member, header_payload_digest=headers.get_header("WARC-Payload-Digest"),
    )


def decompress_member(data: bytes) -> bytes:
    """Exactly one whole gzip member -> its content; UnreadableRecord otherwise."""
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = d.decompress(data)
    except zlib.error as exc:
        raise UnreadableRecord(f"damaged gzip member ({exc})") from None
    if not d.eof:
        raise UnreadableRecord("gzip member cut short")
    if d.unused_data:
        raise UnreadableRecord(f"{len(d.unused_data)} bytes after the gzip member")
    return out


def read_record(store: Store, warc: str, offset: int, length: int) -> WarcRecord:
    """The record at a pointer, by one ranged read. KeyNotFound if the WARC is gone, UnreadableRecord if damaged."""
    data = store.get_range(warc, offset, length)
    if len(data) != length:
        raise UnreadableRecord(f"only {len(data)} of {length} bytes at offset {offset}")
    return parse_member(warc, offset, length, decompress_member(data))


def members(warc: str, fh: BinaryIO, chunk: int = CHUNK) -> Iterator[tuple[int, int, bytes] | Damage]:
    """(offset, length, decompressed bytes) of each gzip member of a stream, or Damage for what is not one.

    After a damaged member the scan resumes at the next gzip header, so the
    records after it are still read and checked. Memory is one member at a time.
    """
    pending = bytearray()  # bytes read but not yet consumed; pending[0] lies at file offset `base`
    base = 0
    eof = False
    damage_start: int | None = None
    damage_reason = ""

    def fill() -> bool:
        nonlocal eof
        if eof:
            return False
        data = fh.read(chunk)
        if not data:
            eof = True
            return False
        pending.extend(data)
        return True

    while pending or fill():
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out: list[bytes] = []
        fed = 0
        try:
            while not d.eof:
                if fed == len(pending) and not fill():
                    raise zlib.error("gzip member cut short")
                out.append(d.decompress(bytes(pending[fed:])))
                fed = len(pending)
        except zlib.error as exc:
            if damage_start is None:
                damage_start, damage_reason = base, f"damaged gzip member ({exc})"
            nxt = pending.find(GZIP_MAGIC, 1)
            while nxt < 0:  # keep two bytes: a header may straddle reads
                drop = max(len(pending) - 2, 0)
                del pending[:drop]
                base += drop
                if not fill():
                    end = base + len(pending)
                    yield Damage(warc, damage_start, end - damage_start, damage_reason)
                    return
                nxt = pending.find(GZIP_MAGIC, 1)
            del pending[:nxt]
            base += nxt
            continue
        used = fed - len(d.unused_data)
        if damage_start is not None:
            yield Damage(warc, damage_start, base - damage_start, damage_reason)
            damage_start = None
        yield base, used, b"".join(out)
        del pending[:used]
        base += used


def scan(store: Store, warc: str) -> Iterator[WarcRecord | Damage]:
    """Every record of a stored WARC, read once from start to end (digests checked), or Damage."""
    with store.open_read(warc) as fh:
        for item in members(warc, fh):
            if isinstance(item, Damage):
                yield item
                continue
            offset, length, member = item
            try:
                yield parse_member(warc, offset, length, member)
            except UnreadableRecord as exc:
                yield Damage(warc, offset, length, str(exc))


def warc_files(store: Store) -> list[ObjectInfo]:
    return [o for o in store.list(WARC_PREFIX) if o.key.endswith(WARC_SUFFIX)]


def read_cdxj(store: Store, warc: str) -> list[CdxEntry] | None:
    """The CDXJ index beside a WARC (None if there is none); lines that do not parse are skipped."""
    try:
        text = store.get_bytes(cdxj_key(warc)).decode("utf-8", "replace")
    except KeyNotFound:
        return None
    entries = []
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3:
            continue
        try:
            doc = json.loads(parts[2])
            status = doc.get("status")
            entries.append(CdxEntry(
                warc=warc, url=doc["url"], timestamp=parts[1], status=int(status) if str(status).isdigit() else None,
                mime=doc.get("mime"), digest=doc.get("digest"), offset=int(doc["offset"]), length=int(doc["length"]),
            ))
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def responses(store: Store, warc: str) -> list[CdxEntry]:
    """What the CDXJ lists for a WARC, or, without an index, the same read from the WARC itself."""
    entries = read_cdxj(store, warc)
    if entries is not None:
        return entries
    found = []
    for rec in scan(store, warc):
        if isinstance(rec, WarcRecord) and rec.type in ("response", "revisit") and rec.target_uri:
            stamp = "".join(ch for ch in (rec.date or "") if ch.isdigit())[:14]
            found.append(CdxEntry(warc, rec.target_uri, stamp, rec.status,
                                  "warc/revisit" if rec.type == "revisit" else None,
                                  rec.header_payload_digest, rec.offset, rec.length))
    return found
