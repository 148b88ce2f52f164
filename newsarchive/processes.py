"""Which process wrote something, and whether it still lives.

WARC files, temporary files and the crawl lock are named for the host and
process that made them, so several workers on one machine or many never
collide, and a crawl can tell what a dead process left behind (to recover or
sweep it) from what a live one is still writing.
"""

from __future__ import annotations

import os
import re
import socket


def host_id() -> str:
    """Host name and process id: names from several workers never collide."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process of this host still runs (a zombie child counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True
