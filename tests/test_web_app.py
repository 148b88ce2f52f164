"""The reading room in-process (FastAPI's TestClient): pages and API over a store of realistic records.

What the pages show is checked against the records and against the same
Archive the command line uses; the browser tests (tests/test_webapp_browser.py)
check the same pages as a reader sees them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsarchive.search import Archive
from newsarchive.store import LocalStore
from newsarchive.web.app import ServeConfig, create_app
from tests.plugins.search import DAYS, expected_ids, write_store
from tests.support.reading_room import XSS_HEADLINE, XSS_ID, plant, plant_report, report, revise, xss_record

LOCAL = "http://127.0.0.1:8000"
KRATHON_ID = "2006849001"
FAILURE = {"kind": "article", "url": "https://www.taipeitimes.com/News/taiwan/archives/2024/10/02/2006849999",
           "id": "2006849999", "reason": "HTTP 500"}


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Iterator[tuple[TestClient, Path]]:
    root = tmp_path_factory.mktemp("room")
    write_store(root, records)
    plant(root, xss_record(DAYS[1]))
    krathon = next(r for r in records if r["id"] == KRATHON_ID)
    revise(root, krathon, "2024-10-03T05:00:00.000000Z", headline="Typhoon Krathon makes landfall in Kaohsiung, two dead",
           body=[krathon["body"][0], "More than 12,000 residents were evacuated from coastal districts."])
    plant_report(root, report("20241001T221500Z-host-1", "OK", 0, "2024-10-01T22:15:00.000000Z",
                              "2024-10-01T22:16:40.500000Z", since="2024-10-01", until="2024-10-02", new=120))
    plant_report(root, report("20241002T221500Z-host-2", "PARTIAL", 4, "2024-10-02T22:15:00.000000Z",
                              "2024-10-02T22:17:05.000000Z", since="2024-10-02", until="2024-10-03", new=60,
                              failures=[FAILURE]))
    app = create_app(ServeConfig(LocalStore(root), index_dir=str(tmp_path_factory.mktemp("index"))))
    app.state.corpus.refresh()
    with TestClient(app, base_url=LOCAL) as client:
        yield client, root


@pytest.fixture(scope="module")
def client(room: tuple[TestClient, Path]) -> TestClient:
    return room[0]


def linked_ids(html: str) -> list[str]:
    import re

    return re.findall(r'<div class="headline"><a href="/articles/(\d{10})">', html)


def test_search_page_lists_what_archive_search_finds(client: TestClient, room: tuple[TestClient, Path]) -> None:
    response = client.get("/", params={"q": "typhoon"})
    assert response.status_code == 200
    top = [h.id for h in Archive(str(room[1]), index_dir=str(client.app.state.corpus.index_dir)).search("typhoon", limit=20)]
    assert linked_ids(response.text) == top
    assert "<mark>" in response.text


def test_filters_reach_the_query(client: TestClient, records: list[dict[str, Any]]) -> None:
    response = client.get("/", params={"q": "typhoon", "section": "taiwan"})
    expected = expected_ids(records, ["typhoon"], keep=lambda r: r["section_slug"] == "taiwan")
    found = set(linked_ids(response.text))
    assert found and found <= expected | {XSS_ID}


def test_a_query_that_cannot_be_read_is_shown_with_the_form(client: TestClient) -> None:
    response = client.get("/", params={"q": '"unclosed'})
    assert response.status_code == 400
    assert "quote is not closed" in response.text
    assert 'value="&#34;unclosed"' in response.text  # the form keeps what was typed


def test_hostile_fields_are_text_everywhere(client: TestClient) -> None:
    for response in (client.get("/", params={"q": "beware"}), client.get(f"/articles/{XSS_ID}")):
        assert response.status_code == 200
        page = response.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        for raw in (XSS_HEADLINE, "<script>document.title", "<b>KICK</b>", "<svg onload", "<a href=javascript"):
            assert raw not in page
    assert 'src="javascript:' not in page and 'href="javascript:' not in page


def test_article_page(client: TestClient, records: list[dict[str, Any]]) -> None:
    record = next(r for r in records if r["id"] == "2006849005")
    page = client.get("/articles/2006849005").text
    for text in ("HISTORY", "Museum marks end of martial law", "A new exhibition in Taipei&#39;s Jingmei district",
                 record["body"][0], record["capture"]["warc"], record["capture"]["payload_digest"],
                 record["capture"]["record_id"].replace("<", "&lt;").replace(">", "&gt;"), "taipeitimes/2",
                 "1 October 2024", "page 2"):
        assert text in page, text


def test_revisions_show_what_changed(client: TestClient) -> None:
    page = client.get(f"/articles/{KRATHON_ID}").text
    assert "Typhoon Krathon makes landfall in Kaohsiung, two dead" in page  # the current version
    assert "Kaohsiung<ins>, two dead</ins>" in page
    assert "More than <del>10</del><ins>12</ins>,000 residents" in page
    assert "1 unchanged item" in page  # the first paragraph, folded


def test_api_article(client: TestClient, room: tuple[TestClient, Path]) -> None:
    response = client.get("/api/articles/2006849005")
    assert response.status_code == 200
    stored = json.loads((room[1] / "records/2024/10/01/2006849005.json").read_bytes())
    assert response.json() == stored


@pytest.mark.parametrize("path", ["/api/articles/2006849000", "/articles/2006849000"])
def test_unknown_id_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api"):
        assert response.json() == {"error": 404, "message": response.json()["message"]}
        assert "2006849000" in response.json()["message"]


@pytest.mark.parametrize("bad", ["12345", "abcdefghij", "20068490011", "..%2F..%2Fetc"])
def test_malformed_id_is_400(client: TestClient, bad: str) -> None:
    response = client.get(f"/api/articles/{bad}")
    assert response.status_code in (400, 404)  # a path with a slash never reaches the route
    if response.status_code == 400:
        assert "not an article id" in response.json()["message"]


def test_api_search_shape(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "typhoon", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "hits"}
    assert len(body["hits"]) == 3
    for hit in body["hits"]:
        assert set(hit) == {"id", "score", "published", "section_slug", "headline", "byline", "url", "snippet"}


@pytest.mark.parametrize("params", [{"q": '"unclosed'}, {"q": "typhoon", "since": "yesterday"},
                                    {"q": "typhoon", "section": "nosuch"}, {"q": ""}, {"q": "x", "limit": "0"}])
def test_api_errors_are_json_400(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == 400 and response.json()["message"]


def test_runs(client: TestClient) -> None:
    page = client.get("/runs").text
    assert page.index("2024-10-02 22:15:00 UTC") < page.index("2024-10-01 22:15:00 UTC")  # newest first
    assert "PARTIAL" in page and "1 min 40 s" in page and "2 min 05 s" in page
    detail = client.get("/runs/20241002T221500Z-host-2").text
    assert FAILURE["url"] in detail and "HTTP 500" in detail
    api = client.get("/api/runs").json()
    assert api["total"] == 2 and [r["run_id"] for r in api["runs"]] == ["20241002T221500Z-host-2", "20241001T221500Z-host-1"]
    assert api["runs"][0]["failures"] == 1 and api["runs"][0]["seconds"] == 125.0
    assert client.get("/runs/..%2Fstate").status_code in (400, 404)
    assert client.get("/runs/nosuch-run").status_code == 404


def test_coverage_of_a_store_without_captures(client: TestClient) -> None:
    """No list was ever captured here (the records were written by hand): every day is a gap, and said so."""
    page = client.get("/coverage", params={"since": "2024-10-01", "until": "2024-10-03"})
    assert page.status_code == 200
    assert page.text.count('class="uncaptured"') == 3 * 8
    api = client.get("/api/coverage", params={"since": "2024-10-01", "until": "2024-10-03", "section": "front"}).json()
    assert api["complete"] is False and api["lists_not_captured"] == 3 and api["sections"] == ["front"]
    too_long = client.get("/api/coverage", params={"since": "2024-01-01", "until": "2024-12-31"})
    assert too_long.status_code == 400


def test_unknown_pages(client: TestClient) -> None:
    assert client.get("/nosuch").status_code == 404
    assert "text/html" in client.get("/nosuch").headers["content-type"]
    assert client.get("/api/nosuch").json()["error"] == 404


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/counts", "/api/articles/{article_id}", "/api/runs", "/api/coverage"} <= set(spec["paths"])
    assert not any(not p.startswith("/api") for p in spec["paths"])
    hit = spec["components"]["schemas"]["SearchHit"]["properties"]
    assert set(hit) == {"id", "score", "published", "section_slug", "headline", "byline", "url", "snippet"}
    assert "/api/search" in client.get("/api").text


def test_download_csv_is_the_whole_result_set(client: TestClient, records: list[dict[str, Any]]) -> None:
    response = client.get("/download.csv", params={"q": "typhoon", "section": "taiwan"})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = expected_ids(records, ["typhoon"], keep=lambda r: r["section_slug"] == "taiwan")
    assert {row["id"] for row in rows} == expected | {XSS_ID}


def test_totals_pages_and_sort(client: TestClient, records: list[dict[str, Any]]) -> None:
    expected = expected_ids(records, ["government"])
    first = client.get("/api/search", params={"q": "government", "limit": 100}).json()
    assert first["total"] == len(expected) > 20
    assert {h["id"] for h in first["hits"]} <= expected
    page_two = client.get("/api/search", params={"q": "government", "limit": 10, "offset": 10}).json()["hits"]
    assert [h["id"] for h in page_two] == [h["id"] for h in first["hits"][10:20]]
    newest = client.get("/api/search", params={"q": "government", "limit": 100, "sort": "date"}).json()["hits"]
    days = [h["published"] for h in newest]
    assert days == sorted(days, reverse=True)
    html = client.get("/", params={"q": "government", "page": 2}).text
    assert f"<strong>{len(expected):,}</strong> articles match" in html and "21–40 shown" in html
    assert linked_ids(html) == [h["id"] for h in first["hits"][20:40]]


def test_counts(client: TestClient, records: list[dict[str, Any]]) -> None:
    expected = expected_ids(records, ["typhoon"])
    by_day = client.get("/api/counts", params={"q": "typhoon", "by": "day"}).json()
    assert set(by_day) == {"total", "buckets"}
    assert by_day["total"] == len(expected) + 1  # and the planted record ("Typhoon readers beware")
    assert [b["key"] for b in by_day["buckets"]] == [d.isoformat() for d in DAYS]
    assert sum(b["count"] for b in by_day["buckets"]) == by_day["total"]
    shares = client.get("/api/counts", params={"q": "typhoon", "by": "day", "normalize": "true"}).json()["buckets"]
    for bucket in shares:
        assert bucket["share"] == pytest.approx(bucket["count"] / bucket["articles"])
    sections = client.get("/api/counts", params={"q": "typhoon", "by": "section", "section": "taiwan,biz"}).json()
    assert {b["key"] for b in sections["buckets"]} <= {"taiwan", "biz"}
    assert client.get("/api/counts", params={"q": "typhoon", "by": "week"}).status_code == 400


def test_chart(client: TestClient) -> None:
    svg = client.get("/chart.svg", params={"q": "typhoon", "by": "day"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    counts = client.get("/api/counts", params={"q": "typhoon", "by": "day"}).json()["buckets"]
    assert svg.text.count('class="bar"') == sum(1 for b in counts if b["count"])
    split = client.get("/chart.svg", params={"q": "typhoon", "by": "day", "split": "1", "measure": "share"}).text
    assert "Taiwan News" in split and " %" in split
    hostile = client.get("/chart.svg", params={"q": "<script>alert(1)</script> typhoon"}).text
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
    page = client.get("/", params={"q": "typhoon"}).text
    assert '<object data="/chart.svg?q=typhoon' in page


def test_citations_name_the_capture(client: TestClient, records: list[dict[str, Any]]) -> None:
    record = next(r for r in records if r["id"] == "2006849005")
    page = client.get("/articles/2006849005").text
    assert 'id="cite-apa"' in page and "<i>Taipei Times</i>" in page
    assert record["capture"]["payload_digest"] in page.split('id="cite-apa"')[1].split("</p>")[0]
    assert "@article{taipeitimes-2006849005" in page
    hostile = client.get(f"/articles/{XSS_ID}").text.split('id="cite-apa"')[1].split("</p>")[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile and "<img" not in hostile


def test_the_empty_search_page_says_what_the_archive_holds(client: TestClient, records: list[dict[str, Any]]) -> None:
    page = client.get("/").text
    assert f"The archive holds <strong>{len(records) + 1}</strong> articles printed in 2024." in page
    assert '<object data="/chart.svg"' in page
    svg = client.get("/chart.svg").text
    assert "Articles archived per day" in svg and svg.count('class="bar"') == len(DAYS)
