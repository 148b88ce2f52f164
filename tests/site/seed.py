"""The seed article (2003634936), the one page whose real text we have.

Its text comes from the capture in data/ (an older template's rendering);
the site renders it in the current template like every other article, so a
parser's record of it can be checked against real, not generated, prose.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from tests.site.bylines import Byline

SEED_ID = "2003634936"
SEED_DAY = dt.date(2015, 12, 16)
SEED_FILE = Path(__file__).with_name("data") / f"seed_{SEED_ID}.txt"
#: page furniture the old template printed after the body
FURNITURE_STARTS = ("This story has been viewed", "Comments will be moderated", "TOP top")


@lru_cache(maxsize=1)
def seed_blocks() -> tuple[str, ...]:
    """The capture's blank-line separated blocks: date line, headline, deck, byline, body, furniture."""
    raw = SEED_FILE.read_text(encoding="utf-8")
    return tuple(block.strip() for block in raw.split("\n\n") if block.strip())


def seed_article():
    from tests.site.corpus import SiteArticle

    _dateline, headline, deck_line, byline, *rest = seed_blocks()
    kicker, deck = deck_line.split(":", 1)
    agency, place = byline.split(", ", 1)
    body = [b for b in rest if not b.startswith(FURNITURE_STARTS)]
    return SiteArticle(
        id=SEED_ID, section_slug="world", day=SEED_DAY, print_page=7,
        headline=headline, kicker=kicker, deck=deck,
        byline=Byline(byline, [], [agency], place), body=body,
        modified_at="2015-12-16T00:00:00+08:00", ads_after=(3, 8),
    )
