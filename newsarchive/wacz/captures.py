"""Captures for a package: found in the store's replay index, copied record by record, byte for byte.

A package of a few articles from a store of years should not carry the years:
so it holds new WARC files with just the records it needs, each copied as the
gzip member it is in the store (its bytes, digests and record id unchanged),
rather than whole store WARCs (1 GB each, mostly other days). Every copied
response or revisit brings:

* its request record (the member right after it, `WARC-Concurrent-To` it),
  so the package keeps both halves of the exchange as the store does;
* the warcinfo record of the file it came from, once, so the
  `WARC-Warcinfo-ID` its records carry resolves inside the package;
* for a revisit, the capture it repeats (a revisit holds headers only, and a
  replayer needs the original in the same index).

Which capture of a URL: the one closest in time to the article's, as pywb
chooses when it replays the page; and a photo whose record entry carries its
own `capture` pointer brings that very capture as well. Each capture is copied once per package
however many articles use it (the site's stylesheets, say).
"""

from __future__ import annotations

import bisect
import calendar
import functools
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from newsarchive.archive.cdxj import CdxLine, SortedCdxj, timestamp14, url_key
from newsarchive.archive.warcread import UnreadableRecord, decoded_payload, decompress_member
from newsarchive.errors import StoreError
from newsarchive.store.base import Store

#: bytes read past a response for its request record (a request member is a few hundred bytes)
REQUEST_SLACK = 8192
HEAD_BYTES = 16384
LOOKUP_CACHE = 4096


def warc_headers(member: bytes) -> dict[str, str]:
    """The WARC header fields of a record from its gzip member, without inflating its payload."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        head = inflater.decompress(member, HEAD_BYTES)
    except zlib.error:
        return {}
    fields: dict[str, str] = {}
    for line in head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, sep, value = line.decode("utf-8", "replace").partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


def first_member(data: bytes) -> bytes | None:
    """The first whole gzip member of `data`, or None if it is not whole there."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        inflater.decompress(data)  # stops at the member's end; what follows is left in unused_data
    except zlib.error:
        return None
    return data[: len(data) - len(inflater.unused_data)] if inflater.eof else None


@functools.lru_cache(maxsize=1 << 16)
def epoch(timestamp: str) -> int:
    """Seconds since 1970 of a 14-digit timestamp: times are compared by distance, which digits do not give."""
    return calendar.timegm(time.strptime(timestamp14(timestamp), "%Y%m%d%H%M%S"))


@dataclass(frozen=True)
class Timeline:
    """Captures of one URL in time order, for the closest to a moment by bisection."""

    times: tuple[int, ...]
    lines: tuple[CdxLine, ...]

    @classmethod
    def of(cls, lines: list[CdxLine]) -> Timeline:
        ordered = sorted(lines, key=lambda line: (epoch(line.timestamp), line.filename, line.offset))
        return cls(tuple(epoch(line.timestamp) for line in ordered), tuple(ordered))

    def closest(self, when: int) -> tuple[int, int, CdxLine] | None:
        """(distance, -time, line) of the capture closest to `when`, the later one on a tie; None if none."""
        if not self.times:
            return None
        at = bisect.bisect_left(self.times, when)
        i = min((i for i in (at - 1, at) if 0 <= i < len(self.times)), key=lambda i: (abs(self.times[i] - when), -i))
        return abs(self.times[i] - when), -self.times[i], self.lines[i]


@dataclass
class Copied:
    """A record read from the store: its member, the request after it, the line that found it."""

    line: CdxLine
    member: bytes
    request: bytes | None
    headers: dict[str, str]

    def body(self) -> bytes:
        """The payload decoded (chunked, gzip), for parsing; b"" if it cannot be decoded."""
        try:
            return decoded_payload(decompress_member(self.member))
        except UnreadableRecord:
            return b""


