"""A crawl killed with SIGKILL leaves no parse worker behind (each would hold the crawl's open files for good)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.plugins.cli import REPO
from tests.site.server import SiteServer

pytestmark = pytest.mark.e2e


def children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has exited; only its parent's reaping is left


def test_parse_workers_exit_when_the_crawl_is_killed(fresh_site: SiteServer, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "newsarchive", "crawl", "--base-url", fresh_site.base_url,
                             "--store", str(tmp_path / "archive")], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (workers := children(proc.pid)):
            assert proc.poll() is None, "the crawl ended before its parse worker was seen"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # do not leave them running whatever the verdict
        subprocess.run(["kill", "-9", str(pid)], check=False)
    assert not left, f"parse workers outlived the crawl: {left}"
