"""Closing WARC files: index and hand over a finished file, and finish what a crash left open.

A WARC is written as `NAME.warc.gz.open` in a staging folder. `finish` turns a
closed file into a stored WARC with its CDXJ index beside it. After a crash,
`recover` cuts a file left open back to its last whole gzip member (every
record is one) and hands it over, so a killed crawl loses at most the record it
was writing, and never leaves a torn one in the store.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import warnings
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.cdxjline import index_text
from newsarchive.archive.keys import cdxj_key, warc_key
from newsarchive.processes import pid_alive
from newsarchive.store.base import Store

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
#: compressed bytes warcio inflates at a time while finding record ends: deflate can grow a block 1,000-fold, so
#: a small block bounds the scan's memory (4 KiB -> a few MB) on captures of highly repetitive pages
SCAN_BLOCK = 4096
PREFIX = "TT"
CHUNK = 1 << 20


def finish(store: Store, open_path: Path, key: str, cdxj_lines: list[str] | None = None) -> None:
    """Turn a closed `.open` file into a stored WARC with its CDXJ index beside it.

    `cdxj_lines`: the index lines the writer made as it wrote the records (newsarchive.archive.cdxjline); None (a file
    a crash left, or one holding a record only a re-read indexes): cdxj-indexer reads the file."""
    final = open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)]) if open_path.name.endswith(OPEN_SUFFIX) else open_path
    if final != open_path:
        os.replace(open_path, final)
    cdxj = final.with_name(final.name[: -len(".warc.gz")] + ".cdxj")
    tmp = cdxj.with_name(cdxj.name + ".tmp")
    if cdxj_lines is not None:
        tmp.write_text(index_text(cdxj_lines), encoding="utf-8")
    else:
        with warnings.catch_warnings():  # cdxj-indexer pulls in pyamf, which imports the deprecated pkg_resources
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
            from cdxj_indexer.main import write_cdx_index
        write_cdx_index(str(tmp), [str(final)], {"sort": True})
    os.replace(tmp, cdxj)
    # the WARC first: an index never points at a file the store lacks
    store.put_file(key, final, content_type="application/warc")
    store.put_file(cdxj_key(key), cdxj, content_type="text/plain")


def whole_records_end(path: Path) -> int:
    """Offset just past the last whole, readable record of a (possibly cut) WARC file.

    Payloads are read as stored, never decoded: decoding (content_stream) would
    inflate a captured decompression bomb whole, and a brotli or zstd payload,
    which warcio cannot decode, would end the scan there and cut every later
    record off the file."""
    end = 0
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests=False, block_size=SCAN_BLOCK)
        try:
            for record in it:
                while record.raw_stream.read(CHUNK):
                    pass
                it.read_to_end(record)
                end = it.get_record_offset() + it.get_record_length()
        except Exception:  # noqa: BLE001 - a torn tail is exactly what we are looking for
            pass
    # a torn gzip member may still have parsed; trust only members that decompress fully
    return _whole_members_end(path, end)


def _whole_members_end(path: Path, stop: int) -> int:
    """Offset just past the last whole gzip member in the first `stop` bytes, read and inflated a chunk at a
    time (the file may be a gigabyte; its output is thrown away as it comes)."""
    good = 0
    fed = 0  # bytes read from the file: what is pending is always the tail of them
    pending = b""
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with open(path, "rb") as fh:
        while True:
            if not pending:
                pending = fh.read(min(CHUNK, stop - fed))
                if not pending:
                    return good
                fed += len(pending)
            try:
                member.decompress(pending, CHUNK)
            except zlib.error:
                return good
            if member.eof:
                pending = member.unused_data  # what follows this member (unconsumed_tail holds the same bytes)
                good = fed - len(pending)
                member = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                pending = member.unconsumed_tail


def cut_to_whole_records(path: Path) -> int:
    """Truncate a WARC file after its last whole record; returns the new size."""
    end = whole_records_end(path)
    with open(path, "r+b") as fh:
        fh.truncate(end)
    return end


def staged_key(open_path: Path) -> str:
    """The store key a staged file was meant for, from its name (the timestamp is the capture date)."""
    name = open_path.name[: -len(OPEN_SUFFIX)] if open_path.name.endswith(OPEN_SUFFIX) else open_path.name
    m = re.match(rf"{PREFIX}-([0-9]{{14}})([0-9]{{6}})-", name)
    if not m:
        raise ValueError(f"not a newsarchive WARC name: {name}")
    when = dt.datetime.strptime(m[1], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    return warc_key(when, name)


def _writer_pid(name: str) -> int | None:
    m = re.search(r"-([0-9]+)\.(?:warc\.gz|cdxj)", name)
    return int(m[1]) if m else None


def recover(store: Store, staging_dir: Path, *, only_dead: bool = True) -> list[str]:
    """Close what a crashed run left behind: cut `.open` files to their last whole record, then hand them over.

    Also hands over closed files whose upload did not happen. With `only_dead`,
    files of a process still alive on this host (another worker) are left alone.
    Returns the keys recovered.
    """
    staging_dir = Path(staging_dir)
    if not staging_dir.is_dir():
        return []
    recovered: list[str] = []
    for path in sorted(staging_dir.iterdir()):
        pid = _writer_pid(path.name)
        if only_dead and pid is not None and pid != os.getpid() and pid_alive(pid):
            continue
        if path.name.endswith(".cdxj.tmp"):  # an index half-written when the run died: made again below
            path.unlink(missing_ok=True)
            continue
        if path.name.endswith(".warc.gz" + OPEN_SUFFIX):
            if cut_to_whole_records(path) == 0:
                log.warning("recover: %s held no whole record; removed", path.name)
                path.unlink()
                continue
            key = staged_key(path)
        elif path.name.endswith(".warc.gz"):
            key = staged_key(path)
        elif path.name.endswith(".cdxj") and not (path.with_name(path.name[:-5] + ".warc.gz")).exists():
            # the WARC went up but its index did not
            warc_name = path.name[:-5] + ".warc.gz"
            store.put_file(cdxj_key(staged_key(Path(warc_name))), path, content_type="text/plain")
            continue
        else:
            continue
        log.warning("recover: closing %s left by an earlier run", path.name)
        finish(store, path, key)
        recovered.append(key)
    return recovered

