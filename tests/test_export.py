"""Every export read back (pyarrow, csv, json) and compared with the records field by field."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsarchive.exitcodes import Exit
from newsarchive.search import export as export_module
from newsarchive.search.export import CSV_COLUMNS, PARQUET_SCHEMA, export
from tests.plugins.cli import assert_one_line_error

UTC = dt.UTC


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value).astimezone(UTC) if value else None


def expected_parquet_row(r: dict[str, Any]) -> dict[str, Any]:
    """What pyarrow must give back: the record with dates as dates and timestamps as UTC datetimes."""
    return {**r, "published": dt.date.fromisoformat(r["published"]), "published_at": _ts(r["published_at"]),
            "modified_at": _ts(r["modified_at"]), "fetched_at": _ts(r["fetched_at"]),
            "year": int(r["published"][:4]), "text": "\n\n".join(r["body"])}


def in_key_order(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r["published"], r["id"]))


def test_parquet_round_trip(tmp_path: Path, records: list) -> None:
    out = tmp_path / "corpus.parquet"
    assert export(iter(records), "parquet", out) == len(records)
    table = pq.read_table(out)
    assert table.schema.equals(PARQUET_SCHEMA)
    assert table.to_pylist() == [expected_parquet_row(r) for r in records]


def test_parquet_streams_in_row_groups(tmp_path: Path, records: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "BATCH", 50)
    out = tmp_path / "corpus.parquet"
    export(iter(records), "parquet", out)
    meta = pq.ParquetFile(out).metadata
    assert meta.num_row_groups == -(-len(records) // 50) and meta.num_rows == len(records)


def test_parquet_tolerates_odd_values(tmp_path: Path, records: list) -> None:
    """A malformed timestamp or a missing capture is a null cell, not a failed export of a million rows."""
    odd = {**records[0], "published_at": "yesterday", "modified_at": "2024-10-01T08:00:00", "capture": None,
           "print_page": "3", "authors": None}
    export(iter([odd]), "parquet", tmp_path / "odd.parquet")
    (row,) = pq.read_table(tmp_path / "odd.parquet").to_pylist()
    assert (row["published_at"], row["modified_at"], row["capture"], row["print_page"], row["authors"]) == \
        (None, None, None, None, [])


def test_csv_round_trip(tmp_path: Path, records: list) -> None:
    out = tmp_path / "corpus.csv"
    assert export(iter(records), "csv", out) == len(records)
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(records)
    for row, r in zip(rows, records):
        assert list(row) == CSV_COLUMNS
        assert row["body"] == "\n\n".join(r["body"])
        assert row["body"].split("\n\n") == r["body"]
        assert row["authors"] == "; ".join(r["authors"]) and row["agencies"] == "; ".join(r["agencies"])
        assert json.loads(row["images"]) == r["images"]
        for name in ("id", "url", "headline", "section", "section_slug", "published", "published_at", "fetched_at"):
            assert row[name] == (r[name] or ""), name
        for name in ("kicker", "deck", "byline", "dateline", "translator", "modified_at"):
            assert row[name] == (r[name] or ""), name
        assert row["print_page"] == ("" if r["print_page"] is None else str(r["print_page"]))
        assert row["word_count"] == str(r["word_count"])
        for name, value in r["capture"].items():
            assert row[f"capture_{name}"] == str(value)


def test_jsonl_round_trip(tmp_path: Path, records: list) -> None:
    out = tmp_path / "corpus.jsonl"
    assert export(iter(records), "jsonl", out) == len(records)
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == records


@pytest.mark.e2e
@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_cli_export_with_filters(cli, tmp_path: Path, store_root: Path, records: list, fmt: str) -> None:
    out = tmp_path / f"taiwan.{fmt}"
    result = cli("export", "--format", fmt, "--output", str(out), "--store", str(store_root),
                 "--section", "taiwan", "--until", "2024-10-02", "--author", "lee i-chia",
                 env={"NEWSARCHIVE_CACHE": str(tmp_path / "cache")})
    assert result.code == Exit.OK, result
    wanted = in_key_order([r for r in records if r["section_slug"] == "taiwan" and r["published"] <= "2024-10-02"
                           and "lee i-chia" in {a.lower() for a in r["authors"]}])
    assert wanted
    assert f"exported {len(wanted)} records" in result.err
    if fmt == "parquet":
        assert pq.read_table(out).to_pylist() == [expected_parquet_row(r) for r in wanted]
    elif fmt == "csv":
        with open(out, newline="", encoding="utf-8") as fh:
            assert [row["id"] for row in csv.DictReader(fh)] == [r["id"] for r in wanted]
    else:
        assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == wanted


@pytest.mark.e2e
def test_cli_export_everything_to_stdout(cli, tmp_path: Path, store_root: Path, records: list) -> None:
    result = cli("export", "--format", "jsonl", "--output", "-", "--store", str(store_root),
                 env={"NEWSARCHIVE_CACHE": str(tmp_path / "cache")})
    assert result.code == Exit.OK, result
    assert [json.loads(line) for line in result.out.splitlines()] == in_key_order(records)


@pytest.mark.e2e
@pytest.mark.parametrize("args", [
    ["--format", "parquet", "--output", "-"],
    ["--format", "xlsx", "--output", "x.xlsx"],
    ["--format", "csv", "--output", "/nonexistent/folder/x.csv"],
    ["--format", "csv"],
    ["--format", "csv", "--output", "x.csv", "--section", "opinion"],
    ["--format", "csv", "--output", "x.csv", "--since", "2024-1-1"],
])
def test_cli_export_bad_options(cli, tmp_path: Path, store_root: Path, args: list) -> None:
    result = cli("export", *args, "--store", str(store_root), cwd=tmp_path,
                 env={"NEWSARCHIVE_CACHE": str(tmp_path / "cache")})
    assert_one_line_error(result, Exit.USAGE)
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*tmp"))
