"""newsarchive.archive.warc.gzip_member: a payload that arrived compressed is stored in the member, not deflated again.

The member must read as the same bytes with any gzip reader (zlib, Python's gzip, warcio), whatever the
payload's length (one stored block holds at most 65,535 bytes), and a WARC written so must read back exactly
as one whose every member is deflated whole.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import random
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.warc import HttpExchange, WarcWriter, gzip_member
from newsarchive.store import LocalStore

HEAD = b"WARC/1.1\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n"


@pytest.mark.parametrize("payload_length", [0, 1, 1024, 65_535, 65_536, 131_070, 200_001])
def test_a_member_with_stored_payload_reads_as_its_bytes(payload_length: int) -> None:
    data = HEAD + os.urandom(payload_length)
    member = gzip_member(data, 6, len(HEAD))
    assert zlib.decompress(member, zlib.MAX_WBITS | 16) == data
    assert gzip.decompress(member) == data
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert d.decompress(member) == data and d.eof and not d.unused_data  # one member, nothing after it


def test_a_compressed_payload_is_not_deflated_again_and_the_warc_reads_the_same(tmp_path: Path) -> None:
    words = random.Random(16).choices(["Taipei", "legislature", "typhoon", "said", "on", "the", "minister"], k=8000)
    body = gzip.compress(f"<html><p>{' '.join(words)}</p></html>".encode(), 6, mtime=0)
    when = dt.datetime(2024, 10, 16, 1, 2, 3, tzinfo=dt.UTC)
    exchange = HttpExchange("http://127.0.0.1:8000/News/front/archives/2024/10/16/2003835421", "GET",
                            [("Accept-Encoding", "gzip")], b"", 200, "HTTP/1.1",
                            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body, "127.0.0.1", None, when)
    store = LocalStore(tmp_path / "archive")
    writer = WarcWriter(store, store.staging_dir(), host="testhost-1")
    capture = writer.write_exchange(exchange)
    writer.close()
    [warc] = (store.root / "warc").rglob("*.warc.gz")
    data = warc.read_bytes()
    member = data[capture.offset: capture.offset + capture.length]
    raw = zlib.decompress(member, zlib.MAX_WBITS | 16)
    assert raw.endswith(body + b"\r\n\r\n")
    assert len(body) > 1024 and len(member) < len(gzip_member(raw, 6))  # stored: smaller than deflated again
    with open(warc, "rb") as fh:
        records = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(fh, check_digests="raise")]
    assert [t for t, _ in records] == ["warcinfo", "response", "request"]
    assert records[1][1] == gzip.decompress(body)  # warcio undoes the Content-Encoding, as for any capture


@pytest.mark.parametrize(("content_type", "stored"), [("image/jpeg", True), ("font/woff2", True), ("IMAGE/PNG; q=1", True),
                                                      ("text/css", False), ("application/javascript", False)])
def test_a_photo_or_font_is_stored_text_deflated(tmp_path: Path, content_type: str, stored: bool) -> None:
    body = random.Random(7).randbytes(20_000) if stored else b"a { color: red }\n" * 2000
    when = dt.datetime(2024, 10, 16, 1, 2, 3, tzinfo=dt.UTC)
    exchange = HttpExchange("https://img.taipeitimes.com/images/2024/10/16/P01-241016-1.jpg", "GET", [], b"", 200,
                            "HTTP/1.1", [("Content-Type", content_type)], body, "127.0.0.1", None, when)
    store = LocalStore(tmp_path / "archive")
    writer = WarcWriter(store, store.staging_dir(), host="testhost-1")
    capture = writer.write_exchange(exchange)
    writer.close()
    [warc] = (store.root / "warc").rglob("*.warc.gz")
    member = warc.read_bytes()[capture.offset: capture.offset + capture.length]
    raw = zlib.decompress(member, zlib.MAX_WBITS | 16)
    assert raw.endswith(body + b"\r\n\r\n")
    payload = raw.index(body)
    assert (member == gzip_member(raw, 6, payload)) is stored
    assert (member == gzip_member(raw, 6)) is not stored
