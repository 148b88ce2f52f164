"""The crawl history as the run reports (`runs/<run-id>.json`) tell it, newest first.

Only the reports a page shows are read: a store crawled daily for years holds
thousands, and their keys alone (run ids begin with the UTC start time) put
them in order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from newsarchive.archive.keys import run_key
from newsarchive.archive.records import read_record
from newsarchive.archive.report import report_keys
from newsarchive.errors import InvalidArgument, KeyNotFound
from newsarchive.exitcodes import Exit
from newsarchive.store import Store

PER_PAGE = 50


@dataclass
class Run:
    """One report, with what the page derives from it (duration, the exit code's name)."""

    key: str
    report: dict[str, Any]

    @property
    def run_id(self) -> str:
        return str(self.report.get("run_id") or self.key.rsplit("/", 1)[-1].removesuffix(".json"))

    @property
    def seconds(self) -> float | None:
        try:
            start = dt.datetime.fromisoformat(str(self.report["started"]).replace("Z", "+00:00"))
            end = dt.datetime.fromisoformat(str(self.report["finished"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            return None
        return (end - start).total_seconds()

    @property
    def exit_name(self) -> str:
        code = self.report.get("exit_code")
        try:
            return Exit(code).name if isinstance(code, int) else ""
        except ValueError:
            return ""

    @property
    def counts(self) -> dict[str, int]:
        counts = self.report.get("counts")
        return {k: v for k, v in counts.items() if isinstance(v, int)} if isinstance(counts, dict) else {}

    @property
    def failures(self) -> list[dict[str, Any]]:
        found = self.report.get("failures")
        return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []

    def summary(self) -> dict[str, Any]:
        """What /api/runs gives for each run: the report without its long lists, plus duration."""
        short = {k: v for k, v in self.report.items() if k not in ("failures", "changes", "warc_files")}
        return {**short, "run_id": self.run_id, "seconds": self.seconds, "failures": len(self.failures),
                "changes": len(self.report.get("changes") or ()), "warc_files": len(self.report.get("warc_files") or ())}


def runs(store: Store, page: int = 1, per_page: int = PER_PAGE) -> tuple[list[Run], int]:
    """The runs on one page (newest first), and how many there are in all."""
    keys = report_keys(store)[::-1]
    start = (page - 1) * per_page
    found = [Run(key, report) for key in keys[start:start + per_page] if (report := read_record(store, key)) is not None]
    return found, len(keys)


def run(store: Store, run_id: str) -> Run:
    try:
        key = run_key(run_id)
    except ValueError:
        raise InvalidArgument(f"not a run id: {run_id!r}") from None
    report = read_record(store, key)
    if report is None:
        raise KeyNotFound(f"no run {run_id} in {store.uri}")
    return Run(key, report)


def latest_window(store: Store) -> tuple[dt.date, dt.date] | None:
    """The print days the newest run that names them crawled: where coverage starts looking."""
    for key in report_keys(store)[::-1][:20]:
        parameters = (read_record(store, key) or {}).get("parameters") or {}
        try:
            return dt.date.fromisoformat(str(parameters["since"])), dt.date.fromisoformat(str(parameters["until"]))
        except (KeyError, ValueError, TypeError):
            continue
    return None
