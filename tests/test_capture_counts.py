"""How photos and page requisites count in a run report and its exit code (pure rules)."""

from __future__ import annotations

from newsarchive.archive.report import COUNTS, FAILURE_COUNTS, RunReport
from newsarchive.crawl.verdict import verdict
from newsarchive.exitcodes import Exit


def test_each_failure_kind_has_its_count() -> None:
    report = RunReport("run", {})
    assert report.fail("https://x/a", "HTTP 404", kind="image", article_id="2003825372") == "images_failed"
    assert report.fail("https://x/b.css", "HTTP 503", kind="asset") == "assets_failed"
    assert report.fail("https://x/c", "HTTP 500") == "articles_failed"
    assert report.fail("https://x/d", "HTTP 500", kind="list") == "list_failures"
    assert set(FAILURE_COUNTS.values()) <= set(COUNTS) and {"assets", "images"} <= set(COUNTS)
    assert [f["kind"] for f in report.failures] == ["image", "asset", "article", "list"]


def test_a_lost_photo_makes_the_run_partial_a_failed_requisite_does_not() -> None:
    ok = dict.fromkeys(COUNTS, 0) | {"list_pages": 10, "articles_new": 5, "assets": 30, "images": 6}
    assert verdict(ok) == Exit.OK
    assert verdict(ok | {"images_failed": 1}) == Exit.PARTIAL
    assert verdict(ok | {"assets_failed": 3}) == Exit.OK


def test_the_summary_shows_photos_and_requisites() -> None:
    report = RunReport("run", {}, counts=dict.fromkeys(COUNTS, 0) | {"images": 6, "images_failed": 1, "assets": 30})
    assert "  photos: 6 captured, 1 failed; page requisites: 30 captured, 0 failed" in report.summary().splitlines()
