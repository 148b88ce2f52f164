"""The parser fixtures: saved article pages and the records they must give, keyed by layout and version.

    tests/fixtures/articles/<layout>@<version>/<case>/page.html     the page as the site served it
    tests/fixtures/articles/<layout>@<version>/<case>/record.json   the record a correct parser makes of it

`<layout>@<version>` is the parser id a record names in its `parser` field
(`Layout.parser_id()`, e.g. `taipeitimes/current@1`), as fundus and web-poet
key theirs: when the site changes its template, the old layout's cases stay
where they are and the new layout's sit beside them. The files are written by
tests/fixtures/articles/generate.py; the tests and bench/parse.py read them here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive.parser.current import CurrentLayout

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PAGE = "page.html"
RECORD = "record.json"
#: the layout the site uses today
CURRENT = CurrentLayout.parser_id()


@dataclass(frozen=True)
class ArticleFixture:
    layout: str  #: the parser id that reads it, e.g. taipeitimes/current@1
    case: str  #: what it shows, e.g. world_afp_manila

    def __str__(self) -> str:
        return f"{self.layout}/{self.case}"

    @property
    def folder(self) -> Path:
        return ROOT / self.layout / self.case

    @property
    def page_path(self) -> Path:
        return self.folder / PAGE

    @property
    def record_path(self) -> Path:
        return self.folder / RECORD

    def page(self) -> str:
        return self.page_path.read_text(encoding="utf-8")

    def page_bytes(self) -> bytes:
        return self.page_path.read_bytes()

    def record(self) -> dict[str, Any]:
        return json.loads(self.record_path.read_text(encoding="utf-8"))


def article_fixtures(layout: str | None = None) -> list[ArticleFixture]:
    """Every fixture (of one layout), in layout then case order."""
    found = []
    for page in sorted(ROOT.glob(f"**/{PAGE}")):
        folder = page.parent
        found.append(ArticleFixture(folder.parent.relative_to(ROOT).as_posix(), folder.name))
    return [f for f in found if layout in (None, f.layout)]


def article_fixture(case: str, layout: str = CURRENT) -> ArticleFixture:
    """One fixture by its case name (of today's layout unless another is named)."""
    fixture = ArticleFixture(layout, case)
    if not fixture.page_path.is_file():
        raise FileNotFoundError(f"no parser fixture {fixture} (looked for {fixture.page_path})")
    return fixture
