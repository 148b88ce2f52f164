"""pytest plugins (tests/conftest.py loads them): one per real component the tests start (the site, SeaweedFS,
Valkey, Scrapyd, the CLI), the search tests' store, and the clock newsarchive reads."""
