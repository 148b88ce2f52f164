"""Filters as researchers give them: repeated and comma lists OR together, months and years as dates,
names matched whole whatever the case, spacing and hyphens."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.dates import parse_period
from newsarchive.errors import InvalidArgument
from newsarchive.exitcodes import Exit, exit_code_for
from newsarchive.search.filters import Filters, split_values
from newsarchive.search.schema import normalize_name

D = dt.date


@pytest.mark.parametrize("text, first, last", [
    ("2026-11-05", D(2026, 11, 5), D(2026, 11, 5)),
    ("2026-11", D(2026, 11, 1), D(2026, 11, 30)),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    ("2023-02", D(2023, 2, 1), D(2023, 2, 28)),
    ("2026-12", D(2026, 12, 1), D(2026, 12, 31)),
    ("2026", D(2026, 1, 1), D(2026, 12, 31)),
    (" 1999 ", D(1999, 1, 1), D(1999, 12, 31)),
])
def test_periods(text: str, first: dt.date, last: dt.date) -> None:
    assert parse_period(text) == (first, last)


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26", "2026-02-30", "yesterday", "", "0000", "2026/11"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(InvalidArgument, match="want YYYY-MM-DD, YYYY-MM or YYYY"):
        parse_period(text)


def test_since_takes_the_first_day_and_until_the_last() -> None:
    f = Filters.build(since="2026-11", until="2026-11")
    assert (f.since, f.until) == (D(2026, 11, 1), D(2026, 11, 30))
    f = Filters.build(since="2024", until="2025")
    assert (f.since, f.until) == (D(2024, 1, 1), D(2025, 12, 31))
    assert Filters.build(since=D(2024, 3, 1)).since == D(2024, 3, 1)


def test_until_before_since_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="--until 2024-12-31 is before --since 2025-01-01"):
        Filters.build(since="2025", until="2024")


def test_repeated_options_and_comma_lists_or_together() -> None:
    assert split_values(["taiwan", "biz, world", " ", "front,"]) == ["taiwan", "biz", "world", "front"]
    f = Filters.build(section=["taiwan", "Business"], author="Lee I-chia, jason pan", agency=["afp", "CNA,afp"])
    assert f.sections == ("taiwan", "biz")
    assert f.authors == ("leeichia", "jasonpan")
    assert f.agencies == ("afp", "cna")


@pytest.mark.parametrize("typed", ["lee i chia", "Lee I-chia", "LEE I-CHIA", "lee  i-chia", "LeeI-chia", "lee i–chia"])
def test_author_names_ignore_case_spacing_and_hyphens(typed: str) -> None:
    assert normalize_name(typed) == normalize_name("Lee I-chia")


def test_matches_in_python() -> None:
    record = {"section_slug": "taiwan", "authors": ["Lee I-chia"], "agencies": ["CNA"]}
    day = D(2024, 10, 2)
    assert Filters.build(section="biz,taiwan").matches(record, day)
    assert not Filters.build(section="biz").matches(record, day)
    assert Filters.build(author=["jason pan", "lee i chia"]).matches(record, day)
    assert not Filters.build(author="lee").matches(record, day)  # whole names only
    assert Filters.build(agency="afp,cna", since="2024-10", until="2024").matches(record, day)
    assert not Filters.build(since="2024-11").matches(record, day)
    assert Filters().empty and not Filters.build(section="biz").empty


@pytest.mark.parametrize("kwargs, message", [
    ({"section": "opinion"}, "--section: unknown section 'opinion'"),
    ({"section": "taiwan,opinion"}, "unknown section 'opinion'"),
    ({"author": "  "}, "--author: empty name"),
    ({"agency": ","}, "--agency: empty name"),
    ({"author": "-"}, "--author: '-' is not a name"),
    ({"since": "2024-02-30"}, "--since: not a date"),
])
def test_bad_filters_are_usage_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        Filters.build(**kwargs)
    assert message in str(info.value)
    assert exit_code_for(info.value) == Exit.USAGE
