"""Reading records out of a store: the one source everything here is derived from.

Listings are narrowed by the layout (records/YYYY/MM/DD/ by print date), so a
date filter lists only the years it needs. Reads from object stores go
through a few threads, since each GET waits on the network; a local folder is
read in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from newsarchive.archive.keys import RECORDS_PREFIX, parse_record_key
from newsarchive.errors import KeyNotFound
from newsarchive.store import LocalStore, Store

log = logging.getLogger(__name__)
READ_THREADS = 16


@dataclass(frozen=True, slots=True)
class RecordKey:
    key: str
    id: str
    published: dt.date
    size: int
    mtime_ns: int | None


def _prefix(since: dt.date | None, until: dt.date | None) -> str:
    """The longest layout prefix common to every day in [since, until]."""
    if not since or not until:
        return RECORDS_PREFIX
    common = RECORDS_PREFIX
    for fmt in ("%Y/", "%Y/%m/", "%Y/%m/%d/"):
        a, b = since.strftime(fmt), until.strftime(fmt)
        if a != b:
            break
        common = RECORDS_PREFIX + a
    return common


def _local_listing(store: LocalStore, prefix: str) -> Iterator[tuple[str, int, int]]:
    """(key, size, mtime_ns) of the record files of a local store, in key order.

    Walks only the layout's YYYY/MM/DD folders and skips the ObjectInfo and
    datetime per file that Store.list makes: a third of the time of
    indexing a million records went there.
    """
    base = os.path.join(store.root, prefix)
    depth = prefix[len(RECORDS_PREFIX):].count("/")  # folders already fixed by the prefix
    folders = [(base.rstrip("/"), prefix.rstrip("/"))]
    for _ in range(3 - depth):
        below = []
        for path, key in folders:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(path) as entries:
                below += [(e.path, f"{key}/{e.name}") for e in entries if e.name.isdigit() and e.is_dir()]
        folders = sorted(below, key=lambda f: f[1])
    for path, key in folders:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(path) as entries:
            files = sorted((e.name, e) for e in entries if e.name.endswith(".json") and not e.name.startswith("."))
        for name, entry in files:
            st = entry.stat()
            yield f"{key}/{name}", st.st_size, st.st_mtime_ns


def _listing(store: Store, prefix: str) -> Iterator[tuple[str, int, int | None]]:
    if isinstance(store, LocalStore):
        yield from _local_listing(store, prefix)
        return
    for info in store.list(prefix):
        yield info.key, info.size, int(info.modified.timestamp() * 1e6) * 1000 if info.modified else None


def list_records(store: Store, since: dt.date | None = None, until: dt.date | None = None) -> Iterator[RecordKey]:
    """Record keys in key order (print date, then id); anything else under records/ is ignored."""
    for key, size, mtime in _listing(store, _prefix(since, until)):
        parsed = parse_record_key(key)
        if parsed is None:
            continue
        article_id, day = parsed
        if (since and day < since) or (until and day > until):
            continue
        yield RecordKey(key, article_id, day, size, mtime)


def _read_local(store: LocalStore, key: str) -> bytes:
    """Keys here matched the record-key pattern (digits only), so joining them to the root is safe."""
    with open(os.path.join(store.root, key), "rb") as fh:
        return fh.read()


def decode(key: str, data: bytes) -> dict[str, Any] | None:
    """A record, or None (logged) if the object is not one: one bad file must not stop an index or export."""
    try:
        record = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("%s: not JSON (%s), skipped", key, exc)
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        log.warning("%s: not a record, skipped", key)
        return None
    parsed = parse_record_key(key)
    if parsed is not None and record["id"] != parsed[0]:
        # one article would be exported (and found) twice, or under another's key: `verify` reports it
        log.warning("%s: holds article %r, not the one its key names; skipped", key, record["id"][:20])
        return None
    return record


Loaded = tuple[RecordKey, dict[str, Any] | None, bytes]


def read_records(store: Store, keys: Iterable[RecordKey]) -> Iterator[Loaded]:
    """(key, record or None, raw bytes) in the order given, fetching ahead in threads for remote stores."""
    if isinstance(store, LocalStore):
        for rk in keys:
            data = _read_local(store, rk.key)
            yield rk, decode(rk.key, data), data
        return

    def fetch(rk: RecordKey) -> Loaded:
        data = store.get_bytes(rk.key)
        return rk, decode(rk.key, data), data

    with ThreadPoolExecutor(READ_THREADS) as pool:
        # map() keeps order; batches bound how far it reads ahead of the consumer
        batch: list[RecordKey] = []
        for rk in keys:
            batch.append(rk)
            if len(batch) == READ_THREADS * 16:
                yield from pool.map(fetch, batch)
                batch = []
        yield from pool.map(fetch, batch)


def fetch_records(store: Store, keys: list[str]) -> list[dict[str, Any] | None]:
    """The records under `keys` (search hits), None for any gone since it was indexed."""
    def load(key: str) -> dict[str, Any] | None:
        try:
            data = _read_local(store, key) if isinstance(store, LocalStore) else store.get_bytes(key)
        except (FileNotFoundError, KeyNotFound):
            return None
        return decode(key, data)

    if isinstance(store, LocalStore) or len(keys) < 2:
        return [load(key) for key in keys]
    with ThreadPoolExecutor(min(READ_THREADS, len(keys))) as pool:
        return list(pool.map(load, keys))
