"""When a list page or requisite is revisited or skipped: freshness by the site's headers, the URL state (pure rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.archive.keys import STATE_URLS_PREFIX, url_state_key
from newsarchive.archive.state import KnownUrls, UrlState
from newsarchive.crawl.revisits import freshness
from newsarchive.store import LocalStore

NOW = dt.datetime(2024, 10, 16, 12, 0, tzinfo=dt.UTC)
DAY = 24 * 3600.0
CAP = 30 * DAY


@pytest.mark.parametrize("headers, seconds", [
    ({}, 0.0),
    ({"cache-control": "public, max-age=604800"}, 7 * DAY),
    ({"cache-control": "max-age=604800, immutable", "age": "3600"}, 7 * DAY - 3600),
    ({"cache-control": "max-age=31536000"}, CAP),  # capped: looked at again now and then
    ({"cache-control": "no-cache, max-age=600"}, 0.0),
    ({"cache-control": "no-store"}, 0.0),
    ({"cache-control": "max-age=abc"}, 0.0),
    ({"cache-control": 'max-age="60"'}, 60.0),
    ({"expires": "Thu, 17 Oct 2024 12:00:00 GMT", "date": "Wed, 16 Oct 2024 12:00:00 GMT"}, DAY),
    ({"expires": "Thu, 17 Oct 2024 12:00:00 GMT"}, DAY),  # no Date: from when it was received
    ({"expires": "0"}, 0.0),
    ({"expires": "Tue, 15 Oct 2024 12:00:00 GMT"}, 0.0),  # already stale
    ({"cache-control": "max-age=60", "expires": "Thu, 17 Oct 2024 12:00:00 GMT"}, 60.0),  # max-age wins
])
def test_freshness(headers: dict[str, str], seconds: float) -> None:
    assert freshness(headers, NOW, CAP) == seconds


def state(**changes: str | None) -> UrlState:
    base = UrlState("https://www.taipeitimes.com/assets/css/a.css", "http://127.0.0.1:1/assets/css/a.css",
                    "2024-10-16T00:00:00.000000Z", "<urn:uuid:1>", "sha1:AAAA")
    return UrlState(**{**base.__dict__, **changes})


def test_a_state_is_fresh_only_before_its_time() -> None:
    assert not state().is_fresh(NOW)
    assert state(fresh_until="2024-10-16T12:00:01.000000Z").is_fresh(NOW)
    assert not state(fresh_until="2024-10-16T12:00:00.000000Z").is_fresh(NOW)
    assert not state(fresh_until="garbage").is_fresh(NOW)


def test_a_revisit_refers_to_the_capture_the_state_names() -> None:
    assert state().revisit_of() == {"payload_digest": "sha1:AAAA", "uri": "http://127.0.0.1:1/assets/css/a.css",
                                    "date": "2024-10-16T00:00:00.000000Z", "record_id": "<urn:uuid:1>"}


def test_url_states_are_kept_under_a_hash_of_the_url(tmp_path) -> None:
    store = LocalStore(tmp_path / "archive")
    known = KnownUrls(store)
    url = "https://www.taipeitimes.com/News/front?pubdate=2024-10-16&page=../../x"
    key = url_state_key(url)
    assert key.startswith(STATE_URLS_PREFIX) and key.count("/") == 2 and len(key) == len(STATE_URLS_PREFIX) + 45
    assert known.get(url) is None
    kept = state(url=url)
    known.remember(kept)
    assert known.get(url) == kept
    (tmp_path / "archive" / key).write_text("{not json")
    assert known.get(url) is None  # a damaged state only costs a whole capture
    (tmp_path / "archive" / key).write_text('{"url": "https://elsewhere/"}')
    assert known.get(url) is None
