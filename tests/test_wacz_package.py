"""WACZ packages made from a store written by the project's WARC writer (no server, no process): what goes in
(the article, its request, what its page and stylesheets use, the closest capture of each, a revisit with its
original, the source files' warcinfo), copied byte for byte; what stays out (third-party hosts, other
captures); and the package's own files: pages, a sorted ZipNum index, digests of everything."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.cdxj import CdxLine
from newsarchive.archive.warc import CapturePointer, payload_digest
from newsarchive.dates import iso_utc
from newsarchive.store import LocalStore
from newsarchive.wacz.export import write_wacz
from newsarchive.wacz.package import WACZ_VERSION
from tests.captures import Page, write_captures

MIRROR = "http://127.0.0.1:40404"
WHEN = dt.datetime(2024, 10, 16, 3, 20, 5, tzinfo=dt.UTC)
ARTICLE = f"{MIRROR}/News/taiwan/archives/2024/10/16/2003825372"
PAGE = b"""<!DOCTYPE html><html><head><base href="https://www.taipeitimes.com/">
<link rel="stylesheet" href="assets/css/style.css?v=1"><link rel="icon" href="assets/images/icon-16.png">
<link rel="canonical" href="https://www.taipeitimes.com/News/taiwan/archives/2024/10/16/2003825372">
<script src="https://www.taipeitimes.com/assets/js/menu.js"></script>
<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
<style>.logo{background:url(/assets/images/logo.png)}</style></head>
<body><h1>Typhoon</h1><div class="imgboxa"><img src="https://img.taipeitimes.com/images/2024/10/16/P01.jpg"></div>
<img srcset="assets/images/a.png 1x, assets/images/b.png 2x"><a href="News/front">Front</a></body></html>"""


def at(seconds: int) -> dt.datetime:
    return WHEN + dt.timedelta(seconds=seconds)


def site(path: str) -> str:
    return f"{MIRROR}{path}"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalStore:
    monkeypatch.setenv("NEWSARCHIVE_CACHE", str(tmp_path / "cache"))
    return LocalStore(tmp_path / "archive")


def record_for(pointer: CapturePointer, **extra: Any) -> dict[str, Any]:
    return {"id": "2003825372", "url": "https://www.taipeitimes.com/News/taiwan/archives/2024/10/16/2003825372",
            "headline": "Typhoon makes landfall", "body": ["First paragraph.", "Second paragraph."],
            "published": "2024-10-16", "section_slug": "taiwan",
            "images": [{"url": "https://img.taipeitimes.com/images/2024/10/16/P01.jpg", "caption": "c", "credit": None}],
            "fetched_url": ARTICLE, "fetched_at": iso_utc(WHEN), "capture": pointer.as_dict(), **extra}


def build_store(store: LocalStore) -> dict[str, CapturePointer]:
    """Three WARC files: an early one (a script, a photo from long ago), the crawl's, and a later one."""
    early = write_captures(store, [
        Page(site("/assets/js/menu.js"), b"var menu = 1;", "application/javascript", date=at(-86400)),
        Page(site("/images/2024/10/16/P01.jpg"), b"old photo", "image/jpeg", date=at(-86400 * 30)),
    ])
    menu_original = {"uri": site("/assets/js/menu.js"), "date": iso_utc(at(-86400)), "record_id": early[0].record_id,
                     "payload_digest": early[0].payload_digest or ""}
    crawl = write_captures(store, [
        Page(ARTICLE, PAGE, gzipped=True, date=WHEN),
        Page(site("/assets/css/style.css?v=1"), b"@import 'more.css'; .a{background:url(\"../images/bg.png\")}",
             "text/css", gzipped=True, date=at(1)),
        Page(site("/assets/css/more.css"), b".b{background:url(/assets/images/x.png)}", "text/css", date=at(2)),
        Page(site("/assets/images/bg.png"), b"png bg", "image/png", date=at(3)),
        Page(site("/assets/images/x.png"), b"png x", "image/png", date=at(4)),
        Page(site("/assets/images/logo.png"), b"png logo", "image/png", date=at(5)),
        Page(site("/assets/images/b.png"), b"png b", "image/png", date=at(6)),
        Page(site("/images/2024/10/16/P01.jpg"), b"the photo", "image/jpeg", date=at(7)),
        Page(site("/assets/js/menu.js"), b"var menu = 1;", "application/javascript", date=at(8)),
    ], revisits={site("/assets/js/menu.js"): menu_original})
    later = write_captures(store, [Page(site("/images/2024/10/16/P01.jpg"), b"a later photo", "image/jpeg",
                                        date=at(86400 * 2))])
    names = ["article", "style", "more", "bg", "x", "logo", "b", "photo", "menu_revisit"]
    return {"menu": early[0], "old_photo": early[1], **dict(zip(names, crawl)), "later_photo": later[0]}


