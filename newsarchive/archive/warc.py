"""WARC files: captures exactly as exchanged, written as they happen.

warcio builds each record and computes its block and payload digests while
serialising it; we gzip every record as its own member (at level 6: level 9,
warcio's default, costs 2.6 times the CPU for 0.6 % fewer bytes), so any record
can be read alone from its offset. A payload that is compressed already (gzip
from the site, a photo, a font) goes into the member in deflate's stored blocks
after its deflated headers: deflating it again costs most of a record's write
and saves next to nothing. Any gzip reader reads the member as it would any other. A file is written as `NAME.warc.gz.open` in a
local staging folder, flushed after every record (a killed process loses no
whole record), and only when closed is it handed to the store with its CDXJ
index (`newsarchive.archive.recovery.finish`, which also closes what a crash
left open). The index lines are made as the records are written
(newsarchive.archive.cdxjline): the writer knows each record's offset and length,
so closing a file does not read it all again.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import logging
import struct
import zlib
from dataclasses import asdict, dataclass
from http import HTTPStatus
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive import __version__
from newsarchive.archive.cdxjline import INDEXED, cdxj_line, is_indexed
from newsarchive.archive.keys import warc_key
from newsarchive.archive.recovery import OPEN_SUFFIX, PREFIX, cut_to_whole_records, finish
from newsarchive.dates import iso_utc, utc_now
from newsarchive.processes import host_id
from newsarchive.store.base import Store

log = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_GZIP_LEVEL = 6


@dataclass(frozen=True)
class CapturePointer:
    """Where a record lies: the `capture` pointer a JSON record keeps to its response."""

    warc: str  # store key of the WARC file
    offset: int
    length: int
    record_id: str
    payload_digest: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class HttpExchange:
    """One request and its response, as Scrapy saw them at the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    protocol: str
    response_headers: list[tuple[str, str]]
    response_body: bytes
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason: "length", "disconnect", ...
    date: dt.datetime | None = None


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body (sha1, base32), as warcio writes it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


#: a gzip member's header as zlib writes it (no name, no time, OS unix)
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_STORED_MAX = 0xFFFF
#: payloads that arrived compressed (Content-Encoding) and are at least this long are stored, not deflated again
_STORE_FROM = 1024
_NOT_COMPRESSED = ("", "identity")


def gzip_member(data: bytes, level: int, stored_from: int | None = None) -> bytes:
    """`data` as one gzip member; with `stored_from`, the bytes from there on go in deflate's stored blocks."""
    if stored_from is None:
        compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return compressor.compress(data) + compressor.flush()
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts: list[bytes | memoryview] = [_GZIP_HEADER, compressor.compress(data[:stored_from]),
                                       compressor.flush(zlib.Z_SYNC_FLUSH)]
    view = memoryview(data)
    start, end = stored_from, len(data)
    while True:  # after a sync flush the stream is byte-aligned: stored blocks follow as they are
        size = min(_STORED_MAX, end - start)
        final = start + size >= end
        parts.append(struct.pack("<BHH", 1 if final else 0, size, size ^ 0xFFFF))
        parts.append(view[start:start + size])
        start += size
        if final:
            break
    parts.append(struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF))
    return b"".join(parts)


#: media types whose bytes are compressed already (photos, fonts, archives): deflate saves ~3 % of a JPEG for
#: ~0.8 ms CPU per 50 KB photo, more than Scrapy spends fetching it
_COMPRESSED_MEDIA = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "font/woff", "font/woff2",
                     "application/font-woff", "video/", "audio/", "application/zip", "application/gzip",
                     "application/x-gzip")


