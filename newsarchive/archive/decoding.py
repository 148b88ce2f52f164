"""HTTP content decoding with a bound: the one decoder of the crawl and of every offline reader.

A page is untrusted input, and compression multiplies it: 4 MB of gzip (or
3 KB of brotli, or 162 bytes of `br, gzip`) decode to 4 GiB. Every coding is
therefore undone in chunks of at most `CHUNK` bytes, the codings of a stack
right to left and chained lazily (no layer is ever held whole), and the total
is checked after every chunk: whatever the bomb, decoding costs at most its
limit plus a few chunks before `DecodedTooLarge` stops it. The crawl decodes
responses with it (newsarchive.crawl.decompression, in place of Scrapy's
middleware) and the offline commands decode stored payloads with it
(newsarchive.archive.warcread), so a capture reads back exactly as the crawl
read it, with the same bound.

The limits are small on purpose. A real article or list page is 35-50 KB,
but the parser needs about 160 times a dense page's size in memory, so the
decoded size of a page, not its wire size, decides a crawl's memory: 1 MiB
of page costs the parser about 160 MB. Feeds, sitemaps and JSON lists are
read by lighter code and get a larger limit.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator

import brotli

try:  # Python 3.14's standard library; before it, the backport Scrapy depends on
    from compression import zstd
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd

#: the largest piece any decoder hands on at once
CHUNK = 64 * 1024
#: default decoded-size limit of an article page, an HTML list page, robots.txt (NEWSARCHIVE_MAX_PAGE_SIZE)
PAGE_LIMIT = 1024 * 1024
#: default decoded-size limit of an RSS feed, a sitemap, a JSON list page (NEWSARCHIVE_MAX_FEED_SIZE)
FEED_LIMIT = 5 * 1024 * 1024
#: environment variables that set the offline commands' limits (the crawl reads its settings of the same names)
PAGE_LIMIT_ENV = "NEWSARCHIVE_MAX_PAGE_SIZE"
FEED_LIMIT_ENV = "NEWSARCHIVE_MAX_FEED_SIZE"
#: a zstd frame may ask for at most an 8 MiB window (RFC 9659, section 3), else it could allocate GBs up front
ZSTD_WINDOW_LOG_MAX = 23

#: the codings decoded here, all bounded: the only ones the crawl advertises (Accept-Encoding)
SUPPORTED = ("gzip", "deflate", "br", "zstd")
ACCEPT_ENCODING = ", ".join(SUPPORTED)
_ALIASES = {"x-gzip": "gzip"}
#: how the refusal's reason starts, in run reports and errors (verify reads it back: a refused page, not a loss)
TOO_LARGE = "decoded size over limit"
_CODEC_ERRORS: tuple[type[BaseException], ...] = (zlib.error, EOFError, OSError, brotli.error, zstd.ZstdError)


class DecodedTooLarge(ValueError):
    """More than the limit came out of a body: a decompression bomb, or a page larger than any real one."""

    def __init__(self, limit: int, codings: list[str], received: int | None = None) -> None:
        self.limit, self.codings, self.received = limit, codings, received
        how = f"Content-Encoding: {', '.join(codings)}" if codings else "not encoded"
        wire = f" from {received:,} bytes received" if received is not None else ""
        super().__init__(f"{TOO_LARGE}: more than {limit:,} bytes ({how}){wire}")


class UndecodableBody(ValueError):
    """A body whose Content-Encoding cannot be undone: corrupt data or a coding we do not decode."""


def limit_from_env(name: str, default: int) -> int:
    """An offline command's limit: $NAME if set (bytes), else the default."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return max(0, int(value))
    except ValueError:
        return default


def page_limit() -> int:
    return limit_from_env(PAGE_LIMIT_ENV, PAGE_LIMIT)


def feed_limit() -> int:
    return limit_from_env(FEED_LIMIT_ENV, FEED_LIMIT)


def split_codings(content_encoding: str | bytes | Iterable[str | bytes] | None) -> list[str]:
    """The codings of one or more Content-Encoding values, in the order applied; `identity` dropped."""
    if content_encoding is None:
        return []
    values = [content_encoding] if isinstance(content_encoding, (str, bytes)) else list(content_encoding)
    out: list[str] = []
    for value in values:
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        for coding in text.split(","):
            name = coding.strip().lower()
            if name and name != "identity":
                out.append(_ALIASES.get(name, name))
    return out


# ---- one coding each: chunks in, chunks of at most CHUNK bytes out -------------------------------------------

