"""A crawl's stderr grows with its events, never with the size of a page (issue 11, item 2).

Before: every refused article logged Scrapy's `Dropped:` line with the whole
item, its page included (a 256 MiB bomb gave 1.07 GB of stderr, which the
README's cron line mails; a page of a million nested divs 11 MB). Here pages
the parser refuses, just under the page-size limit, must each cost one short
line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import crawl
from tests.faults.hostile import HostileSite, Planted

pytestmark = pytest.mark.e2e



def test_a_refused_page_costs_one_short_line(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    binary, deep = site.articles("world")[:2]
    # 900 KB of binary data and a page of 60,000 nested divs: under the 1 MiB limit, so the parser refuses them
    site.plant_response(binary.path(), Planted(200, os.urandom(900_000), "text/html"))
    site.plant_nested_divs(deep, depth=60_000)
    done = crawl(site, tmp_path / "archive", sections=("world",))
    assert done.code == Exit.PARTIAL, done.result
    failures = done.failures()
    assert failures[binary.id] == "not an article: binary data, not an HTML page"
    assert failures[deep.id].startswith("not an article: nested too deep")
    err = done.result.err
    assert len(err) < 5_000, err[:3000]
    assert max(len(line) for line in err.splitlines()) < 1_000
    for article in (binary, deep):
        assert f"Dropped {article.id} {site.url(article.path())}: not an article: " in err
