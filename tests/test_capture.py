"""Archive-grade captures, end to end on the local site: photos, page requisites, revisits, WARC checked by two tools."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.exitcodes import Exit
from newsarchive.site.urls import match_article
from tests.plugins.cli import Result, run_cli
from tests.site import assets
from tests.site.corpus import REFERENCE_DAY, Corpus, default_days
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.archive_contents import fastwarc_check, leftovers, records, warc_records, warcio_check
from tests.support.expected_archive import listed_ids

pytestmark = pytest.mark.e2e

CONTACT = "archivist@example.org"
DAYS = default_days(2)  # what a crawl without dates covers: yesterday and today (the suite's pinned day)


def crawl(site: SiteServer, store: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_cli("crawl", "--base-url", site.base_url, "--store", str(store), *args, env=env, timeout=180)


def path_of(url: str) -> str:
    return urlsplit(url).path


def hits_by_path(hits: dict[str, int]) -> Counter[str]:
    """Requests by path, whatever their query (`?v=...` on stylesheets and scripts)."""
    counts: Counter[str] = Counter()
    for target, n in hits.items():
        counts[target.split("?", 1)[0]] += n
    return counts


def photos(site: SiteServer) -> dict[str, str]:
    """The photos of every article the crawl archives: canonical URL -> article id."""
    ids = listed_ids(site.corpus, DAYS)
    return {p.url: a.id for a in site.corpus if a.id in ids for p in a.photos}


def last_report(store: Path) -> dict:
    return json.loads(max((store / "runs").glob("*.json")).read_text())


def report_lines(store: Path) -> str:
    """The summary a cron mail shows, as the run report renders it."""
    from newsarchive.archive.report import RunReport

    doc = last_report(store)
    report = RunReport(doc["run_id"], doc["parameters"], counts=doc["counts"], failures=doc["failures"],
                       outcome=doc["outcome"])
    return report.summary()


def read_member(store: Path, capture: dict) -> bytes:
    with open(store / capture["warc"], "rb") as fh:
        fh.seek(capture["offset"])
        return fh.read(capture["length"])


@pytest.fixture(scope="module")
def canary() -> Iterator[SiteServer]:
    """Stands in for every third party the pages name (ad server, analytics, social SDK, web fonts): it counts
    every request it gets, and must get none."""
    server = SiteServer(Corpus(days=default_days(1), per_section=1)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(canary: SiteServer) -> Iterator[SiteServer]:
    server = SiteServer(Corpus(days=DAYS, per_section=2), third_party_base=canary.base_url).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawled(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """One crawl with photos and requisites (the default), and the site's hits it made."""
    store = tmp_path_factory.mktemp("capture") / "archive"
    site.reset_hits()
    result = crawl(site, store, "--contact", CONTACT)
    assert result.code == Exit.OK, result
    return store, site.hits


def test_every_photo_is_captured_once_and_its_record_points_at_it(site: SiteServer, crawled) -> None:
    store, hits = crawled
    expected = photos(site)
    assert len(expected) >= 20
    by_path = hits_by_path(hits)
    assert {path_of(url): by_path[path_of(url)] for url in expected} == {path_of(url): 1 for url in expected}
    seen = set()
    for record in records(store).values():
        for image in record["images"]:
            url = image["url"]
            assert url.startswith("https://img.taipeitimes.com/images/")  # the record keeps the canonical URL
            assert image["fetched_url"] == site.base_url + path_of(url)  # WARC keeps the URL fetched
            assert image["fetched_at"].endswith("Z")
            cap = image["capture"]
            assert set(cap) == {"warc", "offset", "length", "record_id", "payload_digest"}
            rec = next(iter(ArchiveIterator(io.BytesIO(read_member(store, cap)))))
            assert rec.rec_type == "response"
            assert rec.rec_headers.get_header("WARC-Record-ID") == cap["record_id"]
            assert rec.rec_headers.get_header("WARC-Payload-Digest") == cap["payload_digest"]
            assert rec.rec_headers.get_header("WARC-Target-URI") == image["fetched_url"]
            body = rec.content_stream().read()
            assert body == assets.photo(url) and body[:2] == b"\xff\xd8"  # the JPEG as served
            seen.add(url)
    assert seen == set(expected)
    report = last_report(store)
    assert report["counts"]["images"] == len(expected) and report["counts"]["images_failed"] == 0
    assert not (store / "state" / "images-missing").exists()


