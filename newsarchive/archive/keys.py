"""The store's layout: a public contract that archivists' scripts rely on.

    warc/YYYY/MM/DD/TT-<UTC timestamp>-<serial>-<host>.warc.gz   (+ .cdxj)  by capture date, UTC
    records/YYYY/MM/DD/<id>.json          the latest record, by print date
    history/YYYY/MM/DD/<id>/<fetched_at>.json   earlier versions of a record that changed
    runs/<run-id>.json                    one report per crawl
    state/articles/<id>.json              what the crawl remembers of each article
    state/images-missing/<id>.json        an archived article some of whose photos could not be captured
    state/urls/<sha1 of URL>.json         the last capture of a list page or page requisite (for revisits)
    state/lock.json                       held while a crawl runs

Keys are built here and only here, from validated ids and dates, so nothing a
page contains can steer a write outside the store's root or prefix; and every
key built is checked against the layout above (`check_key`) before anything is
written under it, so a date the platform formats oddly (`strftime` writes year 1
as "1", not "0001") or one from before the paper existed never becomes a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from newsarchive.dates import FIRST_ISSUE
from newsarchive.site.urls import validate_id

WARC_PREFIX = "warc/"
RECORDS_PREFIX = "records/"
HISTORY_PREFIX = "history/"
RUNS_PREFIX = "runs/"
STATE_ARTICLES_PREFIX = "state/articles/"
STATE_IMAGES_MISSING_PREFIX = "state/images-missing/"
STATE_URLS_PREFIX = "state/urls/"
LOCK_KEY = "state/lock.json"

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$", re.ASCII)
_DAY = r"[0-9]{4}/[0-9]{2}/[0-9]{2}"
_RECORD_KEY = re.compile(r"^records/([0-9]{4})/([0-9]{2})/([0-9]{2})/([0-9]{10})\.json$", re.ASCII)
#: the documented layout: every key the archive writes matches one of these
LAYOUT = re.compile(
    rf"warc/{_DAY}/[A-Za-z0-9][A-Za-z0-9._-]{{0,200}}\.(?:warc\.gz|cdxj)"
    rf"|records/{_DAY}/[0-9]{{10}}\.json"
    rf"|history/{_DAY}/[0-9]{{10}}/[0-9]{{8}}T[0-9]{{12}}Z\.json"
    r"|runs/[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.json"
    r"|state/articles/[0-9]{10}\.json"
    r"|state/images-missing/[0-9]{10}\.json"  # (photos: on main, builders images_missing_key, url_state_key)
    r"|state/urls/[0-9a-f]{40}\.json"
    r"|state/lock\.json",
    re.ASCII,
)


def check_key(key: str) -> str:
    """`key` if it is one of the layout's keys; ValueError otherwise (nothing is written under it)."""
    if not LAYOUT.fullmatch(key) or ".." in key:
        raise ValueError(f"not a key of the store's layout: {key!r}")
    return key


def _day(date: dt.date, *, print_day: bool = True) -> str:
    """YYYY/MM/DD, zero-padded whatever strftime does; a print day must fall after the first issue."""
    if not isinstance(date, dt.date):
        raise TypeError(f"not a date: {date!r}")
    if print_day and date < FIRST_ISSUE:
        raise ValueError(f"{date.isoformat()} is before the paper's first issue ({FIRST_ISSUE.isoformat()})")
    return f"{date.year:04d}/{date.month:02d}/{date.day:02d}"


def safe_name(name: str) -> str:
    """A single path segment we generated ourselves (file names, run ids)."""
    if not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"unsafe name for a store key: {name!r}")
    return name


def record_key(article_id: str, published: dt.date) -> str:
    """The key of an article's record. An article keeps the key it was first written under, whatever its print
    date later becomes (the crawl finds it in the article's state); this builds the first one."""
    return check_key(f"{RECORDS_PREFIX}{_day(published)}/{validate_id(article_id)}.json")


def parse_record_key(key: str) -> tuple[str, dt.date] | None:
    m = _RECORD_KEY.fullmatch(key)
    if not m:
        return None
    return m[4], dt.date(int(m[1]), int(m[2]), int(m[3]))


def history_prefix(article_id: str, published: dt.date) -> str:
    """Where the earlier versions of one article lie (their keys sort oldest first)."""
    return f"{HISTORY_PREFIX}{_day(published)}/{validate_id(article_id)}/"


def history_key(article_id: str, published: dt.date, fetched_at: dt.datetime) -> str:
    moment = fetched_at.astimezone(dt.UTC)
    stamp = f"{moment.year:04d}{moment:%m%dT%H%M%S%f}Z"
    return check_key(f"{history_prefix(article_id, published)}{stamp}.json")


def warc_key(captured: dt.datetime, filename: str) -> str:
    return check_key(f"{WARC_PREFIX}{_day(captured.astimezone(dt.UTC).date(), print_day=False)}/{safe_name(filename)}")


def cdxj_key(warc: str) -> str:
    return warc[: -len(".warc.gz")] + ".cdxj" if warc.endswith(".warc.gz") else warc + ".cdxj"


def run_key(run_id: str) -> str:
    return check_key(f"{RUNS_PREFIX}{safe_name(run_id)}.json")


def state_key(article_id: str) -> str:
    return check_key(f"{STATE_ARTICLES_PREFIX}{validate_id(article_id)}.json")


def images_missing_key(article_id: str) -> str:
    return f"{STATE_IMAGES_MISSING_PREFIX}{validate_id(article_id)}.json"


def url_state_key(url: str) -> str:
    """A URL's state object, named by the SHA-1 of the URL (as the real site names it): any URL, a safe key."""
    return f"{STATE_URLS_PREFIX}{hashlib.sha1(url.encode('utf-8')).hexdigest()}.json"
