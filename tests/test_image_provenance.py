"""Photos' captures in records: kept across refreshes and reparses, never counted as an edit (pure rules)."""

from __future__ import annotations

import copy

from newsarchive.article import carry_image_provenance, changed_fields, image_content

CAPTURE = {"warc": "warc/2024/10/16/TT-1.warc.gz", "offset": 10, "length": 20, "record_id": "<urn:uuid:1>",
           "payload_digest": "sha1:AAAA"}
A = "https://img.taipeitimes.com/images/2024/10/16/P01-241016-0011.jpg"
B = "https://img.taipeitimes.com/images/2024/10/16/P01-241016-0012.jpg"


def captured(url: str) -> dict:
    return {"url": url, "caption": "c", "credit": "AFP", "fetched_url": url, "fetched_at": "2024-10-16T00:00:00Z",
            "capture": dict(CAPTURE)}


def test_a_photo_captured_before_keeps_its_capture() -> None:
    images = [{"url": A, "caption": "c2", "credit": "AFP"}, {"url": B, "caption": "d", "credit": None}]
    carry_image_provenance(images, [captured(A), {"url": B, "caption": "d", "credit": None}])
    assert images[0] == {**captured(A), "caption": "c2"}  # the article's own words are the new ones
    assert "capture" not in images[1]  # never captured: still to fetch


def test_nothing_to_carry_from() -> None:
    images = [{"url": A, "caption": None, "credit": None}]
    for previous in (None, [], "junk", [None, {"url": A}]):
        carry_image_provenance(images, previous)
        assert images == [{"url": A, "caption": None, "credit": None}]


def test_capturing_a_photo_is_not_an_edit() -> None:
    old = {"headline": "h", "images": [{"url": A, "caption": "c", "credit": "AFP"}]}
    new = copy.deepcopy(old)
    new["images"][0] = captured(A)
    assert changed_fields(old, new) == []
    new["images"][0]["caption"] = "another caption"
    assert changed_fields(old, new) == ["images"]
    assert image_content(new["images"]) == [{"url": A, "caption": "another caption", "credit": "AFP"}]
    assert image_content(None) is None
