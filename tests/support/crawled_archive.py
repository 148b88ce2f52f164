"""A small crawled archive for the tests of the offline commands (verify, reparse, coverage).

Each test module crawls once (a module-scoped fixture: two print days, two
sections, three articles a section a day, a few seconds) and copies the store
for every test that damages it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.plugins.cli import Result, run_cli
from tests.site.corpus import Corpus, SiteArticle, default_days
from tests.site.server import SiteServer

SECTIONS = "front,world"


def small_site() -> SiteServer:
    """A site of its own, started: the module's crawl may inject faults without touching the shared one."""
    return SiteServer(Corpus(days=default_days(2), per_section=3)).start()


def window(site: SiteServer) -> list[str]:
    days = site.corpus.days
    return ["--since", days[0].isoformat(), "--until", days[-1].isoformat()]


def crawl(site: SiteServer, store: str, env: dict[str, str] | None = None) -> Result:
    return run_cli("crawl", "--base-url", site.base_url, "--store", store, *window(site), "--sections", SECTIONS,
                   env=env, timeout=120)


def crawled_archive(site: SiteServer, folder: Path, expected: int, *, stop_site: bool = True) -> Path:
    """The module's one crawl into `folder/archive`, checked for its exit code. With `stop_site` the site goes
    away afterwards, so the command under test can need nothing but the store."""
    store = folder / "archive"
    try:
        result = crawl(site, str(store))
    finally:
        if stop_site:
            site.stop()
    assert result.code == expected, result
    return store


def plain_article(site: SiteServer, section: str, day_index: int = 0) -> SiteArticle:
    """An article of a section and day that no other list links (so it has one place in coverage)."""
    day = site.corpus.days[day_index]
    return next(a for a in sorted(site.corpus.articles.values(), key=lambda a: a.id)
                if a.section_slug == section and a.day == day and not a.cross_links)


def copy_store(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def snapshot(root: Path) -> dict[str, bytes]:
    """Every object of a local store (not its hidden staging), to prove a command wrote nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}
