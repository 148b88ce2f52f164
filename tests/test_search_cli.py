"""`newsarchive search | show | index` as a user runs them: real processes, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.plugins.cli import assert_one_line_error
from tests.plugins.search import KRATHON, expected_ids

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every run of the module shares one index cache, as a user's runs would."""
    return {"NEWSARCHIVE_CACHE": str(tmp_path_factory.mktemp("cache")), "COLUMNS": "200"}


def test_jsonl_prints_whole_records_with_scores(cli, env, store_root: Path, records: list) -> None:
    result = cli("search", "typhoon", "--store", str(store_root), "--format", "jsonl", "--limit", "100", env=env)
    assert result.code == Exit.OK, result
    rows = [json.loads(line) for line in result.out.splitlines()]
    by_id = {r["id"]: r for r in records}
    assert {row["id"] for row in rows} == expected_ids(records, ["typhoon"])
    for row in rows:
        score = row.pop("score")
        assert isinstance(score, float) and score > 0
        assert row == by_id[row["id"]]


def test_table_shows_date_section_headline_byline_url_and_highlights(cli, env, store_root: Path) -> None:
    result = cli("search", f'"{KRATHON}"', "--store", str(store_root), "--limit", "3", env=env)
    assert result.code == Exit.OK, result
    first = result.out.index("2006849001")
    for text in ("2024-10-02", "Taiwan News", KRATHON, "By Lee I-chia / Staff reporter"):
        assert text in result.out, result.out
    assert "https://www.taipeitimes.com/News/taiwan/archives/2024/10/02/2006849001" in result.out
    assert result.out.index(KRATHON) < first  # the best match is the first row
    assert f"**{KRATHON}**" in result.out  # a phrase is highlighted whole


def test_csv_with_filters(cli, env, store_root: Path, records: list) -> None:
    result = cli("search", "government", "--store", str(store_root), "--format", "csv", "--limit", "500",
                 "--section", "biz", "--since", "2024-10-02", "--agency", "REUTERS", env=env)
    assert result.code == Exit.OK, result
    rows = list(csv.DictReader(io.StringIO(result.out)))
    keep = lambda r: r["section_slug"] == "biz" and r["published"] >= "2024-10-02" and "Reuters" in r["agencies"]  # noqa: E731
    assert {row["id"] for row in rows} == expected_ids(records, ["government"], keep=keep)
    assert rows and set(rows[0]) == {"score", "id", "published", "section_slug", "headline", "byline", "url", "snippet",
                                        "snippet_field"}


def test_no_matches_is_not_an_error(cli, env, store_root: Path) -> None:
    result = cli("search", "xylophonist", "--store", str(store_root), env=env)
    assert (result.code, result.out.strip()) == (Exit.OK, "No articles match."), result


@pytest.mark.parametrize("args", [
    ['"martial law'],                       # the query cannot be parsed
    ["?!"],                                 # nothing to search for
    ["typhoon", "--section", "opinion"],
    ["typhoon", "--since", "2024-10-32"],
    ["typhoon", "--until", "last week"],
    ["typhoon", "--limit", "0"],
    ["typhoon", "--format", "xml"],
])
def test_bad_input_is_one_line_and_usage(cli, env, store_root: Path, args: list) -> None:
    assert_one_line_error(cli("search", *args, "--store", str(store_root), env=env), Exit.USAGE)


def test_store_without_records_is_bad_input(cli, env, tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    for args in (["search", "typhoon"], ["index"], ["show", "2006849001"],
                 ["export", "--format", "jsonl", "--output", str(tmp_path / "out.jsonl")]):
        assert_one_line_error(cli(*args, "--store", str(tmp_path), env=env), Exit.BAD_INPUT)
    assert not (tmp_path / "out.jsonl").exists()


def test_show_prints_the_article_and_its_capture(cli, env, store_root: Path, records: list) -> None:
    record = next(r for r in records if r["id"] == "2006849001")
    result = cli("show", "2006849001", "--store", str(store_root), env=env)
    assert result.code == Exit.OK, result
    for text in (record["headline"], record["deck"], record["byline"], record["url"], *record["body"],
                 record["capture"]["warc"], str(record["capture"]["offset"]), str(record["capture"]["length"]),
                 record["capture"]["record_id"], record["capture"]["payload_digest"]):
        assert text in result.out, text


def test_show_unknown_and_malformed_ids(cli, env, store_root: Path) -> None:
    assert_one_line_error(cli("show", "2000000001", "--store", str(store_root), env=env), Exit.BAD_INPUT)
    assert_one_line_error(cli("show", "../etc/passwd", "--store", str(store_root), env=env), Exit.USAGE)


def test_index_command_and_rebuild(cli, store_root: Path, records: list, tmp_path: Path) -> None:
    env = {"NEWSARCHIVE_CACHE": str(tmp_path / "cache")}
    first = cli("index", "--store", str(store_root), env=env)
    assert first.code == Exit.OK, first
    assert f"{len(records)} records: {len(records)} added" in first.out
    assert str(tmp_path / "cache" / "index") in first.out
    again = cli("index", "--store", str(store_root), env=env)
    assert f"{len(records)} records: 0 added, 0 replaced, 0 removed" in again.out, again
    rebuilt = cli("index", "--rebuild", "--store", str(store_root), env=env)
    assert f"{len(records)} added" in rebuilt.out, rebuilt
