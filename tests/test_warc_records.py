"""The records WarcWriter writes, read back byte for byte: request lines, warcinfo links, metadata digests, revisits."""

from __future__ import annotations

import gzip
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.warc import HttpExchange, WarcWriter, payload_digest
from newsarchive.store import LocalStore

BODY = b"<html><body>" + b"<p>text</p>" * 50 + b"</body></html>"


def exchange(url: str = "http://127.0.0.1:8000/News/front?pubdate=2024-10-16", body: bytes = BODY) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("User-Agent", "newsarchive/test"), ("Host", "x")],
                        request_body=b"", status=200, protocol="HTTP/1.1",
                        response_headers=[("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                        response_body=body)


def written(tmp_path: Path, write) -> tuple[Path, bytes]:
    """Run `write(writer)` on a fresh writer, close it, return the stored WARC's path and its decompressed bytes."""
    store = LocalStore(tmp_path / "archive")
    writer = WarcWriter(store, tmp_path / "staging", info={"operator": "archivist@example.org", "empty": ""})
    write(writer)
    writer.close()
    (key,) = writer.files_written
    path = tmp_path / "archive" / key
    return path, gzip.decompress(path.read_bytes())


def headers_of(path: Path) -> list[tuple[str, dict[str, str]]]:
    with open(path, "rb") as fh:
        return [(rec.rec_type, dict(rec.rec_headers.headers)) for rec in ArchiveIterator(fh)]


def test_the_request_line_keeps_its_http_version(tmp_path: Path) -> None:
    _, raw = written(tmp_path, lambda w: w.write_exchange(exchange()))
    assert b"\r\nGET /News/front?pubdate=2024-10-16 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n" in raw
    assert raw.count(b"Host: ") == 1  # the exchange's own Host header is replaced, not doubled


def test_every_record_names_its_files_warcinfo(tmp_path: Path) -> None:
    def write(w: WarcWriter) -> None:
        capture = w.write_exchange(exchange())
        w.write_metadata(exchange().url, capture.record_id, {"k": "v"})
        w.write_exchange(exchange(), revisit_of={"payload_digest": capture.payload_digest or "", "uri": exchange().url,
                                                 "date": "2024-10-16T00:00:00Z", "record_id": capture.record_id})

    path, _ = written(tmp_path, write)
    records = headers_of(path)
    assert [t for t, _ in records] == ["warcinfo", "response", "request", "metadata", "revisit", "request"]
    info_id = records[0][1]["WARC-Record-ID"]
    assert "WARC-Warcinfo-ID" not in records[0][1]
    assert all(h["WARC-Warcinfo-ID"] == info_id for _, h in records[1:])


def test_warcinfo_leaves_out_empty_fields(tmp_path: Path) -> None:
    path, raw = written(tmp_path, lambda w: w.write_exchange(exchange()))
    with open(path, "rb") as fh:
        info = next(iter(ArchiveIterator(fh))).content_stream().read().decode()
    assert "operator: archivist@example.org\r\n" in info
    assert "empty:" not in info


def test_metadata_has_a_block_digest_and_no_payload_digest(tmp_path: Path) -> None:
    def write(w: WarcWriter) -> None:
        capture = w.write_exchange(exchange())
        w.write_metadata(exchange().url, capture.record_id, {"record": "records/2024/10/16/2003825372.json"})

    path, _ = written(tmp_path, write)
    (meta,) = [h for t, h in headers_of(path) if t == "metadata"]
    assert "WARC-Payload-Digest" not in meta and meta["WARC-Block-Digest"].startswith("sha1:")
    (response,) = [h for t, h in headers_of(path) if t == "response"]
    assert response["WARC-Payload-Digest"] == payload_digest(BODY)


def test_a_revisit_refers_to_the_capture_it_repeats(tmp_path: Path) -> None:
    first: dict[str, str] = {}

    def write(w: WarcWriter) -> None:
        capture = w.write_exchange(exchange())
        first.update(record_id=capture.record_id, payload_digest=capture.payload_digest or "")
        w.write_exchange(exchange(), revisit_of={**first, "uri": exchange().url, "date": "2024-10-16T00:00:00Z"})
        w.write_exchange(exchange(body=BODY + b"<!-- changed -->"),
                         revisit_of={**first, "uri": exchange().url, "date": "2024-10-16T00:00:00Z"})

    path, _ = written(tmp_path, write)
    kinds = [(t, h) for t, h in headers_of(path) if t in ("response", "revisit")]
    assert [t for t, _ in kinds] == ["response", "revisit", "response"]  # a changed payload is a new response
    revisit = kinds[1][1]
    assert revisit["WARC-Refers-To"] == first["record_id"]
    assert revisit["WARC-Payload-Digest"] == first["payload_digest"]
    assert revisit["WARC-Refers-To-Target-URI"] == exchange().url
    assert "identical-payload-digest" in revisit["WARC-Profile"]
    with open(path, "rb") as fh:
        stored = [rec for rec in ArchiveIterator(fh) if rec.rec_type == "revisit"]
        assert stored and stored[0].content_stream().read() == b""  # headers only: the payload is the original's


def test_files_opened_after_rotation_name_their_own_warcinfo(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    writer = WarcWriter(store, tmp_path / "staging", max_size=1)  # every exchange closes its file
    writer.write_exchange(exchange())
    writer.write_exchange(exchange())
    writer.close()
    assert len(writer.files_written) == 2
    ids = []
    for key in writer.files_written:
        records = headers_of(tmp_path / "archive" / key)
        ids.append(records[0][1]["WARC-Record-ID"])
        assert all(h["WARC-Warcinfo-ID"] == ids[-1] for _, h in records[1:])
    assert ids[0] != ids[1]
