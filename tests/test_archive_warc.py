"""newsarchive.archive.warc: WarcWriter into a local store, read back with warcio (the reference reader).

No crawl and no server: exchanges are built by hand, so each property of the
file (digests, pointers, revisits, rotation, metadata) is checked on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.warc import CapturePointer, HttpExchange, WarcWriter, payload_digest
from newsarchive.store import LocalStore
from tests.plugins.clock import SetClock

URL = "http://127.0.0.1:8080/News/world/archives/2024/10/16/2003825390?x=1"
#: the writer names files by the clock: set it, so the store keys are known (a leap day, just before midnight UTC)
CLOCK = dt.datetime(2028, 2, 29, 23, 59, 58, 250000, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path, set_clock: SetClock) -> LocalStore:
    """A store in a folder of the test's, on a leap day's clock."""
    set_clock(CLOCK)
    return LocalStore(tmp_path / "archive")


def writer(store: LocalStore, **kwargs) -> WarcWriter:
    return WarcWriter(store, store.staging_dir(), host="testhost-1", info={"operator": "tests"}, **kwargs)


def exchange(body: bytes = b"<html>an article</html>", **kwargs) -> HttpExchange:
    fields = dict(
        url=URL, method="GET", request_headers=[("Accept-Encoding", "gzip"), ("Host", "ignored")], request_body=b"",
        status=200, protocol="HTTP/1.1", response_headers=[("Content-Type", "text/html; charset=utf-8")],
        response_body=body, ip_address="127.0.0.1", date=dt.datetime(2028, 2, 29, 12, 0, 1, 5, tzinfo=dt.UTC),
    )
    fields.update(kwargs)
    return HttpExchange(**fields)  # type: ignore[arg-type]


def read(path: Path) -> Iterator[tuple[int, object]]:
    """(offset, record) of every record, digests checked by warcio as it reads (a mismatch raises)."""
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests="raise")
        for record in it:
            record.payload = record.content_stream().read()  # type: ignore[attr-defined]
            yield it.get_record_offset(), record


def warc_paths(store: LocalStore) -> list[Path]:
    return sorted((store.root / "warc").rglob("*.warc.gz"))


def test_a_file_holds_warcinfo_then_response_and_request(store: LocalStore) -> None:
    w = writer(store)
    pointer = w.write_exchange(exchange())
    w.close()
    (path,) = warc_paths(store)
    assert path.relative_to(store.root).as_posix() == pointer.warc == \
        "warc/2028/02/29/TT-20280229235958250000-00000-testhost-1.warc.gz"
    records = [r for _, r in read(path)]
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    info = dict(line.split(": ", 1) for line in records[0].payload.decode().splitlines() if line)
    assert info["operator"] == "tests" and info["format"] == "WARC File Format 1.1"
    assert info["software"].startswith("newsarchive/")
    response, request = records[1], records[2]
    h = response.rec_headers
    assert h.get_header("WARC-Target-URI") == URL and h.get_header("WARC-IP-Address") == "127.0.0.1"
    assert h.get_header("WARC-Date") == "2028-02-29T12:00:01.000005Z"
    assert h.get_header("WARC-Payload-Digest") == payload_digest(b"<html>an article</html>") == pointer.payload_digest
    assert response.http_headers.get_statuscode() == "200" and response.payload == b"<html>an article</html>"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == h.get_header("WARC-Record-ID") == pointer.record_id
    assert request.http_headers.protocol == "GET" and request.http_headers.statusline.startswith("/News/world/")
    assert request.http_headers.get_header("Host") == "127.0.0.1:8080"  # the real one, written once
    assert [k for k, _ in request.http_headers.headers].count("Host") == 1


def test_the_pointer_reads_the_response_alone(store: LocalStore) -> None:
    w = writer(store)
    pointers = [w.write_exchange(exchange(body=f"page {i}".encode() * (i + 1))) for i in range(3)]
    w.close()
    for i, pointer in enumerate(pointers):
        assert isinstance(pointer, CapturePointer) and set(pointer.as_dict()) == {
            "warc", "offset", "length", "record_id", "payload_digest"}
        member = store.get_range(pointer.warc, pointer.offset, pointer.length)
        records = ArchiveIterator(io.BytesIO(member))
        record = next(records)
        assert record.rec_headers.get_header("WARC-Record-ID") == pointer.record_id
        assert record.content_stream().read() == f"page {i}".encode() * (i + 1)
        assert next(records, None) is None  # exactly one gzip member: one record


def test_a_revisit_when_the_payload_is_unchanged(store: LocalStore) -> None:
    w = writer(store)
    first = w.write_exchange(exchange())
    earlier = {"payload_digest": first.payload_digest or "", "record_id": first.record_id, "uri": URL,
               "date": "2028-02-28T12:00:00.000000Z"}
    same = w.write_exchange(exchange(), revisit_of=earlier)
    changed = w.write_exchange(exchange(body=b"<html>edited</html>"), revisit_of=earlier)
    w.close()
    by_id = {r.rec_headers.get_header("WARC-Record-ID"): r for _, r in read(warc_paths(store)[0])}
    revisit = by_id[same.record_id]
    assert revisit.rec_type == "revisit"
    assert "identical-payload-digest" in revisit.rec_headers.get_header("WARC-Profile")
    assert revisit.rec_headers.get_header("WARC-Refers-To") == first.record_id
    assert revisit.rec_headers.get_header("WARC-Refers-To-Date") == "2028-02-28T12:00:00.000000Z"
    assert revisit.payload == b""  # headers only: the body is the earlier capture's
    assert by_id[changed.record_id].rec_type == "response"  # the digest differs: a full capture


def test_a_truncated_response_says_why(store: LocalStore) -> None:
    w = writer(store)
    pointer = w.write_exchange(exchange(truncated="length"))
    w.close()
    record = next(r for _, r in read(warc_paths(store)[0]) if r.rec_type == "response")
    assert record.rec_headers.get_header("WARC-Truncated") == "length"
    assert pointer.payload_digest == payload_digest(b"<html>an article</html>")


def test_metadata_names_what_was_made_of_a_capture(store: LocalStore) -> None:
    w = writer(store)
    pointer = w.write_exchange(exchange())
    w.write_metadata(URL, pointer.record_id, {"record": "records/2024/10/16/2003825390.json", "parser": "x@1"})
    w.close()
    metadata = [r for _, r in read(warc_paths(store)[0]) if r.rec_type == "metadata"]
    assert len(metadata) == 1
    assert metadata[0].rec_headers.get_header("WARC-Refers-To") == pointer.record_id
    assert metadata[0].rec_headers.get_header("Content-Type") == "application/warc-fields"
    assert metadata[0].payload == b"record: records/2024/10/16/2003825390.json\r\nparser: x@1\r\n"


def test_files_rotate_at_the_size_limit_each_whole_and_indexed(store: LocalStore) -> None:
    w = writer(store, max_size=3000)
    incompressible = hashlib.shake_256(b"rotation").digest(3000)
    pointers = [w.write_exchange(exchange(body=incompressible)) for _ in range(4)]
    w.close()
    paths = warc_paths(store)
    assert len(paths) == 4 and w.files_written == [p.relative_to(store.root).as_posix() for p in paths]
    assert [p.name.split("-")[2] for p in paths] == ["00000", "00001", "00002", "00003"]
    assert [pointer.warc for pointer in pointers] == w.files_written
    for path in paths:
        types = [r.rec_type for _, r in read(path)]
        assert types == ["warcinfo", "response", "request"]  # every file opens with its warcinfo
        cdxj = path.with_name(path.name[: -len(".warc.gz")] + ".cdxj").read_text().splitlines()
        assert [json.loads(line.split(" ", 2)[2])["filename"] for line in cdxj] == [path.name]  # its response
    assert w.bytes_written == sum(p.stat().st_size for p in paths)
    assert not any(store.staging_dir().iterdir())  # nothing left staged


def test_a_file_is_staged_as_open_until_closed(store: LocalStore) -> None:
    w = writer(store)
    w.write_exchange(exchange())
    (staged,) = store.staging_dir().iterdir()
    assert staged.name.endswith(".warc.gz.open")
    # flushed after every record: what is staged is readable up to the last record
    assert [r.rec_type for _, r in read(staged)] == ["warcinfo", "response", "request"]
    assert warc_paths(store) == []
    w.close()
    w.close()  # idempotent
    assert len(warc_paths(store)) == 1 and not staged.exists()


def test_abandon_cuts_back_to_whole_records_and_leaves_the_file_staged(store: LocalStore) -> None:
    w = writer(store)
    w.write_exchange(exchange())
    (staged,) = store.staging_dir().iterdir()
    whole = staged.stat().st_size
    with open(staged, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00 half a record")  # what a write cut short leaves behind
    w.abandon()
    assert staged.exists() and staged.stat().st_size == whole
    assert warc_paths(store) == [] and w.files_written == []
    w.abandon()  # nothing open: nothing to do


def test_gzip_level_is_the_writers_choice(store: LocalStore, tmp_path: Path) -> None:
    body = b"the same words again and again " * 2000
    sizes = {}
    for level in (1, 9):
        s = LocalStore(tmp_path / f"level{level}")
        w = writer(s, gzip_level=level)
        w.write_exchange(exchange(body=body))
        w.close()
        (path,) = warc_paths(s)
        assert next(r for _, r in read(path) if r.rec_type == "response").payload == body
        sizes[level] = path.stat().st_size
    assert sizes[9] < sizes[1]
