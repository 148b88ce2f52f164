"""A hostile copy of the Taipei Times site, for fault tests: the real site (tests/site) plus planted misbehaviour.

    from tests.faults.hostile import HostileSite
    with HostileSite(per_section=3) as site:            # http://127.0.0.1:<free port>, one print day (today, Taipei)
        site.plant_bomb(site.article_target("world", 0), "gzip", size=4 << 30)   # 4 GiB of zeros, ~4 MB on the wire
        site.plant_bomb(site.list_target("biz"), "gzip, gzip")                   # stacked encodings
        site.plant_redirect(site.article_target("world", 1), site.article_path("world", 2))
        site.endless_pagination("taiwan")
        ...crawl site.base_url; site.hits, site.article_hits(id) as on SiteServer

Everything not planted is the project's own site (same corpus, template, faults, hit counts, control URLs), so
lists and articles look real. Plants are matched before the site's fault injection and routing:

* `plant(target, ...)` / `plant_response(target, Planted)` - exactly that target (path and query);
* `route(regex, handler)` - any target the regex `fullmatch`es; `handler(target, match) -> Planted | None`
  (None: serve the site's own page).

A `Planted` body is bytes or a zero-argument callable returning an iterable of chunks, sent as produced, so a
bomb or a 15 MB feed is never held whole (compressed bombs are computed once, chunk by chunk, and cached: a
4 GiB-of-zeros gzip bomb is 4.2 MB, a br or zstd one a few KB). Extra header lines can be streamed too
(`header_lines`), for a response with a million headers.

Encodings: "gzip", "deflate" (zlib wrapper), "deflate-raw" (sent as `deflate`, no zlib header, as some servers
do), "br", "zstd", "identity", and any comma-separated stack ("gzip, gzip", "br, gzip"): applied left to right,
as `Content-Encoding` lists them, so the client must undo them right to left.

Parser bombs need no compression: `plant_dense_article` (a real page grown with `<p>a</p>` to 19 MiB),
`plant_nested_divs` (a million nested divs).

Unreachable sites: `unresolvable_base_url()`, `closed_port_base_url()`, and `BlackHole()` (accepts TCP
connections and never answers, a context manager with `.base_url`).

Standalone (to measure a crawl by hand): `python -m tests.faults.hostile serve --scenario NAME [--size BYTES]
[--port P]` prints the base URL on the first stdout line, then a JSON line describing what was planted;
`python -m tests.faults.hostile scenarios` lists the names.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email.utils
import hashlib
import json
import os
import re
import socket
import struct
import sys
import tempfile
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from newsarchive.site.urls import SECTIONS
from tests.site import pages
from tests.site.corpus import Corpus, SiteArticle, default_days
from tests.site.routes import HTML, JSON, RSS, XML
from tests.site.server import _REASONS, SiteServer, _Handler

GiB = 1 << 30
MiB = 1 << 20
_CHUNK = 1 << 20
_REASONS = {**_REASONS, 303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect"}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---- compression: streamed encoders, cached bombs -------------------------------------------------------------

def _encoder(encoding: str) -> tuple[Callable[[bytes], bytes], Callable[[], bytes]]:
    """(process, finish) of one content coding."""
    enc = encoding.strip().lower()
    if enc in ("gzip", "x-gzip"):
        c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return c.compress, c.flush
    if enc == "deflate":
        c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
        return c.compress, c.flush
    if enc == "deflate-raw":
        c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return c.compress, c.flush
    if enc == "br":
        import brotli

        b = brotli.Compressor(quality=5, lgwin=24)
        return b.process, b.finish
    if enc == "zstd":
        try:
            from compression import zstd  # type: ignore[import-not-found]  # Python 3.14
        except ImportError:
            from backports import zstd
        z = zstd.ZstdCompressor(level=3)
        return z.compress, lambda: z.flush(zstd.ZstdCompressor.FLUSH_FRAME)
    if enc == "identity":
        return (lambda b: b), (lambda: b"")
    raise ValueError(f"unknown content coding {encoding!r}")


def encode_stream(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """`chunks` compressed with one coding, chunk by chunk (never the whole input in memory)."""
    process, finish = _encoder(encoding)
    for chunk in chunks:
        out = process(chunk)
        if out:
            yield out
    tail = finish()
    if tail:
        yield tail


def encodings_of(stack: str) -> list[str]:
    return [e.strip().lower() for e in stack.split(",") if e.strip()]


def header_value(stack: str) -> str:
    """The Content-Encoding a stack is sent under (deflate-raw is announced as plain deflate)."""
    return ", ".join("deflate" if e == "deflate-raw" else e for e in encodings_of(stack))


def filler(size: int, head: bytes = b"", fill: bytes = b"\0") -> Iterator[bytes]:
    """`head`, then `fill` repeated up to `size` bytes in all: generated, never held."""
    yield head
    left = size - len(head)
    block = (fill * (_CHUNK // len(fill) + 1))[:_CHUNK]
    while left > 0:
        piece = block[: min(left, _CHUNK)]
        yield piece
        left -= len(piece)


_BOMB_CACHE: dict[tuple[str, int, bytes, bytes], bytes] = {}
_BOMB_LOCK = threading.Lock()
BOMB_DIR = Path(os.environ.get("HOSTILE_BOMB_DIR") or Path(tempfile.gettempdir()) / "newsarchive-hostile-bombs")


_ZLIB_WBITS = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS, "deflate-raw": -zlib.MAX_WBITS}
_TRAILER = {"gzip": 8, "deflate": 4, "deflate-raw": 0}
_BLOCK = 64 * MiB


def _repeated_zlib(encoding: str, size: int, fill: bytes) -> bytes | None:
    """A gzip/deflate stream of `size` bytes of `fill`, made of one compressed 64 MiB block repeated.

    After a full flush the compressor forgets its history, so every further block of the same bytes compresses
    to the same bytes: 4 GiB costs two blocks of CPU (and one pass of CRC-32 or Adler-32 for the trailer)
    instead of 4 GiB through deflate. None when that shape does not fit (the caller then streams)."""
    wbits = _ZLIB_WBITS.get(encoding)
    if wbits is None or size < 4 * _BLOCK or _BLOCK % len(fill):
        return None
    block = fill * (_BLOCK // len(fill))
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    middle = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    if c.compress(block) + c.flush(zlib.Z_FULL_FLUSH) != middle:
        return None
    count, rest = divmod(size, _BLOCK)
    last = c.compress(block[:rest]) + c.flush(zlib.Z_FINISH)
    last = last[: len(last) - _TRAILER[encoding]]
    crc, adler = 0, 1
    for piece in [block] * count + [block[:rest]]:
        if encoding == "gzip":
            crc = zlib.crc32(piece, crc)
        elif encoding == "deflate":
            adler = zlib.adler32(piece, adler)
    trailer = {"gzip": struct.pack("<II", crc, size & 0xFFFFFFFF), "deflate": struct.pack(">I", adler),
               "deflate-raw": b""}[encoding]
    return first + middle * (count - 1) + last + trailer


def _encode_bomb(stack: str, size: int, head: bytes, fill: bytes) -> bytes:
    encodings = encodings_of(stack)
    data = _repeated_zlib(encodings[0], size, fill) if encodings and not head else None
    if data is None:
        stream: Iterable[bytes] = filler(size, head, fill)
    else:
        stream, encodings = [data], encodings[1:]
    for enc in encodings:
        stream = encode_stream(stream, enc)
    return b"".join(stream)


def bomb(stack: str = "gzip", size: int = 4 * GiB, head: bytes = b"", fill: bytes = b"\0") -> bytes:
    """The bytes on the wire of `size` decoded bytes (`head` then `fill`) under a stack of codings.

    Computed once per process, never holding the decoded bytes (memory: the compressed output only), and kept
    on disk in $HOSTILE_BOMB_DIR so the next process does not spend the CPU again (4 GiB through brotli takes
    a few seconds; the zlib codings are built from one repeated block, see _repeated_zlib).
    """
    key = (",".join(encodings_of(stack)), size, head, fill)
    with _BOMB_LOCK:
        cached = _BOMB_CACHE.get(key)
        if cached is not None:
            return cached
        digest = hashlib.sha1(repr(key).encode()).hexdigest()[:16]
        path = BOMB_DIR / f"{key[0].replace(',', '+')}-{size}-{digest}.bin"
        if path.exists():
            data = path.read_bytes()
        else:
            data = _encode_bomb(stack, size, head, fill)
            try:
                BOMB_DIR.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
            except OSError:
                pass
        _BOMB_CACHE[key] = data
        return data


class Allocations:
    """The peak of the Python allocations made inside a `with` block (tracemalloc): what a decoder held."""

    peak = 0

    def __enter__(self) -> Allocations:
        tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


# ---- what a plant serves ---------------------------------------------------------------------------------------

@dataclass
class Planted:
    """One response to serve instead of the site's.

    body: bytes, or a callable returning an iterable of chunks (streamed). length: the Content-Length to send
    (default: len(body) for bytes; for a stream, None sends the body close-delimited, "chunked" chunks it).
    header_lines: a callable yielding extra raw header lines (b"Name: value"), streamed after `headers`.
    times: serve it this many times, then the site's own page again (None: always).
    """

    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    content_type: str | None = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | str | None = None
    header_lines: Callable[[], Iterable[bytes]] | None = None
    times: int | None = None
    delay: float = 0.0
    hang: bool = False  # accept the request, never answer (until the client gives up)


class HostileHandler(_Handler):
    server: Any

    def _serve(self, head: bool) -> None:
        site: HostileSite = self.server.site
        target = self.path
        if "://" in target:
            from urllib.parse import urlsplit

            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        planted = None if target.startswith("/__site/") else site.take_plant(target)
        if planted is None:
            super()._serve(head)
            return
        site.record_hit(target)
        self._send_planted(planted, head)

    def _send_planted(self, p: Planted, head: bool) -> None:
        if p.delay:
            time.sleep(p.delay)
        if p.hang:
            self.close_connection = True
            time.sleep(3600)
            return
        body = p.body
        length = p.length
        if isinstance(body, (bytes, bytearray)) and length is None:
            length = len(body)
        lines = [f"HTTP/1.1 {p.status} {_REASONS.get(p.status, 'Whatever')}", "Server: nginx",
                 f"Date: {email.utils.formatdate(usegmt=True)}"]
        if p.content_type:
            lines.append(f"Content-Type: {p.content_type}")
        if length == "chunked":
            lines.append("Transfer-Encoding: chunked")
        elif length is not None:
            lines.append(f"Content-Length: {length}")
        else:
            self.close_connection = True
        if self.close_connection:
            lines.append("Connection: close")
        lines += [f"{k}: {v}" for k, v in p.headers]
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n").encode("latin-1"))
            if p.header_lines is not None:
                batch: list[bytes] = []
                for line in p.header_lines():
                    batch.append(line + b"\r\n")
                    if len(batch) >= 4096:
                        self.wfile.write(b"".join(batch))
                        batch.clear()
                self.wfile.write(b"".join(batch))
            self.wfile.write(b"\r\n")
            if head:
                return
            chunks = [body] if isinstance(body, (bytes, bytearray)) else body()
            for chunk in chunks:
                if not chunk:
                    continue
                if length == "chunked":
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
            if length == "chunked":
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:  # the client gave up (it should, on a bomb): nothing to do
            self.close_connection = True


class HostileSite(SiteServer):
    """The local site (tests/site) with plants served before anything else. One print day by default."""

    def __init__(self, corpus: Corpus | None = None, *, days: int = 1, per_section: int = 3, seed: int = 0,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(corpus if corpus is not None else Corpus(default_days(days), per_section=per_section,
                                                                   seed=seed), host=host, port=port)
        self._httpd.RequestHandlerClass = HostileHandler
        self._plants: dict[str, Planted] = {}
        self._routes: list[tuple[re.Pattern[str], Callable[[str, re.Match[str]], Planted | None]]] = []
        self._plants_lock = threading.Lock()
        self.described: dict[str, Any] = {}  # what was planted, for people and the CLI

    # ---- planting --------------------------------------------------------------------------------------------
    def plant_response(self, target: str, planted: Planted) -> None:
        if not target.startswith("/"):
            raise ValueError(f"a target is a path (and query): {target!r}")
        with self._plants_lock:
            self._plants[target] = planted

    def plant(self, target: str, body: bytes | str | Callable[[], Iterable[bytes]], content_type: str | None = HTML,
              status: int = 200, headers: list[tuple[str, str]] | None = None, **kw: Any) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.plant_response(target, Planted(status, data, content_type, list(headers or []), **kw))

    def route(self, pattern: str, handler: Callable[[str, re.Match[str]], Planted | None]) -> None:
        with self._plants_lock:
            self._routes.append((re.compile(pattern), handler))

    def unplant(self, target: str | None = None) -> None:
        with self._plants_lock:
            if target is None:
                self._plants.clear()
                self._routes.clear()
            else:
                self._plants.pop(target, None)

    def take_plant(self, target: str) -> Planted | None:
        with self._plants_lock:
            planted = self._plants.get(target)
            if planted is not None:
                if planted.times is not None:
                    planted.times -= 1
                    if planted.times <= 0:
                        del self._plants[target]
                return planted
            routes = list(self._routes)
        for pattern, handler in routes:
            m = pattern.fullmatch(target)
            if m:
                found = handler(target, m)
                if found is not None:
                    return found
        return None

    # ---- the site's own URLs ---------------------------------------------------------------------------------
    @property
    def day(self) -> dt.date:
        return self.corpus.days[-1]

    def list_target(self, section: str, page: int | None = None, day: dt.date | None = None) -> str:
        """A section's dated list, as the spider asks for it in a backfill."""
        target = f"/News/{section}?pubdate={(day or self.day).isoformat()}"
        return target + (f"&page={page}" if page else "")

    def articles(self, section: str, day: dt.date | None = None) -> list[SiteArticle]:
        return [a for a, _ in self.corpus.listing(section, day or self.day)]

    def article_path(self, section: str, n: int = 0) -> str:
        return self.articles(section)[n].path()

    def article_target(self, section: str, n: int = 0) -> str:
        return self.article_path(section, n)

    def article_html(self, article: SiteArticle | str) -> str:
        art = self.corpus[article] if isinstance(article, str) else article
        return pages.article_page(self.corpus, art)

    def list_html(self, section: str, page: int = 1, day: dt.date | None = None) -> str:
        return pages.list_page(self.corpus, section, day or self.day, page, True)

    # ---- bombs -------------------------------------------------------------------------------------------------
    def plant_bomb(self, target: str, stack: str = "gzip", size: int = 4 * GiB, *, head: bytes = b"",
                   fill: bytes = b"\0", content_type: str = HTML, times: int | None = None,
                   length: int | str | None = None) -> int:
        """`size` bytes of `fill` after `head`, compressed with `stack`; returns the bytes on the wire."""
        data = bomb(stack, size, head, fill)
        self.plant_response(target, Planted(200, data, content_type, [("Content-Encoding", header_value(stack))],
                                            length=length, times=times))
        self.described[target] = {"bomb": stack, "decoded": size, "wire": len(data)}
        return len(data)

    # ---- lists -------------------------------------------------------------------------------------------------
    def plant_list_with_links(self, section: str, hrefs: list[str], *, first: bool = True,
                              page: int | None = None) -> str:
        """The section's real dated list page with extra `<a href>`s (before its own links, or after)."""
        html = self.list_html(section, page or 1)
        extra = "\n".join(f'<li><a href="{h}" class="tit"><div class="text"><h1>Planted</h1></div></a></li>'
                          for h in hrefs)
        anchor = '<ul class="searchbox">\n'
        assert anchor in html
        html = html.replace(anchor, anchor + extra + "\n", 1) if first else html.replace("\n</ul>", "\n" + extra + "\n</ul>", 1)
        target = self.list_target(section, page)
        self.plant(target, html)
        self.described[target] = {"extra_links": hrefs[:5], "count": len(hrefs)}
        return target

    def plant_bad_link(self, section: str, href: str | None = None) -> str:
        """A list whose first link makes urljoin/urlsplit raise ValueError ("Invalid IPv6 URL")."""
        return self.plant_list_with_links(section, [href or f"http://[::1/News/{section}/archives/x"])

    def plant_fullwidth_links(self, section: str, n: int = 1, serve: bool = True) -> str:
        """A list that also links its first `n` articles with fullwidth digits in the id (２００７６３６０５５);
        with `serve`, the site answers such a URL with the article (a lenient server NFKC-normalises)."""
        arts = self.articles(section)[:n]
        hrefs = [a.path()[: -len(a.id)] + a.id.translate(FULLWIDTH) for a in arts]
        target = self.plant_list_with_links(section, hrefs, first=False)
        if serve:
            import unicodedata
            from urllib.parse import unquote

            def lenient(t: str, m: re.Match[str]) -> Planted | None:
                path = unicodedata.normalize("NFKC", unquote(t))
                if path == t:
                    return None
                resp = self.router.get(path)
                return Planted(resp.status, resp.body, resp.content_type)

            self.route(r"/News/.*%EF%BC.*", lenient)
        return target

    def endless_pagination(self, section: str, *, html: bool = True) -> None:
        """Every page of the section's dated list links a page after it (page=N+1), for ever."""
        def page(target: str, m: re.Match[str]) -> Planted:
            n = int(m["page"] or 1)
            day = dt.date.fromisoformat(m["day"])
            body = pages.list_page(self.corpus, section, day, 1 if n == 1 else 10_000, True)
            nxt = f'<div class="page"><a href="News/{section}?pubdate={day}&amp;page={n + 1}" class="next">Next</a></div>'
            at = body.index("\n</ul>", body.index('<ul class="searchbox">')) + len("\n</ul>")
            return Planted(200, (body[:at] + "\n" + nxt + body[at:]).encode())

        self.route(rf"/News/{section}\?pubdate=(?P<day>\d{{4}}-\d{{2}}-\d{{2}})(?:&page=(?P<page>\d+))?", page)
        self.described[f"/News/{section}?pubdate=*"] = "endless pagination"

    def plant_many_articles(self, section: str, n: int = 100_000, first_id: int = 2_100_000_000) -> str:
        """The section's list linking `n` articles of its day (ids the site does not have: each answers 404)."""
        day = f"{self.day:%Y/%m/%d}"

        def body() -> Iterator[bytes]:
            html = self.list_html(section)
            before, after = html.split('<ul class="searchbox">\n', 1)
            yield (before + '<ul class="searchbox">\n').encode()
            batch = []
            for i in range(n):
                batch.append(f'<li><a href="https://www.taipeitimes.com/News/{section}/archives/{day}/{first_id + i}"'
                             f' class="tit"><div class="text"><h1>Story {i}</h1></div></a></li>\n')
                if len(batch) == 1000:
                    yield "".join(batch).encode()
                    batch = []
            yield "".join(batch).encode()
            yield after.encode()

        target = self.list_target(section)
        self.plant_response(target, Planted(200, body, HTML, length="chunked"))
        self.described[target] = {"articles_linked": n}
        return target

    def plant_nested_json(self, section: str, depth: int = 100_000, page: int = 1) -> str:
        target = f"/ajax_json/{page}/list/{section}"
        self.plant(target, b"[" * depth + b"]" * depth, JSON)
        self.described[target] = {"nested_json_depth": depth}
        return target

    def plant_big_feed(self, target: str = "/xml/index.rss", size: int = 15 * MiB, sitemap: bool = False) -> str:
        """A well-formed RSS (or news sitemap) of about `size` bytes: the site's articles, then padding items."""
        arts = [a for s in SECTIONS for a in self.articles(s)]

        def body() -> Iterator[bytes]:
            if sitemap:
                yield b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                item = "<url><loc>https://www.taipeitimes.com{}</loc><news>{}</news></url>\n"
                close = b"</urlset>\n"
            else:
                yield (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                       b"<title>Taipei Times</title>\n")
                item = "<item><link>https://www.taipeitimes.com{}</link><description>{}</description></item>\n"
                close = b"</channel></rss>\n"
            sent = 0
            for a in arts:
                chunk = item.format(a.path(), escape(a.headline)).encode()
                sent += len(chunk)
                yield chunk
            n = 0
            while sent < size:  # many small items, each a distinct article outside any crawl window
                batch = "".join(item.format(f"/News/world/archives/1999/01/01/{2000000000 + n + k}", "t")
                                for k in range(1000)).encode()
                n += 1000
                yield batch
                sent += len(batch)
            yield close

        self.plant_response(target, Planted(200, body, XML if sitemap else RSS, length="chunked"))
        self.described[target] = {"feed_bytes": size}
        return target

    # ---- articles -----------------------------------------------------------------------------------------------
    def plant_redirect(self, target: str, location: str, status: int = 302, times: int | None = None) -> None:
        self.plant_response(target, Planted(status, b"", HTML, [("Location", location)], times=times))
        self.described[target] = {"redirect": location, "status": status}

    def plant_article(self, article: SiteArticle | str, transform: Callable[[str], str], *,
                      target: str | None = None, times: int | None = None) -> str:
        """The article's real page, changed by `transform`, at its URL (or `target`)."""
        art = self.corpus[article] if isinstance(article, str) else article
        target = target or art.path()
        self.plant_response(target, Planted(200, transform(self.article_html(art)).encode(), HTML, times=times))
        return target

    def plant_print_date(self, article: SiteArticle | str, new_day: dt.date | str, year_text: str | None = None) -> str:
        """The article's page with another print date: the h6 date line, JSON-LD and article:published_time.
        `year_text` forces the printed date line (e.g. "Mon, Jan 01, 0001")."""
        art = self.corpus[article] if isinstance(article, str) else article
        day = dt.date.fromisoformat(new_day) if isinstance(new_day, str) else new_day
        old_line = pages.print_date_line(art.day, art.print_page)
        new_line = year_text or pages.print_date_line(day, art.print_page)
        iso_old, iso_new = art.published_at, f"{day.isoformat()}T00:00:00+08:00"

        def change(html: str) -> str:
            assert f"<h6>{old_line}</h6>" in html
            return html.replace(f"<h6>{old_line}</h6>", f"<h6>{new_line}</h6>").replace(iso_old, iso_new)

        target = self.plant_article(art, change)
        self.described[target] = {"print_date": new_line}
        return target

    def plant_nested_divs(self, article: SiteArticle | str, depth: int = 1_000_000) -> str:
        """The article with its body paragraphs wrapped in `depth` nested divs (11 MB for a million)."""
        def nest(html: str) -> str:
            start = html.index("<p>", html.index('<div class="archives">'))
            return html[:start] + "<div>" * depth + html[start:].replace("\n  </div>", "</div>" * depth + "\n  </div>", 1)

        target = self.plant_article(article, nest)
        self.described[target] = {"nested_divs": depth}
        return target

    def plant_dense_article(self, article: SiteArticle | str, size: int = 19 * MiB) -> str:
        """The article's real page grown to `size` bytes with `<p>a</p>` (no compression needed: a parser bomb)."""
        art = self.corpus[article] if isinstance(article, str) else article

        def grow(html: str) -> str:
            i = html.index("<p>", html.index('<div class="archives">'))
            return html[:i] + "<p>a</p>" * max(0, (size - len(html)) // 8) + html[i:]

        target = self.plant_article(art, grow)
        self.described[target] = {"dense_article_bytes": size}
        return target

    def plant_many_headers(self, target: str, count: int = 1_000_000, body: bytes | None = None) -> int:
        """The page at `target` (the site's own, by default) with `count` extra response headers."""
        page = body if body is not None else self.router.get(target).body
        lines = lambda: (b"X-Hostile-%d: %d" % (i, i) for i in range(count))  # noqa: E731
        self.plant_response(target, Planted(200, page, HTML, header_lines=lines))
        total = sum(2 * len(str(i)) + 14 for i in range(count))  # len(b"X-Hostile-%d: %d\r\n")
        self.described[target] = {"headers": count, "header_bytes": total}
        return total


# ---- sites that are not there ----------------------------------------------------------------------------------

def unresolvable_base_url() -> str:
    """A host that never resolves (RFC 6761 reserves .invalid)."""
    return "http://nonexistent.invalid"


def closed_port_base_url() -> str:
    """A loopback port with nothing listening: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class BlackHole:
    """Accepts TCP connections and never sends a byte (the site hangs)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(512)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="blackhole")
        self.connections = 0

    @property
    def base_url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _accept(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)

    def start(self) -> BlackHole:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for c in self._held:
            c.close()
        self._sock.close()

    def __enter__(self) -> BlackHole:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- scenarios (one per fault of the issue), for the CLI and for tests -----------------------------------------

