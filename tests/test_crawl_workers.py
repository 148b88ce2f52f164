"""newsarchive.crawl.workers: tasks run in forked processes over a socket each, results and errors come back.

These tests fork worker processes (e2e): a task's result or exception reaches its caller, tasks spread over
the workers, a worker that dies fails its tasks instead of hanging them, and closing leaves no process behind.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from newsarchive.crawl.workers import WorkerDied, Workers
from newsarchive.errors import NotAnArticle

pytestmark = pytest.mark.e2e


def task(n: int, body: bytes) -> dict[str, object]:
    if n < 0:
        raise NotAnArticle(f"not an article: {n}")
    return {"n": n, "pid": os.getpid(), "length": len(body)}


def test_results_and_errors_come_back_to_their_callers() -> None:
    workers = Workers(task, 2)
    workers.start()

    async def main() -> list[object]:
        return await asyncio.gather(*(workers.run(n, b"x" * 50_000 * (n % 3)) for n in (*range(40), -7)),
                                    return_exceptions=True)

    try:
        results = asyncio.run(main())
    finally:
        workers.close()
    *ok, failed = results
    assert [r["n"] for r in ok] == list(range(40))  # type: ignore[index]
    assert [r["length"] for r in ok] == [50_000 * (n % 3) for n in range(40)]  # type: ignore[index]
    assert len({r["pid"] for r in ok}) == 2 and os.getpid() not in {r["pid"] for r in ok}  # type: ignore[index]
    assert isinstance(failed, NotAnArticle) and str(failed) == "not an article: -7"


def slow(seconds: float) -> int:
    import time

    time.sleep(seconds)
    return os.getpid()


def test_a_worker_that_dies_fails_its_tasks_and_closing_leaves_no_process() -> None:
    workers = Workers(slow, 1)
    workers.start()
    [process] = [w.process for w in workers._workers]

    async def main() -> None:
        pid = await workers.run(0.0)
        assert pid == process.pid
        pending = asyncio.ensure_future(workers.run(30.0))
        await asyncio.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerDied):
            await asyncio.wait_for(pending, 20)
        with pytest.raises(WorkerDied):
            await workers.run(0.0)

    try:
        asyncio.run(main())
    finally:
        workers.close()
    assert not process.is_alive()


def test_closing_waits_for_the_workers_to_exit() -> None:
    workers = Workers(slow, 2)
    workers.start()
    processes = [w.process for w in workers._workers]

    async def main() -> None:
        await asyncio.gather(workers.run(0.0), workers.run(0.0))

    asyncio.run(main())
    workers.close()
    assert all(p.exitcode == 0 for p in processes)
