"""The local copy of the site over HTTP/1.1: fast, countable, and able to misbehave on demand.

Runs in a thread of the test process (SiteServer) or as its own process
(`python -m tests.site serve`). Pages are pre-rendered bytes, gzipped once,
and written in a single send, so loopback throughput is the crawler's
problem, not the site's.
"""

from __future__ import annotations

import email.utils
import json
import os
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newsarchive.site.urls import match_article
from tests.site.corpus import Corpus
from tests.site.faults import Fault, Faults
from tests.site.routes import HTML, JSON, Response, Router

CONTROL = "/__site/"
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
_CHUNK = 64 * 1024


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up stop()
    request_queue_size = 256
    allow_reuse_address = True
    site: SiteServer

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on a machine without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection gives up its thread after this long
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.startswith(CONTROL):
            self._send(Response(405, b"method not allowed\n", "text/plain"))
            return
        try:
            payload = json.loads(raw or b"{}")
            result = self.server.site.control(urlsplit(self.path).path, payload)
        except (ValueError, TypeError, KeyError) as exc:
            self._send(Response(400, json.dumps({"error": str(exc)}).encode(), JSON))
            return
        self._send(Response(200, json.dumps(result).encode(), JSON))

    # ---- serving ------------------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        site = self.server.site
        target = self.path
        if "://" in target:  # absolute-form request target (a proxy-style client)
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target.startswith(CONTROL):
            self._send(Response(200, json.dumps(site.control_get(target)).encode(), JSON), head=head)
            return
        site.record_hit(target)
        fault = site.faults.take(target)
        if fault is None:
            self._send(site.router.get(target), head=head)
        else:
            self._fault(fault, target, head)

    def _gzip_ok(self) -> bool:
        accept = (self.headers.get("Accept-Encoding") or "").lower()
        return "gzip" in accept and "gzip;q=0" not in accept.replace(" ", "")

    def _head_bytes(self, status: int, content_type: str | None, length: int,
                    extra: tuple[tuple[str, str], ...] = ()) -> bytes:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
                 f"Date: {email.utils.formatdate(usegmt=True)}", "Server: nginx"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {length}")
        lines += [f"{name}: {value}" for name, value in extra]
        if self.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, response: Response, head: bool = False, extra: tuple[tuple[str, str], ...] = ()) -> None:
        body, headers = response.body, response.headers + extra
        if response.compressible:
            headers += (("Vary", "Accept-Encoding"),)
        if body and response.compressible and self._gzip_ok():
            body, headers = response.gzipped(), headers + (("Content-Encoding", "gzip"),)
        self.wfile.write(self._head_bytes(response.status, response.content_type, len(body), headers)
                         + (b"" if head else body))

    # ---- faults -------------------------------------------------------------------------------

    def _fault(self, fault: Fault, target: str, head: bool) -> None:
        site = self.server.site
        kind = fault.kind
        if kind == "status":
            extra = (("Retry-After", str(fault.retry_after)),) if fault.retry_after is not None else ()
            self._send(Response(fault.status, f"<html><body><h1>{fault.status}</h1></body></html>".encode()),
                       head, extra)
        elif kind == "slow":
            time.sleep(fault.delay)
            self._send(site.router.get(target), head)
        elif kind in ("redirect", "redirect_loop"):
            location = fault.location or _next_loop_target(target)
            self._send(Response(fault.status if kind == "redirect" else 302, b"", HTML), head,
                       (("Location", location),))
        elif kind == "garbage":
            self._send(Response(200, os.urandom(4096) + b"\x00\xff\xfe" * 100, "text/html; charset=utf-8"), head)
        elif kind == "unknown_layout":
            self._send(site.router.unknown_layout(target), head)
        elif kind == "empty_list":
            self._send(site.router.empty_list(target), head)
        elif kind == "huge":
            self._stream_huge(fault.size, head)
        else:  # "reset" and "short": half the body, then the connection ends badly
            body = site.router.get(target).body
            self.wfile.write(self._head_bytes(200, HTML, len(body)) + body[: len(body) // 2])
            self._abort(reset=kind == "reset")

    def _stream_huge(self, size: int, head: bool) -> None:
        """A page of `size` bytes, produced as it is sent: the site never holds it."""
        self.wfile.write(self._head_bytes(200, HTML, size))
        if head:
            return
        chunk = (b"<p>" + b"filler " * (_CHUNK // 7) + b"</p>\n")[:_CHUNK]
        sent = 0
        try:
            while sent < size:
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except OSError:
            self.close_connection = True

    def _abort(self, reset: bool) -> None:
        """End the connection: with a TCP reset (RST) or an early close (FIN)."""
        self.close_connection = True
        if reset:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.request.close()


def _next_loop_target(target: str) -> str:
    """/x -> /x?loop=1 -> /x?loop=2 ...: every URL new, so no dedup filter ends the loop."""
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    n = int(query.get("loop", ["0"])[0]) + 1
    return f"{parts.path}?loop={n}"


class SiteServer:
    """The site over HTTP on 127.0.0.1, with hit counts and fault injection."""

    def __init__(self, corpus: Corpus | None = None, host: str = "127.0.0.1", port: int = 0,
                 self_links: bool = False, third_party_base: str | None = None) -> None:
        self.corpus = corpus if corpus is not None else Corpus()
        self.router = Router(self.corpus, third_party_base=third_party_base)
        self.faults = Faults()
        self._hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.site = self
        if self_links:
            self.router.link_base = self.base_url
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # ---- life -------------------------------------------------------------------------------

    def start(self) -> SiteServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"site-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread (the `serve` command) until interrupted."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- hits -------------------------------------------------------------------------------

    def record_hit(self, target: str) -> None:
        with self._hits_lock:
            self._hits[target] += 1

    @property
    def hits(self) -> dict[str, int]:
        """Requests so far, by path and query as requested (control URLs not counted)."""
        with self._hits_lock:
            return dict(self._hits)

    def article_hits(self, article_id: str) -> int:
        """Requests for one article under any slug, date or query."""
        return sum(n for target, n in self.hits.items()
                   if (ref := match_article(target)) is not None and ref.id == article_id)

    def total_hits(self) -> int:
        return sum(self.hits.values())

    def reset_hits(self) -> None:
        with self._hits_lock:
            self._hits.clear()

    # ---- faults -----------------------------------------------------------------------------

    def inject(self, path: str, fault: Fault) -> None:
        """Misbehave on `path` (a bare path: any query; with a query: only that URL)."""
        self.faults.set(path, fault)

    def clear_faults(self, path: str | None = None) -> None:
        self.faults.clear(path)

    def prerender(self) -> int:
        return self.router.prerender()

    # ---- control over HTTP (for a site in another process) -------------------------------------

    def control_get(self, target: str) -> Any:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        if parts.path == CONTROL + "hits":
            if "article" in query:
                return {"id": query["article"][0], "hits": self.article_hits(query["article"][0])}
            return self.hits
        if parts.path == CONTROL + "faults":
            return self.faults.snapshot()
        return {"error": "unknown control URL", "known": ["hits", "hits?article=ID", "faults"]}

    def control(self, path: str, payload: dict[str, Any]) -> Any:
        """POST /__site/fault {"path", "kind", ...}, /__site/clear {"path"?}, /__site/reset_hits, /__site/edit."""
        if path == CONTROL + "fault":
            fields = {k: v for k, v in payload.items() if k != "path"}
            self.inject(payload["path"], Fault(**fields))
            return {"ok": True, "faults": self.faults.snapshot()}
        if path == CONTROL + "clear":
            self.clear_faults(payload.get("path"))
            return {"ok": True}
        if path == CONTROL + "reset_hits":
            self.reset_hits()
            return {"ok": True}
        if path == CONTROL + "edit":
            article = self.corpus.edit(payload.pop("id"), **payload)
            return {"ok": True, "modified_at": article.modified_at}
        raise KeyError(f"unknown control URL {path}")
