"""newsarchive.dates: print days are Taipei days, and "today" is the clock's only when nothing pins it."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.dates import FIRST_ISSUE, TAIPEI, TODAY_ENV, days, iso_utc, parse_date, today_taipei
from newsarchive.errors import InvalidArgument
from tests.plugins.clock import SetClock

UTC = dt.UTC


@pytest.mark.parametrize("now, day", [
    (dt.datetime(2027, 2, 27, 15, 59, 59, tzinfo=UTC), dt.date(2027, 2, 27)),
    (dt.datetime(2027, 2, 27, 16, 0, 0, tzinfo=UTC), dt.date(2027, 2, 28)),  # midnight in Taipei
    (dt.datetime(2028, 2, 28, 16, 0, 0, tzinfo=UTC), dt.date(2028, 2, 29)),  # a leap day
    (dt.datetime(2031, 12, 31, 16, 0, 0, tzinfo=UTC), dt.date(2032, 1, 1)),  # already next year in Taipei
    (dt.datetime(2031, 12, 31, 8, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-10))), dt.date(2032, 1, 1)),
])
def test_today_is_the_day_in_taipei_at_the_given_moment(now: dt.datetime, day: dt.date,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2024-10-16")  # a moment given is never overridden by the pin
    assert today_taipei(now) == day


@pytest.mark.parametrize("pinned", ["2027-02-28", "2028-02-29", "2031-12-31", " 2031-12-31\n"])
def test_the_environment_pins_today(pinned: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, pinned)
    assert today_taipei() == dt.date.fromisoformat(pinned.strip())


@pytest.mark.parametrize("pinned", ["tomorrow", "2028-02-30", "2031/12/31"])
def test_a_bad_pin_is_a_one_line_usage_error(pinned: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, pinned)
    with pytest.raises(InvalidArgument, match=rf"^\$NEWSARCHIVE_TODAY: not a date \(want YYYY-MM-DD\): '{pinned}'$"):
        today_taipei()


@pytest.mark.parametrize("pin", [None, ""])
def test_without_a_pin_today_is_the_clocks_day_in_taipei(pin: str | None, monkeypatch: pytest.MonkeyPatch,
                                                         set_clock: SetClock) -> None:
    """The clock is read through `utc_now`, so the test sets the clock instead of reading it."""
    if pin is None:
        monkeypatch.delenv(TODAY_ENV)
    else:
        monkeypatch.setenv(TODAY_ENV, pin)  # set but empty: no pin
    set_clock(dt.datetime(2028, 2, 28, 16, 30, tzinfo=UTC))
    assert today_taipei() == dt.date(2028, 2, 29)


def test_parse_date_is_strict() -> None:
    assert parse_date("2028-02-29") == dt.date(2028, 2, 29)
    assert parse_date(" 1999-06-15 ") == FIRST_ISSUE
    for bad in ["2027-02-29", "2024-13-01", "16.10.2024", "", "today"]:
        with pytest.raises(InvalidArgument, match="not a date"):
            parse_date(bad)
    with pytest.raises(InvalidArgument, match="not a date"):
        parse_date(None)  # type: ignore[arg-type]


def test_days_are_inclusive_and_cross_month_and_year_ends() -> None:
    assert days(dt.date(2028, 2, 28), dt.date(2028, 3, 1)) == [dt.date(2028, 2, 28), dt.date(2028, 2, 29),
                                                               dt.date(2028, 3, 1)]
    assert days(dt.date(2031, 12, 31), dt.date(2032, 1, 1)) == [dt.date(2031, 12, 31), dt.date(2032, 1, 1)]
    assert days(dt.date(2027, 2, 28), dt.date(2027, 2, 28)) == [dt.date(2027, 2, 28)]
    assert len(days(dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == 366
    with pytest.raises(InvalidArgument, match="--until 2027-02-27 is before --since 2027-02-28"):
        days(dt.date(2027, 2, 28), dt.date(2027, 2, 27))


def test_timestamps_in_the_store_are_utc_with_microseconds() -> None:
    assert iso_utc(dt.datetime(2032, 1, 1, 0, 0, 0, 5, tzinfo=TAIPEI)) == "2031-12-31T16:00:00.000005Z"
    assert iso_utc(dt.datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)) == "2028-02-29T23:59:59.999999Z"
