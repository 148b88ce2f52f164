"""Open a store by URI: `./archive`, `/abs/path`, `file:///...` or `s3://bucket/prefix`."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

from newsarchive.errors import InvalidArgument
from newsarchive.redact import redact_uri
from newsarchive.store.base import ObjectInfo, Store
from newsarchive.store.local import LocalStore

DEFAULT_STORE = "./archive"
STORE_ENV = "NEWSARCHIVE_STORE"
#: what a bucket name may be (S3's rules, loosened for S3-compatible servers); never credentials
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}", re.ASCII)

__all__ = ["ObjectInfo", "Store", "LocalStore", "open_store", "default_store_uri", "DEFAULT_STORE", "STORE_ENV"]


def default_store_uri() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def open_store(uri: str | None = None, *, s3_endpoint_url: str | None = None, spool_dir: str | None = None) -> Store:
    """The store a URI names. Raises InvalidArgument for a URI we cannot use."""
    uri = uri or default_store_uri()
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise InvalidArgument(f"bad store URI {redact_uri(uri)!r}: use a path, file:///path or s3://bucket/prefix") from None
    scheme = parts.scheme.lower()
    if scheme == "s3":
        if "@" in uri or ":" in parts.netloc:
            # never echoed, nor used (it would name the spool folder): it may be a key and its secret, and a
            # secret with a "/" in it even moves the "@" out of what a URL parser calls the host
            raise InvalidArgument("bad store URI: s3://bucket/prefix takes no credentials; set AWS_ACCESS_KEY_ID "
                                  "and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) instead")
        if not _BUCKET.fullmatch(parts.netloc):
            raise InvalidArgument(f"bad store URI {uri!r}: s3:// needs a bucket name (s3://bucket/prefix)")
        from newsarchive.store.s3 import S3Store

        return S3Store(bucket=parts.netloc, prefix=parts.path.strip("/"), endpoint_url=s3_endpoint_url, spool_dir=spool_dir)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise InvalidArgument(f"bad store URI {redact_uri(uri)!r}: file:// URIs name a local path (file:///path)")
        return LocalStore(unquote(parts.path))
    if scheme and len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise InvalidArgument(f"bad store URI {redact_uri(uri)!r}: use a path, file:///path or s3://bucket/prefix")
    return LocalStore(uri)
