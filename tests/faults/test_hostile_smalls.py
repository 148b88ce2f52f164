"""Smaller hostile cases (issue 11, item 10): each said for what it is, none silently lost.

Before: a store path through a dangling symlink exited 10 "write failed (File
exists)"; export wrote a record whose id did not match its key; a truncated
record could not be rebuilt by reparse although its capture was there, and the
crawl skipped it (its state says archived); a page of nested divs was refused
as a "truncated page" (the nested-divs page is in test_hostile_logs).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import crawl, run_measured
from tests.faults.hostile import HostileSite
from tests.plugins.cli import assert_one_line_error

pytestmark = pytest.mark.e2e



@pytest.fixture
def archived(hostile_site: HostileSite, tmp_path: Path) -> Path:
    store = tmp_path / "archive"
    done = crawl(hostile_site, store, sections=("world",))
    assert done.code == Exit.OK, done.result
    return store


def test_a_store_through_a_dangling_symlink_is_a_usage_error(hostile_site: HostileSite, tmp_path: Path) -> None:
    link = tmp_path / "archive"
    link.symlink_to(tmp_path / "gone")
    done = crawl(hostile_site, link, sections=("world",))
    assert_one_line_error(done.result, Exit.USAGE)
    assert "is a symbolic link to" in done.result.err and "which does not exist" in done.result.err
    result, _, _ = run_measured(["crawl", "--store", str(link / "deeper"), "--base-url", hostile_site.base_url])
    assert_one_line_error(result, Exit.USAGE)
    assert not hostile_site.hits


def test_export_refuses_a_record_whose_id_is_not_its_key(archived: Path, tmp_path: Path) -> None:
    paths = sorted((archived / "records").rglob("*.json"))
    path = paths[0]
    record = json.loads(path.read_text())
    record["id"] = "2000000001"
    path.write_text(json.dumps(record))
    out = tmp_path / "out.jsonl"
    result, _, _ = run_measured(["export", "--store", str(archived), "--format", "jsonl", "--output", str(out)])
    assert result.code == Exit.OK, result
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert "2000000001" not in {r["id"] for r in rows} and len(rows) == len(paths) - 1
    assert f"{path.relative_to(archived)}: holds article '2000000001', not the one its key names; skipped" in result.err
    verified, _, _ = run_measured(["verify", "--store", str(archived)])
    assert verified.code == Exit.VERIFY_FAILED and "holds id '2000000001'" in verified.out, verified


def test_a_truncated_record_is_named_by_verify_and_rebuilt_by_reparse(hostile_site: HostileSite, archived: Path,
                                                                     tmp_path: Path) -> None:
    path = sorted((archived / "records").rglob("*.json"))[0]
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    key = str(path.relative_to(archived))
    verified, _, _ = run_measured(["verify", "--store", str(archived)])
    assert verified.code == Exit.VERIFY_FAILED, verified
    assert f"record: {key}: not JSON" in verified.out and "reparse` rebuilds it from its capture" in verified.out
    again = crawl(hostile_site, archived, sections=("world",))  # the state says archived: the crawl cannot help
    assert again.code == Exit.OK and path.read_bytes() == whole[: len(whole) // 2]
    result, _, _ = run_measured(["reparse", "--store", str(archived), "--format", "json"])
    assert result.code == Exit.OK, result
    assert json.loads(result.out)["created"] == 1
    assert json.loads(path.read_bytes()) == json.loads(whole)  # the same record, capture pointer and all
    verified, _, _ = run_measured(["verify", "--store", str(archived)])
    assert verified.code == Exit.OK, verified
