"""Which print days and sections a crawl covers, and so which article links it wants.

The spider decides with it what to fetch, and `coverage` decides with it what a
crawl of those days and sections should have archived: one rule, one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from newsarchive.dates import FIRST_ISSUE, days, parse_date, today_taipei
from newsarchive.errors import InvalidArgument
from newsarchive.site.urls import SECTIONS, ArticleRef


def parse_sections(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Section slugs from `front,world` (or a list); all eight when empty. InvalidArgument for unknown ones."""
    if value is None or value == "":
        return tuple(SECTIONS)
    items = value.split(",") if isinstance(value, str) else list(value)
    slugs = [s.strip().lower() for s in items if s.strip()]
    unknown = [s for s in slugs if s not in SECTIONS]
    if unknown:
        raise InvalidArgument(f"unknown section(s): {', '.join(unknown)} (known: {', '.join(SECTIONS)})")
    return tuple(slugs)


@dataclass(frozen=True)
class CrawlWindow:
    """Print days `first`..`last` (Taipei) of some sections; `backfill` when the days were asked for."""

    first: dt.date
    last: dt.date
    sections: tuple[str, ...] = tuple(SECTIONS)
    backfill: bool = True

    @classmethod
    def resolve(cls, since: str | None = None, until: str | None = None,
                sections: str | Iterable[str] | None = None, *, today: dt.date | None = None) -> CrawlWindow:
        """The window a crawl's arguments name. Without dates: yesterday and today (not a backfill).

        `today` defaults to `dates.today_taipei()` (the clock, or $NEWSARCHIVE_TODAY).
        Raises InvalidArgument for dates out of order or outside the paper's life.
        """
        today = today or today_taipei()
        if since or until:
            first = parse_date(since) if since else parse_date(str(until))
            last = parse_date(until) if until else today
            backfill = True
        else:
            first, last, backfill = today - dt.timedelta(days=1), today, False
        if last < first:
            raise InvalidArgument(f"--until {last} is before --since {first}")
        if first < FIRST_ISSUE or last > today + dt.timedelta(days=1):
            raise InvalidArgument(f"dates must lie between the first issue ({FIRST_ISSUE}) and today ({today})")
        return cls(first, last, parse_sections(sections), backfill)

    @property
    def days(self) -> list[dt.date]:
        return days(self.first, self.last)

    def wants(self, ref: ArticleRef) -> bool:
        """In the date window, and in a chosen section (a slug the site does not list passes)."""
        return self.first <= ref.date <= self.last and (
            ref.section_slug in self.sections or ref.section_slug not in SECTIONS)
