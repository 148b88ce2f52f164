"""The store lock under races (issue 11, item 5): never two holders, and nobody touches another's lock.

Two contender processes meet at a barrier before every trial, each waits a
random fraction of a millisecond, takes the lock, holds it a moment and
releases it. A trial in which both held the lock at overlapping times is a
violation. "fresh": no lock before the trial; "stale": a lock left by a dead
process of this host is there, which both must judge stale and only one may
break. Hundreds of trials on a local store and on a real SeaweedFS. (Before
the fix: 33 of 300 fresh and 6-46 of 300 stale trials on a local store, and
11 of 200 stale trials on SeaweedFS, had two holders.)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import socket
import subprocess
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.keys import LOCK_KEY
from newsarchive.archive.lock import StoreLock
from newsarchive.errors import LockHeld
from newsarchive.store import open_store
from newsarchive.store.base import Store
from tests.plugins.seaweed import SeaweedServer

pytestmark = pytest.mark.e2e

HOLD = 0.02
JITTER = 0.0005


def dead_pid() -> int:
    """The pid of a process of this host that has exited (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def stale_lock(pid: int) -> bytes:
    return json.dumps({"run_id": "killed-run", "host": socket.gethostname(), "pid": pid,
                       "heartbeat": "2020-01-01T00:00:00.000000Z"}).encode()


def contender(open_it: Callable[[], Store], barrier: Barrier, results: Any, trials: int, seed: int) -> None:
    store = open_it()
    rng = random.Random(seed)
    for trial in range(trials):
        barrier.wait()  # the parent set the trial up
        time.sleep(rng.random() * JITTER)
        lock = StoreLock(store, f"contender-{os.getpid()}-{trial}", heartbeat=3600)
        try:
            lock.acquire()
        except LockHeld:
            results.put((trial, None, None))
        else:
            start = time.monotonic()
            time.sleep(HOLD)
            end = time.monotonic()
            lock.release()
            results.put((trial, start, end))
        barrier.wait()  # both are done: the parent checks the trial


def race(open_it: Callable[[], Store], mode: str, trials: int) -> dict[str, int]:
    """Run paired trials; count trials with two holders at once, with no holder, and with a lock left over."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(3)
    results = ctx.Queue()
    procs = [ctx.Process(target=contender, args=(open_it, barrier, results, trials, seed), daemon=True)
             for seed in (1, 2)]
    for proc in procs:
        proc.start()
    store = open_it()
    counts = {"two_holders": 0, "no_holder": 0, "left_over": 0}
    try:
        for trial in range(trials):
            store.delete(LOCK_KEY)
            if mode == "stale":
                assert store.create_exclusive(LOCK_KEY, stale_lock(dead_pid()))
            barrier.wait(timeout=60)
            barrier.wait(timeout=60)
            held = [results.get(timeout=60) for _ in procs]
            assert all(t == trial for t, _, _ in held)
            spans = [(start, end) for _, start, end in held if start is not None]
            if len(spans) == 2 and spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1]:
                counts["two_holders"] += 1
            if not spans:
                counts["no_holder"] += 1
            if store.exists(LOCK_KEY):
                counts["left_over"] += 1
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    return counts


class LocalOpener:
    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self) -> Store:
        store = open_store(str(self.root))
        store.check()
        return store


class SeaweedOpener:
    def __init__(self, server: SeaweedServer, prefix: str, spool: Path) -> None:
        self.server, self.prefix, self.spool = server, prefix, spool

    def __call__(self) -> Store:
        os.environ.update(self.server.env)
        spool = self.spool / str(os.getpid())
        return open_store(f"s3://{self.server.bucket}/{self.prefix}", s3_endpoint_url=self.server.endpoint_url,
                          spool_dir=str(spool))


@pytest.mark.parametrize("mode", ["fresh", "stale"])
def test_local_store_never_has_two_holders(tmp_path: Path, mode: str) -> None:
    counts = race(LocalOpener(tmp_path / "archive"), mode, trials=200)
    assert counts == {"two_holders": 0, "no_holder": 0, "left_over": 0}, counts


@pytest.mark.parametrize("mode", ["fresh", "stale"])
def test_seaweedfs_store_never_has_two_holders(seaweed: SeaweedServer, tmp_path: Path, mode: str) -> None:
    opener = SeaweedOpener(seaweed, f"lock-{mode}-{os.getpid()}-{time.monotonic_ns()}", tmp_path / "spool")
    counts = race(opener, mode, trials=100)
    assert counts == {"two_holders": 0, "no_holder": 0, "left_over": 0}, counts


def ownership(store: Store) -> None:
    """A holds; B judges A's lock stale (its heartbeat is old) and takes it; then A beats and releases."""
    a = StoreLock(store, "run-a", heartbeat=3600, stale_after=900)
    a.acquire()
    data, version = store.read_versioned(LOCK_KEY) or (b"", "")
    old = json.loads(data)
    old.update(host="another-host", heartbeat="2020-01-01T00:00:00.000000Z")
    assert store.replace_if(LOCK_KEY, json.dumps(old).encode(), version)  # A's lock now looks long dead
    a.version = store.read_versioned(LOCK_KEY)[1]  # type: ignore[index]  # as if A had written it itself
    b = StoreLock(store, "run-b", heartbeat=3600)
    b.acquire()  # breaks the stale lock, takes its own
    lost: list[bool] = []
    a.on_lost = lambda: lost.append(True)
    assert a.beat() is False and a.lost.is_set() and lost == [True]  # A's heartbeat does not overwrite B's lock
    a.release()  # nor does A's release delete it
    assert json.loads(store.get_bytes(LOCK_KEY))["run_id"] == "run-b"
    b.release()
    assert not store.exists(LOCK_KEY)


def test_heartbeat_and_release_touch_only_their_own_lock_local(tmp_path: Path) -> None:
    ownership(LocalOpener(tmp_path / "archive")())


def test_heartbeat_and_release_touch_only_their_own_lock_seaweedfs(seaweed: SeaweedServer, tmp_path: Path) -> None:
    ownership(SeaweedOpener(seaweed, f"owner-{os.getpid()}-{time.monotonic_ns()}", tmp_path / "spool")())


def test_an_unreadable_lock_is_broken_once_only(tmp_path: Path) -> None:
    """Locks are written whole, so an unreadable one is damage: broken, by one of two contenders only."""
    store = LocalOpener(tmp_path / "archive")()
    assert store.create_exclusive(LOCK_KEY, b"{torn")
    first, second = StoreLock(store, "run-c", heartbeat=3600), StoreLock(store, "run-d", heartbeat=3600)
    first.acquire()
    with pytest.raises(LockHeld, match="run run-c"):
        second.acquire()
    first.release()
