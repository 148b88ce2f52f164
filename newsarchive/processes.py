"""Which process wrote something, whether it still lives, and workers that die with their crawl.

WARC files, temporary files and the crawl lock are named for the host and
process that made them, so several workers on one machine or many never
collide, and a crawl can tell what a dead process left behind (to recover or
sweep it) from what a live one is still writing.
"""

from __future__ import annotations

import ctypes
import os
import re
import select
import signal
import socket
import threading
import time


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


#: prctl(2) option: the signal the kernel sends this process when its parent dies
_PR_SET_PDEATHSIG = 1


def die_with(crawl_pid: int) -> None:
    """Initializer of a crawl's worker processes: they end when the crawl does, however it ends.

    A worker forked from the crawl inherits Scrapy's SIGTERM handler (which asks
    a reactor that does not run in the worker to stop, so SIGTERM did nothing)
    and blocks for ever reading a pipe whose write end it holds itself: after
    `kill -9` of the crawl it lived on, an orphan nothing could end but SIGKILL.
    So: SIGTERM does what it says again; Ctrl-C is left to the crawl, which shuts
    its pool down; the kernel kills the worker when its parent dies
    (PR_SET_PDEATHSIG); and a thread watches the crawl's own pid (a pidfd, so a
    reused pid cannot fool it), for a parent that is not the crawl (a
    forkserver) or a crawl that died before the first two were in place.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watch below still works
        pass
    try:
        pidfd: int | None = os.pidfd_open(crawl_pid)
    except ProcessLookupError:
        os._exit(1)  # the crawl is already gone
    except (AttributeError, OSError):
        pidfd = None
    threading.Thread(target=_exit_when_gone, args=(crawl_pid, pidfd), name="watch-crawl", daemon=True).start()


def _exit_when_gone(pid: int, pidfd: int | None) -> None:
    if pidfd is not None:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.poll()  # readable once the process has exited
    else:
        while pid_alive(pid):
            time.sleep(1)
    os._exit(1)
