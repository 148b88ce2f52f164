"""What the reading room's tests plant in a store: a hostile headline, a revised article, run reports.

Shared by the unit tests (the app in-process) and the browser tests (a real
`newsarchive serve` over a crawled store).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from newsarchive.archive.keys import history_key, record_key, run_key
from newsarchive.article import encode
from newsarchive.store import LocalStore

XSS_ID = "2006849666"
XSS_HEADLINE = "<img src=x onerror=alert(1)>"
XSS_BODY = ['<script>document.title="pwned"</script> Typhoon readers beware', '" onmouseover="alert(2)']


def xss_record(day: dt.date) -> dict[str, Any]:
    """A record whose every text field is markup: the pages must show all of it as text."""
    return {
        "id": XSS_ID, "url": f"https://www.taipeitimes.com/News/taiwan/archives/{day:%Y/%m/%d}/{XSS_ID}",
        "section": "Taiwan News", "section_slug": "taiwan", "headline": XSS_HEADLINE,
        "kicker": "<b>KICK</b>", "deck": "<i>deck</i> & more", "byline": "<a href=javascript:alert(3)>Mallory</a>",
        "authors": ["Mallory"], "agencies": [], "dateline": None, "translator": None,
        "published": day.isoformat(), "published_at": None, "modified_at": None, "print_page": 3,
        "body": XSS_BODY, "images": [{"url": "javascript:alert(4)", "caption": "<svg onload=alert(5)>", "credit": None}],
        "word_count": 7, "language": "en", "parser": "taipeitimes/current@1", "schema_version": 1,
    }


def plant(root: Path, record: dict[str, Any]) -> str:
    key = record_key(record["id"], dt.date.fromisoformat(record["published"]))
    LocalStore(root).put_bytes(key, encode(record))
    return key


def revise(root: Path, record: dict[str, Any], fetched_at: str, **changes: Any) -> dict[str, Any]:
    """The site edited an article: `record` goes to history/, the edited version (fetched later) replaces it."""
    store = LocalStore(root)
    published = dt.date.fromisoformat(record["published"])
    before = dt.datetime.fromisoformat(str(record.get("fetched_at") or "2024-10-01T00:00:00Z").replace("Z", "+00:00"))
    store.put_bytes(history_key(record["id"], published, before), encode(record))
    after = {**copy.deepcopy(record), **changes, "fetched_at": fetched_at}
    plant(root, after)
    return after


def report(run_id: str, outcome: str, exit_code: int, started: str, finished: str, *, since: str, until: str,
           failures: list[dict[str, Any]] | None = None, new: int = 0) -> dict[str, Any]:
    return {
        "run_id": run_id, "software": "newsarchive/0.1.0",
        "parameters": {"since": since, "until": until, "store": "file:///archive"},
        "started": started, "finished": finished, "outcome": outcome, "exit_code": exit_code,
        "counts": {"list_pages": 10, "list_failures": 0, "articles_listed": new + len(failures or []),
                   "articles_skipped": 0, "articles_new": new, "articles_unchanged": 0, "articles_changed": 0,
                   "articles_failed": len(failures or []), "responses": 20, "revisits": 0, "parse_failures": 0},
        "failures": failures or [], "changes": [], "warc_files": [], "bytes_written": 123456,
        "records_written": new, "spooled": 0, "layout_suspected": [],
    }


def plant_report(root: Path, doc: dict[str, Any]) -> None:
    LocalStore(root).put_bytes(run_key(doc["run_id"]), json.dumps(doc).encode())
