"""A bad link costs only itself; a list that cannot be read is a reported list failure (issue 11, item 3).

Before: `href="http://[::1/News/feat/archives/x"` made URL joining raise, the
whole list yielded nothing and nothing was reported (`--sections feat,lang`:
exit 0 with 0 of 6 articles archived); coverage on that store exited 1; a JSON
list of 100,000 nested `[` was dropped with its further pages, exit 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import crawl, run_measured
from tests.faults.hostile import HostileSite
from tests.support.archive_contents import records

pytestmark = pytest.mark.e2e

BAD = ("world", "feat", "lang")



def test_a_bad_link_costs_only_itself(hostile_site: HostileSite, tmp_path: Path) -> None:
    for section in BAD:
        hostile_site.plant_bad_link(section)
    store = tmp_path / "archive"
    done = crawl(hostile_site, store, sections=BAD)
    assert done.code == Exit.OK, done.result
    assert {a.id for s in BAD for a in hostile_site.articles(s)} <= set(records(store))
    report = done.report()
    assert report["failures"] == [] and report["counts"]["bad_links"] == len(BAD)
    assert done.result.err.count("bad link skipped on") == len(BAD)
    # coverage reads the same lists with the same rules: no crash, nothing missing
    day = hostile_site.day.isoformat()
    result, _, _ = run_measured(["coverage", "--store", str(store), "--since", day, "--until", day,
                                 "--sections", ",".join(BAD)])
    assert result.code == Exit.OK, result


def test_json_nested_too_deep_is_a_reported_list_failure(hostile_site: HostileSite, tmp_path: Path) -> None:
    target = hostile_site.plant_nested_json("world", depth=100_000)
    store = tmp_path / "archive"
    done = crawl(hostile_site, store, sections=("world",), backfill=False)  # the daily crawl reads JSON lists
    assert done.code == Exit.PARTIAL, done.result
    lists = {f["url"]: f["reason"] for f in done.report()["failures"] if f["kind"] == "list"}
    assert lists == {f"https://www.taipeitimes.com{target}": f"https://www.taipeitimes.com{target}: JSON nested too deep"}
    # the section's other sources still name its articles
    assert {a.id for a in hostile_site.articles("world")} <= set(records(store))
    assert "Traceback" not in done.result.err
