"""Shared fixtures come from tests/plugins/, one module per component the tests start."""

pytest_plugins = [
    "tests.plugins.cli",
    "tests.plugins.scrapyd",
    "tests.plugins.seaweed",
    "tests.plugins.site",
    "tests.plugins.valkey",
]
