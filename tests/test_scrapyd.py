"""Deploy to a real Scrapyd with `scrapyd-deploy`, schedule a crawl through its HTTP API, and read the store.

The egg is built by scrapyd-deploy itself (`setup.py bdist_egg`, configured by
pyproject.toml), so the test also proves that package-dir puts spiders/ and
pipelines/ into the egg as newsarchive.spiders/.pipelines and that the egg
tells Scrapyd the settings module (the `scrapy` entry point).
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.plugins.scrapyd import BIN, Scrapyd, clean_env
from tests.site.server import SiteServer
from tests.support.expected_archive import assert_archived, run_reports

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECT = "newsarchive"
SPIDER = "taipeitimes"


def scrapyd_deploy(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(BIN / "scrapyd-deploy"), *args], cwd=project_dir, env=clean_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"scrapyd-deploy {' '.join(args)}:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def egg(project_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The egg scrapyd-deploy builds from the checkout."""
    path = tmp_path_factory.mktemp("egg") / "newsarchive.egg"
    scrapyd_deploy(project_copy, "--build-egg", str(path))
    return path


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, project_copy: Path, egg: Path) -> Scrapyd:
    """Deployed as an operator would: a [deploy:NAME] target in scrapy.cfg, then `scrapyd-deploy NAME`."""
    cfg = project_copy / "scrapy.cfg"
    if "[deploy:test]" not in cfg.read_text():
        cfg.write_text(cfg.read_text() + f"\n[deploy:test]\nurl = {scrapyd.url}\nproject = {PROJECT}\n")
    result = scrapyd_deploy(project_copy, "test", "--egg", str(egg), "--version", "1")
    assert '"status": "ok"' in result.stdout, result.stdout
    return scrapyd


def test_the_egg_holds_the_packages_and_names_the_settings(egg: Path) -> None:
    names = set(zipfile.ZipFile(egg).namelist())
    assert {"newsarchive/spiders/taipeitimes.py", "newsarchive/pipelines/records.py",
            "newsarchive/pipelines/parse.py", "newsarchive/crawl/settings.py"} <= names
    assert not any(n.startswith(("spiders/", "pipelines/", "tests/")) for n in names), sorted(names)
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = newsarchive.crawl.settings" in entry_points


def test_scrapyd_lists_the_deployed_spider(deployed: Scrapyd) -> None:
    assert PROJECT in deployed.get("listprojects.json")["projects"]
    assert deployed.get("listversions.json", project=PROJECT)["versions"] == ["1"]
    # Scrapyd runs `scrapy list` inside the egg: this needs the settings module from the egg's entry point
    assert deployed.get("listspiders.json", project=PROJECT)["spiders"] == [SPIDER]


def test_a_scheduled_job_archives_into_the_store(deployed: Scrapyd, site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    day = site.corpus.latest_day
    sections = ["front", "biz"]
    job = deployed.schedule(PROJECT, SPIDER, {"NEWSARCHIVE_STORE": str(store), "NEWSARCHIVE_BASE_URL": site.base_url},
                            since=day.isoformat(), until=day.isoformat(), sections=",".join(sections))
    deployed.wait(PROJECT, job, timeout=60)
    log = deployed.job_log(PROJECT, SPIDER, job)
    assert "Spider closed (finished)" in log, log[-3000:]
    assert "Traceback" not in log and " ERROR: " not in log, log[-3000:]
    assert_archived(store, site.corpus, [day], sections)
    (report,) = run_reports(store)
    assert report["parameters"]["sections"] == "front,biz"
    assert job in {j["id"] for j in deployed.get("listjobs.json", project=PROJECT)["finished"]}
