"""The local store's disk fills up: a clear error and exit 10, nothing half-written, and the next run (with room
again) loses nothing.

The disk is real: a tmpfs of a few hundred kilobytes mounted by the test (the
suite runs as root), so ENOSPC comes from the kernel at whatever write it
happens to hit (a WARC record, a JSON record, the index, the run report).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newsarchive.archive.recovery import whole_records_end
from newsarchive.exitcodes import Exit
from tests.faults.conftest import FaultSite, assert_store_layout, crawl, tmpfs
from tests.plugins.cli import assert_one_line_error
from tests.support.archive_contents import leftovers, records, warcio_check

pytestmark = pytest.mark.e2e


def test_disk_full_mid_crawl_stops_cleanly_and_the_next_run_completes(fault_site: FaultSite, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "160k") as disk:
        store = disk / "archive"
        full = crawl(fault_site, store)
        assert full.code == Exit.STORE_WRITE_FAILED, full.result
        assert "disk full" in full.result.err and "the crawl stops" in full.result.err
        assert "STORE_WRITE_FAILED" in full.result.err.splitlines()[-5]  # the summary's first of five lines
        # nothing half-written: no temporary file anywhere, and a staged WARC (handed over by the next run, as
        # after a crash) holds whole records only
        assert not [p for p in disk.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
        staged = [p for p in (store / ".staging").rglob("*") if p.is_file()]
        assert all(whole_records_end(p) == p.stat().st_size for p in staged), staged
        assert len(records(store)) < len(fault_site.expected_ids())
        # room again: the next run hands the staged WARC over and fetches the rest
        subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
        again = crawl(fault_site, store)
        assert again.code == Exit.OK, again.result
        got = records(store)
        assert set(got) == fault_site.expected_ids()
        assert all((store / r["capture"]["warc"]).is_file() for r in got.values())
        assert leftovers(store) == []
        assert_store_layout(store)
        warcio_check(store)


def test_a_full_disk_before_the_crawl_is_one_line_and_no_fetch(fault_site: FaultSite, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "64k") as disk:
        with open(disk / "filler", "wb", buffering=0) as fh:  # every block taken
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        done = crawl(fault_site, disk / "archive")
        assert_one_line_error(done.result, Exit.STORE_WRITE_FAILED)
        assert "disk full" in done.result.err
        assert fault_site.total_hits() == 0
        assert not [p for p in disk.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
