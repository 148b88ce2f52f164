"""One crawl's shared state: the store, its lock, the WARC writer, what is known, the report.

Scrapy components (spider, capture extension, pipelines) each get the same
`CrawlRun` from the crawler, so one object owns the run's lifecycle whether it
was started by `newsarchive crawl`, `scrapy crawl taipeitimes` or Scrapyd.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from newsarchive.errors import StoreError, StoreWriteFailed
from newsarchive.exitcodes import Exit
from newsarchive.frontier import apply_frontier_settings
from newsarchive.lock import StoreLock
from newsarchive.report import RunReport, new_run_id
from newsarchive.state import KnownArticles
from newsarchive.store import Store, open_store
from newsarchive.urls import Mirror
from newsarchive.warc import OPEN_SUFFIX, WarcWriter, cut_to_whole_records, host_id, recover

log = logging.getLogger(__name__)

_ATTR = "_newsarchive_run"
#: runs opened by the CLI before Scrapy starts, by token (settings are deep-copied, a run must not be)
_RUNS: dict[str, "CrawlRun"] = {}


def register(run: "CrawlRun") -> str:
    _RUNS[run.run_id] = run
    return run.run_id


def unregister(token: str) -> None:
    _RUNS.pop(token, None)

#: parameters that may enter the run report and warcinfo records (never credentials)
PUBLIC_PARAMETERS = ("since", "until", "sections", "max_articles", "refresh", "base_url", "store", "frontier")


def is_loopback(base_url: str | None) -> bool:
    host = urlsplit(base_url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def speed_settings(base_url: str | None) -> dict[str, Any]:
    """Full speed against a local copy of the site: politeness is for the real one."""
    if not is_loopback(base_url):
        return {}
    return {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "NEWSARCHIVE_RETRY_BACKOFF": 0.05,
        "DOWNLOAD_TIMEOUT": 20,
    }


def apply_speed_settings(settings: BaseSettings) -> None:
    """The speed rules for a crawl that `newsarchive crawl` did not set up (`scrapy crawl`, Scrapyd).

    At "project" priority, like the CLI's: they replace the project's polite
    defaults, while anything given with `-s` (or Scrapyd's `setting=`) still wins.
    Scrapy (2.11+) builds the spider, which opens the run, before it reads the
    download settings and freezes them, so this is early enough.
    """
    rules = speed_settings(settings.get("NEWSARCHIVE_BASE_URL"))
    if not rules:
        return
    if settings.frozen:
        log.warning("settings already frozen: the loopback speed rules are not applied")
        return
    settings.setdict(rules, priority="project")


def redact_uri(uri: str) -> str:
    """A store URI without any user:password part."""
    parts = urlsplit(uri)
    if parts.password or parts.username:
        return parts._replace(netloc=parts.hostname or "").geturl()
    return uri


class CrawlRun:
    def __init__(self, settings: BaseSettings, parameters: dict[str, Any]) -> None:
        self.settings = settings
        self.mirror = Mirror(settings.get("NEWSARCHIVE_BASE_URL"))
        self.store: Store = open_store(
            settings.get("NEWSARCHIVE_STORE"),
            s3_endpoint_url=settings.get("NEWSARCHIVE_S3_ENDPOINT_URL"),
            spool_dir=settings.get("NEWSARCHIVE_SPOOL_DIR"),
        )
        self.run_id = new_run_id()
        public = {k: v for k, v in parameters.items() if k in PUBLIC_PARAMETERS}
        public["store"] = redact_uri(self.store.uri)
        public["base_url"] = self.mirror.base
        self.report = RunReport(self.run_id, public)
        self.lock = StoreLock(self.store, self.run_id) if settings.getbool("NEWSARCHIVE_LOCK", True) else None
        self.known = KnownArticles(self.store)
        self.refresh = bool(parameters.get("refresh"))
        self.writer: WarcWriter | None = None
        #: article links seen per section that always publishes (set by the spider)
        self.section_hits: dict[str, int] = {}
        self.window: tuple[Any, Any] | None = None
        self.opened = False
        self.closed = False
        #: the store write that failed (disk full, unwritable): the crawl stops, the exit code is the error's
        self.fatal: StoreError | None = None
        self.crawler: Crawler | None = None

    # -- access from Scrapy components --------------------------------------------
    @classmethod
    def of(cls, crawler: Crawler) -> "CrawlRun":
        """The run of this crawler, created (and opened) on first use."""
        run = getattr(crawler, _ATTR, None)
        if run is None:
            run = _RUNS.get(crawler.settings.get("NEWSARCHIVE_RUN_TOKEN") or "")
            if run is None:
                # started by `scrapy crawl` or Scrapyd: nothing set this run up before Scrapy did
                apply_speed_settings(crawler.settings)
                apply_frontier_settings(crawler.settings)
                run = cls(crawler.settings, {})
                crawler.signals.connect(run.adopt_spider_parameters, signal=signals.spider_opened)
            setattr(crawler, _ATTR, run)
            run.crawler = crawler
            crawler.signals.connect(run.item_error, signal=signals.item_error)
        if not run.opened:
            run.open()
        return run

    @property
    def staging_dir(self) -> Path:
        return self.store.staging_dir() / host_id().rsplit("-", 1)[0]

    # -- lifecycle ------------------------------------------------------------------
    def open(self) -> None:
        """Fail fast on the store, take the lock, finish what a crashed run left, load state."""
        self.store.check()
        if self.lock is not None:
            self.lock.acquire()
        try:
            recovered = recover(self.store, self.staging_dir, only_dead=True)
            if recovered:
                log.warning("recovered %d WARC file(s) left by an interrupted run", len(recovered))
            self.store.flush(timeout=30)
            self.known.load()
            self.writer = WarcWriter(
                self.store, self.staging_dir,
                max_size=self.settings.getint("NEWSARCHIVE_WARC_MAX_SIZE"),
                gzip_level=self.settings.getint("NEWSARCHIVE_WARC_GZIP_LEVEL"),
                info={"operator": self.settings.get("NEWSARCHIVE_CONTACT") or "",
                      "isPartOf": f"newsarchive run {self.run_id}",
                      "http-header-user-agent": self.settings.get("USER_AGENT") or "",
                      "robots": "obey" if self.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                      "parameters": self._parameters_line()},
            )
        except BaseException:
            if self.lock is not None:
                self.lock.release()
            raise
        self.opened = True

    def _parameters_line(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.report.parameters.items() if v not in (None, "", False))

    def adopt_spider_parameters(self, spider: Spider) -> None:
        """Record the spider's arguments when Scrapy, not `newsarchive crawl`, created the run.

        Scrapy keeps no copy of the arguments given to a spider (`-a`, Scrapyd's
        schedule.json), so they are read from the spider once it exists. That is
        before the first WARC file opens, so its warcinfo still gets them.
        """
        found = {name: getattr(spider, name, None) for name in PUBLIC_PARAMETERS if name not in ("store", "base_url")}
        for name, value in found.items():
            if isinstance(value, (list, tuple)):
                value = ",".join(map(str, value))
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            if value not in (None, ""):
                self.report.parameters[name] = value
        if self.writer is not None:
            self.writer.info["parameters"] = self._parameters_line()

    # -- a store that cannot take writes ------------------------------------------------
    def store_failed(self, exc: BaseException) -> None:
        """Stop the crawl at the first failed store write: every later write would fail too, and a crawl that
        goes on fetching what it cannot keep only costs the site requests."""
        if self.fatal is not None:
            return
        if isinstance(exc, StoreError):
            self.fatal = exc
        else:
            reason = "disk full" if getattr(exc, "errno", None) == 28 else getattr(exc, "strerror", None) or exc
            self.fatal = StoreWriteFailed(f"store {redact_uri(self.store.uri)}: write failed ({reason})")
        log.error("%s: the crawl stops; what was archived before is kept", self.fatal)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "running", False):
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="store_write_failed"))

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        if failure.check(StoreError, OSError):
            self.store_failed(failure.value)

    def _cut_staged_files(self) -> None:
        """After a failed write: no index half-written, and this process's WARC cut back to its last whole record,
        so the next run hands it over as it would after a crash (newsarchive.warc.recover)."""
        if self.writer is not None:
            self.writer.abandon()
        if not self.staging_dir.is_dir():
            return
        mine = f"-{host_id()}."
        for path in self.staging_dir.iterdir():
            if mine not in path.name:
                continue
            if path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif path.name.endswith((".warc.gz", ".warc.gz" + OPEN_SUFFIX)):
                cut_to_whole_records(path)

    def close(self) -> None:
        if self.closed or not self.opened:
            return
        self.closed = True
        try:
            assert self.writer is not None
            if self.fatal is None:
                try:
                    self.writer.close()
                except (OSError, StoreError) as exc:
                    self.store_failed(exc)
            if self.fatal is not None:
                self._cut_staged_files()
            self.report.warc_files = list(self.writer.files_written)
            self.report.bytes_written = self.writer.bytes_written
            self.report.spooled = self.store.flush(timeout=self.settings.getfloat("NEWSARCHIVE_FLUSH_TIMEOUT", 60))
            self.report.outcome = self.outcome().name
            self.report.exit_code = int(self.outcome())
            from newsarchive.dates import iso_utc, utc_now

            self.report.finished = iso_utc(utc_now())
            try:
                self.report.save(self.store)
            except (OSError, StoreError) as exc:
                if self.fatal is None:
                    raise
                log.error("the run report could not be saved either (%s); its summary follows", exc)
            self.report.spooled = self.store.flush(timeout=10)
        finally:
            if self.lock is not None:
                self.lock.release()
            self.store.close()

    # -- the verdict ------------------------------------------------------------------
    def layout_check(self) -> None:
        """Suspect a layout change when parse failures pass the threshold."""
        counts = self.report.counts
        parse_failures = counts.get("parse_failures", 0)
        fetched = parse_failures + counts.get("articles_new", 0) + counts.get("articles_changed", 0) + counts.get("articles_unchanged", 0)
        ratio = self.settings.getfloat("NEWSARCHIVE_LAYOUT_FAILURE_RATIO", 0.5)
        minimum = self.settings.getint("NEWSARCHIVE_LAYOUT_MIN_FAILURES", 5)
        notes = []
        if fetched and parse_failures >= minimum and parse_failures / fetched > ratio:
            notes.append(f"{parse_failures} of {fetched} fetched articles failed to parse: "
                         "the site may have changed its layout")
        if self.report.counts.get("list_pages", 0):
            for section, hits in sorted(self.section_hits.items()):
                if hits == 0:
                    notes.append(f"section {section} listed no article for {self.window[0]}..{self.window[1]}: "
                                 "the site may have changed its list pages" if self.window else
                                 f"section {section} listed no article")
        for note in notes:
            if note not in self.report.layout_suspected:
                self.report.layout_suspected.append(note)

    def outcome(self) -> Exit:
        """Precedence: a failed store write > layout change > site unreachable > spooled > partial > ok
        (the worst news first). A list that could not be read may hide articles: that is a partial run too."""
        if self.fatal is not None:
            return Exit(self.fatal.exit_code)
        self.layout_check()
        if self.report.layout_suspected:
            return Exit.LAYOUT_CHANGED
        counts = self.report.counts
        if counts.get("list_failures", 0) and not counts.get("list_pages", 0):
            return Exit.SITE_UNREACHABLE
        if self.store.pending():
            return Exit.SPOOLED
        if counts.get("articles_failed", 0) or counts.get("list_failures", 0):
            return Exit.PARTIAL
        return Exit.OK

