"""The research commands as a user runs them: totals, counts, concordances, query exports, citations,
captures; every error one line with its exit code."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.exitcodes import Exit
from newsarchive.search.export import CSV_COLUMNS
from tests.plugins.cli import REPO, assert_one_line_error
from tests.plugins.search import expected_ids
from tests.site.server import SiteServer
from tests.support.crawled_archive import crawled_archive, small_site

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"NEWSARCHIVE_CACHE": str(tmp_path_factory.mktemp("cache")), "COLUMNS": "80"}


def test_totals_on_the_table_and_on_stderr(cli, env, store_root: Path, records: list) -> None:
    total = len(expected_ids(records, ["government"]))
    table = cli("search", "government", "--store", str(store_root), "--limit", "3", env=env)
    assert table.code == Exit.OK, table
    assert table.out.startswith(f"3 of {total} articles · government")
    for fmt in ("csv", "jsonl"):
        result = cli("search", "government", "--store", str(store_root), "--format", fmt, "--limit", "3", env=env)
        assert result.err.strip() == f"3 of {total} articles", result
    every = cli("search", "government", "--store", str(store_root), "--format", "jsonl", "--all", env=env)
    assert every.err.strip() == f"{total} articles"
    assert {json.loads(line)["id"] for line in every.out.splitlines()} == expected_ids(records, ["government"])


def test_the_table_fits_80_columns(cli, env, store_root: Path) -> None:
    result = cli("search", "typhoon OR minister", "--store", str(store_root), "--limit", "20", env=env)
    assert result.code == Exit.OK, result
    assert max(len(line) for line in result.out.splitlines()) <= 80
    assert "https://" not in result.out  # no room for a whole URL: the id is under the date
    assert "2006849001" in result.out and "Lee I-chia" in result.out


def test_a_query_may_start_with_a_minus(cli, env, store_root: Path, records: list) -> None:
    result = cli("search", "-kaohsiung typhoon", "--store", str(store_root), "--all", "--format", "jsonl", env=env)
    assert result.code == Exit.OK, result
    ids = {json.loads(line)["id"] for line in result.out.splitlines()}
    assert ids == expected_ids(records, ["typhoon"], exclude=["kaohsiung"]) and ids
    explained = cli("search", "-kaohsiung typhoon OR storm", "--explain", "--store", str(store_root), env=env)
    assert explained.out.strip() == "(NOT kaohsiung AND (typhoon OR storm))"


def test_counts_in_every_format(cli, env, store_root: Path, records: list) -> None:
    ids = expected_ids(records, ["government"])
    per_day = {d: sum(1 for r in records if r["id"] in ids and r["published"] == d) for d in
               sorted({r["published"] for r in records})}
    jsonl = cli("search", "government", "--count-by", "day", "--format", "jsonl", "--store", str(store_root), env=env)
    assert [json.loads(line) for line in jsonl.out.splitlines()] == [{"key": d, "count": n} for d, n in per_day.items()]
    assert jsonl.err.strip() == f"{len(ids)} articles, 3 buckets by day"
    normalized = cli("search", "government", "--count-by", "day", "--normalize", "--format", "csv",
                     "--store", str(store_root), env=env)
    rows = list(csv.DictReader(io.StringIO(normalized.out)))
    assert [(r["key"], int(r["count"])) for r in rows] == list(per_day.items())
    assert all(0 < float(r["share"]) <= 1 and int(r["articles"]) >= int(r["count"]) for r in rows)
    table = cli("search", "government", "--count-by", "section", "--store", str(store_root), env=env)
    assert table.code == Exit.OK and "█" in table.out
    assert max(len(line) for line in table.out.splitlines()) <= 80


def test_kwic_in_every_format(cli, env, store_root: Path, records: list) -> None:
    jsonl = cli("kwic", '"made landfall"', "--all", "--format", "jsonl", "--width", "15", "--store", str(store_root),
                env=env)
    assert jsonl.code == Exit.OK, jsonl
    lines = [json.loads(line) for line in jsonl.out.splitlines()]
    assert {ln["id"] for ln in lines} == expected_ids(records, ["made landfall"])
    assert all(ln["match"].lower() == "made landfall" and len(ln["left"]) <= 15 for ln in lines)
    assert jsonl.err.startswith(f"{len(lines)} lines in ")
    as_csv = cli("kwic", "typhoon", "--format", "csv", "--store", str(store_root), env=env)
    assert next(csv.reader(io.StringIO(as_csv.out))) == ["id", "published", "section", "field", "paragraph", "left",
                                                         "match", "right"]
    table = cli("kwic", "typhoon", "--limit", "5", "--store", str(store_root), env=env)
    assert table.code == Exit.OK and "**typhoon**" in table.out.lower()
    assert max(len(line) for line in table.out.splitlines()) <= 80


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_a_query(cli, env, store_root: Path, records: list, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"typhoon.{fmt}"
    result = cli("export", "--format", fmt, "--output", str(out), "--query", "typhoon OR earthquake", "--section",
                 "taiwan,front", "--store", str(store_root), env=env)
    assert result.code == Exit.OK, result
    wanted = sorted((r for r in records if r["section_slug"] in ("taiwan", "front")
                     and r["id"] in expected_ids(records, ["typhoon"]) | expected_ids(records, ["earthquake"])),
                    key=lambda r: (r["published"], r["id"]))
    if fmt == "parquet":
        ids = pq.read_table(out).column("id").to_pylist()
    elif fmt == "csv":
        ids = [row["id"] for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]
    else:
        ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [r["id"] for r in wanted] and ids


def test_export_partitions_and_excel(cli, env, store_root: Path, records: list, tmp_path: Path) -> None:
    result = cli("export", "--format", "parquet", "--output", str(tmp_path / "corpus"), "--partition-by", "year",
                 "--store", str(store_root), env=env)
    assert result.code == Exit.OK, result
    assert [p.name for p in (tmp_path / "corpus").iterdir()] == ["year=2024"]
    assert pq.read_table(tmp_path / "corpus" / "year=2024" / "part-0.parquet").num_rows == len(records)
    excel = cli("export", "--format", "csv", "--excel", "--output", "-", "--query", "typhoon",
                "--store", str(store_root), env=env)
    assert excel.out.startswith("\ufeff" + ",".join(CSV_COLUMNS))


@pytest.mark.parametrize("args", [
    ["search", "typhoon"], ["search", "typhoon", "--count-by", "month"], ["kwic", "typhoon"], ["show", "2006849001"],
    ["index"], ["export", "--format", "csv", "--output", "x.csv"],
])
def test_a_store_that_does_not_exist_is_a_usage_error(cli, env, tmp_path: Path, args: list) -> None:
    assert_one_line_error(cli(*args, "--store", str(tmp_path / "nonexistent"), env=env, cwd=tmp_path), Exit.USAGE)
    assert not (tmp_path / "nonexistent").exists()


def test_every_corpus_command_takes_an_s3_endpoint(cli, env) -> None:
    """Pointed at a port nothing listens on, each says the store cannot be reached."""
    for args in (["search", "typhoon"], ["kwic", "typhoon"], ["show", "2006849001"], ["index"],
                 ["export", "--format", "jsonl", "--output", "-"]):
        result = cli(*args, "--store", "s3://archive/tt", "--s3-endpoint-url", "http://127.0.0.1:9",
                     env={**env, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
        assert_one_line_error(result, Exit.STORE_UNREACHABLE)


@pytest.mark.parametrize("args", [
    ["search", '"martial law'], ["search", "typhoon OR"], ["search", "protest!"], ["search", "pr*"],
    ["search", "typhoon", "--normalize"], ["search", "typhoon", "--count-by", "week"],
    ["search", "typhoon", "--count-by", "month", "--all"], ["search", "typhoon", "--limit", "3", "--all"],
    ["search", "typhoon", "--excel"], ["search", "typhoon", "--since", "2024-13"], ["kwic", "typhoon", "--width", "0"],
    ["export", "--format", "csv", "--output", "-", "--query", "a OR"], ["show", "2006849001", "--cite", "mla"],
    ["show", "2006849001", "--cite", "apa", "--html"],
    ["export", "--format", "parquet", "--output", "x", "--excel"],
])
def test_bad_input_is_one_line_and_usage(cli, env, store_root: Path, args: list, tmp_path: Path) -> None:
    assert_one_line_error(cli(*args, "--store", str(store_root), env=env, cwd=tmp_path), Exit.USAGE)


# -- citable captures, from a real crawl -------------------------------------------------------------
@pytest.fixture(scope="module")
def site() -> SiteServer:
    site = small_site()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def crawled(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawled_archive(site, tmp_path_factory.mktemp("show"), Exit.OK, stop_site=False)


def _article(crawled: Path) -> tuple[str, dict]:
    path = next(crawled.glob("records/*/*/*/*.json"))
    return path.stem, json.loads(path.read_text(encoding="utf-8"))


def test_show_cite(cli, env, crawled: Path) -> None:
    article_id, record = _article(crawled)
    for style in ("apa", "chicago", "bibtex"):
        result = cli("show", article_id, "--cite", style, "--store", str(crawled), env=env)
        assert result.code == Exit.OK, result
        for text in (record["capture"]["record_id"], record["capture"]["payload_digest"], record["capture"]["warc"],
                     record["url"], record["fetched_at"][:10]):
            assert text in result.out, (style, text)


def test_show_html_is_the_page_as_served(cli, env, site: SiteServer, crawled: Path) -> None:
    article_id, record = _article(crawled)
    result = cli("show", article_id, "--html", "--store", str(crawled), env=env)
    assert result.code == Exit.OK, result
    path = record["url"].split("taipeitimes.com", 1)[1]
    with urllib.request.urlopen(site.url(path), timeout=30) as response:
        assert result.out == response.read().decode("utf-8")


def test_show_warc_is_the_record_as_stored(env, crawled: Path) -> None:
    article_id, record = _article(crawled)
    proc = subprocess.run([sys.executable, "-m", "newsarchive", "show", article_id, "--warc", "--store", str(crawled)],
                          capture_output=True, env={**os.environ, **env}, cwd=REPO, timeout=120)
    assert proc.returncode == Exit.OK, proc.stderr
    pointer = record["capture"]
    with open(crawled / pointer["warc"], "rb") as fh:
        fh.seek(pointer["offset"])
        assert proc.stdout == fh.read(pointer["length"])
    gzip.decompress(proc.stdout)  # one whole gzip member
    (warc,) = list(ArchiveIterator(io.BytesIO(proc.stdout)))
    assert warc.rec_type == "response" and warc.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]


def test_show_a_damaged_capture_is_bad_input(cli, env, crawled: Path, tmp_path: Path) -> None:
    store = Path(shutil.copytree(crawled, tmp_path / "store"))
    article_id, record = _article(store)
    warc = store / record["capture"]["warc"]
    data = bytearray(warc.read_bytes())
    data[record["capture"]["offset"] + 40] ^= 0xFF
    warc.write_bytes(bytes(data))
    for flag in ("--html", "--warc"):
        assert_one_line_error(cli("show", article_id, flag, "--store", str(store), env=env), Exit.BAD_INPUT)
