"""A crawl frontier shared by several processes through Redis (scrapy-redis), so N workers make one crawl.

`NEWSARCHIVE_FRONTIER = redis://HOST:PORT/DB` (or `newsarchive crawl --frontier`) swaps Scrapy's scheduler
for `newsarchive.crawl.scheduler.FrontierScheduler` (see newsarchive.crawl.addon): the request queue and the
duplicate filter live in Redis, under keys derived from what the crawl is (store, mirror, window, sections,
refresh, cap), so every
worker started with the same arguments joins the same crawl and a different crawl never mixes with it.

Keys, all under `newsarchive:<crawl key>:`:

    about              what the crawl is (JSON), for people inspecting Redis
    pass               the pass number; a finished pass moves to the next one, so the next run starts afresh
    <pass>:queue       the shared request queue (scrapy-redis priority queue: a sorted set)
    <pass>:seen        the shared duplicate filter (fingerprints from our ArticleFingerprinter: article ids)
    <pass>:sections    article links seen per section, summed over workers (the layout check)
    <pass>:workers     ids (host-pid) of the workers that joined
    <pass>:alive:<w>   "busy" or "idle", expiring unless the worker keeps beating
    <pass>:lease:<w>   requests worker <w> popped and has not finished: requeued if <w> stops beating
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy.settings import BaseSettings

from newsarchive.errors import FrontierUnreachable, InvalidArgument
from newsarchive.redact import redact_uri

SCHEMES = ("redis", "rediss", "unix")
#: where the frontier's password is read from at connect time, first set wins: never on a command line, where
#: every user of the machine can read it (/proc/PID/cmdline), nor in the settings Scrapy logs
PASSWORD_ENVS = ("NEWSARCHIVE_FRONTIER_PASSWORD", "REDIS_PASSWORD")


def password_from_env() -> str | None:
    return next((os.environ[name] for name in PASSWORD_ENVS if os.environ.get(name)), None)


class FrontierRedis(redis.Redis):
    """The frontier's Redis client (scrapy-redis makes it through REDIS_PARAMS' redis_cls): the password comes
    from the environment at connect time unless the URL has one."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        password = password_from_env()
        if password and not urlsplit(url).password:
            kwargs.setdefault("password", password)
        return super().from_url(url, **kwargs)


def without_password(url: str) -> str:
    """The URL the settings keep: a password given in it moves to $NEWSARCHIVE_FRONTIER_PASSWORD (this process
    and its children), so that neither Scrapy's log of its settings nor a report can show it."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return url
    if not password:
        return url
    os.environ.setdefault(PASSWORD_ENVS[0], password)
    return redact_uri(url)


def check_url(url: str) -> None:
    """InvalidArgument unless `url` is a Redis URL redis-py can open."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in SCHEMES and (parts.scheme == "unix" or bool(parts.hostname))
    except ValueError:
        ok = False
    if not ok:
        raise InvalidArgument(f"bad frontier URL {redact_uri(url)!r}: want redis://HOST:PORT/DB")


def check_reachable(settings: BaseSettings) -> None:
    """Fail before Scrapy starts if the frontier is malformed or down: one line, not a traceback per worker."""
    url = settings.get("NEWSARCHIVE_FRONTIER")
    if not url:
        return
    check_url(url)
    try:
        FrontierRedis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except redis.RedisError as exc:
        raise FrontierUnreachable(f"the frontier {redact_uri(url)} cannot be reached: {exc}") from None


def crawl_identity(store_uri: str, base_url: str, spider: Any) -> dict[str, Any]:
    """What makes two workers part of the same crawl: same store, mirror, window, sections, refresh and cap."""
    return {
        "store": redact_uri(store_uri), "base_url": base_url,
        "since": str(getattr(spider, "since", "")), "until": str(getattr(spider, "until", "")),
        "sections": sorted(getattr(spider, "sections", []) or []),
        "refresh": bool(getattr(spider, "refresh", False)), "max_articles": getattr(spider, "max_articles", None),
        "spider": spider.name,
    }


def crawl_key(identity: dict[str, Any]) -> str:
    digest = hashlib.sha1(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    return f"newsarchive:{digest}"


class SharedCounts(dict):
    """Per-section link counts summed over workers, so one worker's layout check sees the whole crawl.

    A worker that happened to read no list of some section must not report that
    section as empty. Local increments go to Redis as deltas; `pull` loads the sums.
    """

    def __init__(self, server: Any, key: str, initial: dict[str, int]) -> None:
        super().__init__(initial)
        self.server = server
        self.key = key

    def __setitem__(self, name: str, value: int) -> None:
        delta = value - self.get(name, 0)
        super().__setitem__(name, value)
        if delta:
            self.server.hincrby(self.key, name, delta)

    def pull(self) -> None:
        for name, value in self.server.hgetall(self.key).items():
            name = name.decode() if isinstance(name, bytes) else name
            if name in self:
                super().__setitem__(name, int(value))
