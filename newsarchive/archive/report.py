"""The run report: what a crawl did, kept in the store as `runs/<run-id>.json`.

It is the archivist's proof: parameters, start and end, counts, and every
failure with its URL and reason. Credentials never enter it: parameters are
recorded from an allow-list, never from the environment. The offline tools
read reports back (`article_failures`) to tell a reported failure from damage.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from newsarchive import __version__
from newsarchive.archive.decoding import TOO_LARGE
from newsarchive.archive.keys import RUNS_PREFIX, run_key
from newsarchive.archive.records import read_record
from newsarchive.dates import iso_utc, utc_now
from newsarchive.store.base import Store


def new_run_id() -> str:
    now = utc_now()
    return f"{now:%Y%m%dT%H%M%SZ}-{socket.gethostname()[:20]}-{os.getpid()}".replace("_", "-")


#: the counts a report keeps (the crawl counts them in Scrapy's stats as `newsarchive/<name>`). `assets`: page
#: requisites captured (responses and revisits); `images`: articles' photos captured; their `_failed` counterparts
#: count failures of kind "asset" and "image".
COUNTS = (
    "list_pages", "list_failures", "articles_listed", "articles_skipped", "articles_new",
    "articles_unchanged", "articles_changed", "articles_failed", "responses", "revisits", "parse_failures",
    "assets", "assets_failed", "images", "images_failed",
    # refusals by a limit (decoded size, list pages, links per page, headers), each also a failure with its reason;
    # links on a list that cannot be a URL at all (each costs only itself)
    "limits_hit", "bad_links",
)
#: the count each kind of failure adds to
FAILURE_COUNTS = {"article": "articles_failed", "list": "list_failures", "asset": "assets_failed",
                  "image": "images_failed"}
#: how a failure's reason starts when the parser refused the page (the crawl writes it, verify reads it)
PARSE_FAILURE = "not an article"



@dataclass
class RunReport:
    run_id: str
    parameters: dict[str, Any]
    started: str = field(default_factory=lambda: iso_utc(utc_now()))
    finished: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    failures: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    warc_files: list[str] = field(default_factory=list)
    bytes_written: int = 0
    records_written: int = 0
    spooled: int = 0
    layout_suspected: list[str] = field(default_factory=list)
    outcome: str | None = None
    exit_code: int | None = None

    def fail(self, url: str, reason: str, kind: str = "article", article_id: str | None = None) -> str:
        """Record a failure (kind: article, list, asset, image); returns the count it adds to (FAILURE_COUNTS)."""
        self.failures.append({"kind": kind, "url": url, "id": article_id, "reason": reason})
        return FAILURE_COUNTS.get(kind, "list_failures")

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "software": f"newsarchive/{__version__}",
            "parameters": self.parameters,
            "started": self.started,
            "finished": self.finished,
            "outcome": self.outcome,
            "exit_code": self.exit_code,
            "counts": {name: self.counts.get(name, 0) for name in COUNTS},
            "failures": self.failures,
            "changes": self.changes,
            "warc_files": self.warc_files,
            "bytes_written": self.bytes_written,
            "records_written": self.records_written,
            "spooled": self.spooled,
            "layout_suspected": self.layout_suspected,
        }

    def save(self, store: Store) -> str:
        key = run_key(self.run_id)
        store.put_bytes(key, json.dumps(self.as_dict(), indent=1, ensure_ascii=False).encode("utf-8"))
        return key

    def summary(self) -> str:
        """A few lines a cron mail can be read from."""
        c = self.counts
        lines = [
            f"newsarchive run {self.run_id}: {self.outcome or 'unfinished'}",
            f"  lists: {c['list_pages']} pages ({c['list_failures']} failed); articles listed: {c['articles_listed']}",
            f"  articles: {c['articles_new']} new, {c['articles_changed']} changed, {c['articles_unchanged']} unchanged, "
            f"{c['articles_skipped']} already archived, {c['articles_failed']} failed",
            f"  photos: {c['images']} captured, {c['images_failed']} failed; page requisites: {c['assets']} captured, "
            f"{c['assets_failed']} failed",
            f"  written: {self.records_written} records, {len(self.warc_files)} WARC files, {self.bytes_written:,} WARC bytes"
            + (f"; {self.spooled} objects wait in the spool" if self.spooled else ""),
        ]
        for failure in self.failures[:10]:
            lines.append(f"  failed: {failure['url']}: {failure['reason']}")
        if len(self.failures) > 10:
            lines.append(f"  ... and {len(self.failures) - 10} more failures in runs/{self.run_id}.json")
        for note in self.layout_suspected:
            lines.append(f"  LAYOUT: {note}")
        return "\n".join(lines)


def report_keys(store: Store) -> list[str]:
    """Keys of the run reports, oldest first (run ids start with their UTC time: key order is time order)."""
    return [info.key for info in store.list(RUNS_PREFIX) if info.key.endswith(".json")]


def _failures(store: Store, kind: str) -> Iterator[dict[str, Any]]:
    """The failures of one kind the run reports list, oldest report first."""
    for key in report_keys(store):
        doc = read_record(store, key)  # None for a report gone or damaged: one bad file must not hide the rest
        for failure in doc.get("failures", []) if doc is not None else []:
            if isinstance(failure, dict) and failure.get("kind", "article") == kind:
                yield failure


def article_failures(store: Store) -> dict[str, str]:
    """Why crawls failed each article, per the run reports (the latest report wins): id -> reason."""
    return {str(f["id"]): str(f.get("reason", "")) for f in _failures(store, "article") if f.get("id")}


def image_failures(store: Store) -> dict[str, str]:
    """Why crawls failed to capture each photo, per the run reports (the latest report wins): URL -> reason."""
    return {str(f["url"]): str(f.get("reason", "")) for f in _failures(store, "image") if f.get("url")}


def parse_failures(store: Store) -> set[str]:
    """Ids whose page a crawl captured and then refused (the parser, or the decoded-size limit), per the run
    reports: a captured page without a record that is explained, not lost."""
    return {i for i, reason in article_failures(store).items() if reason.startswith((PARSE_FAILURE, TOO_LARGE))}
