"""One crawl's resources (store, lock, WARC writer, what is known, the report) and the extension that owns them.

Every Scrapy component of a crawl (spider, capture extension, pipelines,
scheduler) works with the same `CrawlRun`, found on the crawler with
`CrawlRun.of(crawler)`. Its life belongs to one Scrapy extension,
`CrawlRunKeeper`: built first, it opens the run (store check, lock, crash
recovery, state) unless `newsarchive crawl` opened it already to report user
errors in one line, and closes it on `spider_closed` (WARC handed over, report
saved, lock released). So the run is the same whether the crawl was started by
`newsarchive crawl`, `scrapy crawl taipeitimes` or Scrapyd.

Counts go through Scrapy's stats collector under `newsarchive/<name>` and are
read back into the run report when the run closes, as Scrapy's own core stats are.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from newsarchive.archive.lock import StoreLock
from newsarchive.archive.recovery import OPEN_SUFFIX, cut_to_whole_records, recover
from newsarchive.archive.report import COUNTS, RunReport, new_run_id
from newsarchive.archive.state import KnownArticles, KnownUrls
from newsarchive.archive.warc import WarcWriter
from newsarchive.crawl.addon import contact_warning
from newsarchive.crawl.preflight import probe
from newsarchive.crawl.verdict import layout_notes, verdict
from newsarchive.dates import iso_utc, utc_now
from newsarchive.errors import StoreError
from newsarchive.exitcodes import Exit, exit_code_for
from newsarchive.processes import host_id
from newsarchive.redact import redact_uri
from newsarchive.site.urls import ALWAYS_PUBLISHED, Mirror
from newsarchive.site.window import CrawlWindow
from newsarchive.store import Store, open_store
from newsarchive.store.base import write_failure

log = logging.getLogger(__name__)

#: the crawler attribute a run is attached under
_ATTR = "newsarchive_run"
#: prefix of the run's counts in Scrapy's stats
STATS_PREFIX = "newsarchive/"
#: parameters that may enter the run report and warcinfo records (never credentials)
PUBLIC_PARAMETERS = ("since", "until", "sections", "max_articles", "refresh", "base_url", "store", "frontier",
                     "no_images", "no_requisites")


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
        public["base_url"] = redact_uri(self.mirror.base)
        # from the settings, however the crawl was started (--no-images, -s NEWSARCHIVE_IMAGES=0, Scrapyd)
        public["no_images"] = not settings.getbool("NEWSARCHIVE_IMAGES", True)
        public["no_requisites"] = not settings.getbool("NEWSARCHIVE_REQUISITES", True)
        self.report = RunReport(self.run_id, public)
        self.lock = (StoreLock(self.store, self.run_id, on_lost=self._lock_lost)
                     if settings.getbool("NEWSARCHIVE_LOCK", True) else None)
        self.known = KnownArticles(self.store)
        #: the last capture of each list page and requisite (state/urls/), read per URL (crawl.revisits)
        self.urls = KnownUrls(self.store)
        self.refresh = bool(parameters.get("refresh"))
        self.writer: WarcWriter | None = None
        #: article links seen per section that always publishes (the spider counts them)
        self.section_hits: dict[str, int] = {}
        self.window: CrawlWindow | None = None
        self.opened = False
        self.closed = False
        #: the store write that failed (disk full, unwritable): the crawl stops, the exit code is the error's
        self.fatal: StoreError | None = None
        #: why the site cannot be reached (newsarchive.crawl.preflight), found before anything was fetched
        self.unreachable: str | None = None
        #: counts made while no crawler (and so no stats collector) is attached
        self._unstarted: dict[str, int] = {}
        #: sections with a list that failed: reported as such, not suspected of a layout change
        self.unread_sections: set[str] = set()
        self.crawler: Crawler | None = None

    # -- the crawler's run ------------------------------------------------------------------
    @classmethod
    def of(cls, crawler: Crawler) -> CrawlRun:
        """The run of this crawler (attached by CrawlRunKeeper, or by `newsarchive crawl` before it)."""
        run = getattr(crawler, _ATTR, None)
        if run is None:
            raise RuntimeError("no crawl run: the CrawlRunKeeper extension (newsarchive.crawl.run) is not enabled")
        return run

    def attach(self, crawler: Crawler) -> CrawlRun:
        setattr(crawler, _ATTR, self)
        self.crawler = crawler
        return self

    @property
    def staging_dir(self) -> Path:
        return self.store.staging_dir() / host_id().rsplit("-", 1)[0]

    # -- counts -----------------------------------------------------------------------------
    @property
    def stats(self) -> StatsCollector | None:
        return self.crawler.stats if self.crawler is not None else None

    def count(self, name: str, amount: int = 1) -> None:
        """Add to one of the report's counts (newsarchive.archive.report.COUNTS), kept in Scrapy's stats."""
        if name not in COUNTS:
            raise KeyError(f"not a run report count: {name}")
        if self.stats is not None:
            self.stats.inc_value(STATS_PREFIX + name, amount)
        else:  # before Scrapy runs (the site probe), or without it
            self._unstarted[name] = self._unstarted.get(name, 0) + amount

    @property
    def counts(self) -> dict[str, int]:
        stats = self.stats
        return {name: (int(stats.get_value(STATS_PREFIX + name, 0)) if stats is not None else 0)
                + self._unstarted.get(name, 0) for name in COUNTS}

    def fail(self, url: str, reason: str, kind: str = "article", article_id: str | None = None,
             section: str | None = None) -> None:
        """A failure for the report, counted (`articles_failed` or `list_failures`); `section`: the list's."""
        self.count(self.report.fail(redact_uri(url), reason, kind=kind, article_id=article_id))
        if kind == "list" and section:
            self.unread_sections.add(section)

    def limit_hit(self, url: str, reason: str, kind: str = "article", article_id: str | None = None,
                  section: str | None = None) -> None:
        """A failure because a limit (NEWSARCHIVE_MAX_*) was reached: reported, and counted under `limits_hit`."""
        self.count("limits_hit")
        self.fail(url, reason, kind=kind, article_id=article_id, section=section)

    # -- lifecycle ----------------------------------------------------------------------------
    def open(self) -> None:
        """Fail fast on the store, take the lock, finish what a crashed run left, load state, and see whether the
        site answers at all (the run then ends at once as SITE_UNREACHABLE, with its report)."""
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
        self.unreachable = probe(self.mirror.base, self.settings.getfloat("NEWSARCHIVE_PROBE_TIMEOUT", 8.0))
        if self.unreachable is not None:
            self.fail(self.mirror.base + "/", f"site unreachable: {self.unreachable}", kind="list")
            log.error("site unreachable: %s", self.unreachable)

    def _parameters_line(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.report.parameters.items() if v not in (None, "", False))

    def adopt_spider(self, spider: Spider, *, arguments: bool) -> None:
        """What the spider decided (window, sections, --refresh), and with `arguments` its arguments for the report.

        Scrapy keeps no copy of the arguments given to a spider (`-a`, Scrapyd's
        schedule.json), so when Scrapy, not `newsarchive crawl`, started the crawl
        they are read from the spider. That is before the first WARC file opens, so
        its warcinfo gets them.
        """
        window = getattr(spider, "window", None)
        if isinstance(window, CrawlWindow):
            self.window = window
            self.section_hits = {s: 0 for s in window.sections if s in ALWAYS_PUBLISHED}
        self.refresh = self.refresh or bool(getattr(spider, "refresh", False))
        if not arguments:
            return
        for name in PUBLIC_PARAMETERS:
            if name in ("store", "base_url"):
                continue
            value = getattr(spider, name, None)
            if isinstance(value, (list, tuple)):
                value = ",".join(map(str, value))
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            if value not in (None, "", False):
                self.report.parameters[name] = value
        if self.writer is not None:
            self.writer.info["parameters"] = self._parameters_line()

    # -- a store that cannot take writes -------------------------------------------------------
    def store_failed(self, exc: BaseException) -> None:
        """Stop the crawl at the first failed store write: every later write would fail too, and a crawl that
        goes on fetching what it cannot keep only costs the site requests."""
        if self.fatal is not None:
            return
        if isinstance(exc, StoreError):
            self.fatal = exc
        elif isinstance(exc, OSError):
            self.fatal = write_failure(f"store {redact_uri(self.store.uri)}", exc)
        else:
            raise exc
        log.error("%s: the crawl stops; what was archived before is kept", self.fatal)
        self.stop("store_write_failed")

    def stop(self, reason: str) -> None:
        """Close the spider (from the reactor thread): requests still queued are dropped, the run closes."""
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "running", False):
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=reason))

    def _lock_lost(self) -> None:
        """From the lock's heartbeat thread: another run holds the store now; this crawl must not go on writing."""
        from twisted.internet import reactor

        reactor.callFromThread(self.stop, "lock_lost")

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        if failure.check(StoreError, OSError):
            self.store_failed(failure.value)
            return
        # any other error of a pipeline (a bug, a worker that could not be reached) still fails the article
        exc = failure.value
        fields = item if isinstance(item, dict) else {}
        url = str(fields.get("fetched_url") or fields.get("canonical") or "")
        self.fail(url, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}", article_id=fields.get("id"))

    def _cut_staged_files(self) -> None:
        """After a failed write: no index half-written, and this process's WARC cut back to its last whole record,
        so the next run hands it over as it would after a crash (newsarchive.archive.recovery.recover)."""
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
        """Hand the WARC over, save the report with the verdict, release the lock. Idempotent."""
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
            self.report.counts = self.counts
            self.report.warc_files = list(self.writer.files_written)
            self.report.bytes_written = self.writer.bytes_written
            self.report.spooled = self.store.flush(timeout=self.settings.getfloat("NEWSARCHIVE_FLUSH_TIMEOUT", 60))
            outcome = self.outcome()
            self.report.outcome, self.report.exit_code = outcome.name, int(outcome)
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

    # -- the verdict --------------------------------------------------------------------------
    def outcome(self) -> Exit:
        """The run's exit code (newsarchive.crawl.verdict), noting any suspected layout change in the report."""
        counts = self.report.counts
        window = (self.window.first, self.window.last) if self.window is not None else None
        read = {s: hits for s, hits in self.section_hits.items() if s not in self.unread_sections}
        for note in layout_notes(counts, read, window,
                                 ratio=self.settings.getfloat("NEWSARCHIVE_LAYOUT_FAILURE_RATIO", 0.5),
                                 minimum=self.settings.getint("NEWSARCHIVE_LAYOUT_MIN_FAILURES", 5)):
            if note not in self.report.layout_suspected:
                self.report.layout_suspected.append(note)
        fatal = exit_code_for(self.fatal) if self.fatal is not None else None
        if fatal is None and self.lock is not None and self.lock.lost.is_set():
            fatal = Exit.LOCKED  # another run broke this one's lock: what it did is kept, the rest is the other's
        return verdict(counts, fatal=fatal,
                       layout_suspected=bool(self.report.layout_suspected), spooled=self.store.pending())


