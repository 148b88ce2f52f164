"""The local full-text index of a store, kept in step with its records.

Where it lives: `$NEWSARCHIVE_CACHE/index/<hash of the store URI>/` if that
variable is set, else `$XDG_CACHE_HOME/newsarchive/index/<hash>/` (default
`~/.cache/...`). It is a cache: deleting it only costs a rebuild.

Inside: `tantivy/` (the engine's files), `manifest.parquet` (each indexed
record key with the size and modification time it had), `dedupe.arrow`
(each record's MinHash signature and duplicate group, see
newsarchive.search.dedupe), `meta.json` (index version, store URI, the
change marker seen at the last update).

Staying current. An update lists records/ and diffs it against the manifest:
new keys are added, keys whose size or mtime changed (a refreshed record)
replace their document, vanished keys are deleted. That listing is too slow
to repeat before every search of a million-record store, so searches first
compare a cheap *change marker* with the one saved at the last update:

* the listing of runs/ (every crawl and reparse writes a report there when it
  ends), and
* for a local store, the modification times of the records/YYYY/MM/DD
  folders (writing, replacing or deleting a record renames or unlinks in its
  day folder, which bumps that folder's mtime); about ten thousand `stat`s
  for 27 years of papers.

So a local store is re-checked exactly; an S3 store is re-checked when a new
run report appears, and `newsarchive index` forces the full diff at any time.
A marker taken within two seconds of the newest change is not trusted (file
system clocks are coarse), so the next search diffs again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq
import tantivy

from newsarchive.archive.keys import RECORDS_PREFIX, RUNS_PREFIX
from newsarchive.cache import store_cache_dir
from newsarchive.errors import CacheNotWritable, NoRecords
from newsarchive.search.dedupe import DuplicateGroups, signature
from newsarchive.search.query import fast_value
from newsarchive.search.records import RecordKey, list_records, read_records
from newsarchive.search.schema import ANALYZER, INDEX_VERSION, analyzer, build_schema, to_document
from newsarchive.store import LocalStore, Store

WRITER_HEAP = 512_000_000  # fewer, larger segments: less merging (measured ~10% less CPU than 256 MB)
SETTLE_SECONDS = 2.0
_MANIFEST_SCHEMA = pa.schema([("key", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64())])


def index_dir_for(store_uri: str) -> Path:
    return store_cache_dir("index", store_uri)


class Progress(Protocol):
    """What a long update reports to (newsarchive.cli.progressbar.TerminalProgress on a terminal)."""

    def start(self, what: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class _Silent:
    def start(self, what: str, total: int | None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


@dataclass
class UpdateStats:
    records: int = 0  # records in the store
    added: int = 0
    replaced: int = 0
    removed: int = 0
    skipped: int = 0  # objects under records/ that are not records
    regrouped: int = 0  # documents rewritten because their duplicate group changed
    seconds: float = 0.0
    rebuilt: bool = False

    @property
    def changed(self) -> int:
        return self.added + self.replaced + self.removed


def _local_day_folders(store: LocalStore) -> list[tuple[str, int]]:
    """(folder, mtime_ns) for records/ and each year, month and day folder: stats, no file listing."""
    top = os.path.join(store.root, RECORDS_PREFIX.rstrip("/"))
    try:
        found = [(top, os.stat(top).st_mtime_ns)]
    except FileNotFoundError:
        return []
    level = [top]
    for _ in range(3):  # YYYY, MM, DD
        below: list[str] = []
        for folder in level:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.isdigit() and entry.is_dir():
                        found.append((entry.path, entry.stat().st_mtime_ns))
                        below.append(entry.path)
        level = below
    found.sort()
    return found


def change_marker(store: Store) -> tuple[str, bool]:
    """(marker, settled): the marker changes whenever records may have; unsettled ones are not saved."""
    digest = hashlib.sha256()
    newest = 0.0
    for info in store.list(RUNS_PREFIX):
        digest.update(f"{info.key}\0{info.size}\0{info.modified}\n".encode())
        newest = max(newest, info.modified.timestamp() if info.modified else 0.0)
    if isinstance(store, LocalStore):
        for folder, mtime_ns in _local_day_folders(store):
            digest.update(f"{folder}\0{mtime_ns}\n".encode())
            newest = max(newest, mtime_ns / 1e9)
    return digest.hexdigest(), time.time() - newest > SETTLE_SECONDS


class SearchIndex:
    """One store's index: open it, keep it current, hand out searchers."""

    def __init__(self, store: Store, directory: str | os.PathLike[str] | None = None) -> None:
        self.store = store
        self.dir = Path(directory) if directory else index_dir_for(store.uri)
        self.schema = build_schema()
        self._index: tantivy.Index | None = None

    # -- files -----------------------------------------------------------------
    @property
    def _engine_dir(self) -> Path:
        return self.dir / "tantivy"

    @property
    def _manifest_path(self) -> Path:
        return self.dir / "manifest.parquet"

    @property
    def _dedupe_path(self) -> Path:
        return self.dir / "dedupe.arrow"

    def _meta(self) -> dict:
        try:
            return json.loads((self.dir / "meta.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _write_atomic(self, name: str, write: Callable[[Path], object]) -> None:
        tmp = self.dir / f".{name}.tmp"
        write(tmp)
        os.replace(tmp, self.dir / name)

    def _load_manifest(self) -> dict[str, tuple[int, int | None]]:
        if not self._manifest_path.exists():
            return {}
        table = pq.read_table(self._manifest_path)
        sizes = zip(table["size"].to_pylist(), table["mtime_ns"].to_pylist(), strict=True)
        return dict(zip(table["key"].to_pylist(), sizes, strict=True))

    def _save_manifest(self, listing: dict[str, RecordKey]) -> None:
        table = pa.table({
            "key": list(listing),
            "size": [rk.size for rk in listing.values()],
            "mtime_ns": [rk.mtime_ns for rk in listing.values()],
        }, schema=_MANIFEST_SCHEMA)
        self._write_atomic("manifest.parquet", lambda path: pq.write_table(table, path))

    def _save_meta(self, marker: str | None, records: int) -> None:
        meta = {"version": INDEX_VERSION, "store": self.store.uri, "marker": marker, "records": records,
                "updated_at": time.time()}
        self._write_atomic("meta.json", lambda path: path.write_text(json.dumps(meta, indent=1)))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One updater at a time per index (another process may be searching the same store)."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fh = open(self.dir / ".lock", "w")
        except OSError as exc:  # a read-only or full cache: the user's to fix, in one line
            raise CacheNotWritable(f"search index {self.dir}: not writable ({exc.strerror or exc}); "
                                   "set NEWSARCHIVE_CACHE or XDG_CACHE_HOME") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- engine ----------------------------------------------------------------
    @property
    def engine(self) -> tantivy.Index:
        if self._index is None:
            if self._meta().get("version") != INDEX_VERSION:  # another schema: start over
                shutil.rmtree(self._engine_dir, ignore_errors=True)
                self._manifest_path.unlink(missing_ok=True)
                self._dedupe_path.unlink(missing_ok=True)
            self._engine_dir.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self.schema, path=str(self._engine_dir))
            self._index.register_tokenizer(ANALYZER, analyzer())
        return self._index

    def searcher(self) -> tantivy.Searcher:
        return self.engine.searcher()

    @property
    def exists(self) -> bool:
        return self._meta().get("version") == INDEX_VERSION

    def is_fresh(self) -> bool:
        meta = self._meta()
        if meta.get("version") != INDEX_VERSION or not meta.get("marker"):
            return False
        marker, _ = change_marker(self.store)
        return marker == meta["marker"]

    def ensure_fresh(self) -> UpdateStats | None:
        """Update if the store changed since the last update; None if it had not."""
        if self.is_fresh():
            return None
        return self._update(rebuild=False, if_stale=True, progress=_Silent())

    # -- updates -----------------------------------------------------------------
    def update(self, rebuild: bool = False, progress: Progress | None = None) -> UpdateStats:
        """Bring the index in line with the store's records (all of them, if `rebuild`)."""
        stats = self._update(rebuild, if_stale=False, progress=progress or _Silent())
        assert stats is not None  # only if_stale skips
        return stats

    def _update(self, rebuild: bool, if_stale: bool, progress: Progress) -> UpdateStats | None:
        """`if_stale`: another process may have updated while we waited for the lock; then do nothing."""
        started = time.monotonic()
        with self._locked():
            if if_stale and self.is_fresh():
                return None
            engine = self.engine
            marker, settled = change_marker(self.store)  # before listing: later changes make it stale
            listing = {rk.key: rk for rk in list_records(self.store)}
            if not listing:
                raise NoRecords(f"store {self.store.uri} has no records (nothing under {RECORDS_PREFIX})")
            groups = None if rebuild else DuplicateGroups.load(self._dedupe_path)
            rebuild = rebuild or groups is None  # no signatures to group against: start over
            old = {} if rebuild else self._load_manifest()
            stats = UpdateStats(records=len(listing), rebuilt=rebuild)
            removed = [key for key in old if key not in listing]
            changed = [rk for key, rk in listing.items() if old.get(key) != (rk.size, rk.mtime_ns)]
            if rebuild or removed or changed:
                groups = groups or DuplicateGroups()
                self._apply(engine, rebuild, old, removed, changed, listing, groups, stats, progress)
                self._write_atomic("dedupe.arrow", groups.save)
            self._save_manifest(listing)
            self._save_meta(marker if settled else None, len(listing) - stats.skipped)
            engine.reload()
        stats.seconds = time.monotonic() - started
        return stats

    def _apply(self, engine: tantivy.Index, rebuild: bool, old: dict, removed: list[str],
               changed: list[RecordKey], listing: dict[str, RecordKey], groups: DuplicateGroups,
               stats: UpdateStats, progress: Progress) -> None:
        """Documents in, then duplicate groups settled: a record's group can only be known once every record
        near it is in, so each is added with a provisional group and the few that moved are rewritten."""
        writer = engine.writer(heap_size=WRITER_HEAP)
        try:
            if rebuild:
                writer.delete_all_documents()
            for key in removed:
                writer.delete_documents_by_term("key", key)
                groups.remove(key)
            stats.removed = len(removed)
            progress.start("indexing records", len(changed))
            for rk, record, _ in read_records(self.store, changed):
                progress.advance()
                if rk.key in old:  # deletes apply only to documents added before them
                    writer.delete_documents_by_term("key", rk.key)
                if record is None:
                    groups.remove(rk.key)
                    stats.skipped += 1
                    continue
                group, rep = groups.put(rk.key, rk.id, rk.published, signature(record.get("body") or ()))
                writer.add_document(to_document(rk.key, record, rk.published, group, rep))
                if rk.key in old:
                    stats.replaced += 1
                else:
                    stats.added += 1
            progress.start("grouping duplicates", None)
            moved = groups.regroup(indexed=self._indexed_groups)
            progress.start("rewriting regrouped records", len(moved))
            for rk, record, _ in read_records(self.store, [listing[key] for key in sorted(moved)]):
                progress.advance()
                writer.delete_documents_by_term("key", rk.key)
                if record is not None:
                    writer.add_document(to_document(rk.key, record, rk.published, *moved[rk.key]))
            stats.regrouped = len(moved)
            progress.start("committing", None)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise

    def _indexed_groups(self, keys: list[str]) -> dict[str, int]:
        """The duplicate group each key's document holds now (committed documents only)."""
        self.engine.reload()
        searcher = self.engine.searcher()
        found: dict[str, int] = {}
        for key in keys:
            result = searcher.search(tantivy.Query.term_query(self.schema, "key", key), 1, count=False)
            if result.hits:
                found[key] = fast_value(searcher, "dup_group", result.hits[0][1])
        return found
