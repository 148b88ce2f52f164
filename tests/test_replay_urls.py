"""Replay URLs of captures, and how a mirror's captures are found under the site's own URLs."""

from __future__ import annotations

import pytest

from newsarchive.archive.cdxj import CdxLine, url_key
from newsarchive.archive.replay import (
    REPLAY_URL_ENV,
    as_fetched,
    capture_url,
    replay_url,
    site_alias,
    site_url_of,
    with_aliases,
)

RECORD = {
    "id": "2003825372", "url": "https://www.taipeitimes.com/News/front/archives/2024/10/16/2003825372",
    "fetched_url": "http://127.0.0.1:45739/News/front/archives/2024/10/16/2003825372",
    "fetched_at": "2024-10-16T03:20:05.123456Z",
    "capture": {"warc": "warc/2024/10/16/TT-x.warc.gz", "offset": 0, "length": 10, "record_id": "<urn:uuid:1>",
                "payload_digest": "sha1:X"},
}


def test_the_replay_url_names_the_collection_the_14_digit_time_and_the_url_fetched() -> None:
    assert replay_url(RECORD, "http://127.0.0.1:8123/") == \
        "http://127.0.0.1:8123/taipeitimes/20241016032005/http://127.0.0.1:45739/News/front/archives/2024/10/16/2003825372"
    assert replay_url(RECORD, "http://h:1", original=True) == \
        "http://h:1/taipeitimes/20241016032005id_/http://127.0.0.1:45739/News/front/archives/2024/10/16/2003825372"


def test_the_base_defaults_to_the_environment_then_to_the_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REPLAY_URL_ENV, raising=False)
    assert str(replay_url(RECORD)).startswith("http://127.0.0.1:8080/taipeitimes/20241016032005/")
    monkeypatch.setenv(REPLAY_URL_ENV, "https://replay.example.org/")
    assert str(replay_url(RECORD)).startswith("https://replay.example.org/taipeitimes/")


def test_a_record_without_a_capture_has_no_replay_url() -> None:
    assert replay_url({k: v for k, v in RECORD.items() if k != "capture"}, "http://h") is None
    assert replay_url({"id": "1"}, "http://h") is None


def test_capture_url() -> None:
    assert capture_url("http://h:1", "https://www.taipeitimes.com/", "20240101000000") == \
        "http://h:1/taipeitimes/20240101000000/https://www.taipeitimes.com/"


def test_a_mirror_url_stands_for_the_site_url_photos_on_the_photo_host() -> None:
    assert site_url_of("http://127.0.0.1:9/assets/css/style.css?v=1") == "https://www.taipeitimes.com/assets/css/style.css?v=1"
    assert site_url_of("http://127.0.0.1:9/images/2024/10/16/P01.jpg") == "https://img.taipeitimes.com/images/2024/10/16/P01.jpg"
    assert site_url_of("http://127.0.0.1:9") == "https://www.taipeitimes.com/"
    for site in ("https://www.taipeitimes.com/x", "https://img.taipeitimes.com/images/a.jpg", "http://taipeitimes.com/"):
        assert site_url_of(site) is None


def _line(url: str) -> CdxLine:
    return CdxLine(url_key(url), "20241016032005", {"url": url, "mime": "text/css", "offset": "5", "length": "9",
                                                   "filename": "warc/2024/10/16/x.warc.gz"})


def test_a_mirror_capture_gets_an_alias_line_under_the_site_url() -> None:
    line = _line("http://127.0.0.1:9/assets/css/style.css")
    alias = site_alias(line)
    assert alias is not None
    assert alias.urlkey == "com,taipeitimes)/assets/css/style.css"
    assert alias.fields == {**line.fields, "url": "https://www.taipeitimes.com/assets/css/style.css",
                            "alias_of": "http://127.0.0.1:9/assets/css/style.css"}
    assert site_alias(_line("https://www.taipeitimes.com/assets/css/style.css")) is None


def test_with_aliases_adds_lines_only_for_mirror_captures() -> None:
    site_line, mirror_line = _line("https://www.taipeitimes.com/a").text, _line("http://127.0.0.1:9/b").text
    out = list(with_aliases([site_line, mirror_line, "garbage\n"]))
    assert out[:2] == [site_line, mirror_line] and out[3] == "garbage\n"
    assert out[2].startswith("com,taipeitimes)/b 20241016032005 ")


def test_where_a_url_a_page_names_may_have_been_captured() -> None:
    mirror = "http://127.0.0.1:9/News/front/archives/2024/10/16/2003825372"
    assert as_fetched("https://img.taipeitimes.com/images/a.jpg?x=1", mirror) == (
        "https://img.taipeitimes.com/images/a.jpg?x=1", "http://127.0.0.1:9/images/a.jpg?x=1")
    assert as_fetched("https://www.taipeitimes.com/a", "https://www.taipeitimes.com/News/x") == ("https://www.taipeitimes.com/a",)
    assert as_fetched("https://ads.example.com/a.js", mirror) == ("https://ads.example.com/a.js",)