def quiet_gc() -> None:
    """Once the engine starts: what start-up made (modules, Scrapy's and Twisted's objects) stays for the whole run,
    so it is put out of the cyclic collector's sight (gc.freeze), and collections happen a tenth as often: each
    response's Deferreds, dicts and requests no longer make the collector rescan hundreds of thousands of objects.
    Cyclic garbage is still collected."""
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


class CrawlRunKeeper:
    """The extension that owns a crawl's run: built before the other components, it opens the run (unless
    `newsarchive crawl` did) and closes it when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        run = getattr(crawler, _ATTR, None)
        started_by_scrapy = run is None  # `scrapy crawl` or Scrapyd: nothing set this run up before Scrapy did
        if run is None:
            run = CrawlRun(crawler.settings, {})
        self.run = run.attach(crawler)
        if crawler.spider is not None:
            run.adopt_spider(crawler.spider, arguments=started_by_scrapy)
        if not run.opened:
            run.open()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunKeeper:
        keeper = cls(crawler)
        if (warning := contact_warning(crawler.settings)) is not None:
            log.warning("%s", warning)
        crawler.signals.connect(keeper.run.item_error, signal=signals.item_error)
        crawler.signals.connect(keeper.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(quiet_gc, signal=signals.engine_started)
        return keeper

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.run.close()