def unpack(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {info.filename: zf.read(info) for info in zf.infolist()}


def warc_records(files: dict[str, bytes]) -> list[Any]:
    found = []
    for name, data in sorted(files.items()):
        if name.startswith("archive/"):
            for record in ArchiveIterator(io.BytesIO(data)):
                found.append((name, record.rec_headers.get_header("WARC-Type"),
                              record.rec_headers.get_header("WARC-Record-ID"), record.rec_headers.get_header("WARC-Target-URI")))
                record.content_stream().read()
    return found


def index_lines(files: dict[str, bytes]) -> list[str]:
    return gzip.decompress(files["indexes/index.cdx.gz"]).decode().splitlines(keepends=True)


def test_the_package_holds_the_article_and_what_its_page_uses_byte_for_byte(store: LocalStore, tmp_path: Path) -> None:
    made = build_store(store)
    result = write_wacz([record_for(made["article"])], store, tmp_path / "out.wacz")
    files = unpack(tmp_path / "out.wacz")
    records = warc_records(files)
    ids = {record_id for _, _, record_id, _ in records}
    wanted = ["article", "style", "more", "bg", "x", "logo", "b", "photo", "menu_revisit", "menu"]
    assert {made[name].record_id for name in wanted} <= ids
    # the far captures of the photo stay out: the closest to the article's capture goes in
    assert made["old_photo"].record_id not in ids and made["later_photo"].record_id not in ids
    assert not any("doubleclick" in (uri or "") for *_, uri in records)
    types = [kind for _, kind, _, _ in records]
    assert types.count("request") == len(wanted)  # each capture with its request
    assert types.count("warcinfo") == 1 + 2  # the package's own, and that of each store WARC used
    assert (result.articles, result.captures, result.requisites, result.skipped) == (1, len(wanted), len(wanted) - 1, [])
    # each capture copied byte for byte: an index line's offset and length in the package hold the store's member
    members = set()
    for line in map(CdxLine.parse, index_lines(files)):
        assert line is not None
        members.add(files[f"archive/{line.filename}"][line.offset:line.offset + line.length])
    for name in wanted:
        pointer = made[name]
        assert store.get_range(pointer.warc, pointer.offset, pointer.length) in members, name
    assert all(zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(m).startswith(b"WARC/1.1\r\n") for m in members)


def test_index_is_sorted_zipnum_with_site_aliases(store: LocalStore, tmp_path: Path) -> None:
    made = build_store(store)
    write_wacz([record_for(made["article"])], store, tmp_path / "out.wacz")
    files = unpack(tmp_path / "out.wacz")
    lines = index_lines(files)
    assert [line.encode() for line in lines] == sorted(line.encode() for line in lines)
    parsed = [CdxLine.parse(line) for line in lines]
    assert all(p is not None and p.filename.startswith("newsarchive-") for p in parsed)
    urls = {p.url for p in parsed if p}
    assert {ARTICLE, "https://www.taipeitimes.com/News/taiwan/archives/2024/10/16/2003825372",
            "https://img.taipeitimes.com/images/2024/10/16/P01.jpg", site("/images/2024/10/16/P01.jpg")} <= urls
    # index.idx: pywb's ZipNum summary; each entry names a whole gzip block whose first line has its key
    summary = files["indexes/index.idx"].decode().splitlines()
    assert len(summary) == 1
    for entry in summary:
        key, part, offset, length, number = entry.split("\t")
        block = files["indexes/index.cdx.gz"][int(offset):int(offset) + int(length)]
        assert part == "index.cdx.gz" and gzip.decompress(block).decode().startswith(key + " ")


def test_many_blocks_when_the_index_is_long(store: LocalStore, tmp_path: Path) -> None:
    pages = [Page(site(f"/News/front/archives/2024/10/16/{2003800000 + i}"), b"<p>x</p>", date=at(i)) for i in range(30)]
    pointers = write_captures(store, pages)
    records = [{**record_for(p), "id": str(2003800000 + i), "fetched_url": pages[i].url, "fetched_at": iso_utc(at(i)),
                "images": []} for i, p in enumerate(pointers)]
    from newsarchive.wacz.export import WaczBuilder

    builder = WaczBuilder(store, tmp_path / "out.wacz", block_lines=7)
    try:
        for record in records:
            builder.add(record)
        builder.finish(title="t")
    finally:
        builder.close()
    files = unpack(tmp_path / "out.wacz")
    summary = [line.split("\t") for line in files["indexes/index.idx"].decode().splitlines()]
    assert len(summary) == 9 and [int(s[4]) for s in summary] == list(range(9))  # 60 lines (30 + aliases) / 7
    joined = b"".join(gzip.decompress(files["indexes/index.cdx.gz"][int(s[2]):int(s[2]) + int(s[3])]) for s in summary)
    assert joined.decode().splitlines(keepends=True) == index_lines(files)
    assert [s[0] for s in summary] == sorted(s[0] for s in summary)


def test_pages_one_line_per_article_with_text_when_asked(store: LocalStore, tmp_path: Path) -> None:
    made = build_store(store)
    record = record_for(made["article"])
    for with_text in (False, True):
        out = tmp_path / f"out-{with_text}.wacz"
        write_wacz([record], store, out, with_text=with_text)
        header, *pages = [json.loads(line) for line in unpack(out)["pages/pages.jsonl"].decode().splitlines()]
        assert header["format"] == "json-pages-1.0" and header.get("hasText", False) is with_text
        expected = {"id": "2003825372", "url": ARTICLE, "ts": "2024-10-16T03:20:05Z", "title": "Typhoon makes landfall"}
        if with_text:
            expected["text"] = "First paragraph.\n\nSecond paragraph."
        assert pages == [expected]


def test_datapackage_names_every_file_with_its_sha256(store: LocalStore, tmp_path: Path) -> None:
    made = build_store(store)
    write_wacz([record_for(made["article"])], store, tmp_path / "out.wacz", description="a test")
    files = unpack(tmp_path / "out.wacz")
    package = json.loads(files["datapackage.json"])
    assert package["wacz_version"] == WACZ_VERSION == "1.1.1" and package["profile"] == "data-package"
    assert package["description"] == "a test" and package["software"].startswith("newsarchive ")
    listed = {r["path"]: r for r in package["resources"]}
    assert set(listed) == set(files) - {"datapackage.json", "datapackage-digest.json"}
    for path, resource in listed.items():
        assert resource["hash"] == "sha256:" + hashlib.sha256(files[path]).hexdigest()
        assert resource["bytes"] == len(files[path]) and resource["name"] == resource["name"].lower()
        assert path.count("/") == 1
    digest = json.loads(files["datapackage-digest.json"])
    assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(files["datapackage.json"]).hexdigest()}
    with zipfile.ZipFile(tmp_path / "out.wacz") as zf:
        kinds = {info.filename: info.compress_type for info in zf.infolist()}
    assert all(kinds[p] == zipfile.ZIP_STORED for p in files if p.startswith("archive/") or p.endswith(".cdx.gz"))
    assert kinds["pages/pages.jsonl"] == zipfile.ZIP_DEFLATED


