"""The reading room in a real browser: Debian's Chromium, driven by Playwright, against `newsarchive serve`.

The store is a real crawl of the local copy of the site (three print days,
every section), plus a planted record whose fields are all markup, an
article the site edited (a revision), and one archived article deleted (a
gap coverage must show). Each test saves screenshots of the pages it visits
(the folder is named at the end of the run).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.search import Archive
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.plugins.webapp import ReadingRoom
from tests.site.corpus import Corpus, default_days
from tests.site.server import SiteServer
from tests.support.reading_room import XSS_HEADLINE, XSS_ID, plant, revise, xss_record

pytestmark = pytest.mark.e2e

DAYS = default_days(3)
WORD = "government"  # in most articles: enough hits to paginate
TOKEN = "reading-room-token-0123456789"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A crawled store, then the plants; returns where it is and what was planted."""
    store = tmp_path_factory.mktemp("webapp") / "archive"
    with SiteServer(Corpus(days=DAYS)) as site:
        result = run_cli("crawl", "--base-url", site.base_url, "--store", str(store), "--since", DAYS[0].isoformat(),
                         "--until", DAYS[-1].isoformat(), timeout=300)
    assert result.code == 0, result
    records = sorted(store.glob("records/*/*/*/*.json"))
    plant(store, xss_record(DAYS[1]))
    edited = json.loads(records[0].read_text())
    later = dt.datetime.fromisoformat(edited["fetched_at"].replace("Z", "+00:00")) + dt.timedelta(days=1)
    revise(store, edited, later.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), headline=edited["headline"] + " (updated)")
    gone = records[-1]
    gone.unlink()  # archived once, lost since: coverage must show the gap
    return {"store": store, "edited": edited["id"], "gone": gone.stem, "gone_day": gone.parent}


@pytest.fixture(scope="module")
def room(archive: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadingRoom]:
    server = ReadingRoom(archive["store"], tmp_path_factory.mktemp("serve")).start()
    try:
        yield server
    finally:
        server.stop()


def result_ids(page: Any) -> list[str]:
    return [re.sub(r"\D", "", href) for href in page.locator("ol.results .headline a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]


def test_search_filter_paginate(room: ReadingRoom, page: Any, screenshot: Any) -> None:
    page.goto(room.url + "/")
    screenshot(page, "empty")
    page.fill("input[name=q]", WORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"q=government"))
    first = result_ids(page)
    assert len(first) == 20
    total = int(page.locator(".summary .count strong").inner_text().replace(",", ""))
    assert total == json.loads(room.get(f"/api/search?q={WORD}"))["total"] > 40
    screenshot(page, "results")

    page.check("input[type=checkbox][name=section][value=taiwan]")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"section=taiwan"))
    metas = page.locator("ol.results .meta").all_inner_texts()
    assert metas and all("Taiwan News" in m for m in metas)
    assert page.locator("input[type=checkbox][name=section][value=taiwan]").is_checked()  # the form keeps the filter
    screenshot(page, "filtered")

    page.click("text=Next ›")
    page.wait_for_url(re.compile(r"page=2"))
    second = result_ids(page)
    assert second and not set(second) & set(result_ids_of(room, "section=taiwan"))
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    screenshot(page, "page-2")


def test_the_chart_is_drawn(room: ReadingRoom, page: Any, screenshot: Any) -> None:
    page.goto(room.url + f"/?q={WORD}")
    bars = "o => o.contentDocument ? o.contentDocument.querySelectorAll('rect.bar').length : -1"
    page.wait_for_function(f"({bars})(document.querySelector('.chart object')) > 0")
    assert page.locator(".chart object").evaluate(bars) == len(DAYS)  # per day: the range is three days
    page.select_option("select[name=measure]", "share")
    page.check("input[name=split]")
    page.click("text=Redraw")
    page.wait_for_url(re.compile(r"split=1"))
    page.wait_for_function(f"({bars})(document.querySelector('.chart object')) > {len(DAYS)}")
    titles = page.locator(".chart object").evaluate(
        "o => Array.from(o.contentDocument.querySelectorAll('rect.bar title')).map(t => t.textContent)")
    assert any("Taiwan News" in t and t.endswith("%") for t in titles)
    screenshot(page, "split-share")


def result_ids_of(room: ReadingRoom, query: str) -> list[str]:
    html = room.get(f"/?q={WORD}&{query}").decode()
    return re.findall(r'<div class="headline"><a href="/articles/(\d{10})">', html)


def test_open_an_article(room: ReadingRoom, archive: dict[str, Any], page: Any, screenshot: Any) -> None:
    page.goto(room.url + f"/?q={WORD}")
    headline = page.locator("ol.results .headline a").first.inner_text()
    page.locator("ol.results .headline a").first.click()
    page.wait_for_url(re.compile(r"/articles/\d{10}$"))
    assert page.locator("h1").inner_text() == headline
    assert page.locator(".body p").count() > 1
    photo = page.locator("figure.photo img").first  # the crawl captured it: served from its capture
    assert photo.get_attribute("src").startswith("/articles/")
    photo.scroll_into_view_if_needed()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=photo.element_handle())
    provenance = page.locator("dl.facts").inner_text()
    assert "warc/" in provenance and "sha1:" in provenance and "taipeitimes/" in provenance
    apa = page.locator("#cite-apa").inner_text()
    assert headline in apa and "Taipei Times" in apa and "Archived capture: WARC record <urn:uuid:" in apa
    page.click("text=BibTeX")
    assert page.locator("#cite-bibtex").inner_text().startswith("@article{taipeitimes-")
    screenshot(page, "article")


