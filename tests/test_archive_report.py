"""newsarchive.archive.report: the run report an archivist reads (and the offline tools read back)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.archive.report import COUNTS, PARSE_FAILURE, RunReport, article_failures, parse_failures
from newsarchive.store import LocalStore

#: the documented fields of runs/<run-id>.json, in order (a contract: extend, never rename)
FIELDS = ["run_id", "software", "parameters", "started", "finished", "outcome", "exit_code", "counts", "failures",
          "changes", "warc_files", "bytes_written", "records_written", "spooled", "layout_suspected"]


def report(run_id: str = "20280229T000000Z-host-1", **fields) -> RunReport:
    return RunReport(run_id, {"since": "2028-02-28", "store": "file:///srv/archive"},
                     started="2028-02-29T00:00:00.000000Z", **fields)


def test_every_count_starts_at_zero_and_is_saved() -> None:
    assert "parse_failures" in COUNTS  # it drives the layout-change alarm: it must be kept
    doc = report().as_dict()
    assert list(doc) == FIELDS
    assert doc["counts"] == dict.fromkeys(COUNTS, 0)
    assert doc["software"].startswith("newsarchive/")


def test_counts_are_written_in_their_documented_order_whatever_they_hold() -> None:
    r = report()
    r.counts = {"responses": 3, "list_pages": 2, "not_a_count": 9}
    assert list(r.as_dict()["counts"].items()) == [(name, {"responses": 3, "list_pages": 2}.get(name, 0))
                                                   for name in COUNTS]


def test_fail_records_the_failure_and_names_the_count_it_adds_to() -> None:
    r = report()
    assert r.fail("http://x/a", "HTTP 404", article_id="2003825390") == "articles_failed"
    assert r.fail("http://x/list", "timeout", kind="list") == "list_failures"
    assert r.failures == [{"kind": "article", "url": "http://x/a", "id": "2003825390", "reason": "HTTP 404"},
                          {"kind": "list", "url": "http://x/list", "id": None, "reason": "timeout"}]
    assert r.counts["articles_failed"] == 0  # the crawl counts (in Scrapy's stats); the report only records


def test_summary_is_a_few_lines_a_cron_mail_can_be_read_from() -> None:
    r = report(outcome="PARTIAL", records_written=40, bytes_written=1234567, warc_files=["warc/a", "warc/b"])
    r.counts.update(list_pages=16, list_failures=1, articles_listed=44, articles_new=40, articles_failed=2,
                    articles_skipped=2)
    for i in range(12):
        r.fail(f"http://x/{i}", f"reason {i}")
    r.layout_suspected.append("section world listed no article")
    lines = r.summary().splitlines()
    assert lines[:5] == [
        "newsarchive run 20280229T000000Z-host-1: PARTIAL",
        "  lists: 16 pages (1 failed); articles listed: 44",
        "  articles: 40 new, 0 changed, 0 unchanged, 2 already archived, 2 failed",
        "  photos: 0 captured, 0 failed; page requisites: 0 captured, 0 failed",
        "  written: 40 records, 2 WARC files, 1,234,567 WARC bytes",
    ]
    assert lines[5:15] == [f"  failed: http://x/{i}: reason {i}" for i in range(10)]
    assert lines[15] == "  ... and 2 more failures in runs/20280229T000000Z-host-1.json"
    assert lines[16] == "  LAYOUT: section world listed no article"
    assert len(lines) == 17


def test_summary_of_an_unfinished_run_and_the_spool() -> None:
    lines = report(spooled=3).summary().splitlines()
    assert lines[0].endswith(": unfinished")
    assert lines[4].endswith("; 3 objects wait in the spool")


def test_save_writes_the_report_under_runs(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    r = report(outcome="OK", exit_code=0)
    assert r.save(store) == "runs/20280229T000000Z-host-1.json"
    assert json.loads(store.get_bytes("runs/20280229T000000Z-host-1.json")) == r.as_dict()


def test_an_unsafe_run_id_never_becomes_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsafe name"):
        report("../../escape").save(LocalStore(tmp_path))


def test_article_failures_come_from_every_report_the_latest_winning(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    first, second = report("20280228T000000Z-h-1"), report("20280229T000000Z-h-1")
    first.fail("http://x/1", "HTTP 500", article_id="2003825391")
    first.fail("http://x/2", f"{PARSE_FAILURE}: empty page", article_id="2003825392")
    first.fail("http://x/list", "timeout", kind="list")
    second.fail("http://x/1", f"{PARSE_FAILURE}: unknown layout", article_id="2003825391")
    for r in (second, first):  # saved out of order: key order (the run id's time) decides
        r.save(store)
    store.put_bytes("runs/20280301T000000Z-h-1.json", b"{torn")  # a damaged report is skipped
    store.put_bytes("runs/20280302T000000Z-h-1.json", b'["not", "a", "report"]')
    store.put_bytes("runs/notes.txt", b"not a report")
    assert article_failures(store) == {"2003825391": f"{PARSE_FAILURE}: unknown layout",
                                       "2003825392": f"{PARSE_FAILURE}: empty page"}
    assert parse_failures(store) == {"2003825391", "2003825392"}


def test_no_reports_no_failures(tmp_path: Path) -> None:
    assert article_failures(LocalStore(tmp_path)) == {} and parse_failures(LocalStore(tmp_path)) == set()
