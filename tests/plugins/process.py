"""Servers the tests start as real processes: a free port, a process group of their own, nothing left behind.

Each server runs in its own session so that stopping it also stops whatever it spawned (weed mini starts
children), and stop() is registered at exit, so no server outlives a pytest that died before its finalizers.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    """A port free on 127.0.0.1 now (the OS picks it; servers bind it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """Base of the test servers: spawn, wait until a real request succeeds, kill the whole group."""

    name = "server"
    proc: subprocess.Popen[bytes] | None = None

    def spawn(self, args: list[str], *, cwd: Path, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        out = open(log, "ab") if log is not None else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if log is not None:
                out.close()
        atexit.register(self.stop)

    def wait_ready(self, probe: Callable[[], object], timeout: float, log: Path | None = None) -> None:
        """Poll `probe` (a real request) until it succeeds; on death or timeout, stop and say why."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                probe()
                return
            except Exception as exc:  # noqa: BLE001 - not up yet
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
                    detail = "; log tail:\n" + tail if tail else ""
                    raise RuntimeError(f"{self.name} did not start ({exc}){detail}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self):  # -> Self
        self.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
