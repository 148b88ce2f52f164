"""What is left of a process tree: the kill tests' proof that no process outlives its crawl."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def alive(pid: int) -> bool:
    """Running (a zombie, waiting for its parent to reap it, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def session(sid: int) -> set[int]:
    """Live processes of a session (a process started with start_new_session leads one: its id is its pid)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid and alive(int(entry.name)):
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def descendants(pid: int) -> set[int]:
    """Every process below `pid` now (children, their children, ...)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += sorted(children - found)
            found |= children
    return found


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.05)


def assert_all_end(pids: set[int], timeout: float = 10) -> None:
    """Every one of `pids` ends within `timeout` seconds (after the crawl they belonged to was killed)."""
    wait_until(lambda: not any(alive(p) for p in pids), timeout,
               f"processes of the killed crawl still alive: {sorted(p for p in pids if alive(p))}")
