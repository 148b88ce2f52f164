"""The local spool behind a remote store: where an object waits until the remote store has confirmed it.

A crawl must never lose a capture because the bucket is down, so every remote write lands here first and is
removed only after the upload is confirmed. One entry per key, the latest write wins:

    <dir>/<h>.json                 the entry's metadata (key, content type, size, token): its commit point
    <dir>/<h>.<token>.data         the payload, never modified once in place
    <dir>/.tmp-*                   writes in progress (ignored, swept when stale)

`h` is a hash of the key (keys may be deep paths; the spool stays flat). A write puts the payload in place
(temporary file, fsync, rename), then renames the metadata over the old one: a kill -9 at any point leaves
the old entry or the new one, never a half payload that an uploader would send. The token tells an uploader
whether the entry it sent is still the current one when it comes to remove it, so a newer write of the same
key is never dropped.

Metadata changes hold an flock on `<dir>/.lock` (a few microseconds), which serialises them between threads
and between processes sharing the spool. Payload copies happen outside it. No fork happens while a thread holds
that flock: a child process (the parse workers) would inherit the open lock file, and with it the lock, for its
whole life, and every later metadata change of the parent would wait for it forever.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsarchive.errors import StoreWriteFailed
from newsarchive.store.base import write_failure

_TMP = ".tmp-"
_LOCK = ".lock"
#: held by a thread while it has the lock file open, and by os.fork() around the fork (see the module doc)
_FORK_GUARD = threading.Lock()
os.register_at_fork(before=_FORK_GUARD.acquire, after_in_parent=_FORK_GUARD.release,
                    after_in_child=_FORK_GUARD.release)


@dataclass(frozen=True)
class Entry:
    key: str
    content_type: str
    size: int
    token: str
    data: Path
    spooled_at: float


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(exc) from None

    def _error(self, exc: OSError) -> StoreWriteFailed:
        return write_failure(f"spool {self.root}", exc)

    @staticmethod
    def _hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]

    def _meta_path(self, key: str) -> Path:
        return self.root / f"{self._hash(key)}.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # a fresh open file description per call: flock then excludes other threads of this process too
        with _FORK_GUARD, open(self.root / _LOCK, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    # -- writing -------------------------------------------------------------
    def _tmp(self) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(prefix=_TMP, dir=self.root)
        return fd, Path(name)

    def _commit(self, key: str, content_type: str, size: int, token: str, data: Path) -> Entry:
        entry = Entry(key, content_type, size, token, data, time.time())
        meta = json.dumps({"key": key, "content_type": content_type, "size": size, "token": token,
                           "data": data.name, "spooled_at": entry.spooled_at}).encode()
        fd, tmp = self._tmp()
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(meta)
                fh.flush()
                os.fsync(fh.fileno())
            with self._locked():
                old = self._read_meta(self._meta_path(key))
                os.replace(tmp, self._meta_path(key))
            _fsync_dir(self.root)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise self._error(exc) from None
        if old is not None and old.data != data:
            old.data.unlink(missing_ok=True)  # an uploader still sending it fails to reopen it and retries the new one
        return entry

    def _data_path(self, key: str, token: str) -> Path:
        return self.root / f"{self._hash(key)}.{token}.data"

    def add_bytes(self, key: str, data: bytes, content_type: str) -> Entry:
        token = uuid.uuid4().hex
        dest = self._data_path(key, token)
        try:
            fd, tmp = self._tmp()
        except OSError as exc:
            raise self._error(exc) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
            return self._commit(key, content_type, len(data), token, dest)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            dest.unlink(missing_ok=True)
            raise self._error(exc) from None
        except StoreWriteFailed:
            dest.unlink(missing_ok=True)
            raise

    def add_file(self, key: str, path: Path, content_type: str) -> Entry:
        """Take over a closed file: a rename when the spool is on the same file system (a 1 GB WARC costs
        nothing), else a copy; the caller's file is gone once the entry is committed."""
        token = uuid.uuid4().hex
        dest = self._data_path(key, token)
        try:
            os.replace(path, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise self._error(exc) from None
            try:
                fd, tmp = self._tmp()
            except OSError as exc2:
                raise self._error(exc2) from None
            try:
                with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, dest)
            except OSError as exc2:
                tmp.unlink(missing_ok=True)
                raise self._error(exc2) from None
            try:
                entry = self._commit(key, content_type, dest.stat().st_size, token, dest)
            except StoreWriteFailed:
                dest.unlink(missing_ok=True)
                raise
            Path(path).unlink(missing_ok=True)
            return entry
        try:
            return self._commit(key, content_type, dest.stat().st_size, token, dest)
        except StoreWriteFailed:
            os.replace(dest, path)  # give the caller its file back: it still owns it
            raise

    # -- reading -------------------------------------------------------------
    def _read_meta(self, meta: Path) -> Entry | None:
        try:
            doc = json.loads(meta.read_bytes())
        except (FileNotFoundError, ValueError):
            return None
        return Entry(doc["key"], doc["content_type"], doc["size"], doc["token"], self.root / doc["data"],
                     doc["spooled_at"])

    def get(self, key: str) -> Entry | None:
        return self._read_meta(self._meta_path(key))

    def entries(self) -> list[Entry]:
        """Every waiting entry, in key order (the order `Store.list` promises)."""
        found = [e for p in self.root.glob("*.json") if (e := self._read_meta(p)) is not None]
        found.sort(key=lambda e: e.key)
        return found

    def count(self) -> int:
        return sum(1 for _ in self.root.glob("*.json"))

    # -- removing ------------------------------------------------------------
    def remove_if_current(self, entry: Entry) -> bool:
        """Drop an entry after its upload was confirmed, unless a newer write of the key replaced it meanwhile
        (then False: the newer one still has to go up)."""
        meta = self._meta_path(entry.key)
        with self._locked():
            current = self._read_meta(meta)
            if current is None or current.token != entry.token:
                return False
            meta.unlink()
        entry.data.unlink(missing_ok=True)
        return True

    def remove(self, key: str) -> None:
        meta = self._meta_path(key)
        with self._locked():
            current = self._read_meta(meta)
            meta.unlink(missing_ok=True)
        if current is not None:
            current.data.unlink(missing_ok=True)

    def sweep(self, max_age: float = 3600.0) -> None:
        """Remove what a killed writer left behind: temporary files and payloads no entry points to. Only
        stale ones, so a write in progress in another process is never touched."""
        cutoff = time.time() - max_age
        with self._locked():
            live = {e.data.name for e in self.entries()}
            for p in self.root.iterdir():
                if p.name.startswith(_TMP) or (p.suffix == ".data" and p.name not in live):
                    with contextlib.suppress(OSError):
                        if p.stat().st_mtime < cutoff:
                            p.unlink()
