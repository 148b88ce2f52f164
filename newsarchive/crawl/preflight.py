"""Is the site there at all? Asked once, before the crawl, in seconds.

Without it a crawl with no network took 3 min 40 s of DNS retries (15 min
with a resolver that never answers) to end as SITE_UNREACHABLE: every start
request was retried with backoff, as a page that fails while the site is up
should be. So the crawl first resolves the site's name and opens one TCP
connection to it, each with a deadline (NEWSARCHIVE_PROBE_TIMEOUT). No HTTP
request is sent: every request the crawl makes is archived, and this one
would not be. A site that accepts connections but never answers is caught
inside the crawl instead (newsarchive.crawl.middleware.BackoffRetryMiddleware:
short timeouts and no retries until the first response).
"""

from __future__ import annotations

import socket
import threading
from typing import Any
from urllib.parse import urlsplit


def _resolve(host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
    """getaddrinfo with a deadline: the C resolver has none of its own that a caller can set."""
    box: dict[str, Any] = {}

    def lookup() -> None:
        try:
            box["found"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            box["error"] = exc

    thread = threading.Thread(target=lookup, name="preflight-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise OSError(f"{host} does not resolve (no answer from the resolver within {timeout:g} s)")
    if "error" in box:
        error = box["error"]
        raise OSError(f"{host} does not resolve ({getattr(error, 'strerror', None) or error})")
    return list(box["found"])


def probe(base_url: str, timeout: float = 8.0) -> str | None:
    """None if the site's name resolves and it accepts a TCP connection; else why not, in one line."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = _resolve(host, port, timeout)
    except OSError as exc:
        return str(exc)
    last: OSError | None = None
    for family, kind, proto, _name, address in addresses[:4]:
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(timeout)
                sock.connect(address)
            return None
        except OSError as exc:
            last = exc
    if isinstance(last, TimeoutError):
        why = f"no answer within {timeout:g} s"
    else:
        why = (getattr(last, "strerror", None) or str(last)) if last is not None else "no address"
    return f"{host}:{port} does not accept connections ({why})"
