"""The scheduler of a worker sharing a Redis frontier: leases, heartbeats, and knowing when the crawl is over.

scrapy-redis gives the shared queue and duplicate filter. Two things it leaves open are decided here:

- *Leases.* A request popped from the queue is written, in the same Redis script, into the worker's lease
  hash, and removed from it only once Scrapy has finished with it (downloaded, parsed, record and state
  written, new requests queued). A worker that stops beating (kill -9, power cut) has its leases put back in
  the queue by any live worker, so its in-flight requests are fetched by the others in the same crawl.
- *Termination.* scrapy-redis spiders idle forever. Here a worker ends when, for `grace` seconds, the queue
  is empty, no lease is held and no live worker reports being busy: then nothing can produce more work. The
  first to see it closes the pass (queue and duplicate filter deleted), so the next run starts afresh and
  anything that failed this time is fetched again.

Scrapy has no public hook for "the engine is done with this request"; the engine's in-progress set (a
request stays in it until its callback output and items are fully processed) is read, in one place.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from newsarchive.crawl.frontier import SharedCounts, crawl_identity, crawl_key
from newsarchive.crawl.run import CrawlRun
from newsarchive.processes import host_id
from newsarchive.redact import redact_uri

log = logging.getLogger(__name__)


class FrontierDupeFilter(RFPDupeFilter):
    """scrapy-redis's filter with Scrapy's request fingerprinter (ours: the article id), not its own URL hash.

    It lives with the scheduler, not in newsarchive.crawl.frontier, which every crawl imports: scrapy-redis and
    redis are imported only by a crawl that has a frontier. scrapy-redis 0.9 fingerprints URLs itself, which
    would let an article linked under two sections or dates through twice.
    """

    def __init__(self, server: Any, key: str, fingerprinter: Any, debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_spider(cls, spider: Any) -> FrontierDupeFilter:
        raise TypeError("FrontierDupeFilter is made by FrontierScheduler, which knows the crawl's key")

    def request_fingerprint(self, request: Any) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other workers are still using them (the scheduler clears them at the end)."""


# KEYS: queue, lease, workers; ARGV: worker id. Pop the best request into the worker's lease, atomically.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], r[1], r[2])
redis.call('SADD', KEYS[3], ARGV[1])
return r[1]
"""
# KEYS: workers, queue; ARGV: prefix. Leases of workers whose heartbeat expired go back to the queue.
_REQUEUE_DEAD = """
local moved = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. w) == 0 then
    local lease = ARGV[1] .. 'lease:' .. w
    local items = redis.call('HGETALL', lease)
    for i = 1, #items, 2 do
      redis.call('ZADD', KEYS[2], items[i + 1], items[i])
      moved = moved + 1
    end
    redis.call('DEL', lease)
    redis.call('SREM', KEYS[1], w)
  end
end
return moved
"""
# KEYS: queue, workers; ARGV: prefix, own id. {queued requests, other workers busy or holding leases}
_STATUS = """
local busy = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if w ~= ARGV[2] then
    if redis.call('GET', ARGV[1] .. 'alive:' .. w) == 'busy' or redis.call('HLEN', ARGV[1] .. 'lease:' .. w) > 0 then
      busy = busy + 1
    end
  end
