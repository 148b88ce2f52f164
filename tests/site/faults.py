"""Faults the site can be told to commit, per URL, while it runs.

Each one is something a real server or network does to a crawler: errors,
throttling, broken connections, redirects to places a crawler must not go,
responses too big or not HTML at all, pages in a layout nobody has seen.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

KINDS = ("status", "reset", "short", "redirect_loop", "redirect", "huge", "garbage",
         "unknown_layout", "slow", "empty_list")
PRIVATE_TARGETS = ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/")
OFFSITE_TARGET = "http://example.invalid/"


@dataclass
class Fault:
    """What to do instead of (or before) serving a URL; `times=None` means every time."""

    kind: str
    status: int = 500
    times: int | None = None
    retry_after: int | None = None
    location: str | None = None
    size: int = 50 * 1024 * 1024
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(KINDS)}")
        if self.times is not None and self.times < 1:
            raise ValueError(f"times must be at least 1 (or None for always): {self.times!r}")

    # The faults the fault suite asks for, by name.
    @classmethod
    def error(cls, status: int = 500, times: int | None = None) -> Fault:
        return cls("status", status=status, times=times)

    @classmethod
    def unavailable(cls, times: int | None = None) -> Fault:
        return cls("status", status=503, times=times)

    @classmethod
    def throttled(cls, times: int | None = 1, retry_after: int = 1) -> Fault:
        return cls("status", status=429, times=times, retry_after=retry_after)

    @classmethod
    def reset(cls, times: int | None = None) -> Fault:
        return cls("reset", times=times)

    @classmethod
    def short_body(cls, times: int | None = None) -> Fault:
        return cls("short", times=times)

    @classmethod
    def redirect_loop(cls) -> Fault:
        return cls("redirect_loop")

    @classmethod
    def redirect_offsite(cls, location: str = OFFSITE_TARGET) -> Fault:
        return cls("redirect", status=302, location=location)

    @classmethod
    def redirect_private(cls, location: str = PRIVATE_TARGETS[0]) -> Fault:
        return cls("redirect", status=302, location=location)

    @classmethod
    def huge(cls, size: int = 50 * 1024 * 1024) -> Fault:
        return cls("huge", size=size)

    @classmethod
    def garbage(cls) -> Fault:
        return cls("garbage")

    @classmethod
    def unknown_layout(cls) -> Fault:
        return cls("unknown_layout")

    @classmethod
    def slow(cls, delay: float, times: int | None = None) -> Fault:
        return cls("slow", delay=delay, times=times)

    @classmethod
    def empty_list(cls) -> Fault:
        return cls("empty_list")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """Faults by URL: a key with a query matches that exact URL, a bare path matches any query."""

    def __init__(self) -> None:
        self._by_key: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def set(self, path: str, fault: Fault) -> None:
        if not path.startswith("/"):
            raise ValueError(f"fault path must start with '/': {path!r}")
        with self._lock:
            self._by_key[path] = fault

    def clear(self, path: str | None = None) -> None:
        with self._lock:
            if path is None:
                self._by_key.clear()
            else:
                self._by_key.pop(path, None)

    def take(self, target: str) -> Fault | None:
        """The fault for this request, counting it against the fault's `times`."""
        with self._lock:
            key = target if target in self._by_key else urlsplit(target).path
            fault = self._by_key.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._by_key[key]
            return fault

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {key: fault.to_json() for key, fault in self._by_key.items()}
