"""The S3 store (`s3://bucket/prefix`): AWS, MinIO, Ceph, SeaweedFS, through boto3.

The endpoint is `endpoint_url` (CLI `--s3-endpoint-url`) or boto3's own `AWS_ENDPOINT_URL(_S3)`; credentials
come from boto3's usual chain. Custom endpoints get path-style addressing, which every S3 clone understands.

**Nothing is lost.** `put_bytes` and `put_file` first commit the object to a local spool (see
`newsarchive.store.spool`; default `$XDG_CACHE_HOME/newsarchive/spool/<bucket>/<hash of endpoint+prefix>`,
the endpoint included so a spool never goes up to another server), and the spooled copy is deleted only after
the upload is confirmed. Small `put_bytes` objects (up to `sync_put_limit`) go up at once, one attempt with
short timeouts; on a connection error the object just waits, and later writes spool without touching the
network until the background uploader gets through again: an outage costs one timeout, not one per write.
`put_file` (WARCs, up to GBs) never uploads in the caller's thread. The uploader thread (a daemon, started on
demand) drains the spool, backing off up to 15 s while the bucket is down.

Reads (`get_bytes`, `get_range`, `open_read`, `exists`) answer from the spool first, so a crawl that spooled
still sees what it archived; `list` merges the spool into the bucket's listing. What is not spooled needs the
bucket: during an outage those reads, `list` (never a listing that silently misses objects) and `delete`
raise StoreUnreachable.

- `pending()`: objects waiting in the spool.
- `flush(timeout)`: upload what waits, retrying until `timeout` seconds have passed (None: one attempt per
  object); returns how many still wait. Call it at the end of a crawl; non-zero means exit 11 (SPOOLED).
- `check()`: fails fast (StoreUnreachable / StoreDenied) and then starts uploading leftovers of a previous
  run in the background; `flush()` waits for them.
- `close()`: stops the uploader; whatever waits stays on disk for the next run. An upload in flight at that
  moment is abandoned (the object stays spooled; the bucket's incomplete-multipart lifecycle rule cleans up).

Only one store at a time uploads from a spool: the first to upload takes an flock on it and keeps it until
`close()`. Others (a second process on the same bucket/prefix) still spool and read, and their objects go up
with the owner or the next run.

Integrity: single uploads send Content-MD5, multipart parts carry botocore's default CRC32 checksum (the
server rejects a corrupted part: BadDigest), and the ETag the server returns is compared with the MD5 (or the
multipart MD5-of-MD5s) computed locally; KMS-encrypted objects, whose ETag is not an MD5, rely on the
checksums alone. Objects are sent without any ACL: they are as private as the bucket. For servers that reject
botocore's flexible checksums, set `AWS_REQUEST_CHECKSUM_CALCULATION=when_required`.

Compare-and-act (the crawl lock, newsarchive.archive.lock) uses conditional requests, with the ETag as the
version: `create_versioned` is a PUT with `If-None-Match: *` (botocore >= 1.35), `replace_if` a PUT and
`delete_if` a DELETE with `If-Match: <etag>`; AWS, MinIO and SeaweedFS honour them (412 PreconditionFailed when
the condition fails). These bypass the spool: a lock is worth nothing unless the bucket itself has it. If a
server answers NotImplemented they fall back to a read then an unconditional request, with a warning: two
crawls acting in the same instant could then both take the lock.

`staging_dir()` lies inside the spool, so handing a finished WARC to `put_file` is a rename.

Thread safety: all methods may be called from any thread (boto3 clients are thread-safe; the spool locks its
own metadata; one key is never uploaded by two threads at once).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import heapq
import logging
import os
import re
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

import boto3
import botocore.exceptions as bex
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from s3transfer.utils import ChunksizeAdjuster

from newsarchive.errors import KeyNotFound, StoreDenied, StoreError, StoreUnreachable, StoreWriteFailed
from newsarchive.store.base import ObjectInfo, Store, validate_key
from newsarchive.store.spool import Entry, Spool

log = logging.getLogger(__name__)
MiB = 1 << 20
DENIED_CODES = {"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken",
                "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem", "InvalidSecurity", "403", "Forbidden"}
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_MD5_ETAG = re.compile(r"^[0-9a-f]{32}(-\d+)?$")
_CONNECTION_ERRORS = (bex.EndpointConnectionError, bex.ConnectionError, bex.HTTPClientError)
#: a conditional request whose condition did not hold (409: AWS's answer to two at once; 404: nothing to match)
_CONDITION_FAILED = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409", "NoSuchKey", "404"}
MAX_BACKOFF = 15.0


class _Skip(Exception):
    """This entry cannot be uploaded now for a reason that is not the bucket's (e.g. superseded)."""


