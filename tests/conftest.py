"""Shared fixtures come from tests/plugins/, one module per component the tests start.

The suite runs on a pinned "today": the local site's corpus ends on its reference day, and every
`newsarchive` process the tests start (and their children) takes that day as today through
$NEWSARCHIVE_TODAY, so no test depends on the date it runs.
"""

import os

from newsarchive.dates import TODAY_ENV
from tests.site.corpus import REFERENCE_DAY

os.environ[TODAY_ENV] = REFERENCE_DAY.isoformat()

pytest_plugins = [
    "tests.plugins.cli",
    "tests.plugins.replay",
    "tests.plugins.scrapyd",
    "tests.plugins.search",
    "tests.plugins.seaweed",
    "tests.plugins.site",
    "tests.plugins.valkey",
]
