"""Where newsarchive keeps what it can rebuild from a store: the search index, the replay index.

`$NEWSARCHIVE_CACHE` if set, else `$XDG_CACHE_HOME/newsarchive` (default
`~/.cache/newsarchive`). Everything under it is derived from a store and may be
deleted at any time; one folder per store, named by a hash of the store's URI,
so two stores never share a cache and the URI (which may name a bucket) is
not spelled out on disk.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CACHE_ENV = "NEWSARCHIVE_CACHE"


def cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsarchive"


def store_cache_dir(kind: str, store_uri: str) -> Path:
    """`<cache>/<kind>/<first 16 hex digits of sha256(store URI)>`."""
    return cache_root() / kind / hashlib.sha256(store_uri.encode("utf-8")).hexdigest()[:16]
