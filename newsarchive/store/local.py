"""The local folder store: the default (`./archive`, a path or `file://` URI).

Writes go to a temporary file in `<root>/.tmp/` (the same file system, so the
rename is atomic), are fsynced, then renamed over the key: a crash leaves the
old object or the new one. Temporary files are named for their host and
process, so the next run can sweep those of a process that died mid-write
without touching a live writer's (several workers may share one folder).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from newsarchive.errors import InvalidArgument, KeyNotFound, StoreDenied, StoreWriteFailed
from newsarchive.processes import pid_alive
from newsarchive.store.base import ObjectInfo, Store, validate_key, write_failure

TMP_SUFFIX = ".tmp"
_HOST = socket.gethostname().replace("~", "-")


def _write_error(path: Path, exc: OSError) -> StoreWriteFailed:
    return write_failure(f"store {path}", exc)


class LocalStore(Store):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().absolute()
        self.uri = self.root.as_uri()
        #: folders this object made or found (newsarchive.store.local.LocalStore._mkdir)
        self._folders: set[Path] = set()

    # -- paths ---------------------------------------------------------------
    def path(self, key: str) -> Path:
        """The file for a key; refuses anything that would leave the root."""
        return self.root / validate_key(key)

    # -- Store ---------------------------------------------------------------
    def staging_dir(self) -> Path:
        # inside the root: handing a closed WARC over is a rename, never a copy
        return self.root / ".staging"

    @property
    def tmp_dir(self) -> Path:
        return self.root / ".tmp"

    def sweep(self) -> int:
        """Remove temporary files left by dead writers on this host; returns how many."""
        if not self.tmp_dir.is_dir():
            return 0
        removed = 0
        for path in self.tmp_dir.iterdir():
            host, _, rest = path.name.partition("~")
            pid = rest.split("~", 1)[0]
            if host == _HOST and pid.isdigit() and not pid_alive(int(pid)):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def check(self) -> None:
        for path in (self.root, *self.root.parents):
            if path.is_symlink() and not path.exists():
                # mkdir would say "File exists" (exit 10, as if the disk failed): it is the path that is wrong
                raise InvalidArgument(f"store {self.root}: {path} is a symbolic link to {os.readlink(path)}, "
                                      "which does not exist")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreDenied(f"store {self.root}: not writable")
        # a real write: catches read-only mounts and a full disk before the crawl starts
        probe = self.tmp_dir / f"{_HOST}~{os.getpid()}~probe{TMP_SUFFIX}"
        try:
            self.tmp_dir.mkdir(exist_ok=True)
            probe.write_bytes(b"ok")
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        finally:
            probe.unlink(missing_ok=True)
        self.sweep()

    def _mkdir(self, folder: Path) -> None:
        """A folder made once per store object: a crawl writes two objects per article into few folders."""
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def _temporary(self) -> tuple[int, str]:
        return tempfile.mkstemp(prefix=f"{_HOST}~{os.getpid()}~", suffix=TMP_SUFFIX, dir=self.tmp_dir)

    def _atomic_write(self, dest: Path, write: Callable[[BinaryIO], object], durable: bool = True, *,
                      exclusive: bool = False) -> bool:
        """Write a temporary file, fsync it (unless not `durable`), then move it over `dest` (`exclusive`: link
        it there, which fails if `dest` exists: False then). Either way `dest` is whole the moment it exists."""
        try:
            self._mkdir(dest.parent)
            self._mkdir(self.tmp_dir)
            try:
                fd, tmp = self._temporary()
            except FileNotFoundError:  # the temporary folder was removed since this object made it: again
                self._folders.discard(self.tmp_dir)
                self._mkdir(self.tmp_dir)
                fd, tmp = self._temporary()
        except OSError as exc:
            self._folders.clear()
            raise _write_error(dest, exc) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                if durable:
                    os.fsync(fh.fileno())
            try:
                self._place(tmp, dest, exclusive)
            except FileNotFoundError:  # its folder, made earlier in this run, was removed since: made again
                self._folders.discard(dest.parent)
                self._mkdir(dest.parent)
                self._place(tmp, dest, exclusive)
            return True
        except FileExistsError:
            Path(tmp).unlink(missing_ok=True)
            return False
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _write_error(dest, exc) from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _place(tmp: str, dest: Path, exclusive: bool) -> None:
        if not exclusive:
            os.replace(tmp, dest)
            return
        os.link(tmp, dest)  # FileExistsError if dest exists (the caller removes tmp then)
        os.unlink(tmp)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/json", *, durable: bool = True) -> None:
        self._atomic_write(self.path(key), lambda fh: fh.write(data), durable)

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        dest = self.path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)  # same file system: an atomic move
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise _write_error(dest, exc) from None
        with open(path, "rb") as src:
            self._atomic_write(dest, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))
        Path(path).unlink()

    # -- compare-and-act -----------------------------------------------------------------------------
    # The version of a local object is the digest of its content. Creation is a hard link of a finished
    # temporary file, which cannot replace anything; comparing and acting happen under an flock on the
    # key's folder, held for microseconds and dropped by the kernel if the holder dies, so it never goes
    # stale. While a guarded caller compares, an unguarded creation can only make an absent object appear.

    @staticmethod
    def _version(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    @contextlib.contextmanager
    def _guard(self, dest: Path) -> Iterator[None]:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(dest.parent, os.O_RDONLY)
        except OSError as exc:
            raise _write_error(dest, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def create_versioned(self, key: str, data: bytes) -> str | None:
        if not self._atomic_write(self.path(key), lambda fh: fh.write(data), exclusive=True):
            return None
        return self._version(data)

    def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        try:
            data = self.get_bytes(key)
        except KeyNotFound:
            return None
        return data, self._version(data)

    def replace_if(self, key: str, data: bytes, version: str) -> str | None:
        dest = self.path(key)
        with self._guard(dest):
            current = self.read_versioned(key)
            if current is None or current[1] != version:
                return None
            self._atomic_write(dest, lambda fh: fh.write(data))
        return self._version(data)

    def delete_if(self, key: str, version: str) -> bool:
        dest = self.path(key)
        with self._guard(dest):
            current = self.read_versioned(key)
            if current is None or current[1] != version:
                return False
            dest.unlink(missing_ok=True)
        return True

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyNotFound(f"{self.uri}: no object {key}") from None

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        with self.open_read(key) as fh:
            fh.seek(offset)
            return fh.read(length)

    def open_read(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyNotFound(f"{self.uri}: no object {key}") from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        # walk only the deepest folder the prefix names, then filter
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root / folder if folder else self.root
        if not start.is_dir():
            return
        found: list[ObjectInfo] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = os.path.relpath(dirpath, self.root)
            for name in filenames:
                if name.startswith(".") or name.endswith(TMP_SUFFIX) or name.endswith(".open"):
                    continue
                key = name if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{name}"
                if key.startswith(prefix):
                    st = os.stat(os.path.join(dirpath, name))
                    found.append(ObjectInfo(key, st.st_size, dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)))
        found.sort(key=lambda o: o.key)
        yield from found

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
