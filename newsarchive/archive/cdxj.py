"""CDXJ, the index pywb and ReplayWeb.page read: one capture a line, `<urlkey> <timestamp> <json>`.

The crawl writes one CDXJ file beside each WARC (cdxj-indexer, sorted). Replay
and WACZ packages need one index over many WARCs, and the only rule that
matters is the order: readers binary-search the file, so a line out of byte
order is silently never found (the research saw a 404 for a capture that was
there). Everything here therefore produces lines in byte order and nothing
else: Python compares `str` by code point, which for UTF-8 is byte order.

Indexes outgrow memory (a million captures is ~350 MB of lines), so sorting is
external: runs of `chunk` lines sorted in memory and spilled to temporary
files, then merged as streams. A sorted file is searched in place (mmap and
bisection over line starts), the way pywb does it, without loading it.
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import surt

#: lines sorted in memory before a run is spilled to disk (~40 MB of typical lines)
SORT_CHUNK = 100_000
#: files merged at once; more runs are merged in rounds (file descriptors are limited)
MERGE_FAN_IN = 256


def url_key(url: str) -> str:
    """The SURT key cdxj-indexer and pywb give a URL (`com,taipeitimes)/news/...`)."""
    try:
        return str(surt.surt(url))
    except Exception:  # noqa: BLE001 - surt raises whatever its URL parser raises; cdxj-indexer falls back alike
        return url


def timestamp14(iso_date: str) -> str:
    """`2024-10-16T03:20:05.123456Z` -> `20241016032005`: the 14 digits an index and a replay URL use."""
    digits = "".join(ch for ch in iso_date if ch.isdigit())
    return digits[:14].ljust(14, "0")


@dataclass(frozen=True)
class CdxLine:
    """One index line. `fields` is the JSON part as cdxj-indexer writes it (numbers as strings)."""

    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    def __hash__(self) -> int:  # a capture is where it lies (fields is a dict, which does not hash)
        return hash((self.urlkey, self.timestamp, self.filename, self.offset))

    @classmethod
    def parse(cls, text: str) -> CdxLine | None:
        """A line, or None for what is not one (blank, a `!meta` header, garbage)."""
        parts = text.rstrip("\n").split(" ", 2)
        if len(parts) != 3 or text.startswith("!"):
            return None
        try:
            fields = json.loads(parts[2])
        except ValueError:
            return None
        return cls(parts[0], parts[1], fields) if isinstance(fields, dict) else None

    @property
    def text(self) -> str:
        """The line as written (with its newline): `json.dumps` defaults, like cdxj-indexer."""
        return f"{self.urlkey} {self.timestamp} {json.dumps(self.fields)}\n"

    @property
    def url(self) -> str:
        return str(self.fields.get("url", ""))

    @property
    def filename(self) -> str:
        return str(self.fields.get("filename", ""))

    @property
    def offset(self) -> int:
        return int(self.fields.get("offset", 0))

    @property
    def length(self) -> int:
        return int(self.fields.get("length", 0))

    @property
    def digest(self) -> str | None:
        value = self.fields.get("digest")
        return str(value) if value else None

    @property
    def is_revisit(self) -> bool:
        return self.fields.get("mime") == "warc/revisit"

    def moved(self, filename: str, offset: int | None = None) -> CdxLine:
        """The same capture, found in another file (and at another offset, when copied)."""
        fields = {**self.fields, "filename": filename}
        if offset is not None:
            fields["offset"] = str(offset)
        return CdxLine(self.urlkey, self.timestamp, fields)


def read_lines(path: Path) -> Iterator[CdxLine]:
    with open(path, encoding="utf-8") as fh:
        for text in fh:
            line = CdxLine.parse(text)
            if line is not None:
                yield line


def _spill(lines: list[str], workdir: Path) -> Path:
    lines.sort()
    fd, name = tempfile.mkstemp(prefix="cdxj-run-", suffix=".tmp", dir=workdir)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    return Path(name)


def merge(*sources: Iterable[str]) -> Iterator[str]:
    """Sorted streams of lines -> one sorted stream, each distinct line once."""
    previous = None
    for line in heapq.merge(*sources):
        if line != previous:
            yield line
        previous = line


class LineSorter:
    """Lines in, the same lines out in byte order, each distinct line once; memory is `chunk` lines.

    Lines are pushed one by one (`add`); full chunks are sorted and spilled to
    `workdir` as runs, and `sorted()` merges the runs as streams. The runs are
    deleted when that stream is exhausted or closed, or by `close()`."""

    def __init__(self, workdir: Path, chunk: int = SORT_CHUNK) -> None:
        self.workdir, self.chunk = Path(workdir), chunk
        self._buffer: list[str] = []
        self._runs: list[Path] = []

    def add(self, line: str) -> None:
        self._buffer.append(line)
        if len(self._buffer) >= self.chunk:
            self._runs.append(_spill(self._buffer, self.workdir))
            self._buffer = []

    def sorted(self) -> Iterator[str]:
        try:
            if not self._runs:
                self._buffer.sort()
                yield from merge(self._buffer)
                return
            if self._buffer:
                self._runs.append(_spill(self._buffer, self.workdir))
            self._buffer = []
            while len(self._runs) > MERGE_FAN_IN:  # merge in rounds: never more open files than the fan-in
                batch, self._runs = self._runs[:MERGE_FAN_IN], self._runs[MERGE_FAN_IN:]
                self._runs.append(_merge_to_file(batch, self.workdir))
            with ExitStack() as stack:
                streams = [stack.enter_context(open(run, encoding="utf-8")) for run in self._runs]
                yield from merge(*streams)
        finally:
            self.close()

    def close(self) -> None:
        for run in self._runs:
            run.unlink(missing_ok=True)
        self._runs, self._buffer = [], []


def sort_lines(lines: Iterable[str], workdir: Path, chunk: int = SORT_CHUNK) -> Iterator[str]:
    """`lines` (each ending in a newline) in byte order, each distinct line once, through a LineSorter."""
    sorter = LineSorter(workdir, chunk)
    try:
        for line in lines:
            sorter.add(line)
    except BaseException:
        sorter.close()
        raise
    yield from sorter.sorted()


def _merge_to_file(runs: list[Path], workdir: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix="cdxj-run-", suffix=".tmp", dir=workdir)
    with os.fdopen(fd, "w", encoding="utf-8") as out, ExitStack() as stack:
        streams = [stack.enter_context(open(run, encoding="utf-8")) for run in runs]
        out.writelines(merge(*streams))
    for run in runs:
        run.unlink()
    return Path(name)


def write_atomic(path: Path, lines: Iterable[str]) -> int:
    """Write lines to `path` through a temporary file and a rename; returns how many.

    pywb opens its index file again for every query, so a reader sees the old
    file or the new one, never half of one, and picks the new one up at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return count


