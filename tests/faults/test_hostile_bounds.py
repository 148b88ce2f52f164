"""Bounds on fan-out (issue 11, item 8): every limit hit is a reported failure, and the run still ends.

Before: a list that always links a next page made 8,102 requests in 60 s and
never ended (holding the lock: every later cron run exited 7); one list
linking 100,000 articles had them all fetched (404 MB, 192 s); 1,000,000
response headers took a crawl to 756 MB and all went into WARC; two 15 MB
feeds were parsed whole.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import crawl
from tests.faults.hostile import HostileSite, MiB
from tests.support.archive_contents import records

pytestmark = pytest.mark.e2e

PEAK = 400 * MiB
FIRST_FAKE = 2_100_000_000



def list_failures(report: dict) -> dict[str, str]:
    return {f["url"]: f["reason"] for f in report["failures"] if f["kind"] == "list"}


def fake_hits(site: HostileSite) -> int:
    """Requests for the ids only the planted list links (the site answers them 404)."""
    return sum(n for target, n in site.hits.items()
               if "/archives/" in target and target.rstrip("/").rsplit("/", 1)[-1] >= str(FIRST_FAKE))


def test_endless_pages_many_links_and_many_headers_are_cut_and_reported(hostile_site: HostileSite,
                                                                        tmp_path: Path) -> None:
    site = hostile_site
    site.endless_pagination("world")
    site.plant_many_articles("biz", n=100_000)  # a 15 MB list page: over the page size limit
    site.plant_many_headers(site.list_target("taiwan"), count=1_000_000)
    store = tmp_path / "archive"
    done = crawl(site, store, sections=("world", "biz", "taiwan", "front"))
    assert done.code == Exit.PARTIAL, done.result
    assert done.peak_rss < PEAK, f"peak RSS {done.peak_rss / MiB:.0f} MB"
    report = done.report()
    failures = list_failures(report)
    world = f"https://www.taipeitimes.com/News/world?pubdate={site.day}"
    assert any(url.startswith(world) and "the list goes on past NEWSARCHIVE_MAX_LIST_PAGES (50) pages" in reason
               for url, reason in failures.items()), failures
    assert sum(n for t, n in site.hits.items() if t.startswith(site.list_target("world"))) == 50
    biz = f"https://www.taipeitimes.com{site.list_target('biz')}"
    assert failures[biz].startswith("decoded size over limit: more than 1,048,576 bytes (not encoded)")
    assert fake_hits(site) == 0
    taiwan = f"https://www.taipeitimes.com{site.list_target('taiwan')}"
    assert failures[taiwan] == "more than NEWSARCHIVE_MAX_HEADER_COUNT (500) response headers"
    assert site.hits[site.list_target("taiwan")] == 1  # not retried: it would only send the same again
    assert report["counts"]["limits_hit"] == 3
    assert {a.id for s in ("world", "front") for a in site.articles(s)} <= set(records(store))
    assert not (store / "state" / "lock.json").exists()  # the run ended and let go of the store


def test_a_list_page_is_followed_for_its_first_links_only(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    site.plant_many_articles("biz", n=5_000, first_id=FIRST_FAKE)
    done = crawl(site, tmp_path / "archive", "--set", f"NEWSARCHIVE_MAX_PAGE_SIZE={20 * MiB}",
                 "--set", "NEWSARCHIVE_MAX_ARTICLES_PER_LIST_PAGE=40", sections=("biz",))
    assert done.code == Exit.PARTIAL, done.result
    biz = f"https://www.taipeitimes.com{site.list_target('biz')}"
    # the 5,000 planted links and the page's own (its list, "Most Popular", ...)
    assert re.fullmatch(r"links 5,0[0-9]{2} articles, more than NEWSARCHIVE_MAX_ARTICLES_PER_LIST_PAGE \(40\): "
                        r"the first 40 followed", list_failures(done.report())[biz])
    assert fake_hits(site) == 40


def test_feeds_over_the_feed_size_are_refused_and_reported(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    site.plant_big_feed("/xml/index.rss", size=15 * MiB)
    site.plant_big_feed("/sitemap/sitemap.xml", size=15 * MiB, sitemap=True)
    store = tmp_path / "archive"
    done = crawl(site, store, sections=("world",), backfill=False)
    assert done.code == Exit.PARTIAL, done.result
    assert done.peak_rss < PEAK, f"peak RSS {done.peak_rss / MiB:.0f} MB"
    failures = list_failures(done.report())
    for feed in ("/xml/index.rss", "/sitemap/sitemap.xml"):
        assert failures[f"https://www.taipeitimes.com{feed}"].startswith(
            "decoded size over limit: more than 5,242,880 bytes"), failures
    assert {a.id for a in site.articles("world")} <= set(records(store))
