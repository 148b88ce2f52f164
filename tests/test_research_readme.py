"""The README's research examples run as written (pandas on an export, the Python API on a store)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsarchive.search.export import export
from tests.plugins.search import write_store

README = Path(__file__).resolve().parents[1] / "README.md"


def snippet(name: str) -> str:
    """The fenced block right after `<!-- test:NAME -->` in the README."""
    match = re.search(rf"<!-- test:{name} -->\s*```[\w-]*\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    assert match, f"no <!-- test:{name} --> block in {README}"
    return match.group(1)


def test_the_pandas_example(tmp_path: Path, records: list, monkeypatch: pytest.MonkeyPatch) -> None:
    export(iter(records), "parquet", tmp_path / "taipei-times.parquet")
    export(iter(records), "parquet", tmp_path / "taipei-times", partition_by="year")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(snippet("pandas"), "README.md#pandas", "exec"), scope)
    by_section = scope["df"][scope["df"].year == 2024].groupby("section_slug").size().to_dict()
    assert by_section == {s: sum(1 for r in records if r["section_slug"] == s) for s in by_section}
    assert scope["parts"].groupby("year", observed=True).size().to_dict() == {2024: len(records)}


def test_the_python_example(tmp_path: Path, records: list, monkeypatch: pytest.MonkeyPatch) -> None:
    write_store(tmp_path / "archive", records)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSARCHIVE_CACHE", str(tmp_path / "cache"))
    scope: dict = {}
    exec(compile(snippet("python"), "README.md#python", "exec"), scope)
    assert scope["hits"].total >= len(scope["hits"]) > 0
    assert scope["record"]["id"] == "2006849001"
    assert scope["counts"].total >= len(scope["every"]) > 0  # counted with reprints, listed without
    assert scope["lines"].lines
