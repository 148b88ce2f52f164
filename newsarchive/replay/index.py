"""The store's replay index: every capture of every WARC in one sorted CDXJ file, as pywb reads it.

Built from the CDXJ file the crawl writes beside each WARC: each line's
`filename` (cdxj-indexer writes the bare file name) becomes the WARC's key in
the store (`warc/YYYY/MM/DD/TT-....warc.gz`), so pywb's `archive_paths` is just
the store's root, a folder or `s3://bucket/prefix/`, and nothing is copied.
A mirror's captures are listed under the site's URLs too
(newsarchive.archive.replay.site_alias).

One flat file rather than a folder of per-WARC files: pywb searches every file
of a folder on every query, so a lookup cost 143 ms at 1,000 files against
2.3 ms for one file of a million lines (research, NOTES §2.2).

Kept current incrementally. `indexed.json` remembers which per-WARC indexes
went in (key and size). An update lists `warc/`, sorts the lines of the new
ones (external sort, bounded memory) and merges them into the existing file in
one streaming pass; it never reads an old per-WARC index again. WARCs are
written once and never changed, so a per-WARC index that vanished or changed
size means something unusual happened: then the file is rebuilt from all of
them. The new file replaces the old atomically; pywb opens the index for every
query, so a running server serves the new captures at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.archive.cdxj import CdxLine, merge, sort_lines, write_atomic
from newsarchive.archive.keys import WARC_PREFIX
from newsarchive.archive.replay import with_aliases
from newsarchive.archive.warcread import WARC_SUFFIX
from newsarchive.cache import store_cache_dir
from newsarchive.errors import CacheNotWritable
from newsarchive.store import LocalStore, Store
from newsarchive.tools.progress import Progress

log = logging.getLogger(__name__)

STATE_VERSION = 1
CDXJ_SUFFIX = ".cdxj"
FETCH_THREADS = 8


@dataclass
class IndexUpdate:
    """What an update did."""

    sources: int = 0  # per-WARC indexes now in the replay index
    added: int = 0  # of which read by this update
    lines: int = 0  # lines in the replay index
    rebuilt: bool = False
    seconds: float = 0.0
    #: WARC files without a CDXJ beside them: they cannot be replayed (`newsarchive verify` names them)
    unindexed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        how = "rebuilt" if self.rebuilt else f"{self.added} new" if self.added else "up to date"
        text = f"replay index: {self.sources} WARC indexes ({how}), {self.lines} lines, {self.seconds:.1f} s"
        if self.unindexed:
            text += f"; {len(self.unindexed)} WARC files have no CDXJ index and cannot be replayed"
        return text


def warc_of(cdxj_key: str) -> str:
    return cdxj_key[: -len(CDXJ_SUFFIX)] + WARC_SUFFIX


def store_lines(cdxj_key: str, text: str) -> Iterator[str]:
    """The lines of one per-WARC index with `filename` made the WARC's store key."""
    warc = warc_of(cdxj_key)
    for raw in text.splitlines():
        line = CdxLine.parse(raw)
        if line is not None:
            yield line.moved(warc).text


class ReplayIndex:
    """`<cache>/replay/<store hash>/index.cdxj` (or `directory`), and the state of what is in it."""

    def __init__(self, store: Store, directory: str | Path | None = None) -> None:
        self.store = store
        self.dir = Path(directory) if directory else store_cache_dir("replay", store.uri)
        self.path = self.dir / "index.cdxj"
        self.state_path = self.dir / "indexed.json"

    def _load_state(self) -> dict[str, int] | None:
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return None
        if state.get("version") != STATE_VERSION or state.get("store") != self.store.uri or not self.path.exists():
            return None
        return {str(k): int(v) for k, v in state.get("sources", {}).items()}

    def _save_state(self, sources: dict[str, int], lines: int) -> None:
        state = {"version": STATE_VERSION, "store": self.store.uri, "lines": lines, "sources": sources}
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=0))
        tmp.replace(self.state_path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One update at a time per store (a replay server refreshing while an export starts)."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fh = open(self.dir / ".lock", "w")
        except OSError as exc:
            raise CacheNotWritable(f"replay index {self.dir}: cannot write there ({exc.strerror}); "
                                   "set NEWSARCHIVE_CACHE or XDG_CACHE_HOME") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def _listing(self) -> tuple[dict[str, int], list[str]]:
        """(per-WARC index key -> size, WARC keys without an index)."""
        indexes: dict[str, int] = {}
        warcs: list[str] = []
        for info in self.store.list(WARC_PREFIX):
            if info.key.endswith(CDXJ_SUFFIX):
                indexes[info.key] = info.size
            elif info.key.endswith(WARC_SUFFIX):
                warcs.append(info.key)
        have = {warc_of(key) for key in indexes}
        return indexes, [w for w in warcs if w not in have]

    def _texts(self, keys: list[str], progress: Progress) -> Iterator[tuple[str, str]]:
        """(key, text) of per-WARC indexes in order; remote stores are read a few at a time in threads."""
        def get(key: str) -> tuple[str, str]:
            return key, self.store.get_bytes(key).decode("utf-8", "replace")

        if isinstance(self.store, LocalStore):
            for key in keys:
                yield get(key)
                progress.advance()
            return
        with ThreadPoolExecutor(FETCH_THREADS) as pool:
            for start in range(0, len(keys), FETCH_THREADS * 4):
                for item in pool.map(get, keys[start:start + FETCH_THREADS * 4]):
                    yield item
                    progress.advance()

    def update(self, progress: Progress | None = None) -> IndexUpdate:
        """Bring the index in line with the store's per-WARC indexes; returns what it did."""
        progress = progress or Progress()
        started = time.monotonic()
        with self._locked():
            listing, unindexed = self._listing()
            known = self._load_state()
            rebuild = known is None or any(listing.get(key) != size for key, size in known.items())
            if rebuild and known:
                log.warning("replay index: a per-WARC index vanished or changed since the last update; rebuilding")
            new = sorted(listing) if rebuild else sorted(set(listing) - set(known or {}))
            result = IndexUpdate(sources=len(listing), added=len(new), rebuilt=rebuild, unindexed=unindexed)
            if not new and not rebuild:
                result.lines = int(json.loads(self.state_path.read_text()).get("lines", 0))
            else:
                progress.start("indexing WARC files for replay", len(new))
                fresh = (line for key, text in self._texts(new, progress) for line in store_lines(key, text))
                added = sort_lines(with_aliases(fresh), self.dir)
                if rebuild:
                    result.lines = write_atomic(self.path, added)
                else:
                    with open(self.path, encoding="utf-8") as old:
                        result.lines = write_atomic(self.path, merge(old, added))
                self._save_state(listing, result.lines)
        result.seconds = time.monotonic() - started
        return result
