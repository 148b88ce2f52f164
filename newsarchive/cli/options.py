"""What the commands share on the command line: the store options, a date window, opening a store to read.

These commands read an archive that must already exist: a mistyped path must
not be created empty and then found "sound", so a local store is opened only
if its folder is there, and an S3 store is probed with a LIST (read-only
credentials are enough to verify) rather than the crawl's test write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click

from newsarchive.dates import parse_date
from newsarchive.errors import InvalidArgument, StoreNotFound
from newsarchive.store import STORE_ENV, LocalStore, Store, open_store

STORE_HELP = f"The store: a path, file:///path or s3://bucket/prefix (default ${STORE_ENV} or ./archive)."


def store_option(fn: Callable) -> Callable:
    return click.option("--store", metavar="URI", help=STORE_HELP)(fn)


def store_options(fn: Callable) -> Callable:
    """--store and --s3-endpoint-url."""
    fn = click.option("--s3-endpoint-url", metavar="URL", help="S3 endpoint (default: $AWS_ENDPOINT_URL, else AWS).")(fn)
    return store_option(fn)


def open_existing(uri: str | None, s3_endpoint_url: str | None) -> Store:
    """The store, if it exists and answers; else the store's own error (unreachable, denied) or USAGE."""
    store = open_store(uri, s3_endpoint_url=s3_endpoint_url)
    if isinstance(store, LocalStore):
        if not Path(store.root).is_dir():
            raise StoreNotFound(f"store {store.root}: no such folder")
    else:
        next(iter(store.list("records/")), None)  # raises StoreUnreachable / StoreDenied
    return store


def date_window(since: str | None, until: str | None, *, required: bool) -> tuple[dt.date, dt.date] | None:
    """(since, until) from the options; one alone means that single day. None when neither is given and
    none is required."""
    if not since and not until:
        if required:
            raise InvalidArgument("--since and --until are required (YYYY-MM-DD)")
        return None
    first = parse_date(since or str(until))
    last = parse_date(until or str(since))
    if last < first:
        raise InvalidArgument(f"--until {last} is before --since {first}")
    return first, last
