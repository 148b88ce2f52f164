"""newsarchive.archive.state: what the store remembers of each article, so a daily run fetches only what is new."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from newsarchive.archive.state import ArticleState, KnownArticles
from newsarchive.store import LocalStore
from tests.plugins.clock import SetClock

RECORD = {
    "id": "2003825390", "fetched_at": "2028-02-29T12:00:01.000005Z",
    "fetched_url": "http://127.0.0.1:8080/News/world/archives/2028/02/29/2003825390",
    "capture": {"warc": "warc/2028/02/29/TT-x.warc.gz", "offset": 10, "length": 20,
                "record_id": "<urn:uuid:1>", "payload_digest": "sha1:ABC"},
}


@pytest.fixture(autouse=True)
def clock(set_clock: SetClock) -> None:
    set_clock(dt.datetime(2031, 12, 31, 23, 0, tzinfo=dt.UTC))


def test_state_of_a_record() -> None:
    got = ArticleState.of_record(RECORD, "records/2028/02/29/2003825390.json")
    assert got == ArticleState(
        id="2003825390", payload_digest="sha1:ABC", fetched_at="2028-02-29T12:00:01.000005Z",
        record="records/2028/02/29/2003825390.json", url=RECORD["fetched_url"], record_id="<urn:uuid:1>",
        checked_at="2031-12-31T23:00:00.000000Z")


def test_state_of_a_record_without_capture_or_fetched_url() -> None:
    bare = {"id": "2003825390", "fetched_at": "2028-02-29T12:00:01.000005Z", "capture": None}
    got = ArticleState.of_record(bare, "records/2028/02/29/2003825390.json", "http://mirror/x")
    assert (got.payload_digest, got.record_id, got.url) == (None, None, "http://mirror/x")


def test_known_articles_are_listed_once_and_read_lazily(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    first = KnownArticles(store).load()
    assert len(first) == 0 and "2003825390" not in first and first.get("2003825390") is None
    remembered = ArticleState.of_record(RECORD, "records/2028/02/29/2003825390.json")
    first.remember(remembered)
    assert "2003825390" in first and first.get("2003825390") == remembered
    assert json.loads(store.get_bytes("state/articles/2003825390.json"))["payload_digest"] == "sha1:ABC"

    store.put_bytes("state/articles/2003825391.json", b"{torn")  # damaged: costs a re-fetch, nothing more
    store.put_bytes("state/articles/nested/2003825392.json", b"{}")  # not a state object of the layout
    store.put_bytes("state/articles/README.txt", b"x")
    again = KnownArticles(store).load()
    assert len(again) == 2 and "2003825391" in again and "2003825392" not in again
    assert again.get("2003825390") == remembered
    assert again.get("2003825391") is None


def test_state_objects_from_an_older_version_are_read(tmp_path: Path) -> None:
    """Fields added later (record_id, checked_at) are absent from old state objects; unknown ones are ignored."""
    store = LocalStore(tmp_path)
    store.put_bytes("state/articles/2003825390.json", json.dumps({
        "id": "2003825390", "payload_digest": "sha1:A", "fetched_at": "2024-10-16T00:00:00.000000Z",
        "record": "records/2024/10/16/2003825390.json", "url": "u", "from_the_future": 1}).encode())
    got = KnownArticles(store).load().get("2003825390")
    assert got is not None and (got.record_id, got.checked_at, got.payload_digest) == (None, None, "sha1:A")


def test_an_unsafe_id_is_never_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an article id"):
        KnownArticles(LocalStore(tmp_path)).remember(ArticleState("../x", None, "t", "r", "u"))
