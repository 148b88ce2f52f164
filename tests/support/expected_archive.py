"""What a crawl of the local site must have left in a store, from the corpus (the ground truth).

Shared by every test that crawls the local site, whichever way it starts the
crawl (`newsarchive crawl`, `scrapy crawl`, Scrapyd, the documented
cron/backfill commands, several workers): they differ in how the crawl is
started, not in what it must archive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsarchive.site.urls import SECTIONS
from tests.site.corpus import REFERENCE_DAY, Corpus
from tests.support.archive_contents import records


def window_days() -> list[dt.date]:
    """What a crawl without dates covers: yesterday and today, today being the suite's pinned day."""
    return [REFERENCE_DAY - dt.timedelta(days=1), REFERENCE_DAY]


def expected_ids(corpus: Corpus, days: Iterable[dt.date], sections: Iterable[str]) -> set[str]:
    """Articles each chosen section lists for each day as its own: a crawl must archive all of them."""
    chosen = list(sections)
    return {a.id for day in days for section in chosen for a in corpus.on(day, section)}


def listed_ids(corpus: Corpus, days: Iterable[dt.date], sections: Iterable[str] | None = None) -> set[str]:
    """Everything those lists link (every section's by default), cross-listed articles of other days and sections
    included: what a crawl of those days archives, and the most it may."""
    chosen = list(sections or SECTIONS)
    return {a.id for day in days for section in chosen for a, _path in corpus.listing(section, day)}


def run_reports(store: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(store.glob("runs/*.json"))]


def assert_archived(store: Path, corpus: Corpus, days: list[dt.date], sections: list[str]) -> dict[str, dict[str, Any]]:
    """Every listed article archived and nothing the lists do not link; every run finished OK with its WARC files."""
    archived = records(store)
    must = expected_ids(corpus, days, sections)
    assert must, "the corpus lists nothing for these days: the test would prove nothing"
    missing = must - archived.keys()
    assert not missing, f"not archived: {sorted(missing)}"
    unlisted = archived.keys() - listed_ids(corpus, days, sections)
    assert not unlisted, f"archived but not listed for {days[0]}..{days[-1]}: {sorted(unlisted)}"
    for record in archived.values():
        assert record["headline"] == corpus[record["id"]].expected_record()["headline"]
        assert (store / record["capture"]["warc"]).is_file(), record["capture"]
    reports = run_reports(store)
    assert reports, "no run report under runs/"
    for report in reports:
        assert report["outcome"] == "OK" and report["exit_code"] == 0, report
        assert report["warc_files"] and all((store / key).is_file() for key in report["warc_files"]), report
    return archived
