"""Print days are Taipei days, and "today" can be pinned.

The paper's date line is in Asia/Taipei (UTC+8, no DST). A crawl without
dates archives "yesterday and today" in Taipei, so what "today" is decides what
a run does: `NEWSARCHIVE_TODAY=YYYY-MM-DD` pins it (tests, demos, replaying a
missed day's cron run), and functions that need it take it as an argument, so
nothing that matters reads the wall clock behind the caller's back.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from newsarchive.errors import InvalidArgument

TAIPEI = dt.timezone(dt.timedelta(hours=8), "Asia/Taipei")
FIRST_ISSUE = dt.date(1999, 6, 15)
#: pins the CLI's "today" (a Taipei print day); unset: the clock's
TODAY_ENV = "NEWSARCHIVE_TODAY"


def today_taipei(now: dt.datetime | None = None) -> dt.date:
    """Today's print day: $NEWSARCHIVE_TODAY if set, else the day in Taipei at `now` (default: the clock)."""
    if now is None:
        pinned = os.environ.get(TODAY_ENV)
        if pinned:
            try:
                return parse_date(pinned)
            except InvalidArgument:
                raise InvalidArgument(f"${TODAY_ENV}: not a date (want YYYY-MM-DD): {pinned!r}") from None
        now = utc_now()
    return now.astimezone(TAIPEI).date()


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, strictly: a wrong date is a usage error, not a guess."""
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidArgument(f"not a date (want YYYY-MM-DD): {text!r}") from None


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """YYYY-MM-DD, YYYY-MM or YYYY -> (first day, last day): researchers think in months and years,
    so `--since 2026-11` starts on the 1st and `--until 2026` ends on 31 December."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        if re.fullmatch(r"\d{4}", value):
            year = int(value)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            first = dt.date(int(value[:4]), int(value[5:]), 1)
            return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        day = dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidArgument(f"not a date (want YYYY-MM-DD, YYYY-MM or YYYY): {text!r}")
    return day, day


def days(since: dt.date, until: dt.date) -> list[dt.date]:
    if until < since:
        raise InvalidArgument(f"--until {until} is before --since {since}")
    return [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """2026-11-27T03:20:00.123456Z: the form every timestamp in the store takes."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
