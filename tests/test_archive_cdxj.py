"""newsarchive.archive.cdxjline: the CDXJ index made as records are written is cdxj-indexer's of the closed file, byte for byte.

Every case a site can send is written with the real writer into a local store, closed, and the index the
writer made is compared with cdxj-indexer reading the file: odd, missing, repeated and padded content types,
latin-1 header values, error and redirect statuses, a revisit, a truncated body, user info, ports, fragments,
escapes, the same URL twice in one second.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest

from newsarchive.archive.cdxjline import cdxj_line, index_text, is_indexed
from newsarchive.archive.recovery import finish
from newsarchive.archive.warc import HttpExchange, WarcWriter
from newsarchive.store import LocalStore

with warnings.catch_warnings():  # cdxj-indexer pulls in pyamf, which imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    from cdxj_indexer.main import write_cdx_index

REQUEST = [("User-Agent", "newsarchive"), ("Accept-Encoding", "gzip")]
WHEN = dt.datetime(2024, 10, 16, 1, 2, 3, 456789, tzinfo=dt.UTC)
HTML = [("Content-Type", "text/html; charset=utf-8")]
#: (url, status, response headers, body): what the site sends, and what it might
EXCHANGES = [
    ("http://127.0.0.1:8000/News/front?pubdate=2024-10-16&page=2", 200, HTML, b"<html>x</html>"),
    ("http://127.0.0.1:8000/robots.txt", 200, [("Content-Type", "text/plain")], b"User-agent: *\n"),
    ("http://127.0.0.1:8000/none", 200, [], b"no type"),
    ("http://127.0.0.1:8000/empty", 200, [("Content-Type", "")], b"empty type"),
    ("http://127.0.0.1:8000/dup", 200, [("content-type", "Text/HTML ;x=y"), ("Content-Type", "application/json")], b"{}"),
    ("http://127.0.0.1:8000/spaces", 200, [("Content-Type", "  text/html  charset=x")], b"x"),
    ("http://127.0.0.1:8000/latin", 200, [("Content-Type", "text/html"), ("X-Name", "caf\u00e9")], b"x"),
    ("http://127.0.0.1:8000/gzipped", 200, [*HTML, ("Content-Encoding", "gzip")], b"\x1f\x8b" + bytes(range(256)) * 8),
    ("http://127.0.0.1:8000/missing", 404, [("Content-Type", "text/html")], b"<h1>404</h1>"),
    ("http://127.0.0.1:8000/moved", 301, [("Location", "/News/front")], b""),
    ("http://127.0.0.1:8000/odd", 599, [("Content-Type", "text/html")], b"odd status"),
    ("HTTP://WWW.TaipeiTimes.com:80/News/World?b=2&a=1#frag", 200, HTML, b"case"),
    ("https://user:pw@www.taipeitimes.com/News/biz/archives/2024/10/16/2003835421", 200, HTML, b"userinfo"),
    ("http://127.0.0.1:8000/%7Euser/a%20b?q=%E4%B8%AD", 200, HTML, b"escapes"),
    ("https://img.taipeitimes.com/images/2024/10/16/P01-241016-1.jpg", 200, [("Content-Type", "image/jpeg")], b"\xff\xd8jpeg"),
]


def _by_cdxj_indexer(warc: Path, tmp_path: Path) -> str:
    out = tmp_path / "reread.cdxj"
    write_cdx_index(str(out), [str(warc)], {"sort": True})
    return out.read_text()


def _written(store: LocalStore) -> tuple[Path, str]:
    [warc] = (store.root / "warc").rglob("*.warc.gz")
    return warc, warc.with_name(warc.name[: -len(".warc.gz")] + ".cdxj").read_text()


def _writer(store: LocalStore) -> WarcWriter:
    return WarcWriter(store, store.staging_dir(), host="testhost-1", info={"operator": "tests"})


def _exchange(n: int, url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> HttpExchange:
    return HttpExchange(url, "GET", REQUEST, b"", status, "HTTP/1.1", headers, body, "127.0.0.1",
                        "length" if n == 2 else None, WHEN + dt.timedelta(seconds=n))


def test_the_index_made_while_writing_is_cdxj_indexers(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    writer = _writer(store)
    for n, case in enumerate(EXCHANGES):
        capture = writer.write_exchange(_exchange(n, *case))
        writer.write_metadata(case[0], capture.record_id, {"record": "records/2024/10/16/2003835421.json"})
    first = _exchange(0, *EXCHANGES[0])
    capture = writer.write_exchange(first)
    writer.write_exchange(first, revisit_of={"payload_digest": capture.payload_digest or "", "uri": first.url,
                                             "date": "2024-10-16T01:02:03Z", "record_id": capture.record_id})
    writer.write_exchange(first)  # the same URL in the same second again: its own line (another offset)
    writer.close()
    warc, made = _written(store)
    assert made.count("\n") == len(EXCHANGES) + 3  # responses and the revisit; no request, metadata or warcinfo
    assert " {\"url\": " in made and "warc/revisit" in made
    assert made == _by_cdxj_indexer(warc, tmp_path)


def test_a_file_left_by_a_crash_is_indexed_by_reading_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    writer = _writer(store)
    writer.write_exchange(_exchange(0, *EXCHANGES[0]))
    path, key = writer._path, writer._key
    assert path is not None and key is not None and writer._fh is not None
    writer._fh.close()  # as a crash leaves it: the lines die with the process
    finish(store, path, key)
    warc, made = _written(store)
    assert made.count("\n") == 1
    assert made == _by_cdxj_indexer(warc, tmp_path)


def test_identical_lines_are_kept_once_and_sorted() -> None:
    assert index_text(["b 1 {}\n", "a 2 {}\n", "b 1 {}\n"]) == "a 2 {}\n" + "b 1 {}\n"


@pytest.mark.parametrize(("rec_type", "content_type", "indexed"), [
    ("response", "application/http; msgtype=response", True), ("revisit", None, True), ("request", None, False),
    ("warcinfo", "application/warc-fields", False), ("metadata", "application/warc-fields", False),
    ("metadata", "application/json", True), ("resource", "image/jpeg", True),
])
def test_which_records_cdxj_indexer_indexes(rec_type: str, content_type: str | None, indexed: bool) -> None:
    assert is_indexed(rec_type, content_type) is indexed


def test_only_responses_and_revisits_get_a_line_here() -> None:
    with pytest.raises(ValueError, match="request"):
        cdxj_line(b"WARC/1.1\r\nWARC-Type: request\r\nContent-Length: 0\r\n\r\n", 0, 10, "x.warc.gz")
