"""One storage interface, two implementations (local folder, S3), chosen by URI.

Everything the archive writes goes through `Store`: records, run reports and
state as small objects (`put_bytes`), WARC files as closed local files handed
over whole (`put_file`). Implementations must make each write atomic: a reader
sees the old object or the new one, never half of one.
"""

from __future__ import annotations

import abc
import datetime as dt
import errno
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsarchive.errors import StoreWriteFailed


def validate_key(key: str) -> str:
    """Refuse any key that could leave the store's root or prefix, the same way for every store, so a key that
    works on one store works (or fails) identically on the other."""
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in key.split("/")):
        raise ValueError(f"unsafe store key: {key!r}")
    return key


def write_failure(where: str, exc: OSError) -> StoreWriteFailed:
    """The one-line error for a failed write to `where` ("store /srv/archive", "spool ..."), by its errno."""
    if exc.errno == errno.ENOSPC:
        return StoreWriteFailed(f"{where}: disk full")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreWriteFailed(f"{where}: not writable ({exc.strerror})")
    return StoreWriteFailed(f"{where}: write failed ({exc.strerror or exc})")


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: dt.datetime | None = None


class Store(abc.ABC):
    """A flat key space of immutable-ish objects under one root or prefix.

    Keys are '/'-separated, relative, built by `newsarchive.archive.keys`.
    """

    uri: str

    @abc.abstractmethod
    def check(self) -> None:
        """Fail fast: raise StoreUnreachable / StoreDenied / StoreWriteFailed if the store cannot be used."""

    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/json", *, durable: bool = True) -> None:
        """Write one object atomically. `durable=False`: a crash of the machine soon after may lose the object
        (never tear it), for objects whose loss only costs work, like an article's state (a re-fetch)."""

    @abc.abstractmethod
    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        """Hand over a closed local file (a WARC); the store owns it afterwards and deletes the local copy
        only once the write is confirmed."""

    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Write only if absent; False if the key exists."""
        return self.create_versioned(key, data) is not None

    # -- compare-and-act: what the crawl lock is made of (newsarchive.archive.lock) ------------------
    # A version names one content of one object: whoever read version V can replace or delete the object only
    # if it is still V, so two processes can never both act on what each judged from a read.

    @abc.abstractmethod
    def create_versioned(self, key: str, data: bytes) -> str | None:
        """Create the object with its content in one atomic step (no reader ever sees it empty or half
        written); its version, or None if the key exists already."""

    @abc.abstractmethod
    def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The object's content and version, or None if it is absent."""

    @abc.abstractmethod
    def replace_if(self, key: str, data: bytes, version: str) -> str | None:
        """Replace the object only if it is still at `version`; the new version, or None if it is not."""

    @abc.abstractmethod
    def delete_if(self, key: str, version: str) -> bool:
        """Delete the object only if it is still at `version`; False if it is not (or is gone)."""

    @abc.abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """Whole object; KeyNotFound if absent."""

    @abc.abstractmethod
    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """`length` bytes from `offset`: reading one WARC record without downloading the file."""

    @abc.abstractmethod
    def open_read(self, key: str) -> BinaryIO:
        """A streaming reader over the whole object."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with `prefix`, in key order."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; absent is not an error."""

    @abc.abstractmethod
    def staging_dir(self) -> Path:
        """A local folder, on the same file system as any spool, where WARC files are written while open."""

    def flush(self, timeout: float | None = None) -> int:
        """Push anything waiting in a local spool; returns how many objects still wait."""
        return 0

    def pending(self) -> int:
        """Objects written but not yet confirmed by the store (spooled)."""
        return 0

    def close(self) -> None:  # noqa: B027 - a default: a store without connections has nothing to release
        """Release connections; spooled objects stay on disk for the next run."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
