"""newsarchive.archive.lock: one crawl at a time per store, and a lock a killed crawl left does not block forever.

The current behaviour on a local store, kept simple: taking, refusing, releasing, breaking a stale lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path

import pytest

from newsarchive.archive.keys import LOCK_KEY
from newsarchive.archive.lock import StoreLock
from newsarchive.errors import LockHeld
from newsarchive.store import LocalStore
from tests.plugins.clock import SetClock

NOW = dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)
DEAD_PID = 2**22 + 12345  # above any pid the kernel hands out


@pytest.fixture
def store(tmp_path: Path, set_clock: SetClock) -> LocalStore:
    """A store to lock; heartbeats are stamped by the clock set here."""
    set_clock(NOW)
    return LocalStore(tmp_path / "archive")


def holder(store: LocalStore, **fields: object) -> None:
    body = {"run_id": "other", "host": socket.gethostname(), "pid": os.getpid(),
            "heartbeat": "2028-02-29T11:59:00.000000Z", **fields}
    store.put_bytes(LOCK_KEY, json.dumps(body).encode())


def test_acquire_writes_who_holds_it_and_release_removes_it(store: LocalStore) -> None:
    lock = StoreLock(store, "run-1", heartbeat=3600)
    lock.acquire()
    try:
        assert lock.held
        assert json.loads(store.get_bytes(LOCK_KEY)) == {
            "run_id": "run-1", "host": socket.gethostname(), "pid": os.getpid(),
            "heartbeat": "2028-02-29T12:00:00.000000Z"}
    finally:
        lock.release()
    assert not lock.held and not store.exists(LOCK_KEY)
    lock.release()  # twice: nothing more to do


def test_a_second_crawl_is_refused_while_the_first_holds_it(store: LocalStore) -> None:
    first = StoreLock(store, "run-1", heartbeat=3600)
    first.acquire()
    try:
        with pytest.raises(LockHeld, match=rf"another crawl \(run run-1, pid {os.getpid()} on .+\) holds the lock"):
            StoreLock(store, "run-2").acquire()
        assert json.loads(store.get_bytes(LOCK_KEY))["run_id"] == "run-1"
    finally:
        first.release()
    second = StoreLock(store, "run-2", heartbeat=3600)
    second.acquire()
    second.release()


def test_a_lock_of_a_dead_process_on_this_host_is_broken(store: LocalStore) -> None:
    holder(store, pid=DEAD_PID, heartbeat="2028-02-29T12:00:00.000000Z")  # fresh heartbeat: the pid decides
    lock = StoreLock(store, "run-2", heartbeat=3600)
    lock.acquire()
    try:
        assert json.loads(store.get_bytes(LOCK_KEY))["run_id"] == "run-2"
    finally:
        lock.release()


def test_a_live_process_on_this_host_holds_it_whatever_its_heartbeat(store: LocalStore) -> None:
    holder(store, heartbeat="2020-01-01T00:00:00.000000Z")
    with pytest.raises(LockHeld):
        StoreLock(store, "run-2", stale_after=1).acquire()


@pytest.mark.parametrize("heartbeat, stale", [
    ("2028-02-29T11:45:01.000000Z", False),  # 14 min 59 s ago
    ("2028-02-29T11:44:59.000000Z", True),  # 15 min 1 s ago
    ("yesterday", True),
    (None, True),
])
def test_another_hosts_lock_is_stale_after_its_heartbeat_stops(store: LocalStore, heartbeat: str | None,
                                                                stale: bool) -> None:
    holder(store, host="another-host.example", pid=1, heartbeat=heartbeat)
    lock = StoreLock(store, "run-2", stale_after=900, heartbeat=3600)
    if not stale:
        with pytest.raises(LockHeld, match="another-host.example"):
            lock.acquire()
        return
    lock.acquire()
    lock.release()


def test_an_unreadable_lock_is_broken(store: LocalStore) -> None:
    store.put_bytes(LOCK_KEY, b"{torn")
    lock = StoreLock(store, "run-2", heartbeat=3600)
    lock.acquire()
    assert lock.held
    lock.release()
