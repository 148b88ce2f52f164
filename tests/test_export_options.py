"""Export options for sharing and spreadsheets: permissions from the umask, Excel CSV, year partitions."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.search.export import CSV_COLUMNS, EXCEL_CELL, EXCEL_CUT, excel_cell, export


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_files_take_their_mode_from_the_umask(tmp_path: Path, records: list, fmt: str, mask: int, mode: int) -> None:
    with umask(mask):
        export(iter(records[:3]), fmt, tmp_path / f"out.{fmt}")
        export(iter(records[:3]), fmt, tmp_path / "parts", partition_by="year")
    assert stat.S_IMODE((tmp_path / f"out.{fmt}").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "parts").stat().st_mode) == mode | 0o111 & ~mask
    for path in (tmp_path / "parts").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (mode | 0o111 & ~mask if path.is_dir() else mode), path


@pytest.mark.parametrize("value, shown", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+886 2 1234", "'+886 2 1234"),
    ("-3% growth", "'-3% growth"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("plain", "plain"),
    ("Lee I-chia", "Lee I-chia"), (12, 12), (None, None),
])
def test_excel_cells_never_run_as_formulas(value: object, shown: object) -> None:
    assert excel_cell(value) == shown


def test_excel_csv_has_a_bom_and_cells_excel_can_hold(tmp_path: Path, records: list) -> None:
    long = {**records[0], "id": "2006849999", "headline": "=cmd|' /C calc'!A0", "byline": "林 / 臺北",
            "body": ["x" * 20_000, "y" * 20_000]}
    out = tmp_path / "excel.csv"
    export(iter([long, records[1]]), "csv", out, excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS
    assert rows[0]["headline"] == "'=cmd|' /C calc'!A0" and rows[0]["byline"] == "林 / 臺北"
    assert len(rows[0]["body"]) == EXCEL_CELL and rows[0]["body"].endswith(EXCEL_CUT)
    assert rows[1]["body"] == "\n\n".join(records[1]["body"])
    plain = tmp_path / "plain.csv"
    export(iter([long]), "csv", plain)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(plain, newline="", encoding="utf-8") as fh:
        assert next(csv.DictReader(fh))["headline"] == long["headline"]  # only --excel changes cells


def year_records(records: list) -> list:
    """The fixture records spread over three years (key order: year by year)."""
    out = []
    for i, r in enumerate(records[:30]):
        year = 2022 + i // 10
        out.append({**r, "published": f"{year}{r['published'][4:]}"})
    return out


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_year_partitions_are_hive_folders(tmp_path: Path, records: list, fmt: str) -> None:
    data = year_records(records)
    assert export(iter(data), fmt, tmp_path / "corpus", partition_by="year") == 30
    assert sorted(p.relative_to(tmp_path / "corpus").as_posix() for p in (tmp_path / "corpus").rglob("*.*")) == \
        [f"year={y}/part-0.{fmt}" for y in (2022, 2023, 2024)]
    if fmt == "parquet":
        table = ds.dataset(tmp_path / "corpus", partitioning="hive").to_table()
        assert sorted(zip(table["id"].to_pylist(), table["year"].to_pylist())) == \
            sorted((r["id"], int(r["published"][:4])) for r in data)
        frame = pd.read_parquet(tmp_path / "corpus")  # the year comes from the folders
        assert frame.groupby("year", observed=True).size().to_dict() == {2022: 10, 2023: 10, 2024: 10}
        assert list(frame.text)[:1] == ["\n\n".join(data[0]["body"])]


def test_partitions_never_mix_with_an_earlier_export(tmp_path: Path, records: list) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "old.txt").write_text("x")
    with pytest.raises(InvalidArgument, match="exists; --partition-by writes a new folder"):
        export(iter(records[:2]), "parquet", tmp_path / "corpus", partition_by="year")
    (tmp_path / "empty").mkdir()
    export(iter(records[:2]), "parquet", tmp_path / "empty", partition_by="year")
    assert list((tmp_path / "empty").iterdir())
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("kwargs, message", [
    ({"fmt": "parquet", "output": "-"}, "Parquet cannot go to standard output"),
    ({"fmt": "csv", "output": "-", "partition_by": "year"}, "--partition-by writes a folder"),
    ({"fmt": "parquet", "output": "x.parquet", "excel": True}, "--excel: only for --format csv"),
    ({"fmt": "csv", "output": "x.csv", "partition_by": "month"}, "--partition-by: 'month'"),
])
def test_bad_combinations(tmp_path: Path, records: list, kwargs: dict, message: str) -> None:
    kwargs = {**kwargs, "output": kwargs["output"] if kwargs["output"] == "-" else tmp_path / kwargs["output"]}
    with pytest.raises(InvalidArgument, match=message):
        export(iter(records[:1]), kwargs.pop("fmt"), kwargs.pop("output"), **kwargs)
