"""`newsarchive coverage`: listed against archived per print day and section, from the captured lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.site.corpus import SiteArticle
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.crawled_archive import copy_store, crawled_archive, plain_article, small_site, window

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> SiteServer:
    """On the first day the site lists a world article it then fails (404) and a front article the parser
    refuses; the site is stopped once crawled: coverage reads only the store."""
    server = small_site()
    server.inject(plain_article(server, "world").path(), Fault.error(404))
    server.inject(plain_article(server, "front").path(), Fault.unknown_layout())
    return server


@pytest.fixture(scope="module")
def archive(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawled_archive(site, tmp_path_factory.mktemp("coverage"), Exit.PARTIAL)


def coverage(store: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("coverage", "--store", str(store), "--format", "json", *args)
    assert result.code in (Exit.OK, Exit.GAPS_FOUND), result
    return result.code, json.loads(result.out)


def cell(report: dict, article: SiteArticle) -> dict:
    return next(c for c in report["days"] if c["day"] == article.day.isoformat() and c["section"] == article.section_slug)


def listed_on(site: SiteServer, article: SiteArticle) -> set[str]:
    """What the site's list for that article's day and section links: the generator's truth."""
    return {a.id for a, _path in site.corpus.listing(article.section_slug, article.day)}


def test_finds_the_failed_articles(archive: Path, site: SiteServer) -> None:
    code, report = coverage(archive, *window(site), "--sections", "front,world")
    assert code == Exit.GAPS_FOUND
    failed_404, refused = plain_article(site, "world"), plain_article(site, "front")
    assert report["gaps"] == 2 and report["lists_not_captured"] == 0 and not report["complete"]
    for article, reason in ((failed_404, "HTTP 404"), (refused, "not an article")):
        c = cell(report, article)
        assert c["missing"] == [{"id": article.id, "url": article.url, "reason": c["missing"][0]["reason"]}]
        assert c["missing"][0]["reason"].startswith(reason), c
        assert c["listed"] == len(listed_on(site, article)) and c["archived"] == c["listed"] - 1
    for c in report["days"]:
        if c["day"] != site.corpus.days[0].isoformat():
            assert c["missing"] == [] and c["listed"] >= 3 and c["listed"] == c["archived"], c


def test_complete_day(archive: Path, site: SiteServer) -> None:
    second = site.corpus.days[1].isoformat()
    code, report = coverage(archive, "--since", second, "--until", second, "--sections", "front,world")
    assert code == Exit.OK and report["complete"] and report["gaps"] == 0


def test_planted_gap(archive: Path, site: SiteServer, tmp_path: Path) -> None:
    """An article whose record and state vanished is listed but not archived."""
    store = copy_store(archive, tmp_path / "archive")
    victim = plain_article(site, "world", day_index=1)
    (store / "records" / f"{victim.day:%Y/%m/%d}" / f"{victim.id}.json").unlink()
    (store / "state" / "articles" / f"{victim.id}.json").unlink()
    second = victim.day.isoformat()
    code, report = coverage(store, "--since", second, "--until", second, "--sections", "front,world")
    assert code == Exit.GAPS_FOUND
    assert cell(report, victim)["missing"] == [{"id": victim.id, "url": victim.url, "reason": None}]
    assert report["gaps"] == 1

    table = run_cli("coverage", "--store", str(store), "--since", second, "--until", second, "--sections", "world")
    assert table.code == Exit.GAPS_FOUND, table
    assert victim.id in table.out and "1 listed article(s) not archived" in table.out, table


def test_sections_never_crawled(archive: Path, site: SiteServer) -> None:
    code, report = coverage(archive, *window(site), "--sections", "biz")
    assert code == Exit.GAPS_FOUND
    assert report["lists_not_captured"] == len(site.corpus.days)
    assert all(not c["list_captured"] for c in report["days"])


def test_usage(archive: Path) -> None:
    assert_one_line_error(run_cli("coverage", "--store", str(archive), "--since", "2024-10-01"), Exit.USAGE)
    assert_one_line_error(run_cli("coverage", "--store", str(archive), "--since", "2024-10-01", "--until",
                                  "2024-10-01", "--sections", "nope"), Exit.USAGE)
