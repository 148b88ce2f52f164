"""A crawl's outcome as an exit code, from its counts alone: a pure function, so every rule has a unit test.

The codes are a contract with cron jobs (newsarchive.exitcodes); the order in
which they win is the worst news first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from newsarchive.exitcodes import Exit


def layout_notes(counts: Mapping[str, int], section_hits: Mapping[str, int],
                 window: tuple[dt.date, dt.date] | None, *, ratio: float, minimum: int) -> list[str]:
    """Why the site may have changed its layout: too many parse failures, or a section that always
    publishes listing no article at all (only when some list page was read)."""
    notes = []
    parse_failures = counts.get("parse_failures", 0)
    fetched = parse_failures + sum(counts.get(name, 0)
                                   for name in ("articles_new", "articles_changed", "articles_unchanged"))
    if fetched and parse_failures >= minimum and parse_failures / fetched > ratio:
        notes.append(f"{parse_failures} of {fetched} fetched articles failed to parse: "
                     "the site may have changed its layout")
    if counts.get("list_pages", 0):
        for section, hits in sorted(section_hits.items()):
            if hits == 0:
                notes.append(f"section {section} listed no article for {window[0]}..{window[1]}: "
                             "the site may have changed its list pages" if window else
                             f"section {section} listed no article")
    return notes


def verdict(counts: Mapping[str, int], *, fatal: Exit | None = None, layout_suspected: bool = False,
            spooled: int = 0) -> Exit:
    """Precedence: a failed store write > layout change > site unreachable > spooled > partial > ok.
    A list that could not be read may hide articles: that is a partial run too; so is a photo not captured (a
    lost part of its article). A page requisite that failed is only reported: the next run fetches it again,
    and what the site itself lacks (a 404) is captured as answered. The site is unreachable only when not a
    single response came back: a site that answers, even with pages the crawl refuses (a bomb, a limit), is up,
    and those refusals make the run partial."""
    if fatal is not None:
        return fatal
    if layout_suspected:
        return Exit.LAYOUT_CHANGED
    answered = counts.get("responses", 0) or counts.get("list_pages", 0)  # a list page read is a response too
    if (counts.get("list_failures", 0) or counts.get("articles_failed", 0)) and not answered:
        return Exit.SITE_UNREACHABLE
    if spooled:
        return Exit.SPOOLED
    if counts.get("articles_failed", 0) or counts.get("list_failures", 0) or counts.get("images_failed", 0):
        return Exit.PARTIAL
    return Exit.OK