def _hidden(key: str) -> bool:
    """Probes and other dot objects stay out of listings, as the local store hides dot files."""
    return any(part.startswith(".") for part in key.split("/"))


def default_spool_dir(bucket: str, key: str) -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "newsarchive" / "spool" / bucket / hashlib.sha256(key.encode()).hexdigest()[:16]


def _multipart_etag(path: Path, chunksize: int) -> str:
    """The ETag S3 gives a multipart upload in `chunksize` parts: MD5 of the parts' MD5s, dash, part count."""
    parts = []
    with open(path, "rb") as fh:
        while chunk := fh.read(chunksize):
            parts.append(hashlib.md5(chunk).digest())
    return f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}"


#: stores holding their spool's uploader lock (`_own`)
_OWNERS: weakref.WeakSet[S3Store] = weakref.WeakSet()


def _drop_inherited_uploader_locks() -> None:
    """In a forked child (the parse workers): close the copies of the uploader lock files. An flock lives as long
    as any copy of its file is open, so a child that outlives a killed crawl would keep the next run from ever
    uploading its spool."""
    for store in list(_OWNERS):
        if store._owner is not None:
            with contextlib.suppress(OSError):
                store._owner.close()
            store._owner = None


os.register_at_fork(after_in_child=_drop_inherited_uploader_locks)


