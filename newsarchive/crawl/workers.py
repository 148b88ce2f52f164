"""Processes beside the crawl that run one function on what the crawl hands them (the parser), over a socket each.

Why not concurrent.futures.ProcessPoolExecutor: it moves every task through two
helper threads in the crawl's process (a manager thread and a queue feeder),
each waking and taking the GIL from the reactor thread for every page, and a
pipe written to wake them. Here the reactor thread itself writes a task (a
length-prefixed pickle) to a worker's socket and reads the result back on the
event loop: no helper thread, no extra wake-up. A worker is forked once, when
the spider opens (so the parser's imports happen while the crawl starts), and
serves tasks until its socket closes; it exits then, and also when the crawl is
killed (the kernel closes the crawl's end), so no worker outlives its crawl.

Results come back in order per worker; an exception raised by the function is
raised again in the crawl (`NotAnArticle` with its reason). A worker that dies
fails its pending tasks and every later one with `WorkerDied`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import socket
import struct
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_HEAD = struct.Struct("<I")


class WorkerDied(RuntimeError):
    """A worker process ended while the crawl still needed it."""


def _frame(obj: object) -> bytes:
    data = pickle.dumps(obj, protocol=5)
    return _HEAD.pack(len(data)) + data


def _serve(sock: socket.socket, inherited: list[socket.socket], func: Callable[..., Any],
           initializer: Callable[[], object] | None) -> None:
    """The worker's life: read a task, run it, write its result, until the crawl's end of the socket closes."""
    for other in inherited:  # every other end: while a copy stays open here, a death (the crawl's, another
        if other is not sock:  # worker's) would go unseen by whoever reads the other side
            other.close()
    if initializer is not None:
        initializer()
    reader = sock.makefile("rb")
    try:
        while True:
            head = reader.read(_HEAD.size)
            if len(head) < _HEAD.size:
                break
            args = pickle.loads(reader.read(_HEAD.unpack(head)[0]))
            try:
                outcome: tuple[bool, object] = (True, func(*args))
            except Exception as exc:  # noqa: BLE001 - any failure of a task goes back to the crawl, which decides
                outcome = (False, exc)
            try:
                data = _frame(outcome)
            except Exception as exc:  # noqa: BLE001 - an exception that does not pickle still tells what it was
                data = _frame((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            sock.sendall(data)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the crawl's buffers copied by the fork


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.pending: deque[asyncio.Future[Any]] = deque()
        self.writer: asyncio.StreamWriter | None = None
        self.dead: BaseException | None = None

    async def connect(self) -> None:
        reader, self.writer = await asyncio.open_connection(sock=self.sock, limit=1 << 20)
        asyncio.ensure_future(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                head = await reader.readexactly(_HEAD.size)
                ok, value = pickle.loads(await reader.readexactly(_HEAD.unpack(head)[0]))
                future = self.pending.popleft()
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            self.fail(WorkerDied(f"parse worker {self.process.pid} ended ({type(exc).__name__})"))

    def fail(self, exc: BaseException) -> None:
        self.dead = exc
        while self.pending:
            future = self.pending.popleft()
            if not future.done():
                future.set_exception(exc)


class Workers:
    """`count` processes running `func`; `await run(*args)` runs it in the least busy one. `initializer` runs in
    each worker as it starts (imports, while the crawl sets up)."""

    def __init__(self, func: Callable[..., Any], count: int, initializer: Callable[[], object] | None = None) -> None:
        self.func = func
        self.count = count
        self.initializer = initializer
        self._workers: list[_Worker] = []
        #: the sockets joined to the event loop, once, by the first task (the loop may not run when the spider opens)
        self._connected: asyncio.Future[list[None]] | None = None

    def start(self) -> None:
        context = multiprocessing.get_context("fork")  # the worker shares the crawl's imports, and is ready at once
        ends = [socket.socketpair() for _ in range(self.count)]
        every = [end for pair in ends for end in pair]
        for ours, theirs in ends:
            process = context.Process(target=_serve, args=(theirs, every, self.func, self.initializer),
                                      name="newsarchive-parse", daemon=True)
            process.start()
            theirs.close()
            self._workers.append(_Worker(process, ours))

    async def run(self, *args: Any) -> Any:
        if self._connected is None:
            self._connected = asyncio.ensure_future(asyncio.gather(*(w.connect() for w in self._workers)))
        await self._connected
        worker = min(self._workers, key=lambda w: (w.dead is not None, len(w.pending)))
        if worker.dead is not None:
            raise worker.dead
        assert worker.writer is not None
        future = asyncio.get_running_loop().create_future()
        worker.pending.append(future)
        worker.writer.write(_frame(args))
        await worker.writer.drain()  # tasks wait here, not as copies in the socket's buffer, while the worker is busy
        return await future

    def close(self, timeout: float = 30.0) -> None:
        """Tell each worker there is no more work (it exits once it has finished its task) and wait for them."""
        for worker in self._workers:
            try:  # now, not when the event loop next runs: the wait below would hold it up
                worker.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(timeout)
            if worker.process.is_alive():
                log.warning("parse worker %s did not exit: killed", worker.process.pid)
                worker.process.kill()
                worker.process.join(5)
            worker.fail(WorkerDied("the parse workers are closed"))
            try:
                if worker.writer is None:
                    raise RuntimeError("never joined to an event loop")
                worker.writer.close()
            except RuntimeError:  # no loop (any more): the socket is closed directly
                worker.sock.close()
        self._workers.clear()
