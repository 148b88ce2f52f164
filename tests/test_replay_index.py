"""The store's replay index: one sorted CDXJ built from the per-WARC indexes the crawl wrote, with store keys
as file names and mirror captures under the site's URLs too, brought up to date by reading only what is new."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newsarchive.archive.cdxj import CdxLine, SortedCdxj
from newsarchive.archive.keys import cdxj_key
from newsarchive.replay.index import ReplayIndex
from newsarchive.store import LocalStore
from tests.captures import Page, write_captures

MIRROR = "http://127.0.0.1:45739"


class CountingStore(LocalStore):
    """A local store that remembers which objects were read whole."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.read: list[str] = []

    def get_bytes(self, key: str) -> bytes:
        self.read.append(key)
        return super().get_bytes(key)


def _pages(n: int, first: int, day: int) -> list[Page]:
    when = dt.datetime(2024, 10, day, 3, 0, tzinfo=dt.UTC)
    return [Page(f"{MIRROR}/News/front/archives/2024/10/{day:02d}/{2003825000 + i}", f"<p>{i}</p>".encode(),
                 date=when + dt.timedelta(seconds=i)) for i in range(first, first + n)]


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def test_built_from_every_warc_sorted_with_store_keys_and_site_aliases(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    first = write_captures(store, _pages(3, 0, 15))
    second = write_captures(store, _pages(2, 3, 16) + [Page("https://www.taipeitimes.com/robots.txt", b"ok", "text/plain")])
    index = ReplayIndex(store, tmp_path / "cache")
    update = index.update()
    assert (update.sources, update.added, update.rebuilt, update.unindexed) == (2, 2, True, [])
    lines = _lines(index.path)
    assert [line.encode() for line in lines] == sorted(line.encode() for line in lines)
    parsed = [CdxLine.parse(line) for line in lines]
    assert update.lines == len(lines) == 5 * 2 + 1  # five mirror captures twice, the site's robots.txt once
    assert {p.filename for p in parsed if p} == {first[0].warc, second[0].warc}
    with SortedCdxj(index.path) as found:
        by_mirror = found.lookup_url(f"{MIRROR}/News/front/archives/2024/10/15/2003825001")
        by_site = found.lookup_url("https://www.taipeitimes.com/News/front/archives/2024/10/15/2003825001")
    assert len(by_mirror) == len(by_site) == 1
    assert (by_mirror[0].filename, by_mirror[0].offset, by_mirror[0].length) == \
        (first[1].warc, first[1].offset, first[1].length) == (by_site[0].filename, by_site[0].offset, by_site[0].length)


def test_an_update_reads_only_the_new_per_warc_index_and_equals_a_rebuild(tmp_path: Path) -> None:
    store = CountingStore(tmp_path / "archive")
    write_captures(store, _pages(4, 0, 15))
    write_captures(store, _pages(4, 4, 16))
    index = ReplayIndex(store, tmp_path / "cache")
    index.update()
    third = write_captures(store, _pages(3, 8, 14))
    store.read.clear()
    update = index.update()
    assert (update.added, update.rebuilt, update.sources, update.lines) == (1, False, 3, 22)
    assert store.read == [cdxj_key(third[0].warc)]
    rebuilt = ReplayIndex(store, tmp_path / "other")
    rebuilt.update()
    assert index.path.read_bytes() == rebuilt.path.read_bytes()


def test_nothing_new_means_nothing_written(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    write_captures(store, _pages(2, 0, 15))
    index = ReplayIndex(store, tmp_path / "cache")
    index.update()
    before = index.path.stat()
    update = index.update()
    assert (update.added, update.rebuilt, update.lines) == (0, False, 4)
    after = index.path.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_a_vanished_warc_index_means_a_rebuild(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    gone = write_captures(store, _pages(2, 0, 15))
    write_captures(store, _pages(2, 2, 16))
    index = ReplayIndex(store, tmp_path / "cache")
    index.update()
    store.delete(cdxj_key(gone[0].warc))
    update = index.update()
    assert update.rebuilt and update.lines == 4
    assert update.unindexed == [gone[0].warc]  # the WARC is there, without an index: it cannot be replayed
    assert gone[0].warc not in index.path.read_text()
    assert "no CDXJ index" in update.summary()


def test_an_empty_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    store.check()
    update = ReplayIndex(store, tmp_path / "cache").update()
    assert (update.sources, update.lines) == (0, 0)


@pytest.mark.parametrize("damage", ["", "not a cdxj line\n"])
def test_lines_that_are_not_index_lines_are_skipped(tmp_path: Path, damage: str) -> None:
    store = LocalStore(tmp_path / "archive")
    made = write_captures(store, _pages(1, 0, 15))
    path = store.path(cdxj_key(made[0].warc))
    path.write_text(damage + path.read_text())
    index = ReplayIndex(store, tmp_path / "cache")
    assert index.update().lines == 2
