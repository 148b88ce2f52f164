"""The run report: what a crawl did, kept in the store as `runs/<run-id>.json`.

It is the archivist's proof: parameters, start and end, counts, and every
failure with its URL and reason. Credentials never enter it: parameters are
recorded from an allow-list, never from the environment.
"""

from __future__ import annotations

import json
import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newsarchive import __version__, layout
from newsarchive.dates import iso_utc, utc_now
from newsarchive.store.base import Store


def new_run_id() -> str:
    now = utc_now()
    return f"{now:%Y%m%dT%H%M%SZ}-{socket.gethostname()[:20]}-{os.getpid()}".replace("_", "-")


COUNTS = (
    "list_pages", "list_failures", "articles_listed", "articles_skipped", "articles_new",
    "articles_unchanged", "articles_changed", "articles_failed", "responses", "revisits",
)


@dataclass
class RunReport:
    run_id: str
    parameters: dict[str, Any]
    started: str = field(default_factory=lambda: iso_utc(utc_now()))
    finished: str | None = None
    counts: Counter = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    warc_files: list[str] = field(default_factory=list)
    bytes_written: int = 0
    records_written: int = 0
    spooled: int = 0
    layout_suspected: list[str] = field(default_factory=list)
    outcome: str | None = None
    exit_code: int | None = None

    def fail(self, url: str, reason: str, kind: str = "article", article_id: str | None = None) -> None:
        self.failures.append({"kind": kind, "url": url, "id": article_id, "reason": reason})
        self.counts["articles_failed" if kind == "article" else "list_failures"] += 1

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
        key = layout.run_key(self.run_id)
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
