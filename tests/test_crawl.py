"""End-to-end crawls of the local site into a local store: complete, exact, captured as exchanged.

The tests that only read a first crawl share one (`shared_first_crawl`, once per
module); those that crawl again or edit the site take one of their own (`first_crawl`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from newsarchive.site.urls import match_article
from tests.plugins.cli import Result, assert_one_line_error, run_cli
from tests.plugins.site import FRESH_DAYS, FRESH_PER_SECTION
from tests.site.corpus import Corpus, default_days
from tests.site.server import SiteServer
from tests.support.archive_contents import comparable, leftovers, records, warc_records, warcio_check
from tests.support.expected_archive import listed_ids, window_days

pytestmark = pytest.mark.e2e


def crawl(site: SiteServer, store: Path, *args: str, env: dict[str, str] | None = None):
    return run_cli("crawl", "--base-url", site.base_url, "--store", str(store), *args, env=env)


FirstCrawl = tuple[SiteServer, Path, Result]


def crawl_first(site: SiteServer, store: Path) -> FirstCrawl:
    """A crawl without dates into an empty store: it must succeed."""
    result = crawl(site, store)
    assert result.code == Exit.OK, result
    return site, store, result


@pytest.fixture(scope="module")
def shared_first_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstCrawl]:
    """One first crawl for the tests that only read it: nothing touches its site or its store afterwards
    (its site's hit counts are the crawl's alone)."""
    with SiteServer(Corpus(days=default_days(FRESH_DAYS), per_section=FRESH_PER_SECTION)) as site:
        yield crawl_first(site, tmp_path_factory.mktemp("first-crawl") / "archive")


@pytest.fixture
def first_crawl(fresh_site: SiteServer, tmp_path: Path) -> FirstCrawl:
    """A first crawl of a site of its own, for a test that crawls again or edits the site."""
    return crawl_first(fresh_site, tmp_path / "archive")


def test_default_crawl_archives_every_listed_article_once_with_every_field(shared_first_crawl: FirstCrawl) -> None:
    site, store, result = shared_first_crawl
    expected = listed_ids(site.corpus, window_days())
    got = records(store)
    assert set(got) == expected
    truth = site.corpus.expected_records()
    for article_id, record in got.items():
        assert comparable(record) == truth[article_id], article_id
        assert record["parser"] and record["schema_version"] == 1
        assert record["fetched_url"].startswith(site.base_url)
    # the id alone identifies an article: cross-listed ones were fetched once
    for article_id in expected:
        assert site.article_hits(article_id) == 1, article_id
    assert "OK" in result.err and "Traceback" not in result.err


def test_warc_holds_every_exchange_as_request_and_response(shared_first_crawl: FirstCrawl) -> None:
    site, store, _ = shared_first_crawl
    warcio_check(store)
    recs = warc_records(store)
    responses = [r for r in recs if r.type == "response"]
    requests = {r.concurrent_to: r for r in recs if r.type == "request"}
    assert all(r.record_id in requests for r in responses), "a response without its request"
    assert recs[0].type == "warcinfo"
    fetched = {r.url for r in responses}
    # every kind of source was captured, with its query string
    paths = {u[len(site.base_url):] for u in fetched}
    assert "/robots.txt" in paths
    assert "/xml/index.rss" in paths and "/sitemap/sitemap.xml" in paths
    assert any(p.startswith("/ajax_json/1/list/") for p in paths)
    assert any(p.startswith("/News/front?pubdate=") for p in paths)
    # every server hit was captured: the WARC is the whole exchange
    hits = site.hits
    assert sum(hits.values()) == len(responses)
    # the body as received: gzip-encoded responses are stored compressed
    gz = [r for r in responses if r.headers and r.status == 200]
    assert gz


def test_records_point_at_their_capture(shared_first_crawl: FirstCrawl) -> None:
    _, store, _ = shared_first_crawl
    import io

    from warcio.archiveiterator import ArchiveIterator

    metadata = {r.refers_to: r.payload.decode() for r in warc_records(store) if r.type == "metadata"}
    for record in records(store).values():
        cap = record["capture"]
        with open(store / cap["warc"], "rb") as fh:
            fh.seek(cap["offset"])
            member = fh.read(cap["length"])
        rec = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert rec.rec_type == "response"
        assert rec.rec_headers.get_header("WARC-Record-ID") == cap["record_id"]
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == cap["payload_digest"]
        assert rec.rec_headers.get_header("WARC-Target-URI") == record["fetched_url"]
        # the metadata record beside it names the JSON record's key
        assert f"records/{record['published'].replace('-', '/')}/{record['id']}.json" in metadata[cap["record_id"]]


def test_run_report_and_layout(shared_first_crawl: FirstCrawl) -> None:
    _, store, _ = shared_first_crawl
    reports = list((store / "runs").glob("*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text())
    n = len(records(store))
    assert report["counts"]["articles_new"] == n == report["records_written"]
    assert report["counts"]["articles_failed"] == 0 and report["failures"] == []
    assert report["outcome"] == "OK" and report["exit_code"] == 0
    assert report["counts"]["list_pages"] > 8
    assert report["started"] <= report["finished"]
    assert all((store / key).exists() for key in report["warc_files"])
    assert all((store / key.replace(".warc.gz", ".cdxj")).exists() for key in report["warc_files"])
    assert len(list((store / "state" / "articles").glob("*.json"))) == n
    assert not (store / "state" / "lock.json").exists()
    assert leftovers(store) == []


def test_second_run_fetches_no_article_again(first_crawl: FirstCrawl) -> None:
    site, store, _ = first_crawl
    before = records(store)
    site.reset_hits()
    again = crawl(site, store)
    assert again.code == Exit.OK, again
    assert not any(site.article_hits(i) for i in before)
    assert records(store) == before
    report = max((store / "runs").glob("*.json"))
    counts = json.loads(report.read_text())["counts"]
    assert counts["articles_new"] == 0 and counts["articles_skipped"] == len(before)


def test_new_article_is_the_only_fetch_of_the_next_run(first_crawl: FirstCrawl) -> None:
    site, store, _ = first_crawl
    added = site.corpus.add_article("world")
    site.reset_hits()
    result = crawl(site, store)
    assert result.code == Exit.OK, result
    fetched = {i for i in site.corpus.articles if site.article_hits(i)}
    assert fetched == {added.id}
    assert added.id in records(store)


def test_refresh_records_edits_and_revisits_the_unchanged(first_crawl: FirstCrawl) -> None:
    site, store, _ = first_crawl
    before = records(store)
    edited_id = sorted(before)[0]
    article = site.corpus[edited_id]
    site.corpus.edit(edited_id, body=[*article.body[:-1], "A correction was appended to this story."])
    result = crawl(site, store, "--refresh")
    assert result.code == Exit.OK, result
    after = records(store)
    assert after[edited_id]["body"][-1] == "A correction was appended to this story."
    history = list((store / "history").rglob(f"{edited_id}/*.json"))
    assert len(history) == 1 and json.loads(history[0].read_text())["body"] == before[edited_id]["body"]
    for article_id in before:
        if article_id != edited_id:
            assert after[article_id] == before[article_id], article_id
    report = json.loads(max((store / "runs").glob("*.json")).read_text())
    assert report["counts"]["articles_changed"] == 1
    assert report["counts"]["articles_unchanged"] == len(before) - 1
    assert report["changes"][0]["id"] == edited_id and "body" in report["changes"][0]["fields"]
    revisits = [r for r in warc_records(store) if r.type == "revisit"]
    # the unchanged articles are revisits (so are the unchanged lists and requisites: tests/test_capture.py)
    assert len([r for r in revisits if match_article(r.url or "")]) == len(before) - 1
    assert all("identical-payload-digest" in r.headers["WARC-Profile"] for r in revisits)
    warcio_check(store)


def test_backfill_sections_and_cap(site: SiteServer, tmp_path: Path) -> None:
    day = site.corpus.days[2]
    store = tmp_path / "a"
    result = crawl(site, store, "--since", day.isoformat(), "--until", day.isoformat(), "--sections", "world,biz")
    assert result.code == Exit.OK, result
    assert set(records(store)) == listed_ids(site.corpus, [day], ["world", "biz"])
    lists = {r.url for r in warc_records(store) if r.type == "response" and "/News/" in (r.url or "") and "pubdate" in r.url}
    assert any("page=2" in u for u in lists), "pagination not followed"
    capped = crawl(site, tmp_path / "b", "--since", day.isoformat(), "--until", day.isoformat(), "--max-articles", "5")
    assert capped.code == Exit.OK, capped
    assert len(records(tmp_path / "b")) == 5


def test_seed_article_is_archived_as_printed(site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "a"
    result = crawl(site, store, "--since", "2015-12-16", "--until", "2015-12-16", "--sections", "world")
    assert result.code == Exit.OK, result
    seed = records(store)["2003634936"]
    assert seed["headline"] == "Kerry seeks Syria progress in Moscow"
    assert seed["kicker"] == "DIVISIVE" and seed["byline"] == "Reuters, MOSCOW"
    assert seed["agencies"] == ["Reuters"] and seed["dateline"] == "MOSCOW" and seed["authors"] == []
    assert seed["published"] == "2015-12-16" and seed["print_page"] == 7 and seed["section_slug"] == "world"
    assert not any("viewed" in p or "Comments will be moderated" in p for p in seed["body"])


def test_a_live_lock_stops_a_second_crawl(fresh_site: SiteServer, tmp_path: Path) -> None:
    import socket

    store = tmp_path / "a"
    (store / "state").mkdir(parents=True)
    (store / "state" / "lock.json").write_text(json.dumps(
        {"run_id": "other", "host": socket.gethostname(), "pid": os.getpid(), "heartbeat": "2099-01-01T00:00:00.000000Z"}))
    result = crawl(fresh_site, store)
    assert_one_line_error(result, Exit.LOCKED)
    assert "another crawl" in result.err
    assert not (store / "records").exists()


def test_a_stale_lock_is_broken(fresh_site: SiteServer, tmp_path: Path) -> None:
    import socket
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    store = tmp_path / "a"
    (store / "state").mkdir(parents=True)
    (store / "state" / "lock.json").write_text(json.dumps(
        {"run_id": "crashed", "host": socket.gethostname(), "pid": dead.pid, "heartbeat": "2020-01-01T00:00:00.000000Z"}))
    result = crawl(fresh_site, store)
    assert result.code == Exit.OK, result
    assert records(store)


@pytest.mark.parametrize("args, code, words", [
    (["--since", "2024-02-30"], Exit.USAGE, "not a date"),
    (["--since", "2024-10-05", "--until", "2024-10-01"], Exit.USAGE, "before"),
    (["--since", "1990-01-01"], Exit.USAGE, "first issue"),
    (["--sections", "front,nope"], Exit.USAGE, "unknown section"),
    (["--max-articles", "0"], Exit.USAGE, "max-articles"),
    (["--base-url", "ftp://example"], Exit.USAGE, "base URL"),
    (["--store", "gopher://x/y"], Exit.USAGE, "store URI"),
    (["--set", "novalue"], Exit.USAGE, "NAME=VALUE"),
])
def test_user_errors_are_one_line(fresh_site: SiteServer, tmp_path: Path, args, code, words) -> None:
    result = run_cli("crawl", "--base-url", fresh_site.base_url, "--store", str(tmp_path / "s"), *args)
    assert_one_line_error(result, code)
    assert words in result.err
    assert fresh_site.total_hits() == 0


def test_unwritable_store_is_a_write_error(fresh_site: SiteServer, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = crawl(fresh_site, blocker / "archive")
    assert_one_line_error(result, Exit.STORE_WRITE_FAILED)


def test_failed_articles_are_reported_and_the_rest_archived(fresh_site: SiteServer, tmp_path: Path) -> None:
    from tests.site.faults import Fault

    ids = sorted(listed_ids(fresh_site.corpus, window_days()))
    # articles linked under one URL only, so the fault covers every way to them
    single = [fresh_site.corpus[i] for i in ids if not fresh_site.corpus[i].cross_links]
    broken, garbage = single[0], single[1]
    fresh_site.inject(broken.path(), Fault(kind="status", status=404))
    fresh_site.inject(garbage.path(), Fault(kind="garbage"))
    store = tmp_path / "a"
    result = crawl(fresh_site, store)
    assert result.code == Exit.PARTIAL, result
    got = records(store)
    assert set(got) == set(ids) - {broken.id, garbage.id}
    report = json.loads(next((store / "runs").glob("*.json")).read_text())
    reasons = {f["id"]: f["reason"] for f in report["failures"]}
    assert "404" in reasons[broken.id]
    assert "not an article" in reasons[garbage.id]
    # failures are captured all the same
    statuses = {(r.url, r.status) for r in warc_records(store) if r.type == "response"}
    assert (fresh_site.url(broken.path()), 404) in statuses
    # the next run fetches what failed, and only that
    fresh_site.clear_faults()
    fresh_site.reset_hits()
    again = crawl(fresh_site, store)
    assert again.code == Exit.OK, again
    assert set(records(store)) == set(ids)
    assert {i for i in ids if fresh_site.article_hits(i)} == {broken.id, garbage.id}


def test_warc_files_rotate_each_whole_and_indexed(fresh_site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "a"
    result = crawl(fresh_site, store, "--set", "NEWSARCHIVE_WARC_MAX_SIZE=200000")
    assert result.code == Exit.OK, result
    files = sorted((store / "warc").rglob("*.warc.gz"))
    assert len(files) >= 3
    names = [f.name for f in files]
    serials = [int(n.split("-")[2]) for n in names]
    assert serials == list(range(len(files))), names  # TT-<timestamp>-<serial>-<host>-<pid>.warc.gz
    warcio_check(store)
    for path in files:
        first = next(r for r in warc_records(store) if r.file == path)
        assert first.type == "warcinfo" and first.offset == 0  # every file opens with its warcinfo
        cdxj = path.with_name(path.name[: -len(".warc.gz")] + ".cdxj").read_text().splitlines()
        assert cdxj and all(json.loads(line.split(" ", 2)[2])["filename"] == path.name for line in cdxj)
    # records point into whichever file holds their capture
    assert {r["capture"]["warc"] for r in records(store).values()} <= {str(f.relative_to(store)) for f in files}
    assert len({r["capture"]["warc"] for r in records(store).values()}) >= 2


def test_a_site_that_cannot_be_reached_is_not_a_success(tmp_path: Path) -> None:
    from tests.plugins.process import free_port

    store = tmp_path / "a"
    result = run_cli("crawl", "--base-url", f"http://127.0.0.1:{free_port()}", "--store", str(store),
                     "--set", "RETRY_TIMES=1")
    assert result.code == Exit.SITE_UNREACHABLE, result
    assert "Traceback" not in result.err and "SITE_UNREACHABLE" in result.err
    report = json.loads(next((store / "runs").glob("*.json")).read_text())
    assert report["counts"]["list_pages"] == 0 and report["counts"]["list_failures"] > 0
    assert report["outcome"] == "SITE_UNREACHABLE" and not (store / "records").exists()