end
return {redis.call('ZCARD', KEYS[1]), busy}
"""
# KEYS: pass counter; ARGV: this pass, prefix. Close the pass once (the first worker to see the end).
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('INCR', KEYS[1])
redis.call('DEL', ARGV[2] .. 'queue', ARGV[2] .. 'seen', ARGV[2] .. 'workers')
redis.call('EXPIRE', ARGV[2] .. 'sections', 3600)
return 1
"""


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, popping into a lease instead of into thin air."""

    def pop_leased(self, lease_key: str, workers_key: str, worker: str) -> tuple[bytes, Request] | None:
        data = self.server.eval(_POP, 3, self.key, lease_key, workers_key, worker)
        if not data:
            return None
        return data, self._decode_request(data)


class FrontierScheduler(Scheduler):
    crawler: Crawler
    queue: LeasedPriorityQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        scheduler: FrontierScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.worker = host_id()
        scheduler.lease_ttl = settings.getfloat("NEWSARCHIVE_FRONTIER_LEASE_TTL", 30.0)
        scheduler.tick = settings.getfloat("NEWSARCHIVE_FRONTIER_TICK", 0.5)
        scheduler.grace = settings.getfloat("NEWSARCHIVE_FRONTIER_GRACE", 2.0)
        scheduler.leased = {}
        scheduler.quiet_since = None
        scheduler.busy = True
        scheduler.stop_beating = threading.Event()
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    # -- keys -------------------------------------------------------------------------------
    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def open(self, spider: Spider) -> None:
        run = CrawlRun.of(self.crawler)
        identity = crawl_identity(run.store.uri, run.mirror.base, spider)
        self.base = crawl_key(identity)
        self.server.set(f"{self.base}:about", _json(identity))
        self.server.setnx(f"{self.base}:pass", 0)
        self.pass_id = self.server.get(f"{self.base}:pass").decode()
        self.prefix = f"{self.base}:{self.pass_id}:"
        self.queue_key = self._key("queue")
        self.df = FrontierDupeFilter(self.server, self._key("seen"), self.crawler.request_fingerprinter,
                                     debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        super().open(spider)
        run.section_hits = SharedCounts(self.server, self._key("sections"), run.section_hits)
        run.report.parameters["frontier"] = redact_uri(self.crawler.settings.get("NEWSARCHIVE_FRONTIER") or "")
        log.info("frontier: worker %s joins crawl %s pass %s (%d requests queued)",
                 self.worker, self.base, self.pass_id, len(self.queue))
        self._beat()
        # beats from a thread: a reactor busy for a while (a big parse, a WARC upload) is not a dead worker
        self.beater = threading.Thread(target=self._beat_forever, name="frontier-heartbeat", daemon=True)
        self.beater.start()
        self.loop = task.LoopingCall(self._on_tick)
        self.loop.start(self.tick, now=False)

    # -- leases -------------------------------------------------------------------------------
    def next_request(self) -> Request | None:
        popped = self.queue.pop_leased(self._key(f"lease:{self.worker}"), self._key("workers"), self.worker)
        if popped is None:
            return None
        data, request = popped
        self.leased[request] = data
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        return request

    def _in_progress(self) -> set[Request] | None:
        slot = getattr(self.crawler.engine, "_slot", None)
        return getattr(slot, "inprogress", None)

    def _release_finished(self) -> None:
        """Drop the leases of requests the engine is done with (their follow-ups are queued already)."""
        in_progress = self._in_progress()
        if in_progress is None:
            return
        done = [r for r in self.leased if r not in in_progress]
        if done:
            self.server.hdel(self._key(f"lease:{self.worker}"), *(self.leased.pop(r) for r in done))

    def _beat(self) -> None:
        pipe = self.server.pipeline()
        pipe.set(self._key(f"alive:{self.worker}"), "busy" if self.busy else "idle", px=int(self.lease_ttl * 1000))
        pipe.sadd(self._key("workers"), self.worker)
        pipe.expire(self._key("workers"), 86400)
        pipe.execute()

    def _requeue_dead(self) -> None:
        moved = self.server.eval(_REQUEUE_DEAD, 2, self._key("workers"), self.queue_key, self.prefix)
        if moved:
            log.warning("frontier: %d request(s) of a worker that stopped beating put back in the queue", moved)

    def _engine_idle(self) -> bool:
        try:
            return bool(self.crawler.engine.spider_is_idle())
        except (RuntimeError, AttributeError):
            return False

    def _beat_forever(self) -> None:
        while not self.stop_beating.wait(self.tick):
            try:
                self._beat()
            except redis.RedisError as exc:
                log.warning("frontier: heartbeat failed (%s); retrying", exc)

    def _on_tick(self) -> None:
        """In the reactor: what only the reactor may look at (the engine), and the housekeeping."""
        try:
            self._release_finished()
            self.busy = bool(self.leased) or not self._engine_idle()
            self._requeue_dead()
        except redis.RedisError as exc:
            log.warning("frontier: Redis unavailable (%s); retrying", exc)
            return
        if self._engine_idle():
            # the engine looks at the scheduler only every 5 s when idle: new work or the end comes sooner
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    # -- the end ------------------------------------------------------------------------------
    def spider_idle(self, spider: Spider) -> None:
        try:
            self._release_finished()
            self._requeue_dead()
            queued, busy = self.server.eval(_STATUS, 2, self.queue_key, self._key("workers"), self.prefix, self.worker)
        except redis.RedisError as exc:
            log.warning("frontier: Redis unavailable (%s); waiting", exc)
            raise DontCloseSpider from None
        if queued or busy or self.leased:
            self.quiet_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.quiet_since is None:
            self.quiet_since = now
        if now - self.quiet_since < self.grace:
            raise DontCloseSpider
        if self.server.eval(_FINISH, 1, f"{self.base}:pass", self.pass_id, self.prefix):
            log.info("frontier: crawl %s pass %s complete", self.base, self.pass_id)
        sections = CrawlRun.of(self.crawler).section_hits
        if isinstance(sections, SharedCounts):
            sections.pull()

    def close(self, reason: str) -> None:
        """Leave the crawl: anything still leased (a shutdown mid-crawl) goes back to the queue for the others."""
        if getattr(self, "loop", None) is not None and self.loop.running:
            self.loop.stop()
        self.stop_beating.set()
        if getattr(self, "beater", None) is not None:
            self.beater.join(timeout=5)
        try:
            self._release_finished()
            lease = self._key(f"lease:{self.worker}")
            pipe = self.server.pipeline()
            for data in self.leased.values():
                pipe.execute_command("ZADD", self.queue_key, self.server.hget(lease, data) or 0, data)
            pipe.delete(lease, self._key(f"alive:{self.worker}"))
            pipe.srem(self._key("workers"), self.worker)
            pipe.execute()
            if self.leased:
                log.warning("frontier: %d unfinished request(s) put back in the queue", len(self.leased))
            self.leased.clear()
        except redis.RedisError as exc:
            log.warning("frontier: could not leave the crawl cleanly (%s); others requeue after %ss",
                        exc, self.lease_ttl)
        super().close(reason)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)
