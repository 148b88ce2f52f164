"""spiders/ and pipelines/ install as newsarchive.spiders and newsarchive.pipelines, and nothing else.

Top-level packages named `spiders` or `pipelines` in site-packages would
collide with every other Scrapy project installed beside us, and a package
missing from pyproject's list would silently be left out of the wheel (and
of Scrapyd's egg) while the editable checkout still imports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.plugins.scrapyd import REPO, clean_env

MAPPED = {"newsarchive": "newsarchive", "newsarchive.spiders": "spiders", "newsarchive.pipelines": "pipelines"}


def pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def package_dirs() -> dict[str, Path]:
    """Every folder with an __init__.py under the mapped roots, by the package name it installs as."""
    found = {}
    for package, folder in MAPPED.items():
        for init in sorted((REPO / folder).rglob("__init__.py")):
            relative = init.parent.relative_to(REPO / folder)
            found[".".join([package, *relative.parts])] = init.parent
    return found


@pytest.fixture(scope="module")
def wheel(project_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel `pip wheel` builds (no deps, no isolation, no index: the venv's setuptools, offline)."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(out), str(project_copy)],
        env=clean_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (path,) = out.glob("newsarchive-*.whl")
    return zipfile.ZipFile(path)


def test_pyproject_maps_the_top_level_folders_into_the_package() -> None:
    assert pyproject()["tool"]["setuptools"]["package-dir"] == MAPPED


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    found = set(package_dirs())
    assert found - listed == set(), "packages missing from pyproject's [tool.setuptools] packages"
    assert listed - found == set(), "pyproject lists packages that have no folder with an __init__.py"


@pytest.mark.e2e
def test_the_wheel_installs_spiders_and_pipelines_inside_newsarchive(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert {"newsarchive/spiders/taipeitimes.py", "newsarchive/pipelines/parse.py",
            "newsarchive/pipelines/records.py"} <= set(names)
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level == {"newsarchive", "newsarchive-0.1.0.dist-info"}, top_level
    # every package folder of the checkout reaches the wheel, module for module
    for package, folder in package_dirs().items():
        prefix = package.replace(".", "/") + "/"
        assert {p.name for p in folder.glob("*.py")} <= {n[len(prefix):] for n in names if n.startswith(prefix)}, package


@pytest.mark.e2e
def test_the_wheel_carries_the_reading_rooms_templates_and_stylesheet(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    web = REPO / "newsarchive" / "web"
    files = [p for folder in ("templates", "static") for p in (web / folder).iterdir() if p.is_file()]
    assert files and {f"newsarchive/web/{p.parent.name}/{p.name}" for p in files} <= names


@pytest.mark.e2e
def test_the_wheel_names_the_scrapy_settings_entry_point(wheel: zipfile.ZipFile) -> None:
    """How Scrapyd, and `scrapy` run outside the checkout, find the settings module."""
    text = wheel.read("newsarchive-0.1.0.dist-info/entry_points.txt").decode()
    assert "[scrapy]\nsettings = newsarchive.crawl.settings" in text


@pytest.mark.e2e
def test_the_dev_venv_has_no_top_level_spiders_or_pipelines(tmp_path: Path) -> None:
    """From outside the checkout (no cwd on sys.path), only the mapped names import."""
    probe = (
        "import importlib.util as u, json\n"
        "import newsarchive.spiders, newsarchive.pipelines\n"
        "print(json.dumps({'spiders': u.find_spec('spiders') is not None,"
        " 'pipelines': u.find_spec('pipelines') is not None,"
        " 'newsarchive.spiders': newsarchive.spiders.__file__,"
        " 'newsarchive.pipelines': newsarchive.pipelines.__file__}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout)
    assert found["spiders"] is False and found["pipelines"] is False, found
    assert Path(found["newsarchive.spiders"]) == REPO / "spiders" / "__init__.py"
    assert Path(found["newsarchive.pipelines"]) == REPO / "pipelines" / "__init__.py"
    site_packages = Path(sysconfig.get_paths()["purelib"])
    assert not [p for p in site_packages.iterdir() if p.name.split(".")[0] in ("spiders", "pipelines")]
