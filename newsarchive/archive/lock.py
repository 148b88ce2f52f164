"""One crawl at a time per store.

The lock is an object (`state/lock.json`) created only if absent. A lock left
by a killed crawl must not block the next run forever: on the same host a lock
whose process is gone is stale; from another host, a lock whose heartbeat is
older than `stale_after` seconds is stale.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading

from newsarchive.archive.keys import LOCK_KEY
from newsarchive.dates import iso_utc, utc_now
from newsarchive.errors import KeyNotFound, LockHeld, StoreError
from newsarchive.processes import pid_alive
from newsarchive.store.base import Store

log = logging.getLogger(__name__)


class StoreLock:
    def __init__(self, store: Store, run_id: str, *, stale_after: float = 900, heartbeat: float = 60) -> None:
        self.store = store
        self.run_id = run_id
        self.stale_after = stale_after
        self.heartbeat = heartbeat
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.held = False

    def _body(self) -> bytes:
        return json.dumps({"run_id": self.run_id, "host": self.host, "pid": self.pid,
                           "heartbeat": iso_utc(utc_now())}).encode()

    def _is_stale(self, holder: dict) -> bool:
        if holder.get("host") == self.host and isinstance(holder.get("pid"), int):
            return not pid_alive(holder["pid"])
        try:
            beat = dt.datetime.strptime(holder["heartbeat"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
        except (KeyError, ValueError, TypeError):
            return True
        return (utc_now() - beat).total_seconds() > self.stale_after

    def acquire(self) -> None:
        for _ in range(2):
            if self.store.create_exclusive(LOCK_KEY, self._body()):
                self.held = True
                self._start_heartbeat()
                return
            try:
                holder = json.loads(self.store.get_bytes(LOCK_KEY))
            except (KeyNotFound, ValueError):
                holder = {}
            if holder and not self._is_stale(holder):
                raise LockHeld(
                    f"another crawl (run {holder.get('run_id')}, pid {holder.get('pid')} on {holder.get('host')}) "
                    f"holds the lock on {self.store.uri}; try again when it has finished"
                )
            log.warning("breaking a stale lock left by run %s (pid %s on %s)",
                        holder.get("run_id"), holder.get("pid"), holder.get("host"))
            self.store.delete(LOCK_KEY)
        raise LockHeld(f"could not take the lock on {self.store.uri}")

    def _start_heartbeat(self) -> None:
        def beat() -> None:
            while not self._stop.wait(self.heartbeat):
                try:
                    self.store.put_bytes(LOCK_KEY, self._body())
                except Exception as exc:  # noqa: BLE001 - a missed beat is not fatal
                    log.warning("lock heartbeat failed: %s", exc)

        self._thread = threading.Thread(target=beat, name="lock-heartbeat", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self.held:
            self.held = False
            try:
                self.store.delete(LOCK_KEY)
            except StoreError as exc:  # the store is gone: the next run finds our pid dead and breaks it
                log.warning("could not release the lock (%s); the next run will break it as stale", exc)