def test_requisites_are_captured_once_per_crawl_and_third_parties_never(site: SiteServer, canary: SiteServer,
                                                                        crawled) -> None:
    store, hits = crawled
    by_path = hits_by_path(hits)
    wanted = assets.requisite_paths()
    # every stylesheet, script, icon, and the fonts and images only stylesheets name: each fetched exactly once
    assert {p: by_path[p] for p in wanted} == dict.fromkeys(wanted, 1)
    assert {p for p in by_path if p.startswith("/assets/")} == set(wanted)  # nothing commented out, no data: URI
    captured = {path_of(r.url or ""): r for r in warc_records(store) if r.type == "response" and "/assets/" in (r.url or "")}
    assert set(captured) == set(wanted) and all(r.status == 200 for r in captured.values())
    font = captured["/assets/fonts/roboto-bold.woff2"]
    assert font.payload == assets.font("roboto-bold.woff2")
    # the pages name third parties (here all served by the canary), and the crawl asked none of them for anything
    page = site.router.get(next(iter(site.corpus)).path()).body.decode()
    assert all(f"{canary.base_url}/{host}" in page for host in assets.THIRD_PARTY_HOSTS if host != "fonts.gstatic.com")
    assert canary.total_hits() == 0
    report = last_report(store)
    assert report["counts"]["assets"] == len(wanted) and report["counts"]["assets_failed"] == 0
    assert f"page requisites: {len(wanted)} captured, 0 failed" in report_lines(store)


def test_warcs_pass_warcio_and_fastwarc(crawled, tmp_path: Path) -> None:
    store, _ = crawled
    warcio_check(store)
    fastwarc_check(store, tmp_path)


def test_request_lines_warcinfo_links_metadata_and_operator(crawled) -> None:
    store, _ = crawled
    for path in sorted((store / "warc").rglob("*.warc.gz")):
        raw = gzip.decompress(path.read_bytes())
        recs = [r for r in warc_records(store) if r.file == path]
        info = recs[0]
        assert info.type == "warcinfo"
        with open(path, "rb") as fh:
            fields = next(iter(ArchiveIterator(fh))).content_stream().read().decode()
        assert f"operator: {CONTACT}\r\n" in fields
        assert f"http-header-user-agent: newsarchive/0.1.0 (archival crawler; contact: {CONTACT})\r\n" in fields
        assert all(r.headers["WARC-Warcinfo-ID"] == info.record_id for r in recs[1:])
        metadata = [r for r in recs if r.type == "metadata"]
        assert metadata and all("WARC-Payload-Digest" not in r.headers and r.headers["WARC-Block-Digest"]
                                for r in metadata)
        requests = [line for line in raw.split(b"\r\n") if line.startswith(b"GET ")]
        assert requests and all(line.endswith(b" HTTP/1.1") for line in requests)
        assert b"GET /robots.txt HTTP/1.1" in requests
        agents = {line for line in raw.split(b"\r\n") if line.startswith(b"User-Agent: ")}
        assert agents == {f"User-Agent: newsarchive/0.1.0 (archival crawler; contact: {CONTACT})".encode()}


