"""`newsarchive serve` as the tests start it: a real process on a free port of 127.0.0.1, its index in a
temporary cache, stopped (with its whole process group) at the end."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.cli import REPO
from tests.plugins.process import ServerProcess, free_port


class ReadingRoom(ServerProcess):
    name = "newsarchive serve"

    def __init__(self, store: Path, folder: Path, *, host: str = "127.0.0.1", token: str | None = None,
                 extra: list[str] | None = None) -> None:
        self.store, self.folder = store, folder
        self.host, self.token = host, token
        self.port = free_port()
        self.extra = extra or []
        self.log = folder / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where the tests reach it: the loopback, whatever address it listens on."""
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> bytes:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())

    def start(self, timeout: float = 180.0) -> ReadingRoom:
        env = {**os.environ, "NEWSARCHIVE_CACHE": str(self.folder / "cache")}
        env.pop("NEWSARCHIVE_TOKEN", None)
        args = [sys.executable, "-m", "newsarchive", "serve", "--store", str(self.store), "--host", self.host,
                "--port", str(self.port), *self.extra]
        if self.token:
            args += ["--token", self.token]
        self.spawn(args, cwd=REPO, env=env, log=self.log)
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.wait_ready(lambda: self.get("/static/style.css", auth, timeout=5), timeout, log=self.log)
        return self


@pytest.fixture
def reading_room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ReadingRoom]]:
    """reading_room(store, **options) -> a started `newsarchive serve`, stopped after the test's scope."""
    started: list[ReadingRoom] = []

    def start(store: Path, **options: object) -> ReadingRoom:
        room = ReadingRoom(store, tmp_path_factory.mktemp("serve"), **options).start()  # type: ignore[arg-type]
        started.append(room)
        return room

    yield start
    for room in started:
        room.stop()
