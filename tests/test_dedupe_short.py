"""A store whose articles are all too short for a duplicate signature still indexes (and searches)."""

from __future__ import annotations

from pathlib import Path

from newsarchive.search import Archive
from tests.support.reading_room import plant


def test_short_bodies_only(tmp_path: Path) -> None:
    for n in range(3):
        plant(tmp_path / "store", {"id": f"200684930{n}", "url": f"https://www.taipeitimes.com/News/taiwan/archives/"
                                   f"2024/10/02/200684930{n}", "headline": f"Brief {n}", "section_slug": "taiwan",
                                   "published": "2024-10-02", "body": ["A short brief."], "authors": [], "agencies": []})
    archive = Archive(str(tmp_path / "store"), index_dir=str(tmp_path / "index"))
    assert archive.update().added == 3
    assert archive.search("brief", limit=10).total == 3
    assert len(archive.search("brief", dedupe=True, limit=10)) == 3