def _sc_bomb(stack: str, where: str = "article") -> Callable[[HostileSite, dict[str, Any]], None]:
    def plant(site: HostileSite, opts: dict[str, Any]) -> None:
        target = site.article_target("world", 0) if where == "article" else site.list_target("world")
        site.plant_bomb(target, stack, size=opts.get("size") or 4 * GiB)
    return plant


def _sc_redirect(site: HostileSite, opts: dict[str, Any]) -> None:
    site.plant_redirect(site.article_target("world", 0), site.url(site.article_path("world", 1)))


def _sc_redirect_same_id(site: HostileSite, opts: dict[str, Any]) -> None:
    """Redirects that stay on the same id: to another section slug, and with a trailing slash."""
    a, b = site.articles("world")[0], site.articles("world")[1]
    site.plant_redirect(a.path(), site.url(a.path(slug="biz")))
    site.plant_redirect(b.path(), site.url(b.path() + "/"))


def _sc_bad_link(site: HostileSite, opts: dict[str, Any]) -> None:
    for section in opts.get("sections") or ("world",):
        site.plant_bad_link(section)


def _sc_print_date(site: HostileSite, opts: dict[str, Any]) -> None:
    art = site.articles("world")[0]
    site.plant_print_date(art, art.day - dt.timedelta(days=1))


