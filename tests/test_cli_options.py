"""newsarchive.cli.options: the date window the offline commands take (`--since`/`--until`)."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.cli.options import date_window
from newsarchive.errors import InvalidArgument

D = dt.date


def test_both_dates() -> None:
    assert date_window("2028-02-28", "2028-03-01", required=True) == (D(2028, 2, 28), D(2028, 3, 1))


def test_one_date_alone_is_that_day() -> None:
    assert date_window("2031-12-31", None, required=True) == (D(2031, 12, 31), D(2031, 12, 31))
    assert date_window(None, "2027-02-28", required=False) == (D(2027, 2, 28), D(2027, 2, 28))


def test_no_dates_is_no_window_unless_one_is_required() -> None:
    assert date_window(None, None, required=False) is None
    assert date_window("", "", required=False) is None
    with pytest.raises(InvalidArgument, match="--since and --until are required"):
        date_window(None, None, required=True)


@pytest.mark.parametrize("since, until, words", [
    ("2028-03-01", "2028-02-29", "--until 2028-02-29 is before --since 2028-03-01"),
    ("2027-02-29", None, "not a date"),
    (None, "31/12/2031", "not a date"),
])
def test_bad_windows_are_usage_errors(since: str | None, until: str | None, words: str) -> None:
    with pytest.raises(InvalidArgument, match=words):
        date_window(since, until, required=False)


def test_no_today_involved() -> None:
    """Offline commands read what is archived: a window may lie anywhere, the future included."""
    assert date_window("2099-01-01", None, required=True) == (D(2099, 1, 1), D(2099, 1, 1))
