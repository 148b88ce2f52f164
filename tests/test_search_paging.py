"""Archive.search pages (offset) and orders (relevance, date) as the reading room asks it to."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.search import Archive
from tests.plugins.search import expected_ids


@pytest.fixture(scope="module")
def archive(store_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return Archive(str(store_root), index_dir=str(tmp_path_factory.mktemp("index")))


def test_offsets_page_through_the_ranking(archive: Archive, records: list) -> None:
    every = archive.search("government", limit=None, snippets=False)
    ranked = [h.id for h in archive.search("government", limit=len(every), snippets=False)]
    pages = [archive.search("government", limit=7, offset=start, snippets=False) for start in range(0, len(every), 7)]
    assert [h.id for page in pages for h in page] == ranked
    assert all(page.total == len(expected_ids(records, ["government"])) for page in pages)
    assert list(archive.search("government", limit=5, offset=len(every))) == []


def test_newest_first(archive: Archive) -> None:
    hits = archive.search("government", limit=1000, sort="date", snippets=False)
    days = [h.record["published"] for h in hits]
    assert days == sorted(days, reverse=True) and len(set(days)) > 1
    assert all(h.score == 0.0 for h in hits)
    second = archive.search("government", limit=10, offset=10, sort="date", snippets=False)
    assert [h.id for h in second] == [h.id for h in hits[10:20]]


@pytest.mark.parametrize("options", [{"offset": -1}, {"sort": "popularity"}])
def test_bad_paging_is_refused(archive: Archive, options: dict) -> None:
    with pytest.raises(InvalidArgument):
        archive.search("government", **options)
