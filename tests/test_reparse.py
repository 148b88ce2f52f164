"""`newsarchive reparse`: records rebuilt from the stored WARCs reproduce the crawl's, offline and idempotently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.site.server import SiteServer
from tests.support.crawled_archive import copy_store, crawled_archive, small_site, snapshot

pytestmark = pytest.mark.e2e

OLD_PARSER = "taipeitimes/current@0"


@pytest.fixture(scope="module")
def site() -> SiteServer:
    """The site is stopped once crawled: reparse must need nothing but the store."""
    return small_site()


@pytest.fixture(scope="module")
def archive(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawled_archive(site, tmp_path_factory.mktemp("reparse"), Exit.OK)


@pytest.fixture
def store(archive: Path, tmp_path: Path) -> Path:
    return copy_store(archive, tmp_path / "archive")


def reparse(store: Path, *args: str) -> dict:
    result = run_cli("reparse", "--store", str(store), "--format", "json", *args)
    assert result.code == Exit.OK, result
    return json.loads(result.out)


def edit(path: Path, **fields: object) -> None:
    record = json.loads(path.read_text())
    record.update(fields)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1))


def by_day(store: Path) -> list[list[Path]]:
    days = sorted((store / "records").glob("*/*/*"))
    return [sorted(day.glob("*.json")) for day in days]


def test_sound_archive_is_left_alone(store: Path) -> None:
    before = snapshot(store)
    counts = reparse(store)
    assert counts["written"] == 0 and counts["failures"] == []
    assert counts["unchanged"] == len([k for k in before if k.startswith("records/")])
    assert snapshot(store) == before


def test_reparse_reproduces_the_records(archive: Path, store: Path) -> None:
    day1, day2 = by_day(store)
    # an old parser's record with a wrong headline; another that only names an old parser; one lost with its state
    wrong, stale, lost = day1[0], day1[1], day2[0]
    edit(wrong, headline="What an old parser made of it", parser=OLD_PARSER)
    edit(stale, parser=OLD_PARSER)
    lost.unlink()
    (store / "state" / "articles" / lost.name).unlink()

    counts = reparse(store)
    assert (counts["changed"], counts["rewritten"], counts["created"], counts["failures"]) == (1, 1, 1, []), counts

    original = snapshot(archive)
    rebuilt = snapshot(store)
    for key, data in original.items():
        if key.startswith("records/"):
            assert rebuilt[key] == data, key  # byte for byte: provenance and capture pointer included
    # the lost article's state is back, so the next crawl treats it as archived
    state = json.loads(rebuilt[f"state/articles/{lost.name}"])
    assert state["record"] == str(lost.relative_to(store)) and state["payload_digest"]
    # the content change left the old version in history/, under the capture's fetch time
    history = [k for k in rebuilt if k.startswith("history/")]
    assert len(history) == 1 and f"/{wrong.stem}/" in history[0], history
    assert json.loads(rebuilt[history[0]])["headline"] == "What an old parser made of it"
    assert json.loads(rebuilt[str(stale.relative_to(store))])["parser"] != OLD_PARSER

    # idempotent: a second run writes nothing
    again = reparse(store)
    assert again["written"] == 0 and again["unchanged"] == counts["unchanged"] + 3
    assert snapshot(store) == rebuilt
    verified = run_cli("verify", "--store", str(store))
    assert verified.code == Exit.OK, verified


def test_date_window(store: Path, site: SiteServer) -> None:
    day1, day2 = by_day(store)
    for path in (day1[0], day2[0]):
        edit(path, parser=OLD_PARSER)
    first = site.corpus.days[0].isoformat()
    counts = reparse(store, "--since", first, "--until", first)
    assert counts["rewritten"] == 1 and counts["unchanged"] == len(day1) - 1
    assert json.loads(day2[0].read_text())["parser"] == OLD_PARSER  # outside the window: untouched
    assert json.loads(day1[0].read_text())["parser"] != OLD_PARSER


def test_unreadable_capture_is_reported(store: Path) -> None:
    record = by_day(store)[0][0]
    capture = json.loads(record.read_text())["capture"]
    (store / capture["warc"]).unlink()
    before = record.read_bytes()
    result = run_cli("reparse", "--store", str(store))
    assert result.code == Exit.BAD_INPUT, result
    assert f"failed: {record.relative_to(store)}: WARC {capture['warc']} is missing" in result.err, result
    assert record.read_bytes() == before  # a record is never lost for want of its capture


def test_bad_window(store: Path) -> None:
    assert_one_line_error(run_cli("reparse", "--store", str(store), "--since", "2024-13-01"), Exit.USAGE)
    assert_one_line_error(run_cli("reparse", "--store", str(store), "--since", "2024-10-02", "--until", "2024-10-01"),
                          Exit.USAGE)