def test_a_record_without_a_capture_in_the_index_is_left_out_and_named(store: LocalStore, tmp_path: Path) -> None:
    made = build_store(store)
    lost = CapturePointer("warc/2024/10/16/TT-gone.warc.gz", 0, 10, "<urn:uuid:x>", payload_digest(b""))
    records = [record_for(made["article"]), {**record_for(lost), "id": "2003825373"},
               {k: v for k, v in record_for(made["article"]).items() if k != "capture"} | {"id": "2003825374"}]
    result = write_wacz(records, store, tmp_path / "out.wacz")
    assert result.articles == 1 and result.skipped == ["2003825373", "2003825374"]
    assert "2 articles left out" in result.summary() and "verify" in result.summary()


def test_warc_files_rotate(store: LocalStore, tmp_path: Path) -> None:
    made = build_store(store)
    from newsarchive.wacz.export import WaczBuilder

    builder = WaczBuilder(store, tmp_path / "out.wacz", max_warc_size=1)
    try:
        builder.add(record_for(made["article"]))
        result = builder.finish(title="t")
    finally:
        builder.close()
    files = unpack(tmp_path / "out.wacz")
    warcs = [p for p in files if p.startswith("archive/")]
    assert result.warc_files == len(warcs) > 5
    for line in map(CdxLine.parse, index_lines(files)):
        assert line is not None and f"archive/{line.filename}" in files


def test_a_photo_with_its_own_capture_pointer_brings_that_capture(store: LocalStore, tmp_path: Path) -> None:
    """Records will carry `images[].capture`: that capture goes in, even when another is closer in time."""
    made = build_store(store)
    record = record_for(made["article"])
    record["images"][0]["capture"] = made["old_photo"].as_dict()
    write_wacz([record], store, tmp_path / "out.wacz")
    ids = {record_id for *_, record_id, _ in warc_records(unpack(tmp_path / "out.wacz"))}
    assert {made["old_photo"].record_id, made["photo"].record_id} <= ids and made["later_photo"].record_id not in ids


def test_a_damaged_requisite_costs_itself_only(store: LocalStore, tmp_path: Path) -> None:
    """A WARC cut short (the icon's capture is past its end): the package is made without it."""
    made = build_store(store)
    icon = write_captures(store, [Page(site("/assets/images/icon-16.png"), b"icon", "image/png", date=at(2))])[0]
    with open(store.path(icon.warc), "r+b") as fh:
        fh.truncate(icon.offset + icon.length // 2)
    result = write_wacz([record_for(made["article"])], store, tmp_path / "out.wacz")
    ids = {record_id for *_, record_id, _ in warc_records(unpack(tmp_path / "out.wacz"))}
    assert made["article"].record_id in ids and made["logo"].record_id in ids and icon.record_id not in ids
    assert result.articles == 1 and result.skipped == []