def _payload_start(record, data: bytes) -> int | None:  # a warcio ArcWarcRecord
    """Where a response's payload starts in its serialised record, if it is compressed already (it arrived
    Content-Encoded, or is a photo, a font, an archive) and long."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    media = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if encoding in _NOT_COMPRESSED and not media.startswith(_COMPRESSED_MEDIA):
        return None
    warc_end = data.find(b"\r\n\r\n")
    http_end = data.find(b"\r\n\r\n", warc_end + 4) if warc_end >= 0 else -1
    if http_end < 0 or len(data) - (http_end + 4) < _STORE_FROM:
        return None
    return http_end + 4


def _request_line(url: str, method: str) -> tuple[str, str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return f"{method} {target} HTTP/1.1", parts.netloc


class WarcWriter:
    """Rotating WARC/1.1 writer feeding a Store.

    Not thread-safe: Scrapy calls it from the reactor thread only.
    """

    def __init__(
        self,
        store: Store,
        staging_dir: Path,
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        info: dict[str, str] | None = None,
        host: str | None = None,
    ) -> None:
        self.store = store
        self.staging_dir = Path(staging_dir)
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.info = dict(info or {})
        self.host = host or host_id()
        self._serial = 0
        self._fh: io.BufferedWriter | None = None
        self._path: Path | None = None
        self._key: str | None = None
        self._name = ""
        #: the open file's CDXJ lines (sorted at close); None: a record was written that only a re-read indexes
        self._cdxj: list[str] | None = []
        self._builder = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
        # a metadata record has no HTTP payload: a payload digest on it is one no reader can check (FastWARC's
        # `check -p` fails it); warcio consults this tuple when it creates and when it writes a record
        self._builder.NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")
        #: WARC-Record-ID of the open file's warcinfo: every later record names it (WARC-Warcinfo-ID)
        self._warcinfo_id: str | None = None
        self.files_written: list[str] = []
        self.bytes_written = 0

    # -- files -----------------------------------------------------------------
    def _open(self) -> None:
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        now = utc_now()
        name = f"{PREFIX}-{now:%Y%m%d%H%M%S%f}-{self._serial:05d}-{self.host}.warc.gz"
        self._serial += 1
        self._key = warc_key(now, name)
        self._name = name
        self._cdxj = []
        self._path = self.staging_dir / (name + OPEN_SUFFIX)
        # remember the key beside the file so `recover` can hand it over after a crash
        self._fh = open(self._path, "wb")
        info = {"software": f"newsarchive/{__version__} (warcio)", "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                **self.info}
        record = self._builder.create_warcinfo_record(name, {k: v for k, v in info.items() if v not in (None, "")})
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._write(record)

    def _headers(self, warc_date: str, **extra: str) -> dict[str, str]:
        """WARC headers of a record in the open file: its date, the file's warcinfo, and `extra`."""
        assert self._warcinfo_id is not None
        return {"WARC-Date": warc_date, "WARC-Warcinfo-ID": self._warcinfo_id, **extra}

    def _write(self, record) -> tuple[int, int]:
        assert self._fh is not None
        raw = io.BytesIO()
        self._builder.out = raw
        self._builder.write_record(record)
        data = raw.getvalue()
        member = gzip_member(data, self.gzip_level, _payload_start(record, data))
        offset = self._fh.tell()
        self._fh.write(member)
        self._fh.flush()  # whole records reach the OS at once: kill -9 loses none
        self.bytes_written += len(member)
        if self._cdxj is not None and is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
            if record.rec_type in INDEXED:
                self._cdxj.append(cdxj_line(data, offset, len(member), self._name))
            else:
                self._cdxj = None
        return offset, len(member)

    def _ensure_open(self) -> None:
        if self._fh is None:
            self._open()

    def _maybe_rotate(self) -> None:
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self.close()

    # -- records ---------------------------------------------------------------
    def write_exchange(self, ex: HttpExchange, *, revisit_of: dict[str, str] | None = None) -> CapturePointer:
        """Write a response (or a revisit, when `revisit_of` names an identical earlier capture) and its request."""
        self._ensure_open()
        when = ex.date or utc_now()
        warc_date = iso_utc(when)
        digest = payload_digest(ex.response_body)
        reason = _reason(ex.status)
        status_line = f"{ex.status} {reason}".strip()
        resp_headers = StatusAndHeaders(status_line, list(ex.response_headers), protocol=ex.protocol or "HTTP/1.1")
        extra = self._headers(warc_date)
        if ex.ip_address:
            extra["WARC-IP-Address"] = ex.ip_address
        if revisit_of is not None and revisit_of.get("payload_digest") == digest:
            if revisit_of.get("record_id"):
                extra["WARC-Refers-To"] = revisit_of["record_id"]
            record = self._builder.create_revisit_record(
                ex.url, digest, revisit_of["uri"], revisit_of["date"], http_headers=resp_headers,
                warc_headers_dict=extra,
            )
        else:
            extra["WARC-Payload-Digest"] = digest
            if ex.truncated:
                extra["WARC-Truncated"] = ex.truncated
            record = self._builder.create_warc_record(
                ex.url, "response", payload=io.BytesIO(ex.response_body), length=len(ex.response_body),
                http_headers=resp_headers, warc_headers_dict=extra,
            )
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        offset, length = self._write(record)
        request_line, netloc = _request_line(ex.url, ex.method)
        req_headers = [("Host", netloc)] + [(k, v) for k, v in ex.request_headers if k.lower() != "host"]
        # the whole line as the status line: warcio splits a request's at its first space into method and the rest
        # (and drops a `protocol` argument), so this is how "GET /path?q HTTP/1.1" reaches the file whole
        request = self._builder.create_warc_record(
            ex.url, "request", payload=io.BytesIO(ex.request_body), length=len(ex.request_body),
            http_headers=StatusAndHeaders(request_line, req_headers, is_http_request=True),
            warc_headers_dict=self._headers(warc_date, **{"WARC-Concurrent-To": record_id}),
        )
        self._write(request)
        capture = CapturePointer(self._key or "", offset, length, record_id, digest)
        self._maybe_rotate()
        return capture

    def write_metadata(self, uri: str, refers_to: str, fields: dict[str, str]) -> None:
        """A metadata record beside a capture (e.g. which JSON record was made from it)."""
        self._ensure_open()
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
        record = self._builder.create_warc_record(
            uri, "metadata", payload=io.BytesIO(body), length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict=self._headers(iso_utc(utc_now()), **{"WARC-Refers-To": refers_to}),
        )
        self._write(record)
        self._maybe_rotate()

    # -- closing ---------------------------------------------------------------
    def abandon(self) -> None:
        """After a failed write: stop without handing the file over. It is cut back to its last whole record
        and stays staged, for `recover` to hand over on the next run, as after a crash."""
        if self._fh is None:
            return
        try:
            self._fh.close()
        except OSError:
            pass  # the buffered tail that could not be written is what the cut removes anyway
        path = self._path
        self._fh = self._path = self._key = self._warcinfo_id = None
        if path is not None and path.exists():
            cut_to_whole_records(path)

    def close(self) -> None:
        """Close the current file: rename, index, hand to the store."""
        if self._fh is None:
            return
        self._fh.close()
        path, key, lines = self._path, self._key, self._cdxj
        self._fh = self._path = self._key = self._warcinfo_id = None
        self._cdxj = []
        assert path is not None and key is not None
        finish(self.store, path, key, cdxj_lines=lines)
        self.files_written.append(key)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


