"""One crawl at a time per store.

The lock is an object (`state/lock.json`) naming the run, host and process
that hold it and a heartbeat. A lock left by a killed crawl must not block the
next run forever: on the same host a lock whose process is gone is stale; from
another host, a lock whose heartbeat is older than `stale_after` seconds is
stale.

Every step is a single compare-and-act on the store (newsarchive.store.base,
`create_versioned` and friends): the lock is created with its content in one
atomic step, so nobody ever reads an empty lock and calls it stale; a stale
lock is deleted only if it is still the very version judged stale, so two
crawls breaking it at once cannot delete each other's new lock; and the
heartbeat and the release touch the lock only while it is still this run's.
A heartbeat that finds the lock gone or taken says so (`lost`, `on_lost`): the
crawl stops rather than write beside another.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from newsarchive.archive.keys import LOCK_KEY
from newsarchive.dates import iso_utc, utc_now
from newsarchive.errors import LockHeld, StoreError
from newsarchive.processes import pid_alive
from newsarchive.store.base import Store

log = logging.getLogger(__name__)

#: how many times acquire() tries (create, or judge and break a stale lock) before giving up
ATTEMPTS = 3


class StoreLock:
    def __init__(self, store: Store, run_id: str, *, stale_after: float = 900, heartbeat: float = 60,
                 on_lost: Callable[[], None] | None = None) -> None:
        self.store = store
        self.run_id = run_id
        self.stale_after = stale_after
        self.heartbeat = heartbeat
        self.on_lost = on_lost
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.version: str | None = None
        self.held = False
        #: set when a heartbeat found the lock no longer this run's
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _body(self) -> bytes:
        return json.dumps({"run_id": self.run_id, "host": self.host, "pid": self.pid,
                           "heartbeat": iso_utc(utc_now())}).encode()

    def _is_stale(self, holder: Any) -> bool:
        if not isinstance(holder, dict):
            # locks are written whole in one step (create_versioned), so one that cannot be read is damage, never
            # a lock half-way through being written: nothing holds it
            return True
        if holder.get("host") == self.host and isinstance(holder.get("pid"), int):
            return not pid_alive(holder["pid"])
        try:
            beat = dt.datetime.strptime(holder["heartbeat"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
        except (KeyError, ValueError, TypeError):
            return True
        return (utc_now() - beat).total_seconds() > self.stale_after

    def acquire(self) -> None:
        for _ in range(ATTEMPTS):
            version = self.store.create_versioned(LOCK_KEY, self._body())
            if version is not None:
                self.version, self.held = version, True
                self._start_heartbeat()
                return
            current = self.store.read_versioned(LOCK_KEY)
            if current is None:
                continue  # released (or broken) since: try again
            data, version = current
            try:
                holder: Any = json.loads(data)
            except ValueError:
                holder = None
            if not self._is_stale(holder):
                who = holder if isinstance(holder, dict) else {}
                raise LockHeld(
                    f"another crawl (run {who.get('run_id')}, pid {who.get('pid')} on {who.get('host')}) "
                    f"holds the lock on {self.store.uri}; try again when it has finished"
                )
            if self.store.delete_if(LOCK_KEY, version):  # only the version judged stale: a newer lock stays
                who = holder if isinstance(holder, dict) else {}
                log.warning("broke a stale lock left by run %s (pid %s on %s)",
                            who.get("run_id"), who.get("pid"), who.get("host"))
        raise LockHeld(f"could not take the lock on {self.store.uri}: other crawls are taking it too")

    def beat(self) -> bool:
        """Renew the heartbeat, if the lock is still this run's; False (and `lost`) if it is not."""
        assert self.version is not None
        version = self.store.replace_if(LOCK_KEY, self._body(), self.version)
        if version is None:
            self.lost.set()
            log.error("the store lock on %s is no longer this run's (broken by another run?)", self.store.uri)
            if self.on_lost is not None:
                self.on_lost()
            return False
        self.version = version
        return True

    def _start_heartbeat(self) -> None:
        def run() -> None:
            while not self._stop.wait(self.heartbeat):
                try:
                    if not self.beat():
                        return
                except Exception as exc:  # noqa: BLE001 - a missed beat is not fatal
                    log.warning("lock heartbeat failed: %s", exc)

        self._thread = threading.Thread(target=run, name="lock-heartbeat", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)  # a beat in flight finishes first: the version is then current
        if not self.held:
            return
        self.held = False
        if self.lost.is_set() or self.version is None:
            return
        try:
            if not self.store.delete_if(LOCK_KEY, self.version):
                log.warning("the store lock on %s was no longer this run's at release: left as it is", self.store.uri)
        except StoreError as exc:  # the store is gone: the next run finds our pid dead and breaks it
            log.warning("could not release the lock (%s); the next run will break it as stale", exc)
