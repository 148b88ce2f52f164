"""Stored payloads read back with the crawl's bound, and crash recovery that never decodes them.

A real WarcWriter writes captures into a LocalStore in a temporary folder: a
4 GiB decompression bomb of several codings, and ordinary pages in br, zstd
and stacked codings (which warcio alone cannot decode: brotli >= 1.2 refuses
its attribute, and it has no zstd at all).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from newsarchive.archive import warcread
from newsarchive.archive.recovery import whole_records_end
from newsarchive.archive.warc import HttpExchange, WarcWriter
from newsarchive.archive.warcread import UnreadableRecord
from newsarchive.store.local import LocalStore
from tests.faults.hostile import Allocations, MiB, bomb, encode_stream, header_value

PAGE = b"<html><body><h1>A page</h1>" + b"<p>some words of the page</p>" * 2000 + b"</body></html>"


def exchange(body: bytes, coding: str | None, url: str = "https://www.taipeitimes.com/News/world") -> HttpExchange:
    headers = [("Content-Type", "text/html")] + ([("Content-Encoding", header_value(coding))] if coding else [])
    return HttpExchange(url=url, method="GET", request_headers=[("Accept-Encoding", "gzip, deflate, br, zstd")],
                        request_body=b"", status=200, protocol="HTTP/1.1", response_headers=headers,
                        response_body=body)


def encoded(data: bytes, stack: str) -> bytes:
    chunks = [data]
    for coding in (c.strip() for c in stack.split(",")):
        chunks = list(encode_stream(chunks, coding))
    return b"".join(chunks)


@pytest.fixture
def writer(tmp_path: Path) -> WarcWriter:
    store = LocalStore(tmp_path / "archive")
    store.check()
    return WarcWriter(store, tmp_path / "staging")


@pytest.mark.parametrize("stack", ["gzip", "br", "zstd", "gzip, gzip", "br, gzip"])
def test_a_stored_bomb_reads_back_as_unreadable_at_the_limit(writer: WarcWriter, stack: str) -> None:
    wire = bomb(stack, 256 * MiB)
    capture = writer.write_exchange(exchange(wire, stack))
    writer.close()
    with Allocations() as held:
        record = warcread.read_record(writer.store, capture.warc, capture.offset, capture.length)
        with pytest.raises(UnreadableRecord, match="decoded size over limit: more than 1,048,576 bytes"):
            record.body()
    assert held.peak < 4 * len(wire) + 4 * MiB, held.peak


@pytest.mark.parametrize("stack", ["br", "zstd", "gzip, gzip", "br, gzip", "deflate", "deflate-raw"])
def test_pages_in_every_coding_read_back_as_the_crawl_read_them(writer: WarcWriter, stack: str) -> None:
    capture = writer.write_exchange(exchange(encoded(PAGE, stack), stack))
    writer.close()
    record = warcread.read_record(writer.store, capture.warc, capture.offset, capture.length)
    assert record.body() == PAGE
    assert record.body(limit=len(PAGE)) == PAGE
    with pytest.raises(UnreadableRecord):
        record.body(limit=len(PAGE) - 1)


def test_crash_recovery_keeps_every_record_after_a_br_or_bomb_capture(writer: WarcWriter) -> None:
    """`recover` cuts an open WARC after its last whole record: it must not stop at a payload it cannot decode."""
    writer.write_exchange(exchange(gzip.compress(PAGE), "gzip"))
    writer.write_exchange(exchange(brotli.compress(PAGE), "br"))
    writer.write_exchange(exchange(bomb("gzip", 256 * MiB), "gzip"))
    writer.write_exchange(exchange(PAGE, None))
    path = writer._path
    assert path is not None and path.name.endswith(".open")
    assert writer._fh is not None
    writer._fh.flush()
    with Allocations() as held:
        end = whole_records_end(path)
    assert end == path.stat().st_size  # every record is whole: nothing is cut
    assert held.peak < 16 * MiB, held.peak