def _sc_year_one(site: HostileSite, opts: dict[str, Any]) -> None:
    art = site.articles("world")[0]
    site.plant_print_date(art, "0001-01-01", year_text="Mon, Jan 01, 0001 page5")


SCENARIOS: dict[str, Callable[[HostileSite, dict[str, Any]], None]] = {
    "plain": lambda site, opts: None,
    **{f"{name}_bomb": _sc_bomb(stack) for name, stack in
       [("gzip", "gzip"), ("deflate", "deflate"), ("deflate_raw", "deflate-raw"), ("br", "br"), ("zstd", "zstd"),
        ("gzip_gzip", "gzip, gzip"), ("br_gzip", "br, gzip")]},
    **{f"list_{name}_bomb": _sc_bomb(stack, "list") for name, stack in
       [("gzip", "gzip"), ("br", "br"), ("zstd", "zstd")]},
    "bad_link": _sc_bad_link,
    "nested_json": lambda site, opts: site.plant_nested_json("world", opts.get("size") or 100_000),
    "redirect_article": _sc_redirect,
    "redirect_same_id": _sc_redirect_same_id,
    "endless_pagination": lambda site, opts: site.endless_pagination("world"),
    "many_articles": lambda site, opts: site.plant_many_articles("world", opts.get("size") or 100_000),
    "many_headers": lambda site, opts: site.plant_many_headers(site.list_target("world"), opts.get("size") or 1_000_000),
    "big_feeds": lambda site, opts: (site.plant_big_feed("/xml/index.rss", opts.get("size") or 15 * MiB),
                                     site.plant_big_feed("/sitemap/sitemap.xml", opts.get("size") or 15 * MiB, sitemap=True)),
    "fullwidth": lambda site, opts: site.plant_fullwidth_links("world"),
    "year_one": _sc_year_one,
    "print_date_change": _sc_print_date,
    "dense_article": lambda site, opts: site.plant_dense_article(site.articles("world")[0], opts.get("size") or 19 * MiB),
    "nested_divs": lambda site, opts: site.plant_nested_divs(site.articles("world")[0], opts.get("size") or 1_000_000),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hostile.py")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--scenario", action="append", default=[], choices=sorted(SCENARIOS))
    serve.add_argument("--size", type=int, help="bomb size, link/header count, feed bytes, depth")
    serve.add_argument("--sections", help="for bad_link: comma-separated sections")
    serve.add_argument("--per-section", type=int, default=3)
    serve.add_argument("--days", type=int, default=1)
    serve.add_argument("--port", type=int, default=0)
    sub.add_parser("scenarios")
    args = parser.parse_args(argv)
    if args.command == "scenarios":
        print("\n".join(sorted(SCENARIOS)))
        return 0
    site = HostileSite(days=args.days, per_section=args.per_section, port=args.port)
    opts = {"size": args.size, "sections": args.sections.split(",") if args.sections else None}
    for name in args.scenario or ["plain"]:
        SCENARIOS[name](site, opts)
    print(site.base_url, flush=True)
    print(json.dumps({"day": site.day.isoformat(), "planted": site.described,
                      "world": [a.id for a in site.articles("world")]}), flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C; SIGTERM ends it as usual
        site.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