class CaptureFinder:
    """Lookups in the store's replay index (sorted CDXJ on disk), cached per URL key."""

    def __init__(self, store: Store, index: SortedCdxj) -> None:
        self.store, self.index = store, index
        # every article of a package asks for the site's few dozen requisites: the lookups repeat
        self.lines = functools.lru_cache(maxsize=LOOKUP_CACHE)(self._lines)
        self._by_time = functools.lru_cache(maxsize=LOOKUP_CACHE)(self._timeline)
        self.original_of = functools.lru_cache(maxsize=LOOKUP_CACHE)(self._original_of)

    def _lines(self, url: str) -> tuple[CdxLine, ...]:
        """Every capture of a URL; alias lines stand for captures listed under their own URL too, so they are
        left out (the package makes its own)."""
        return tuple(line for line in self.index.lookup(url_key(url)) if "alias_of" not in line.fields)

    def _timeline(self, url: str) -> tuple[Timeline, Timeline]:
        """A URL's captures by time: those that answered (2xx, 3xx), and the others."""
        answered: list[CdxLine] = []
        others: list[CdxLine] = []
        for line in self.lines(url):
            (answered if str(line.fields.get("status", "200"))[:1] in "23" else others).append(line)
        return Timeline.of(answered), Timeline.of(others)

    def at(self, url: str, warc: str, offset: int) -> CdxLine | None:
        """The index line of the capture a pointer names."""
        return next((line for line in self.lines(url) if line.filename == warc and line.offset == offset), None)

    def at_pointer(self, pointer: dict[str, object]) -> CdxLine | None:
        """The index line of a capture pointer that names no URL (a photo's `capture`): its record says."""
        try:
            warc, offset, length = str(pointer["warc"]), int(str(pointer["offset"])), int(str(pointer["length"]))
            head = warc_headers(self.store.get_range(warc, offset, min(length, HEAD_BYTES)))
        except (KeyError, ValueError, StoreError):
            return None
        uri = head.get("warc-target-uri")
        return self.at(uri, warc, offset) if uri else None

    def closest(self, urls: Iterable[str], timestamp: str) -> CdxLine | None:
        """Of every capture of any of `urls`, the closest in time to `timestamp`; one that answered (2xx, 3xx)
        before any error, as a replayer prefers."""
        when = epoch(timestamp)
        timelines = [self._by_time(url) for url in urls]
        for kind in (0, 1):
            found = [hit for timeline in timelines if (hit := timeline[kind].closest(when)) is not None]
            if found:
                return min(found, key=lambda hit: hit[:2])[2]
        return None

    def _original_of(self, revisit: CdxLine) -> CdxLine | None:
        """The capture a revisit repeats: by its WARC-Refers-To-Target-URI and -Date, with the same payload."""
        headers = self.read(revisit).headers
        target = headers.get("warc-refers-to-target-uri") or revisit.url
        when = timestamp14(headers.get("warc-refers-to-date", ""))
        digest = revisit.digest
        matches = [line for line in self.lines(target) if not line.is_revisit and (digest is None or line.digest == digest)]
        exact = [line for line in matches if line.timestamp == when]
        return next(iter(exact or matches), None)

    def read(self, line: CdxLine) -> Copied:
        """A capture's member and the request member after it (when that is its request)."""
        data = self.store.get_range(line.filename, line.offset, line.length + REQUEST_SLACK)
        member = data[: line.length]
        if len(member) != line.length:
            raise UnreadableRecord(f"{line.filename}@{line.offset}: only {len(member)} of {line.length} bytes")
        headers = warc_headers(member)
        after = data[line.length:]
        request = first_member(after)
        if request is None and len(after) == REQUEST_SLACK:  # a long request: read it whole
            request = first_member(self.store.get_range(line.filename, line.offset + line.length, 1 << 20))
        if request is not None:
            head = warc_headers(request)
            if head.get("warc-type") != "request" or head.get("warc-concurrent-to") != headers.get("warc-record-id"):
                request = None
        return Copied(line, member, request, headers)

    def warcinfo(self, warc: str) -> bytes | None:
        """The warcinfo record that opens a store WARC, if it does."""
        member = first_member(self.store.get_range(warc, 0, 1 << 16))
        return member if member is not None and warc_headers(member).get("warc-type") == "warcinfo" else None