class SortedCdxj:
    """Lookups in a sorted CDXJ file on disk, by binary search over fixed-size blocks, as pywb does it: the file
    is never loaded (nor mapped: a long export would otherwise count every page it touched as its own memory)."""

    BLOCK = 8192

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # the handle keeps the file as it was opened: a concurrent atomic replace does not disturb a reader
        self._fh = open(self.path, "rb")
        self._size = os.fstat(self._fh.fileno()).st_size

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> SortedCdxj:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _line_after(self, block: int) -> bytes:
        """The first whole line that starts in or after `block` (the line at 0 for block 0)."""
        self._fh.seek(block * self.BLOCK)
        if block:
            self._fh.readline()  # the rest of a line that began before the block
        return self._fh.readline()

    def lookup(self, urlkey: str) -> list[CdxLine]:
        """Every line of a URL key, in timestamp order."""
        key = urlkey.encode("utf-8") + b" "
        lo, hi = 0, max(self._size - 1, 0) // self.BLOCK + 1  # the first line >= key starts after block lo
        while hi - lo > 1:
            mid = (lo + hi) // 2
            line = self._line_after(mid)
            if line and line < key:
                lo = mid
            else:
                hi = mid
        self._fh.seek(lo * self.BLOCK)
        if lo:
            self._fh.readline()
        found: list[CdxLine] = []
        for raw in self._fh:
            if raw < key:
                continue
            if not raw.startswith(key):
                break
            parsed = CdxLine.parse(raw.decode("utf-8", "replace"))
            if parsed is not None:
                found.append(parsed)
        return found

    def lookup_url(self, url: str) -> list[CdxLine]:
        return self.lookup(url_key(url))
