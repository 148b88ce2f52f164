"""Open a store by URI: `./archive`, `/abs/path`, `file:///...` or `s3://bucket/prefix`."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from newsarchive.errors import InvalidArgument
from newsarchive.store.base import ObjectInfo, Store
from newsarchive.store.local import LocalStore

DEFAULT_STORE = "./archive"
STORE_ENV = "NEWSARCHIVE_STORE"

__all__ = ["ObjectInfo", "Store", "LocalStore", "open_store", "default_store_uri", "DEFAULT_STORE", "STORE_ENV"]


def default_store_uri() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def open_store(uri: str | None = None, *, s3_endpoint_url: str | None = None, spool_dir: str | None = None) -> Store:
    """The store a URI names. Raises InvalidArgument for a URI we cannot use."""
    uri = uri or default_store_uri()
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "s3":
        if not parts.netloc:
            raise InvalidArgument(f"bad store URI {uri!r}: s3:// needs a bucket (s3://bucket/prefix)")
        from newsarchive.store.s3 import S3Store

        return S3Store(bucket=parts.netloc, prefix=parts.path.strip("/"), endpoint_url=s3_endpoint_url, spool_dir=spool_dir)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise InvalidArgument(f"bad store URI {uri!r}: file:// URIs name a local path (file:///path)")
        return LocalStore(unquote(parts.path))
    if scheme and len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise InvalidArgument(f"bad store URI {uri!r}: use a path, file:///path or s3://bucket/prefix")
    return LocalStore(uri)