class S3Store(Store):
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 spool_dir: str | os.PathLike[str] | None = None, *, multipart_threshold: int = 64 * MiB,
                 multipart_chunksize: int = 16 * MiB, sync_put_limit: int = 1 * MiB,
                 connect_timeout: float = 3.0, read_timeout: float = 10.0) -> None:
        prefix = prefix.strip("/")
        if prefix:
            validate_key(prefix)
        self.bucket, self.prefix = bucket, prefix
        self.uri = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        self.multipart_threshold, self.multipart_chunksize = multipart_threshold, multipart_chunksize
        self.sync_put_limit = sync_put_limit
        self.list_page_size = 1000  # S3's maximum; tests lower it to see pagination at work

        self._session = boto3.session.Session()
        custom = bool(endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"))
        s3_conf = {"addressing_style": "path"} if custom else {}
        region = self._session.region_name or "us-east-1"

        def client(read: float, attempts: int) -> Any:
            cfg = Config(connect_timeout=connect_timeout, read_timeout=read, tcp_keepalive=True,
                         retries={"max_attempts": attempts, "mode": "standard"}, s3=s3_conf, max_pool_connections=16)
            return self._session.client("s3", endpoint_url=endpoint_url, region_name=region, config=cfg)

        # callers' requests: one attempt, the spool is the retry; the uploader: patient, it runs in the background
        self._client = client(read_timeout, 1)
        self._bulk = client(max(read_timeout, 120.0), 2)  # one 16 MiB part may take a while on a slow link
        self.endpoint = self._client.meta.endpoint_url

        self._spool = Spool(Path(spool_dir) if spool_dir else default_spool_dir(bucket, f"{self.endpoint}\n{prefix}"))
        self._spool.sweep()
        self._lock = threading.Condition()
        self._inflight: set[str] = set()
        self._owner: IO[str] | None = None
        self._down = False  # set by a connection failure, cleared by the uploader's next success
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- names and errors ----------------------------------------------------
    def _full(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _rel(self, full: str) -> str:
        return full[len(self.prefix) + 1:] if self.prefix else full

    def _redact(self, text: str) -> str:
        """Servers echo request details in error messages; make sure credentials never reach a log line."""
        creds = self._session.get_credentials()
        if creds is not None:
            for secret in (creds.secret_key, creds.token, creds.access_key):
                if secret:
                    text = text.replace(secret, "***")
        return " ".join(text.split())[:300]

    def _key_hint(self) -> str:
        creds = self._session.get_credentials()
        if creds is None or not creds.access_key:
            return "no credentials"
        ak = creds.access_key
        return f"access key …{ak[-4:]}" if len(ak) >= 12 else "access key ***"

    def _error(self, exc: Exception, what: str) -> Exception:
        """One line a user can act on, of the exception type the exit code needs."""
        where = f"store {self.uri}"
        if isinstance(exc, bex.NoCredentialsError):
            return StoreDenied(f"{where}: no S3 credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile)")
        if isinstance(exc, (*_CONNECTION_ERRORS, socket.timeout, ConnectionError)):
            reason = type(exc).__name__ if isinstance(exc, bex.ConnectTimeoutError) else str(exc)
            return StoreUnreachable(f"{where}: cannot reach {self.endpoint}: {self._redact(reason)}")
        if isinstance(exc, bex.ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            msg = self._redact(str(err.get("Message") or ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in DENIED_CODES or status == 403:
                return StoreDenied(f"{where}: {self.endpoint} refused {what} ({code}: {msg}; {self._key_hint()})")
            if code == "NoSuchBucket":
                return StoreUnreachable(f"{where}: cannot reach {self.endpoint}: bucket {self.bucket} does not exist")
            if status >= 500 or code in ("SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"):
                return StoreUnreachable(f"{where}: cannot reach {self.endpoint}: {what} failed ({code}: {msg})")
            return StoreWriteFailed(f"{where}: {what} failed ({code}: {msg})")
        if isinstance(exc, bex.BotoCoreError):
            return StoreUnreachable(f"{where}: cannot reach {self.endpoint}: {self._redact(str(exc))}")
        return exc

    @staticmethod
    def _code(exc: Exception) -> str:
        return str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, bex.ClientError) else ""

    # -- Store: checks -------------------------------------------------------
    def check(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except bex.ClientError as exc:
            if self._code(exc) in ("404", "NoSuchBucket", "NotFound"):
                raise StoreUnreachable(f"store {self.uri}: cannot reach {self.endpoint}: "
                                       f"bucket {self.bucket} does not exist") from None
            # HEAD has no body: ask again with a request whose error says why (bad signature, unknown key, ...)
            try:
                self._client.list_objects_v2(Bucket=self.bucket, Prefix=self._full(""), MaxKeys=1)
            except Exception as exc2:
                raise self._error(exc2, "listing the bucket") from None
            raise self._error(exc, "access to the bucket") from None
        except Exception as exc:
            raise self._error(exc, "access to the bucket") from None
        # a real write: read-only credentials must stop the crawl now, not fill the spool for hours
        probe = self._full(f".probe-{socket.gethostname()}-{os.getpid()}")
        try:
            self._client.put_object(Bucket=self.bucket, Key=probe, Body=b"ok")
            self._client.delete_object(Bucket=self.bucket, Key=probe)
        except Exception as exc:
            raise self._error(exc, "a test write") from None
        self._down = False
        if self._spool.count():
            self._kick()  # leftovers of a previous run go up in the background

    # -- Store: writes -------------------------------------------------------
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/json", *, durable: bool = True) -> None:
        entry = self._spool.add_bytes(validate_key(key), data, content_type)
        if len(data) > self.sync_put_limit or self._down:
            self._kick()
            return
        try:
            if not self._upload(entry, self._client):
                self._kick()  # another thread or store is sending this key: make sure this version follows
        except StoreUnreachable:
            self._down = True  # until the uploader gets through, writes spool without waiting on the network
            self._kick()
        except (StoreDenied, StoreWriteFailed) as exc:
            raise type(exc)(f"{exc} ({key} kept in the spool {self._spool.root})") from None

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        self._spool.add_file(validate_key(key), Path(path), content_type)
        self._kick()

    # -- compare-and-act (conditional requests; see the module doc) ----------------------------------
    def _conditional(self, what: str, key: str, request: Any, fallback: Any) -> Any:
        """`request()`; None when its condition failed; `fallback()` (with a warning) on a server without
        conditional requests; the store's errors otherwise."""
        try:
            return request()
        except bex.ClientError as exc:
            code = self._code(exc)
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in _CONDITION_FAILED or status in (409, 412):
                return None
            if code not in ("NotImplemented", "501"):
                raise self._error(exc, f"{what} {key}") from None
        except Exception as exc:
            raise self._error(exc, f"{what} {key}") from None
        log.warning("%s: the server does not support conditional requests: %s %s is not atomic "
                    "(two crawls acting at the same instant could both hold the lock)", self.uri, what, key)
        try:
            return fallback()
        except Exception as exc:
            raise self._error(exc, f"{what} {key}") from None

    def _put(self, full: str, data: bytes, **condition: str) -> str:
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        resp = self._client.put_object(Bucket=self.bucket, Key=full, Body=data, ContentMD5=md5,
                                       ContentType="application/json", **condition)
        return str(resp["ETag"])

    def create_versioned(self, key: str, data: bytes) -> str | None:
        full = self._full(validate_key(key))
        if self._spool.get(key) is not None:
            return None
        return self._conditional("creating", key, lambda: self._put(full, data, IfNoneMatch="*"),
                                 lambda: None if self.exists(key) else self._put(full, data))

    def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        try:
            resp = self._get(validate_key(key))
            return resp["Body"].read(), str(resp["ETag"])
        except KeyNotFound:
            return None
        except StoreError:
            raise
        except Exception as exc:
            raise self._error(exc, f"reading {key}") from None

    def _still(self, key: str, version: str) -> bool:
        current = self.read_versioned(key)
        return current is not None and current[1] == version

    def replace_if(self, key: str, data: bytes, version: str) -> str | None:
        full = self._full(validate_key(key))
        return self._conditional("replacing", key, lambda: self._put(full, data, IfMatch=version),
                                 lambda: self._put(full, data) if self._still(key, version) else None)

    def delete_if(self, key: str, version: str) -> bool:
        full = self._full(validate_key(key))

        def delete() -> bool:
            self._client.delete_object(Bucket=self.bucket, Key=full, IfMatch=version)
            return True

        def unconditional() -> bool:
            if not self._still(key, version):
                return False
            self._client.delete_object(Bucket=self.bucket, Key=full)
            return True

        return bool(self._conditional("deleting", key, delete, unconditional))

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._lock:
            self._lock.wait_for(lambda: key not in self._inflight)  # an upload in flight would bring it back
            self._inflight.add(key)
        try:
            self._spool.remove(key)
            self._client.delete_object(Bucket=self.bucket, Key=self._full(key))
        except Exception as exc:
            raise self._error(exc, f"deleting {key}") from None
        finally:
            with self._lock:
                self._inflight.discard(key)
                self._lock.notify_all()

    # -- Store: reads --------------------------------------------------------
    def _get(self, key: str, **kw: Any) -> Any:
        """get_object with our errors; None for a range that starts past the end."""
        try:
            return self._client.get_object(Bucket=self.bucket, Key=self._full(key), **kw)
        except bex.ClientError as exc:
            if self._code(exc) in MISSING_CODES:
                raise KeyNotFound(f"{self.uri}: no object {key}") from None
            if self._code(exc) == "InvalidRange" and "Range" in kw:
                return None
            raise self._error(exc, f"reading {key}") from None
        except Exception as exc:
            raise self._error(exc, f"reading {key}") from None

    def _spooled(self, key: str) -> BinaryIO | None:
        """The spooled copy of a key, opened (an open file survives its upload and removal), or None."""
        entry = self._spool.get(validate_key(key))
        if entry is None:
            return None
        try:
            return open(entry.data, "rb")
        except FileNotFoundError:
            return None  # uploaded and removed just now: it is in the bucket

    def get_bytes(self, key: str) -> bytes:
        if (fh := self._spooled(key)) is not None:
            with fh:
                return fh.read()
        resp = self._get(key)
        try:
            return resp["Body"].read()
        except Exception as exc:
            raise self._error(exc, f"reading {key}") from None

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        if (fh := self._spooled(key)) is not None:
            with fh:
                fh.seek(offset)
                return fh.read(length)
        if length <= 0:
            if not self.exists(key):
                raise KeyNotFound(f"{self.uri}: no object {key}")
            return b""
        resp = self._get(key, Range=f"bytes={offset}-{offset + length - 1}")
        if resp is None:  # past the end: like reading past EOF
            return b""
        try:
            return resp["Body"].read()
        except Exception as exc:
            raise self._error(exc, f"reading {key}") from None

    def open_read(self, key: str) -> BinaryIO:
        if (fh := self._spooled(key)) is not None:
            return fh
        return self._get(key)["Body"]

    def exists(self, key: str) -> bool:
        if self._spool.get(validate_key(key)) is not None:
            return True
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._full(key))
            return True
        except bex.ClientError as exc:
            if self._code(exc) in MISSING_CODES:
                return False
            raise self._error(exc, f"reading {key}") from None
        except Exception as exc:
            raise self._error(exc, f"reading {key}") from None

    def _list_remote(self, prefix: str) -> Iterator[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._full(prefix),
                                           PaginationConfig={"PageSize": self.list_page_size}):
                for obj in page.get("Contents", []):
                    key = self._rel(obj["Key"])
                    if not _hidden(key):
                        yield ObjectInfo(key, obj["Size"], obj.get("LastModified"))
        except Exception as exc:
            raise self._error(exc, f"listing {prefix or '/'}") from None

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        spooled = [ObjectInfo(e.key, e.size, dt.datetime.fromtimestamp(e.spooled_at, dt.UTC))
                   for e in self._spool.entries() if e.key.startswith(prefix) and not _hidden(e.key)]
        waiting = {o.key for o in spooled}
        remote = (o for o in self._list_remote(prefix) if o.key not in waiting)
        # S3 lists in UTF-8 byte order, which is code point order: the same order as sorted() strings
        yield from heapq.merge(spooled, remote, key=lambda o: o.key)

    # -- spool ---------------------------------------------------------------
    def staging_dir(self) -> Path:
        # beside the spool's entries, on its file system: put_file of a finished WARC is then a rename
        staging = self._spool.root / "staging"
        staging.mkdir(parents=True, exist_ok=True)
        return staging

    def pending(self) -> int:
        return self._spool.count()

    def _own(self) -> bool:
        """Become the one uploader of this spool (see the module doc); False if another store is."""
        with self._lock:
            if self._owner is not None:
                return True
            fh = open(self._spool.root / ".uploader", "a")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                fh.close()
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    return False
                raise
            self._owner = fh
            _OWNERS.add(self)
            return True

    def _upload(self, entry: Entry, client: Any) -> bool:
        """Send one entry and drop it from the spool once confirmed. False if someone else is sending that key
        right now (it will see this newer entry when it finishes). Raises the store errors of `_error`."""
        if not self._own():
            return False
        with self._lock:
            if entry.key in self._inflight:
                return False
            self._inflight.add(entry.key)
        try:
            while True:
                self._send(entry, client)
                with self._lock:
                    if self._spool.remove_if_current(entry):
                        return True
                    newer = self._spool.get(entry.key)
                if newer is None:
                    return True  # deleted meanwhile
                entry = newer
        except _Skip:
            return False
        finally:
            with self._lock:
                self._inflight.discard(entry.key)
                self._lock.notify_all()

    def _send(self, entry: Entry, client: Any) -> None:
        full = self._full(entry.key)
        try:
            if entry.size < self.multipart_threshold:
                with open(entry.data, "rb") as fh:
                    data = fh.read()
                digest = hashlib.md5(data)
                resp = client.put_object(Bucket=self.bucket, Key=full, Body=data, ContentType=entry.content_type,
                                         ContentMD5=base64.b64encode(digest.digest()).decode())
                self._verify(entry, resp, digest.hexdigest())
                return
            chunk = ChunksizeAdjuster().adjust_chunksize(self.multipart_chunksize, entry.size)
            expected = _multipart_etag(entry.data, chunk)
            cfg = TransferConfig(multipart_threshold=self.multipart_threshold, multipart_chunksize=chunk,
                                 max_concurrency=4)
            client.upload_file(str(entry.data), self.bucket, full, ExtraArgs={"ContentType": entry.content_type},
                               Config=cfg)
            self._verify(entry, client.head_object(Bucket=self.bucket, Key=full), expected)
        except FileNotFoundError:
            raise _Skip() from None  # superseded by a newer write of the key, whose payload replaced this one
        except (StoreWriteFailed, _Skip):
            raise
        except Exception as exc:
            cause = exc.__cause__ if exc.__cause__ is not None and not isinstance(exc, bex.BotoCoreError) else exc
            if isinstance(cause, FileNotFoundError):
                raise _Skip() from None
            raise self._error(cause if isinstance(cause, Exception) else exc, f"uploading {entry.key}") from None

    def _verify(self, entry: Entry, resp: dict[str, Any], expected: str) -> None:
        etag = str(resp.get("ETag", "")).strip('"')
        if str(resp.get("ServerSideEncryption", "")).startswith("aws:kms") or not _MD5_ETAG.match(etag):
            return  # not an MD5: the per-request checksums the server verified are the guarantee
        if etag != expected:
            raise StoreWriteFailed(f"store {self.uri}: uploading {entry.key}: the server stored something else "
                                   f"(ETag {etag}, expected {expected}); kept in the spool")

    def _drain_once(self) -> bool:
        """One attempt at every waiting entry; False if the bucket could not be reached."""
        for entry in self._spool.entries():
            if self._stop.is_set():
                return True
            try:
                self._upload(entry, self._bulk)
            except StoreUnreachable:
                self._down = True
                return False
            except (StoreDenied, StoreWriteFailed):
                continue  # this one stays; the others may still go
        self._down = False
        return True

    def flush(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (timeout or 0.0)
        delay = 0.2
        while True:
            self._drain_once()
            left = self.pending()
            if not left or time.monotonic() >= deadline:
                return left
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 2.0)

    def _kick(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=f"s3-uploader {self.uri}", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            self._wake.clear()
            try:
                reachable = self._drain_once()
            except Exception:  # a bug or a spool I/O error must not end uploads for the rest of the crawl
                log.exception("%s: spool upload pass failed", self.uri)
                reachable = False
            if not self.pending():
                delay = 0.5
                self._wake.wait()  # until the next spooled write
                continue
            if reachable:
                delay = 0.5
                self._wake.wait(1.0)  # entries another thread or store is sending
            else:
                self._wake.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            if self._owner is not None:
                with contextlib.suppress(OSError):
                    self._owner.close()
                self._owner = None
        for c in (self._client, self._bulk):
            with contextlib.suppress(Exception):
                c.close()
