"""newsarchive.crawl.verdict: a crawl's exit code and its layout-change notes, from counts alone.

Cron jobs act on the exit code, so each precedence rule is pinned here once;
the end-to-end crawls only check that a real run reaches the right rule.
"""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.crawl.verdict import layout_notes, verdict
from newsarchive.exitcodes import Exit

WINDOW = (dt.date(2024, 10, 15), dt.date(2024, 10, 16))


def notes(counts: dict[str, int], hits: dict[str, int] | None = None,
          window: tuple[dt.date, dt.date] | None = WINDOW, ratio: float = 0.5, minimum: int = 5) -> list[str]:
    return layout_notes(counts, hits or {}, window, ratio=ratio, minimum=minimum)


# -- verdict: the worst news wins ----------------------------------------------------------------------

#: counts with every kind of bad news at once: each rule below must beat all the ones after it
EVERYTHING_WRONG = {"list_pages": 0, "list_failures": 3, "articles_failed": 2, "articles_new": 1}


def test_a_clean_run_is_ok() -> None:
    assert verdict({"list_pages": 10, "articles_new": 40, "articles_unchanged": 3}) is Exit.OK
    assert verdict({}) is Exit.OK  # nothing listed, nothing failed: nothing to report


def test_a_fatal_store_error_beats_everything() -> None:
    assert verdict(EVERYTHING_WRONG, fatal=Exit.STORE_WRITE_FAILED, layout_suspected=True,
                   spooled=4) is Exit.STORE_WRITE_FAILED
    assert verdict({}, fatal=Exit.STORE_UNREACHABLE) is Exit.STORE_UNREACHABLE


def test_a_suspected_layout_change_beats_an_unreachable_site() -> None:
    assert verdict(EVERYTHING_WRONG, layout_suspected=True, spooled=4) is Exit.LAYOUT_CHANGED
    assert verdict({"list_pages": 5}, layout_suspected=True) is Exit.LAYOUT_CHANGED


def test_no_list_page_read_and_some_failed_is_an_unreachable_site() -> None:
    assert verdict(EVERYTHING_WRONG, spooled=4) is Exit.SITE_UNREACHABLE
    assert verdict({"list_failures": 1}) is Exit.SITE_UNREACHABLE


def test_one_list_page_read_is_not_an_unreachable_site() -> None:
    assert verdict({"list_pages": 1, "list_failures": 9}) is Exit.PARTIAL


def test_spooled_captures_beat_partial() -> None:
    assert verdict({"list_pages": 3, "list_failures": 1, "articles_failed": 2}, spooled=1) is Exit.SPOOLED
    assert verdict({"list_pages": 3}, spooled=7) is Exit.SPOOLED


@pytest.mark.parametrize("counts", [
    {"list_pages": 3, "articles_failed": 1},
    {"list_pages": 3, "list_failures": 1},  # a list that could not be read may hide articles
])
def test_failed_articles_or_lists_make_a_partial_run(counts: dict[str, int]) -> None:
    assert verdict(counts) is Exit.PARTIAL


def test_the_verdict_does_not_change_the_counts() -> None:
    counts = dict(EVERYTHING_WRONG)
    verdict(counts, spooled=1)
    assert counts == EVERYTHING_WRONG


# -- layout_notes: when to suspect the site changed -------------------------------------------------------

def test_parse_failures_over_the_ratio_and_minimum_are_noted() -> None:
    (note,) = notes({"parse_failures": 6, "articles_new": 4})
    assert note == "6 of 10 fetched articles failed to parse: the site may have changed its layout"


def test_every_kind_of_fetched_article_counts_towards_the_ratio() -> None:
    assert notes({"parse_failures": 6, "articles_new": 2, "articles_changed": 2, "articles_unchanged": 2}) == []
    assert notes({"parse_failures": 6, "articles_new": 2, "articles_changed": 2, "articles_unchanged": 1})


def test_parse_failures_exactly_at_the_ratio_are_not_noted() -> None:
    assert notes({"parse_failures": 5, "articles_new": 5}) == []  # 0.5 is not more than 0.5
    assert notes({"parse_failures": 5, "articles_new": 4})


def test_too_few_parse_failures_are_never_a_layout_change() -> None:
    assert notes({"parse_failures": 4}) == []  # all failed, but below the minimum of 5
    assert notes({"parse_failures": 4}, minimum=4)
    assert notes({"parse_failures": 1}, minimum=1, ratio=0.0)


def test_the_ratio_is_a_setting() -> None:
    assert notes({"parse_failures": 5, "articles_new": 95}, ratio=0.04)
    assert notes({"parse_failures": 5, "articles_new": 95}, ratio=0.05) == []


def test_nothing_fetched_notes_nothing() -> None:
    assert notes({}) == []
    assert notes({"articles_failed": 10, "articles_skipped": 100}) == []  # failed fetches are not parse failures


def test_a_section_that_listed_nothing_is_noted_with_the_window() -> None:
    got = notes({"list_pages": 8}, {"world": 0, "front": 3, "biz": 0})
    assert got == [
        "section biz listed no article for 2024-10-15..2024-10-16: the site may have changed its list pages",
        "section world listed no article for 2024-10-15..2024-10-16: the site may have changed its list pages",
    ]


def test_a_section_that_listed_nothing_without_a_window() -> None:
    assert notes({"list_pages": 1}, {"sport": 0}, window=None) == ["section sport listed no article"]


def test_empty_sections_mean_nothing_when_no_list_page_was_read() -> None:
    """An unreachable site is reported as such, not as eight empty sections."""
    assert notes({"list_pages": 0, "list_failures": 8}, {"front": 0, "world": 0}) == []


def test_both_rules_report_together() -> None:
    got = notes({"list_pages": 2, "parse_failures": 9, "articles_new": 1}, {"taiwan": 0, "world": 1})
    assert len(got) == 2
    assert got[0].startswith("9 of 10 fetched articles failed to parse")
    assert got[1].startswith("section taiwan listed no article")