def test_a_revised_article_shows_the_diff(room: ReadingRoom, archive: dict[str, Any], page: Any, screenshot: Any) -> None:
    page.goto(room.url + f"/articles/{archive['edited']}")
    assert page.locator("h1").inner_text().endswith("(updated)")
    assert page.locator(".revision ins").first.inner_text().strip() == "(updated)"
    screenshot(page, "revision")


def test_hostile_headline_is_text(room: ReadingRoom, page: Any, screenshot: Any) -> None:
    page.goto(room.url + "/?q=beware")
    assert page.locator("ol.results .headline a").first.inner_text() == XSS_HEADLINE
    assert page.locator("ol.results img").count() == 0
    screenshot(page, "results")
    page.goto(room.url + f"/articles/{XSS_ID}")
    assert page.locator("h1").inner_text() == XSS_HEADLINE
    assert page.locator("article img, article script, article svg, .byline a").count() == 0
    assert page.title().startswith(XSS_HEADLINE)  # and not "pwned": the body's script never ran
    page.wait_for_timeout(500)
    assert page.dialogs == []
    screenshot(page, "article")


def test_download_csv_and_read_it_back(room: ReadingRoom, archive: dict[str, Any], page: Any, tmp_path: Path) -> None:
    page.goto(room.url + f"/?q={WORD}&section=world")
    with page.expect_download() as caught:
        page.click("text=CSV")
    path = tmp_path / "download.csv"
    caught.value.save_as(path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected = {h.id for h in Archive(str(archive["store"]), index_dir=str(tmp_path / "index")).search(
        WORD, section="world", limit=10_000, snippets=False)}
    assert {row["id"] for row in rows} == expected and len(rows) == len(expected) > 20
    assert all(row["section_slug"] == "world" for row in rows)


def test_coverage_shows_the_gap(room: ReadingRoom, archive: dict[str, Any], page: Any, screenshot: Any) -> None:
    day = dt.date(*(int(p) for p in archive["gone_day"].parts[-3:]))
    page.goto(room.url + f"/coverage?since={DAYS[0]}&until={DAYS[-1]}")
    assert page.locator("table.calendar td.gap").count() == 1
    assert page.locator("table.calendar td.complete").count() > 10
    gaps = page.locator("table.data").inner_text()
    assert archive["gone"] in gaps and str(day) in gaps
    screenshot(page, "calendar")


def test_runs(room: ReadingRoom, page: Any, screenshot: Any) -> None:
    page.goto(room.url + "/runs")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    assert "OK" in rows.first.inner_text()
    screenshot(page, "history")
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/runs/.+"))
    assert "articles new" in page.locator("table.data").first.inner_text()
    screenshot(page, "run")
    page.goto(room.url + "/api")
    assert page.locator("h2").count() >= 5
    screenshot(page, "api")


def test_a_network_bind_without_a_token_is_refused(archive: dict[str, Any]) -> None:
    result = run_cli("serve", "--store", str(archive["store"]), "--host", "0.0.0.0", "--port", "0", timeout=60)
    assert_one_line_error(result, 2)
    assert "--token" in result.err


def test_a_network_bind_asks_every_request_for_the_token(archive: dict[str, Any], reading_room: Any, page: Any,
                                                         screenshot: Any) -> None:
    room = reading_room(archive["store"], host="0.0.0.0", token=TOKEN)
    response = page.goto(room.url + f"/?q={WORD}")
    assert response.status == 401
    assert page.locator("input[name=token]").count() == 1
    screenshot(page, "refused")
    api = page.request.get(room.url + f"/api/search?q={WORD}")
    assert api.status == 401 and "token" in api.json()["message"]
    assert page.request.get(room.url + f"/api/search?q={WORD}",
                            headers={"Authorization": f"Bearer {TOKEN}"}).status == 200
    page.fill("input[name=token]", TOKEN)  # the form on the refusal page sends it once
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "token=" not in page.url  # the token left the address for a cookie
    page.goto(room.url + f"/?q={WORD}")
    assert len(result_ids(page)) == 20
    page.click("text=Next ›")
    page.wait_for_url(re.compile(r"page=2"))
    assert len(result_ids(page)) == 20
    screenshot(page, "admitted")


def test_make_demo_ends_in_the_reading_room(tmp_path: Path, page: Any, screenshot: Any) -> None:
    """`python -m tests.site.demo` (what `make demo` runs): crawl, then serve and print the URL; SIGTERM stops it."""
    import os
    import signal
    import subprocess
    import sys

    from tests.plugins.cli import REPO
    from tests.plugins.process import free_port

    port = free_port()
    env = {**os.environ, "NEWSARCHIVE_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "tests.site.demo", "--store", str(tmp_path / "archive"), "--days", "2",
                             "--port", str(port)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("reading room for"):
                break
        url = re.search(r"at (http://\S+)", lines[-1])
        assert url and url.group(1) == f"http://127.0.0.1:{port}/", lines
        assert any("crawl exit code 0" in line for line in lines), lines
        page.goto(url.group(1) + f"?q={WORD}")
        assert len(result_ids(page)) == 20
        screenshot(page, "demo")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
