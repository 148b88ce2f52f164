"""Shared fixtures come from tests/plugins/, one module per component the tests start.

The suite runs on a pinned "today": the local site's corpus ends on its reference day, and every
`newsarchive` process the tests start (and their children) takes that day as today through
$NEWSARCHIVE_TODAY, so no test depends on the date it runs.

Tests that start a process or a server are marked `e2e`; `make check` runs the others. A test that
asks for one of the plugins' servers without the mark is refused at collection, so the fast loop stays fast.
"""

import os

import pytest

from newsarchive.dates import TODAY_ENV
from tests.site.corpus import REFERENCE_DAY

os.environ[TODAY_ENV] = REFERENCE_DAY.isoformat()

pytest_plugins = [
    "tests.plugins.browser",
    "tests.plugins.cli",
    "tests.plugins.clock",
    "tests.plugins.replay",
    "tests.plugins.scrapyd",
    "tests.plugins.search",
    "tests.plugins.seaweed",
    "tests.plugins.site",
    "tests.plugins.valkey",
    "tests.plugins.webapp",
]

#: fixtures that start a server or a process (directly or through the fixtures they use)
E2E_FIXTURES = frozenset({"cli", "scrapyd", "seaweed", "fresh_seaweed", "site", "make_site", "fresh_site",
                          "valkey_server", "valkey", "browser", "page", "reading_room"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def fixtures(item: pytest.Item) -> set[str]:
        """The fixtures a test uses; a parametrize argument that happens to share a fixture's name is not one."""
        callspec = getattr(item, "callspec", None)
        return set(getattr(item, "fixturenames", ())) - set(callspec.params if callspec is not None else ())

    unmarked = [item.nodeid for item in items
                if E2E_FIXTURES & fixtures(item) and item.get_closest_marker("e2e") is None]
    if unmarked:
        raise pytest.UsageError("these tests start a server or a process but are not marked e2e "
                                "(add `pytestmark = pytest.mark.e2e` or @pytest.mark.e2e):\n  " + "\n  ".join(unmarked))
