"""A static mirror of realistic pages on disk, and the light HTTP/1.1 server that serves it (bench/crawl.py).

The pages are rendered once by the project's copy of the site (tests/site: the
real page chrome, ~43 KB an article), with their photos (the image host's
`/images/...`) and page requisites (`/assets/...`), and written to disk twice:
`site/` links https://www.taipeitimes.com and the image host (a crawl maps both
to its `--base-url`); `self/` links the server's own host instead (what wget
needs to recurse). Every article has one URL (no cross-listing), so wget cannot
fetch one article twice under two URLs. Text is also stored gzipped beside,
served to a client that asks for it (the crawl), as the site's server does;
wget does not ask and gets identity, as it would from the site.

The server is one asyncio process per benchmark (its own interpreter and GIL),
HTTP/1.1 with keep-alive and TCP_NODELAY, every response read from disk. It
parses no more of a request than its first line and Accept-Encoding: the real
site's server costs the crawling machine nothing, so the stand-in should cost
both crawlers as little as possible (and the same). It counts requests per
target and keeps the time of the first and last (`/__bench/hits`,
`/__bench/reset`), and its own CPU time.

    python bench/mirror.py serve ROOT VARIANT...   # prints one base URL per variant
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import gzip
import json
import os
import signal
import socket
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"
#: what a static server compresses: text, not images or fonts (already compressed)
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "application/rss+xml")


def target_file(root: Path, target: str) -> Path:
    """Where a request target (path and query) lies on disk: one rule, for the writer and the server."""
    parts = urlsplit(target)
    path = parts.path.strip("/") or "index"
    if parts.query:
        path += "@" + quote(parts.query, safe="=&")
    return root / (path + ".body")


def build(root: Path, days: list[dt.date], scale: int, self_base: str) -> dict[str, object]:
    """Render the lists of `days` (every section, one page each), every article they list, its photos, and every
    page requisite on the site's host (what HTML and stylesheets name), into root/site and root/self."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from newsarchive.site import requisites
    from newsarchive.site.urls import IMAGE_HOST, SECTIONS, SITE, SITE_HOST
    from tests.site import pages
    from tests.site.corpus import DEFAULT_PER_SECTION, Corpus
    from tests.site.routes import Router

    pages.LIST_PAGE_SIZE = 10_000  # one page per section and day, as a print day's list is
    corpus = Corpus(days, per_section={s: n * scale for s, n in DEFAULT_PER_SECTION.items()})
    for article in corpus:  # one URL per article: wget cannot tell that two URLs are one article
        article.cross_links.clear()
    router = Router(corpus)
    lists = [f"/News/{s}?pubdate={d.isoformat()}" for d in days for s in SECTIONS]
    articles = [a.path() for a in corpus]
    todo = ["/robots.txt", *lists, *articles]
    seen = set(todo)
    manifest: dict[str, dict[str, object]] = {}
    kinds: Counter[str] = Counter()
    sizes: list[tuple[int, int]] = []
    while todo:
        target = todo.pop(0)
        response = router.get(target)
        if response.status != 200:
            continue
        url = SITE + target
        named: list[str] = []
        if response.content_type.startswith("text/html"):
            named = requisites.from_html(response.body, url)  # photos too: the pages show them with <img>
        elif response.content_type.startswith("text/css"):
            named = requisites.from_css(response.body.decode("utf-8", "replace"), url)
        for ref in named:
            parts = urlsplit(ref)
            if parts.netloc not in (SITE_HOST, IMAGE_HOST):
                continue  # third parties: neither crawler fetches them
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                seen.add(path)
                todo.append(path)
        compressible = response.content_type.startswith(COMPRESSIBLE)
        for variant in ("site", "self"):
            body = response.body
            if variant == "self" and compressible:
                body = body.replace(SITE.encode(), self_base.encode()).replace(
                    f"https://{IMAGE_HOST}".encode(), self_base.encode())
            path = target_file(root / variant, target)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            if compressible:
                path.with_name(path.name + ".gz").write_bytes(gzip.compress(body, 6, mtime=0))
            if variant == "site" and "/archives/" in target:
                sizes.append((len(body), len(gzip.compress(body, 6, mtime=0))))
        manifest[target] = {"type": response.content_type, "gzip": compressible, "headers": list(response.headers)}
        kinds["photos" if target.startswith("/images/") else "requisites" if target not in lists and target not in
              articles and target != "/robots.txt" else "pages"] += 1
    for variant in ("site", "self"):
        (root / variant / MANIFEST).write_text(json.dumps(manifest))
    return {"articles": len(articles), "lists": len(lists), "photos": kinds["photos"], "requisites": kinds["requisites"],
            "article_kb": statistics.mean(s for s, _ in sizes) / 1000,
            "article_gz_kb": statistics.mean(g for _, g in sizes) / 1000}


