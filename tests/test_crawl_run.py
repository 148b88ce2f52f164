"""newsarchive.crawl.run: a crawl's counts live in Scrapy's stats collector, and the run's life around them.

A real Crawler (scrapy.utils.test.get_crawler: settings, stats, no engine, no
network) and a local store in a temporary folder; the crawls that drive all
of this through Scrapy are in test_crawl.py.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newsarchive.archive.report import COUNTS
from newsarchive.crawl.run import STATS_PREFIX, CrawlRun
from newsarchive.errors import InvalidArgument
from newsarchive.exitcodes import Exit
from newsarchive.site.window import CrawlWindow


def crawler(store: Path, **settings: Any) -> Crawler:
    return get_crawler(settings_dict={"NEWSARCHIVE_STORE": str(store), **settings})


@pytest.fixture
def run(tmp_path: Path) -> CrawlRun:
    c = crawler(tmp_path / "archive")
    return CrawlRun(c.settings, {}).attach(c)


def test_counts_go_through_the_crawlers_stats(run: CrawlRun) -> None:
    run.count("articles_new")
    run.count("articles_new", 4)
    run.count("responses", 9)
    assert run.crawler is not None and run.crawler.stats is not None
    stats = run.crawler.stats.get_stats()
    assert stats[STATS_PREFIX + "articles_new"] == 5 and stats["newsarchive/responses"] == 9
    assert run.counts == {**dict.fromkeys(COUNTS, 0), "articles_new": 5, "responses": 9}


def test_counts_read_what_other_components_put_in_the_stats(run: CrawlRun) -> None:
    """Any component may count with `stats.inc_value("newsarchive/<name>")`: one collector, one truth."""
    assert run.crawler is not None and run.crawler.stats is not None
    run.crawler.stats.inc_value("newsarchive/parse_failures", 2)
    run.crawler.stats.set_value("newsarchive/not_a_report_count", 7)
    assert run.counts["parse_failures"] == 2
    assert "not_a_report_count" not in run.counts


def test_only_the_reports_counts_can_be_counted(run: CrawlRun) -> None:
    with pytest.raises(KeyError, match="not a run report count: articels_new"):
        run.count("articels_new")


def test_fail_records_the_failure_and_counts_it(run: CrawlRun) -> None:
    run.fail("http://user:secret@127.0.0.1:8080/News/world/archives/2028/02/29/2003825390", "HTTP 404",
             article_id="2003825390")
    run.fail("http://127.0.0.1:8080/News/world?pubdate=2028-02-29", "timeout", kind="list")
    assert run.counts["articles_failed"] == 1 and run.counts["list_failures"] == 1
    assert run.report.failures[0] == {"kind": "article", "id": "2003825390", "reason": "HTTP 404",
                                      "url": "http://127.0.0.1:8080/News/world/archives/2028/02/29/2003825390"}


def test_a_run_counts_before_scrapy_starts_and_keeps_the_counts_after(tmp_path: Path) -> None:
    """What happens before the crawler runs (the site probe) is counted too, and added to the crawler's stats."""
    c = crawler(tmp_path)
    run = CrawlRun(c.settings, {})
    run.count("list_failures")
    assert run.counts == {**dict.fromkeys(COUNTS, 0), "list_failures": 1}
    run.attach(c)
    run.count("list_failures")
    assert run.counts["list_failures"] == 2


def test_the_run_is_found_on_its_crawler(tmp_path: Path) -> None:
    c = crawler(tmp_path)
    with pytest.raises(RuntimeError, match="CrawlRunKeeper extension"):
        CrawlRun.of(c)
    run = CrawlRun(c.settings, {}).attach(c)
    assert CrawlRun.of(c) is run


def test_only_public_parameters_reach_the_report_and_never_credentials(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument) as refused:  # a mirror's URL with credentials is refused, not echoed
        CrawlRun(crawler(tmp_path / "archive", NEWSARCHIVE_BASE_URL="http://user:secret@127.0.0.1:8080").settings, {})
    assert "secret" not in str(refused.value)
    c = crawler(tmp_path / "archive", NEWSARCHIVE_BASE_URL="http://127.0.0.1:8080")
    run = CrawlRun(c.settings, {"since": "2028-02-28", "sections": "world", "password": "x", "store": "ignored"})
    assert run.report.parameters == {"since": "2028-02-28", "sections": "world",
                                     "store": (tmp_path / "archive").as_uri(), "base_url": "http://127.0.0.1:8080",
                                     "no_images": False, "no_requisites": False}


def test_open_and_close_a_run_on_a_local_store(tmp_path: Path) -> None:
    """The run's life without a crawl: the lock is held while open, and closing saves the report from the stats."""
    store = tmp_path / "archive"
    # the site probe only resolves and connects: a listening socket is the whole site it needs
    listener = socket.create_server(("127.0.0.1", 0))
    c = crawler(store, NEWSARCHIVE_BASE_URL=f"http://127.0.0.1:{listener.getsockname()[1]}")
    run = CrawlRun(c.settings, {"since": "2028-02-28"}).attach(c)
    run.close()  # never opened: nothing to close
    assert not store.exists()
    run.open()
    assert (store / "state" / "lock.json").exists() and run.writer is not None
    run.count("list_pages", 3)
    run.count("articles_new", 2)
    run.close()
    run.close()  # idempotent
    assert not (store / "state" / "lock.json").exists()
    (path,) = (store / "runs").glob("*.json")
    report = json.loads(path.read_text())
    assert report["run_id"] == run.run_id and path.name == f"{run.run_id}.json"
    assert report["counts"]["list_pages"] == 3 and report["counts"]["articles_new"] == 2
    assert (report["outcome"], report["exit_code"]) == ("OK", 0)
    assert report["warc_files"] == [] and report["finished"] >= report["started"]
    listener.close()


def test_the_outcome_notes_a_section_that_listed_nothing(run: CrawlRun) -> None:
    window = CrawlWindow(dt.date(2028, 2, 28), dt.date(2028, 2, 29), ("world", "feat"))
    run.window, run.section_hits = window, {"world": 0}  # as adopt_spider sets them (feat may be empty)
    run.report.counts = {"list_pages": 4}
    assert run.outcome() is Exit.LAYOUT_CHANGED
    assert run.report.layout_suspected == [
        "section world listed no article for 2028-02-28..2028-02-29: the site may have changed its list pages"]
    run.outcome()
    assert len(run.report.layout_suspected) == 1  # asked twice, noted once


def test_the_layout_thresholds_are_settings(tmp_path: Path) -> None:
    c = crawler(tmp_path, NEWSARCHIVE_LAYOUT_FAILURE_RATIO=0.1, NEWSARCHIVE_LAYOUT_MIN_FAILURES=2)
    run = CrawlRun(c.settings, {}).attach(c)
    run.report.counts = {"list_pages": 1, "parse_failures": 2, "articles_new": 10}
    assert run.outcome() is Exit.LAYOUT_CHANGED
    run = CrawlRun(crawler(tmp_path).settings, {})
    run.report.counts = {"list_pages": 1, "parse_failures": 2, "articles_new": 10}
    assert run.outcome() is Exit.OK
