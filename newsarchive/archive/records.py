"""Writing a JSON record over an earlier one: the rule the crawl and `reparse` share.

A record replaced because its content changed leaves the old version under
`history/` (history_key, by the old version's fetch time), so an edit
is never lost, whoever notices it: a crawl that fetched the page again, or a
reparse whose better parser reads the same capture differently. A history copy
is never overwritten: two reparses of one capture would share its key, and the
first version is the one worth keeping.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from newsarchive import article
from newsarchive.archive.keys import check_key, history_key
from newsarchive.errors import KeyNotFound
from newsarchive.store.base import Store

EPOCH = "1970-01-01T00:00:00"


def read_record(store: Store, key: str) -> dict[str, Any] | None:
    """The stored record at a key, or None if there is none (or it is not JSON: it gets rewritten)."""
    try:
        data = json.loads(store.get_bytes(key))
    except (KeyNotFound, ValueError):
        return None
    return data if isinstance(data, dict) else None


def fetched_at_of(record: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(record.get("fetched_at") or EPOCH).replace("Z", "+00:00"))


def keep_history(store: Store, previous: dict[str, Any], published: dt.date) -> str:
    """Keep `previous` under history/ (unless that version is already kept); returns its key. `published` is the
    date of the record's key (the day folder it and its history share), not necessarily its print date."""
    key = history_key(previous["id"], published, fetched_at_of(previous))
    if not store.exists(key):
        store.put_bytes(key, article.encode(previous))
    return key


def write_record(store: Store, key: str, record: dict[str, Any]) -> None:
    store.put_bytes(check_key(key), article.encode(record))