def test_a_second_run_revisits_lists_and_requisites_and_refetches_only_what_may_have_changed(
        site: SiteServer, crawled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = crawled
    store = tmp_path / "archive"
    shutil.copytree(first, store)
    before = {r.url: r for r in warc_records(store) if r.type == "response"}
    # the site changes one stylesheet between the runs (a cached page would hide it: the corpus moves on)
    original = assets.stylesheet
    monkeypatch.setattr(assets, "stylesheet", lambda name: original(name) + ("\n.new{}" if name == "menu" else ""))
    site.corpus.version += 1
    site.reset_hits()
    result = crawl(site, store, env={"NEWSARCHIVE_CONTACT": CONTACT})
    assert result.code == Exit.OK, result
    by_path = hits_by_path(site.hits)
    # stylesheets and scripts say nothing of their freshness: asked again, once; fonts and images are fresh for a week
    for path in assets.requisite_paths():
        fresh = path.endswith((".png", ".woff", ".woff2"))
        assert by_path[path] == (0 if fresh else 1), path
    assert not any(by_path[path_of(url)] for url in photos(site))  # archived articles' photos: not asked again
    assert not any(site.article_hits(a.id) for a in site.corpus)
    new = [r for r in warc_records(store) if r.file not in {v.file for v in before.values()}]
    responses = {path_of(r.url or ""): r for r in new if r.type == "response"}
    revisits = {r.url: r for r in new if r.type == "revisit"}
    # the changed stylesheet is the one new capture; robots.txt, every list and every other requisite: revisits
    assert set(responses) == {"/assets/css/menu.css"}, sorted(responses)
    assert site.url("/robots.txt") in revisits
    lists = [u for u in revisits if "/assets/" not in u and not u.endswith("/robots.txt")]
    assert lists and all(not match_article(u) for u in lists)
    for url, rec in revisits.items():
        assert rec.refers_to == before[url].record_id  # WARC-Refers-To: the capture of the first run
        assert rec.headers["WARC-Refers-To-Target-URI"] == url
    report = last_report(store)
    css_js = [p for p in assets.requisite_paths() if p.endswith((".css", ".js"))]
    assert report["counts"]["assets"] == len(css_js)
    assert report["counts"]["revisits"] == len(revisits) == report["counts"]["list_pages"] + len(css_js) - 1 + 1
    # what the crawl keeps of each list and requisite URL, by the hash of its canonical URL
    kept = [json.loads(p.read_text()) for p in (store / "state" / "urls").glob("*.json")]
    assert {k["url"] for k in kept} >= {f"https://www.taipeitimes.com{p}" for p in
                                       ("/News/front", "/xml/index.rss", "/sitemap/sitemap.xml")}
    menu = next(k for k in kept if "/assets/css/menu.css" in k["url"])
    assert menu["record_id"] == responses["/assets/css/menu.css"].record_id
    font = next(k for k in kept if k["url"].endswith("roboto-bold.woff2"))
    assert font["fresh_until"] > font["fetched_at"]
    warcio_check(store)
    fastwarc_check(store, tmp_path)
    assert run_cli("verify", "--store", str(store)).code == Exit.OK


def test_no_images_then_images(make_site, tmp_path: Path) -> None:
    site = make_site(days=DAYS, per_section=2)
    store = tmp_path / "archive"
    result = crawl(site, store, "--no-images")
    assert result.code == Exit.OK, result
    expected = photos(site)
    assert not any(hits_by_path(site.hits)[path_of(u)] for u in expected)
    got = records(store)
    assert all("capture" not in image for r in got.values() for image in r["images"])
    with_photos = set(expected.values())
    assert {p.stem for p in (store / "state" / "images-missing").glob("*.json")} == with_photos
    report = last_report(store)
    assert report["parameters"]["no_images"] is True and report["counts"]["images"] == 0
    verify = run_cli("verify", "--store", str(store))
    assert verify.code == Exit.VERIFY_FAILED, verify
    assert sum(line.startswith("missing-image: ") for line in verify.out.splitlines()) == len(expected), verify
    assert "(not fetched)" in verify.out

    # the next run with photos fetches the pages of the articles missing them again (revisits) and their photos
    site.reset_hits()
    again = crawl(site, store)
    assert again.code == Exit.OK, again
    assert {a.id for a in site.corpus if site.article_hits(a.id)} == with_photos
    assert all(site.article_hits(i) == 1 for i in with_photos)
    assert all(image.get("capture") for r in records(store).values() for image in r["images"])
    assert not list((store / "state" / "images-missing").glob("*.json"))
    assert last_report(store)["counts"]["articles_unchanged"] == len(with_photos)
    assert run_cli("verify", "--store", str(store)).code == Exit.OK


def test_a_failing_photo_is_reported_the_article_archived_and_the_next_run_completes_it(make_site,
                                                                                        tmp_path: Path) -> None:
    site = make_site(days=DAYS, per_section=2)
    article = next(a for a in sorted(site.corpus, key=lambda a: a.id) if len(a.photos) >= 1 and a.day == REFERENCE_DAY)
    broken = article.photos[0]
    site.inject(path_of(broken.url), Fault.error(404))
    store = tmp_path / "archive"
    result = crawl(site, store)
    assert result.code == Exit.PARTIAL, result
    assert "photos: " in result.err and "1 failed" in result.err
    report = last_report(store)
    assert report["counts"]["images_failed"] == 1 and report["counts"]["articles_failed"] == 0
    assert report["failures"] == [{"kind": "image", "url": broken.url, "id": article.id, "reason": "HTTP 404"}]
    record = records(store)[article.id]
    assert [i["url"] for i in record["images"] if "capture" not in i] == [broken.url]
    assert len(records(store)) == len(listed_ids(site.corpus, DAYS))  # the article and every other, archived
    marker = json.loads((store / "state" / "images-missing" / f"{article.id}.json").read_text())
    assert marker["images"] == [broken.url]

    verify = run_cli("verify", "--store", str(store))
    assert verify.code == Exit.VERIFY_FAILED, verify
    key = f"records/{article.day:%Y/%m/%d}/{article.id}.json"
    assert verify.out.splitlines() == [f"missing-image: {key}: photo 1 ({broken.url}): no capture "
                                       "(the crawl reported: HTTP 404)"], verify
    cov = run_cli("coverage", "--store", str(store), "--since", DAYS[0].isoformat(), "--until", DAYS[-1].isoformat(),
                  "--format", "json")
    assert cov.code == Exit.GAPS_FOUND, cov
    doc = json.loads(cov.out)
    assert doc["gaps"] == 0 and doc["articles_missing_photos"] == 1
    cell = next(c for c in doc["days"] if c["photos_missing"])
    assert cell["photos_missing"] == [{"id": article.id, "url": article.url,
                                       "photos": [{"url": broken.url, "reason": "HTTP 404"}]}]
    table = run_cli("coverage", "--store", str(store), "--since", DAYS[0].isoformat(), "--until", DAYS[-1].isoformat())
    assert table.code == Exit.GAPS_FOUND, table
    assert (f"photo missing: {article.day} {article.section_slug} {article.id}: {broken.url} (HTTP 404)"
            in table.out), table
    assert "1 archived article(s) with photos missing" in " ".join(table.out.split()), table

    # the next run that lists it fetches the page again (unchanged: a revisit) and the photo, and only that
    site.clear_faults()
    site.reset_hits()
    again = crawl(site, store)
    assert again.code == Exit.OK, again
    assert {a.id for a in site.corpus if site.article_hits(a.id)} == {article.id}
    assert hits_by_path(site.hits)[path_of(broken.url)] == 1
    assert all(i.get("capture") for i in records(store)[article.id]["images"])
    assert not (store / "state" / "images-missing" / f"{article.id}.json").exists()
    assert run_cli("verify", "--store", str(store)).code == Exit.OK
    assert leftovers(store) == []


def test_robots_rules_bind_photos_and_requisites(make_site, tmp_path: Path) -> None:
    site = make_site(days=DAYS, per_section=1)
    site.router.robots = "User-agent: *\nDisallow: /assets/js/\nDisallow: /images/\n"
    store = tmp_path / "archive"
    result = crawl(site, store)
    assert result.code == Exit.PARTIAL, result  # the photos are lost parts of their articles
    by_path = hits_by_path(site.hits)
    assert not any(p.startswith(("/assets/js/", "/images/")) for p in by_path)
    assert by_path["/assets/css/style.css"] == 1
    report = last_report(store)
    kinds = Counter(f["kind"] for f in report["failures"])
    assert kinds == {"image": len(photos(site)), "asset": len([p for p in assets.requisite_paths() if "/js/" in p])}
    assert all("robots.txt" in f["reason"] for f in report["failures"])
    assert report["counts"]["assets_failed"] == kinds["asset"]


def test_verify_names_a_photo_pointer_that_leads_nowhere(crawled, tmp_path: Path) -> None:
    first, _ = crawled
    store = tmp_path / "archive"
    shutil.copytree(first, store)
    path = next(p for p in sorted((store / "records").rglob("*.json")) if json.loads(p.read_text())["images"])
    record = json.loads(path.read_text())
    record["images"][0]["capture"]["offset"] += 1
    path.write_text(json.dumps(record))
    key = str(path.relative_to(store))
    for mode in ([], ["--quick"]):
        result = run_cli("verify", "--store", str(store), *mode)
        assert result.code == Exit.VERIFY_FAILED, result
        (line,) = result.out.splitlines()
        assert line.startswith(f"image-pointer: {key}: photo 1 ({record['images'][0]['url']}): "), line
