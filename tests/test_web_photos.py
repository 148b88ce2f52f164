"""Photos served from their captures: real WARC records written by the project's WarcWriter, read back by pointer."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsarchive.archive.warc import HttpExchange, WarcWriter
from newsarchive.errors import CaptureDamaged, KeyNotFound
from newsarchive.store import LocalStore
from newsarchive.web.app import ServeConfig, create_app
from newsarchive.web.photos import MAX_BYTES, photo
from tests.support.reading_room import plant

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
ID = "2006849200"


def capture(writer: WarcWriter, url: str, body: bytes, content_type: str, status: int = 200,
            encoding: str | None = None) -> dict[str, Any]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    exchange = HttpExchange(url=url, method="GET", request_headers=[("Host", "img.taipeitimes.com")], request_body=b"",
                            status=status, protocol="HTTP/1.1", response_headers=headers, response_body=body)
    return writer.write_exchange(exchange).as_dict()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalStore, dict[str, Any]]:
    root = tmp_path_factory.mktemp("photos")
    st = LocalStore(root)
    writer = WarcWriter(st, root / ".staging")
    base = "https://img.taipeitimes.com/images/2024/10/02/"
    pointers = [
        capture(writer, base + "a.png", PNG, "image/png"),
        capture(writer, base + "b.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
        capture(writer, base + "c.jpg", b"<html>not found</html>", "text/html", status=404),
        capture(writer, base + "d.png", gzip.compress(b"\0" * (MAX_BYTES + 10)), "image/png", encoding="gzip"),
    ]
    writer.close()
    images = [{"url": base + n, "caption": f"photo {n}", "credit": "CNA", "capture": p}
              for n, p in zip("abcd", pointers)]
    images.append({"url": base + "e.png", "caption": "never captured", "credit": None})
    record = {"id": ID, "url": f"https://www.taipeitimes.com/News/taiwan/archives/2024/10/02/{ID}", "headline": "Photos",
              "section": "Taiwan News", "section_slug": "taiwan", "published": "2024-10-02", "body": ["Text."],
              "images": images, "authors": [], "agencies": []}
    plant(root, record)
    return st, record


def test_a_captured_photo_is_served_as_captured(store: tuple[LocalStore, dict[str, Any]]) -> None:
    st, record = store
    found = photo(st, record, 0)
    assert found.body == PNG and found.content_type == "image/png"


@pytest.mark.parametrize(("index", "error", "why"), [
    (1, KeyNotFound, r"image/svg\+xml, not a photo"),
    (2, KeyNotFound, "answered 404"),
    (3, CaptureDamaged, "decodes to more than"),
    (4, KeyNotFound, "was not captured"),
    (9, KeyNotFound, "was not captured"),
])
def test_what_is_not_a_photo_is_refused(store: tuple[LocalStore, dict[str, Any]], index: int,
                                        error: type[Exception], why: str) -> None:
    st, record = store
    with pytest.raises(error, match=why):
        photo(st, record, index)


def test_a_pointer_that_does_not_match_its_record_is_refused(store: tuple[LocalStore, dict[str, Any]]) -> None:
    st, record = store
    wrong = {**record, "images": [{**record["images"][0], "capture": {**record["images"][0]["capture"],
                                                                         "payload_digest": "sha1:AAAA"}}]}
    with pytest.raises(CaptureDamaged, match="payload digest"):
        photo(st, wrong, 0)


def test_the_article_page_shows_captured_photos_from_the_app(store: tuple[LocalStore, dict[str, Any]],
                                                              tmp_path: Path) -> None:
    st, _ = store
    app = create_app(ServeConfig(st, index_dir=str(tmp_path / "index")))
    app.state.corpus.refresh()
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get(f"/articles/{ID}").text
        assert f'<img src="/articles/{ID}/photos/0"' in page
        assert "Photo not captured" in page  # e.png
        served = client.get(f"/articles/{ID}/photos/0")
        assert served.status_code == 200 and served.content == PNG
        assert served.headers["content-type"] == "image/png"
        assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert client.get(f"/articles/{ID}/photos/1").status_code == 404
        assert client.get(f"/articles/{ID}/photos/3").status_code == 500
        assert client.get(f"/articles/{ID}/photos/-1").status_code == 400
