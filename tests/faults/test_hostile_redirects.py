"""Redirects between articles (issue 11, item 4): the id asked for decides.

Before: article A answering 302 to article B's URL ended exit 0, no failure,
"3 new" with only B's record (written twice); verify said sound and coverage
listed A missing with no reason. Redirects that stay on the same id (another
section slug, a trailing slash) must still be archived.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import crawl, run_measured
from tests.faults.hostile import HostileSite
from tests.support.archive_contents import records

pytestmark = pytest.mark.e2e



def test_a_redirect_to_another_article_fails_the_one_asked_for(hostile_site: HostileSite, tmp_path: Path) -> None:
    site = hostile_site
    a, b = site.articles("world")[:2]
    moved, slashed = site.articles("biz")[:2]
    site.plant_redirect(a.path(), site.url(b.path()))
    site.plant_redirect(moved.path(), site.url(moved.path(slug="world")))  # same id, section moved
    site.plant_redirect(slashed.path(), site.url(slashed.path() + "/"))  # same id, a trailing slash
    store = tmp_path / "archive"
    done = crawl(site, store, sections=("world", "biz"))
    assert done.code == Exit.PARTIAL, done.result
    assert done.failures() == {a.id: f"redirected to article {b.id} ({b.url})"}
    got = records(store)
    assert a.id not in got and {b.id, moved.id, slashed.id} <= set(got)
    counts = done.report()["counts"]
    assert counts["articles_new"] == done.report()["records_written"] == len(got)
    day = site.day.isoformat()
    result, _, _ = run_measured(["coverage", "--store", str(store), "--since", day, "--until", day,
                                 "--sections", "world,biz", "--format", "json"])
    assert result.code == Exit.GAPS_FOUND, result
    assert f'"reason": "redirected to article {b.id} ({b.url})"' in result.out
    verified, _, _ = run_measured(["verify", "--store", str(store)])
    assert verified.code == Exit.OK, verified