def _zlib_stream(chunks: Iterable[bytes], wbits: int, concatenated: bool) -> Iterator[bytes]:
    d = zlib.decompressobj(wbits)
    ended = False
    for data in chunks:
        while data and not ended:
            out = d.decompress(data, CHUNK)
            if out:
                yield out
            data = d.unconsumed_tail
            if d.eof:
                rest = d.unused_data.lstrip(b"\0")  # at the end, unused_data holds all input left over
                if concatenated and rest:  # another gzip member follows (zero padding is tolerated)
                    d = zlib.decompressobj(wbits)
                    data = rest
                else:
                    ended = True  # trailing bytes after the stream are ignored, as browsers and Scrapy do
        if ended:
            return
    tail = d.flush()  # input ran out: at most what inflate still holds back
    if tail:
        yield tail


def _gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    return _zlib_stream(chunks, zlib.MAX_WBITS | 16, concatenated=True)


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """deflate is zlib-wrapped (RFC 9110), but some servers send raw deflate: the first two bytes tell."""
    it = iter(chunks)
    head = b""
    for data in it:
        head += data
        if len(head) >= 2:
            break
    is_zlib = len(head) >= 2 and (head[0] & 0x0F) == 8 and (head[0] >> 4) <= 7 and ((head[0] << 8) | head[1]) % 31 == 0

    def rest() -> Iterator[bytes]:
        yield head
        yield from it

    return _zlib_stream(rest(), zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS, concatenated=False)


def _unbrotli(chunks: Iterable[bytes]) -> Iterator[bytes]:
    d = brotli.Decompressor()
    for data in chunks:
        out = d.process(data, output_buffer_limit=CHUNK)
        while True:
            if out:
                yield out
            if d.is_finished() or d.can_accept_more_data():
                break
            out = d.process(b"", output_buffer_limit=CHUNK)  # the rest of what this input gives, piece by piece
        if d.is_finished():
            return
    while not d.is_finished():  # input ended: what the window still holds (can_accept_more_data says nothing of it)
        out = d.process(b"", output_buffer_limit=CHUNK)
        if not out:
            return
        yield out


def _unzstd(chunks: Iterable[bytes]) -> Iterator[bytes]:
    options = {zstd.DecompressionParameter.window_log_max: ZSTD_WINDOW_LOG_MAX}
    d = zstd.ZstdDecompressor(options=options)
    for data in chunks:
        while True:
            if d.eof:  # a further frame (RFC 8878 allows several)
                data = d.unused_data + data
                if not data:
                    break
                d = zstd.ZstdDecompressor(options=options)
            out = d.decompress(data, max_length=CHUNK)
            data = b""
            if out:
                yield out
            if d.needs_input and not d.eof:
                break


_DECODERS: dict[str, Callable[[Iterable[bytes]], Iterator[bytes]]] = {
    "gzip": _gunzip, "deflate": _inflate, "br": _unbrotli, "zstd": _unzstd,
}


def _pieces(body: bytes) -> Iterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        yield bytes(view[start:start + CHUNK])


def iter_decode(chunks: Iterable[bytes], codings: list[str], limit: int) -> Iterator[bytes]:
    """Decoded chunks of a body sent with `codings` (as split_codings gives them); DecodedTooLarge as soon as
    more than `limit` bytes came out (0: no limit); UndecodableBody for a coding not decoded here."""
    unknown = [c for c in codings if c not in _DECODERS]
    if unknown:
        raise UndecodableBody(f"unsupported Content-Encoding: {', '.join(unknown)}")
    stream: Iterable[bytes] = chunks
    for coding in reversed(codings):
        stream = _DECODERS[coding](stream)
    total = 0
    for out in stream:
        total += len(out)
        if limit and total > limit:
            raise DecodedTooLarge(limit, codings)
        yield out


def decode(body: bytes, content_encoding: str | bytes | Iterable[str | bytes] | None, limit: int) -> bytes:
    """`body` with its Content-Encoding undone, at most `limit` bytes (0: no limit), else DecodedTooLarge.

    A body that is not encoded is held to the same limit. A body cut short (a
    truncated capture) gives what could be decoded; one that yields nothing
    because it is corrupt raises UndecodableBody.
    """
    codings = split_codings(content_encoding)
    if not codings:
        if limit and len(body) > limit:
            raise DecodedTooLarge(limit, [], len(body))
        return body
    parts: list[bytes] = []
    try:
        for out in iter_decode(_pieces(body), codings, limit):
            parts.append(out)
    except DecodedTooLarge:
        raise DecodedTooLarge(limit, codings, len(body)) from None
    except _CODEC_ERRORS as exc:
        if not parts:
            raise UndecodableBody(f"cannot decode {', '.join(codings)}: {exc}") from None
    return b"".join(parts)
