"""newsarchive.archive.recovery: what a killed crawl left staged is cut to whole records and handed over.

The torn files here are made the way a kill makes them: a WARC written by
WarcWriter, cut in the middle of its last record; no crawl, no process.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.recovery import cut_to_whole_records, recover, staged_key, whole_records_end
from newsarchive.archive.warc import HttpExchange, WarcWriter
from newsarchive.store import LocalStore
from tests.plugins.clock import SetClock

CLOCK = dt.datetime(2031, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
NAME = "TT-20311231235959999999-00000-host-{pid}.warc.gz"


@pytest.fixture
def store(tmp_path: Path, set_clock: SetClock) -> LocalStore:
    """The store the crashed writer wrote for; its files are named by a year end's clock."""
    set_clock(CLOCK)
    return LocalStore(tmp_path / "archive")


def exchange(n: int) -> HttpExchange:
    return HttpExchange(url=f"http://127.0.0.1:1/News/world/archives/2031/12/31/20310000{n:02d}", method="GET",
                        request_headers=[], request_body=b"", status=200, protocol="HTTP/1.1",
                        response_headers=[("Content-Type", "text/html")], response_body=os.urandom(2000))


def staged_warc(store: LocalStore, records: int, pid: int) -> tuple[Path, list[int]]:
    """A staged `.open` WARC of `records` exchanges as a writer of process `pid` leaves it; and the
    offsets just past each of its records (warcinfo, then a response and a request per exchange)."""
    w = WarcWriter(store, store.staging_dir(), host=f"host-{pid}")
    path = store.staging_dir() / (NAME.format(pid=pid) + ".open")
    ends = []
    for n in range(records):
        w.write_exchange(exchange(n))
        ends.append(path.stat().st_size)  # the writer flushes every record
    assert list(store.staging_dir().iterdir()) == [path]
    kept = path.with_name(path.name + ".copy")
    shutil.copy(path, kept)
    w.abandon()  # the writer goes away; its file is the copy, as the kill left it
    os.replace(kept, path)
    return path, ends


def dead_pid() -> int:
    """A pid no process has (the kernel's pid_max is far below it)."""
    return 2**22 + 12345


def types(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        return [r.rec_type for r in ArchiveIterator(fh, check_digests="raise")]


def test_a_whole_file_is_left_whole(store: LocalStore) -> None:
    path, ends = staged_warc(store, 2, dead_pid())
    assert whole_records_end(path) == ends[-1] == path.stat().st_size
    assert cut_to_whole_records(path) == ends[-1]


def boundaries(path: Path) -> list[int]:
    """The offset just past each record of an intact file, as warcio reads it."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            it.read_to_end(record)
            out.append(it.get_record_offset() + it.get_record_length())
    return out


@pytest.mark.parametrize("fraction", [0.01, 0.2, 0.45, 0.5, 0.77, 0.999])
def test_a_torn_tail_is_cut_at_the_last_whole_record(store: LocalStore, fraction: float) -> None:
    path, _ = staged_warc(store, 3, dead_pid())
    ends = boundaries(path)
    assert len(ends) == 7  # warcinfo, then a response and a request per exchange
    size = int(path.stat().st_size * fraction)
    with open(path, "r+b") as fh:
        fh.truncate(size)
    whole = [end for end in ends if end <= size]
    assert cut_to_whole_records(path) == (whole[-1] if whole else 0) == path.stat().st_size
    assert types(path) == ["warcinfo", "response", "request", "response", "request", "response"][:len(whole)]


def test_a_cut_on_a_record_boundary_loses_nothing(store: LocalStore) -> None:
    path, _ = staged_warc(store, 2, dead_pid())
    ends = boundaries(path)
    with open(path, "r+b") as fh:
        fh.truncate(ends[3])
    assert cut_to_whole_records(path) == ends[3]


def test_garbage_after_whole_records_is_cut(store: LocalStore) -> None:
    path, ends = staged_warc(store, 1, dead_pid())
    with open(path, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03 not deflate at all")
    assert cut_to_whole_records(path) == ends[0]
    assert types(path) == ["warcinfo", "response", "request"]


def test_staged_key_is_the_capture_day() -> None:
    assert staged_key(Path(NAME.format(pid=7) + ".open")) == "warc/2031/12/31/" + NAME.format(pid=7)
    assert staged_key(Path("TT-20280229000000000000-00003-h-1.warc.gz")) == \
        "warc/2028/02/29/TT-20280229000000000000-00003-h-1.warc.gz"
    with pytest.raises(ValueError, match="not a newsarchive WARC name"):
        staged_key(Path("other.warc.gz.open"))


def test_recover_hands_over_a_torn_file_with_its_index(store: LocalStore) -> None:
    pid = dead_pid()
    path, ends = staged_warc(store, 2, pid)
    with open(path, "r+b") as fh:
        fh.truncate(ends[1] - 10)
    (key,) = recover(store, store.staging_dir())
    assert key == "warc/2031/12/31/" + NAME.format(pid=pid)
    stored = store.path(key)
    assert stored.stat().st_size < ends[1] - 10 and types(stored)[:3] == ["warcinfo", "response", "request"]
    assert store.exists(key.replace(".warc.gz", ".cdxj"))
    assert list(store.staging_dir().iterdir()) == []
    assert recover(store, store.staging_dir()) == []  # nothing left to do


def test_recover_removes_a_file_with_no_whole_record(store: LocalStore) -> None:
    path, _ = staged_warc(store, 1, dead_pid())
    with open(path, "r+b") as fh:
        fh.truncate(20)  # not even the warcinfo survived
    assert recover(store, store.staging_dir()) == []
    assert not path.exists() and list(store.list("warc/")) == []


def test_recover_hands_over_a_closed_file_and_an_orphan_index(store: LocalStore) -> None:
    staging = store.staging_dir()
    path, _ = staged_warc(store, 1, dead_pid())
    closed = path.with_name(path.name[: -len(".open")])
    os.replace(path, closed)  # closed, but the upload never happened
    dead = dead_pid()
    orphan = staging / f"TT-20280229000000000000-00001-host-{dead}.cdxj"  # its WARC went up, the index did not
    orphan.write_text("index line\n")
    half = staging / f"TT-20280229000000000000-00002-host-{dead}.cdxj.tmp"
    half.write_text("half an index")
    assert recover(store, staging) == ["warc/2031/12/31/" + closed.name]
    assert store.get_bytes(f"warc/2028/02/29/TT-20280229000000000000-00001-host-{dead}.cdxj") == b"index line\n"
    assert list(staging.iterdir()) == []


def test_a_live_writers_file_is_left_alone(store: LocalStore) -> None:
    """Another worker on this host may still be writing it."""
    live = os.getppid()
    path, _ = staged_warc(store, 1, live)
    assert recover(store, store.staging_dir(), only_dead=True) == []
    assert path.exists()
    assert recover(store, store.staging_dir(), only_dead=False) == ["warc/2031/12/31/" + NAME.format(pid=live)]


def test_no_staging_folder_is_nothing_to_recover(store: LocalStore, tmp_path: Path) -> None:
    assert recover(store, tmp_path / "never-made") == []
