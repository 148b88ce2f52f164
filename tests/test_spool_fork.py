"""A process forked while a thread holds the spool's lock must not carry the lock away (it would hold it for life)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from newsarchive.store.spool import Spool

pytestmark = pytest.mark.e2e  # it forks a process


def test_a_fork_waits_for_the_spool_lock_and_leaves_it_behind(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with spool._locked():
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(10)
    threading.Timer(0.5, release.set).start()
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    started = time.monotonic()
    child.start()  # as the parse pool's workers start: waits for the holder instead of inheriting its lock file
    try:
        assert time.monotonic() - started >= 0.3
        holder.join(10)
        taken = threading.Event()

        def take() -> None:
            with spool._locked():
                taken.set()

        threading.Thread(target=take, daemon=True).start()
        assert taken.wait(10), "the child process kept the spool's lock"
        spool.add_bytes("state/x.json", b"{}", "application/json")  # and writes go on
    finally:
        child.kill()
        child.join()


def test_a_forked_child_does_not_keep_the_spool_uploader_lock(tmp_path: Path) -> None:
    """A parse worker forked after the crawl became its spool's uploader, and outliving it (kill -9 of the crawl),
    must not keep the next run from uploading."""
    from newsarchive.store.s3 import S3Store

    spool = tmp_path / "spool"
    first = S3Store("bucket", "prefix", endpoint_url="http://127.0.0.1:9", spool_dir=spool)  # never contacted
    assert first._own()
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    child.start()
    try:
        first.close()  # the crawl is gone; its child lives on
        second = S3Store("bucket", "prefix", endpoint_url="http://127.0.0.1:9", spool_dir=spool)
        assert second._own(), "the child process kept the uploader lock"
        second.close()
    finally:
        child.kill()
        child.join()