# --------------------------------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------------------------------


class Site:
    """One variant of the mirror: its files, and the requests it answered."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._manifest: dict[str, dict] | None = None
        self.hits: Counter[str] = Counter()
        self.span: list[float] = []

    @property
    def manifest(self) -> dict[str, dict]:
        """Read when first needed: the server starts (and gives its port) before the mirror is written."""
        if self._manifest is None:
            self._manifest = json.loads((self.root / MANIFEST).read_text())
        return self._manifest

    def answer(self, target: str, gzip_ok: bool) -> bytes:
        if target.startswith("/__bench/"):
            if target == "/__bench/reset":
                self.hits.clear()
                self.span.clear()
                self._manifest = None
            t = os.times()
            body = json.dumps({"hits": self.hits, "cpu": t.user + t.system,
                               "span": self.span or None}).encode()
            return _head(200, "application/json", len(body), ()) + body
        self.hits[target] += 1
        now = time.time()
        if self.span:
            self.span[1] = now
        else:
            self.span[:] = [now, now]
        entry = self.manifest.get(target)
        if entry is None:
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            return _head(404, "text/html; charset=utf-8", len(body), ()) + body
        path = target_file(self.root, target)
        headers = [tuple(h) for h in entry["headers"]]
        if entry["gzip"]:
            headers.append(("Vary", "Accept-Encoding"))
            if gzip_ok:
                path = path.with_name(path.name + ".gz")
                headers.append(("Content-Encoding", "gzip"))
        with open(path, "rb") as fh:
            body = fh.read()
        return _head(200, entry["type"], len(body), headers) + body


_date = ["", 0.0]


def _head(status: int, content_type: str, length: int, headers) -> bytes:  # noqa: ANN001
    now = time.time()
    if now - _date[1] >= 1.0:
        _date[:] = [email.utils.formatdate(now, usegmt=True), now]
    reason = "OK" if status == 200 else "Not Found"
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers)
    return (f"HTTP/1.1 {status} {reason}\r\nDate: {_date[0]}\r\nServer: nginx\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n{extra}\r\n").encode("latin-1")


class _Connection(asyncio.Protocol):
    def __init__(self, site: Site) -> None:
        self.site = site
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:  # noqa: ANN001
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        assert self.transport is not None
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            lines = head.split(b"\r\n")
            try:
                _, target, _ = lines[0].split(b" ", 2)
            except ValueError:
                self.transport.close()
                return
            gzip_ok = close = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"accept-encoding":
                    gzip_ok = b"gzip" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            self.transport.write(self.site.answer(target.decode("latin-1"), gzip_ok))
            if close:
                self.transport.close()
                return


def serve(root: Path, variants: list[str]) -> None:
    """One server per variant (root/<variant>), in this process; prints their base URLs on one line."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = []
        for variant in variants:
            site = Site(root / variant)
            servers.append(await loop.create_server(lambda site=site: _Connection(site), "127.0.0.1", 0, backlog=512))
        print(" ".join(f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}" for s in servers), flush=True)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()

    asyncio.run(main())


def control(base: str, what: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{base}/__bench/{what}", timeout=30) as r:
        return json.load(r)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(Path(sys.argv[2]), sys.argv[3:])
    else:
        raise SystemExit(__doc__)
