"""A real browser for the tests: the operating system's Chromium (Debian's `chromium`), driven by Playwright.

Never a downloaded browser: Playwright launches /usr/bin/chromium, which
`make test` installs with apt-get when it is missing (`make chromium`). The
browser has no network but the loopback servers the tests start: background
traffic, updates and sync are off.

Screenshots of each page a test visits go to one folder per run, named at
the end of the run (`$NEWSARCHIVE_SCREENSHOTS`, else `screenshots/` in
pytest's base temporary folder), so a person can look at what a reader sees.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]
#: a laptop's screen
VIEWPORT = {"width": 1366, "height": 900}
SCREENSHOTS_ENV = "NEWSARCHIVE_SCREENSHOTS"
_taken: list[Path] = []


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium (apt-get)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=120_000)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (its own cookies) on a laptop-sized window; dialogs are recorded, never answered."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshot_dir: Path, request: pytest.FixtureRequest) -> Any:
    """screenshot(page, "name"): the whole page as <test>-<name>.png in the run's screenshot folder."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def take(tab: Any, name: str) -> Path:
        path = screenshot_dir / f"{test}-{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        _taken.append(path)
        return path

    return take


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _taken:
        terminalreporter.write_line(f"screenshots: {len(_taken)} in {_taken[0].parent}")
