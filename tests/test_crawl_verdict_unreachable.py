"""The crawl's exit code from its counts (newsarchive.crawl.verdict): the site is unreachable only when nothing
answered; a site that answers with what the crawl refuses is up, and the run is partial (issue 11, items 1, 3, 12)."""

from __future__ import annotations

from newsarchive.crawl.verdict import layout_notes, verdict
from newsarchive.exitcodes import Exit


def test_unreachable_only_when_not_one_response_came_back() -> None:
    assert verdict({"list_failures": 3, "responses": 0}) == Exit.SITE_UNREACHABLE
    assert verdict({"articles_failed": 1, "responses": 0}) == Exit.SITE_UNREACHABLE
    # every list refused (bombs, limits) but the site answered: partial, not unreachable
    assert verdict({"list_failures": 3, "list_pages": 0, "responses": 4, "limits_hit": 3}) == Exit.PARTIAL


def test_limits_and_failures_make_a_partial_run() -> None:
    assert verdict({"responses": 10, "articles_new": 5, "articles_failed": 1, "limits_hit": 1}) == Exit.PARTIAL
    assert verdict({"responses": 10, "articles_new": 5, "bad_links": 3}) == Exit.OK  # a bad link costs only itself


def test_a_section_missing_from_the_hits_is_not_suspected() -> None:
    """The run leaves out sections whose list failed (they are reported failures, not a layout change)."""
    assert layout_notes({"list_pages": 2}, {"world": 3}, None, ratio=0.5, minimum=5) == []
    assert layout_notes({"list_pages": 2}, {"world": 0}, None, ratio=0.5, minimum=5) == \
        ["section world listed no article"]
