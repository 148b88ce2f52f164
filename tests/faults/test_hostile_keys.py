"""One id, one record key, for ever; keys of the documented layout only; ids of ASCII digits (issue 11, 6 and 7).

Before: a print date the site corrected made `--refresh` write a second record
under the new date ("1 new"; export gave 3 rows for 2 articles; verify said
sound); a date line "Mon, Jan 01, 0001" filed a record at `records/1/01/01/`
and marked it archived for ever; a link with fullwidth digits
(２００７６３６０６７) became a second article.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import assert_store_layout, crawl, run_measured
from tests.faults.hostile import HostileSite
from tests.support.archive_contents import records

pytestmark = pytest.mark.e2e



def record_files(store: Path) -> list[Path]:
    return sorted((store / "records").rglob("*.json"))


def test_a_corrected_print_date_is_a_revision_of_the_one_record(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    store = tmp_path / "archive"
    first = crawl(site, store, sections=("world",))
    assert first.code == Exit.OK, first.result
    keys_before = record_files(store)
    article = site.articles("world")[0]
    corrected = article.day - dt.timedelta(days=1)
    site.plant_print_date(article, corrected)
    again = crawl(site, store, "--refresh", sections=("world",))
    assert again.code == Exit.OK, again.result
    assert record_files(store) == keys_before  # no second key
    report = again.report()
    assert report["counts"]["articles_new"] == 0 and report["counts"]["articles_changed"] == 1
    assert report["changes"] == [{"id": article.id, "url": article.url, "fields": ["published"]}]
    record = records(store)[article.id]
    assert record["published"] == corrected.isoformat()
    (kept,) = (store / "history").rglob(f"{article.id}/*.json")
    assert json.loads(kept.read_text())["published"] == article.day.isoformat()
    out = tmp_path / "export.jsonl"
    exported, _, _ = run_measured(["export", "--store", str(store), "--format", "jsonl", "--output", str(out)])
    assert exported.code == Exit.OK, exported
    assert len(out.read_text().splitlines()) == len(keys_before)  # one row per article
    assert_store_layout(store)
    verified, _, _ = run_measured(["verify", "--store", str(store)])
    assert verified.code == Exit.OK, verified

    # an id under two keys (what the old crawl left) is what verify reports
    twin = store / "records" / f"{corrected:%Y/%m/%d}" / f"{article.id}.json"
    twin.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(next(p for p in keys_before if p.stem == article.id), twin)
    verified, _, _ = run_measured(["verify", "--store", str(store)])
    assert verified.code == Exit.VERIFY_FAILED, verified
    assert f"duplicate: records/{article.day:%Y/%m/%d}/{article.id}.json: article {article.id} also has a record " \
           f"at records/{corrected:%Y/%m/%d}/{article.id}.json" in verified.out, verified


def test_a_print_date_outside_the_papers_life_is_a_parse_failure(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    article = site.articles("world")[1]
    site.plant_print_date(article, "0001-01-01", year_text="Mon, Jan 01, 0001 page5")
    store = tmp_path / "archive"
    done = crawl(site, store, sections=("world",))
    assert done.code == Exit.PARTIAL, done.result
    assert done.failures() == {article.id: "not an article: print date 0001-01-01 outside the paper's life "
                                           f"(1999-06-15..{site.day + dt.timedelta(days=1)})"}
    assert article.id not in records(store)
    assert not (store / "state" / "articles" / f"{article.id}.json").exists()  # so the next run tries again
    assert_store_layout(store)
    site.unplant()
    healed = crawl(site, store, sections=("world",))
    assert healed.code == Exit.OK, healed.result
    assert records(store)[article.id]["published"] == article.day.isoformat()


def test_fullwidth_digits_are_not_an_id(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    site.plant_fullwidth_links("world")
    store = tmp_path / "archive"
    done = crawl(site, store, sections=("world",))
    assert done.code == Exit.OK, done.result
    assert set(records(store)) == {a.id for a in site.articles("world")}
    assert not any("%EF%BC" in target for target in site.hits)  # never fetched
    assert_store_layout(store)
