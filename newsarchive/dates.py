"""Print days are Taipei days: the paper's date line is in Asia/Taipei (UTC+8, no DST)."""

from __future__ import annotations

import datetime as dt

TAIPEI = dt.timezone(dt.timedelta(hours=8), "Asia/Taipei")
FIRST_ISSUE = dt.date(1999, 6, 15)


def today_taipei(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(TAIPEI).date()


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, strictly: a wrong date is a usage error, not a guess."""
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"not a date (want YYYY-MM-DD): {text!r}") from None


def days(since: dt.date, until: dt.date) -> list[dt.date]:
    if until < since:
        raise ValueError(f"--until {until} is before --since {since}")
    return [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso_utc(moment: dt.datetime) -> str:
    """2026-11-27T03:20:00.123456Z: the form every timestamp in the store takes."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
