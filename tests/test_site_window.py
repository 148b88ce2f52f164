"""newsarchive.site.window: which print days and sections a crawl covers, with "today" injected.

The spider and `coverage` share this rule, so it is pinned here on fixed days
(a month end, a leap day, a year end) rather than through crawls.
"""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.dates import FIRST_ISSUE, TODAY_ENV
from newsarchive.errors import InvalidArgument
from newsarchive.site.urls import SECTIONS, ArticleRef
from newsarchive.site.window import CrawlWindow, parse_sections

D = dt.date


@pytest.mark.parametrize("today, yesterday", [
    (D(2024, 10, 16), D(2024, 10, 15)),
    (D(2028, 3, 1), D(2028, 2, 29)),  # across a leap day
    (D(2032, 1, 1), D(2031, 12, 31)),  # across a year end
])
def test_without_dates_the_window_is_yesterday_and_today(today: dt.date, yesterday: dt.date) -> None:
    window = CrawlWindow.resolve(today=today)
    assert (window.first, window.last, window.backfill) == (yesterday, today, False)
    assert window.days == [yesterday, today]
    assert window.sections == tuple(SECTIONS)


def test_today_comes_from_the_environment_when_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2027-02-28")
    assert CrawlWindow.resolve().days == [D(2027, 2, 27), D(2027, 2, 28)]
    monkeypatch.setenv(TODAY_ENV, "2028-02-29")
    assert CrawlWindow.resolve(today=D(2031, 12, 31)).last == D(2031, 12, 31)  # an injected day wins


def test_dates_make_a_backfill() -> None:
    window = CrawlWindow.resolve("2024-10-01", "2024-10-03", today=D(2024, 10, 16))
    assert (window.first, window.last, window.backfill) == (D(2024, 10, 1), D(2024, 10, 3), True)
    assert window.days == [D(2024, 10, 1), D(2024, 10, 2), D(2024, 10, 3)]


def test_since_alone_runs_to_today() -> None:
    window = CrawlWindow.resolve("2028-02-27", today=D(2028, 3, 1))
    assert window.days == [D(2028, 2, 27), D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 1)]
    assert window.backfill


def test_until_alone_is_that_one_day() -> None:
    window = CrawlWindow.resolve(until="2015-12-16", today=D(2024, 10, 16))
    assert (window.first, window.last, window.backfill) == (D(2015, 12, 16), D(2015, 12, 16), True)


def test_the_first_issue_is_the_earliest_day() -> None:
    assert CrawlWindow.resolve(FIRST_ISSUE.isoformat(), today=D(1999, 6, 16)).first == FIRST_ISSUE
    with pytest.raises(InvalidArgument, match=r"first issue \(1999-06-15\) and today \(2024-10-16\)"):
        CrawlWindow.resolve((FIRST_ISSUE - dt.timedelta(days=1)).isoformat(), today=D(2024, 10, 16))


def test_tomorrow_is_allowed_but_not_later() -> None:
    """Taipei is ahead of most of the world: a print day may be "tomorrow" for the operator."""
    today = D(2031, 12, 31)
    assert CrawlWindow.resolve("2032-01-01", "2032-01-01", today=today).days == [D(2032, 1, 1)]
    with pytest.raises(InvalidArgument, match="between the first issue"):
        CrawlWindow.resolve("2032-01-01", "2032-01-02", today=today)


@pytest.mark.parametrize("since, until, words", [
    ("2024-10-05", "2024-10-01", "--until 2024-10-01 is before --since 2024-10-05"),
    ("2024-02-30", None, "not a date"),
    ("16/10/2024", None, "not a date"),
    (None, "yesterday", "not a date"),
])
def test_bad_dates_are_invalid_arguments(since: str | None, until: str | None, words: str) -> None:
    with pytest.raises(InvalidArgument, match=words):
        CrawlWindow.resolve(since, until, today=D(2024, 10, 16))


def test_sections_are_chosen_and_checked() -> None:
    assert CrawlWindow.resolve(sections="World, biz", today=D(2024, 10, 16)).sections == ("world", "biz")
    assert CrawlWindow.resolve(sections=["front"], today=D(2024, 10, 16)).sections == ("front",)
    with pytest.raises(InvalidArgument, match="unknown section"):
        CrawlWindow.resolve(sections="front,nope", today=D(2024, 10, 16))


def test_parse_sections() -> None:
    assert parse_sections(None) == parse_sections("") == tuple(SECTIONS)
    assert parse_sections(" front ,, lang,") == ("front", "lang")
    with pytest.raises(InvalidArgument, match=r"unknown section\(s\): nope, zzz \(known: front, "):
        parse_sections(["nope", "front", "zzz"])


def ref(section: str, day: dt.date) -> ArticleRef:
    return ArticleRef("2003825372", section, day)


def test_wants_articles_of_the_window_in_its_sections() -> None:
    window = CrawlWindow(D(2028, 2, 28), D(2028, 2, 29), ("world", "biz"))
    assert window.wants(ref("world", D(2028, 2, 28))) and window.wants(ref("biz", D(2028, 2, 29)))
    assert not window.wants(ref("world", D(2028, 2, 27)))
    assert not window.wants(ref("world", D(2028, 3, 1)))
    assert not window.wants(ref("front", D(2028, 2, 29)))


def test_wants_a_slug_the_site_does_not_list() -> None:
    """An article linked under an unknown slug cannot be placed in a section: the date decides alone."""
    window = CrawlWindow(D(2024, 10, 16), D(2024, 10, 16), ("world",))
    assert window.wants(ref("ethics", D(2024, 10, 16)))
    assert not window.wants(ref("ethics", D(2024, 10, 15)))
