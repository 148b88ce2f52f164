"""pytest plugins, one per real component the tests start (site, SeaweedFS, Valkey, Scrapyd)."""
