"""ZipNum: a sorted CDXJ index cut into blocks, each block its own gzip member, and a summary of the blocks.

The summary (`.idx`) has one line per block, TAB-separated, as pywb's ZipNum
index source reads it:

    <urlkey> <timestamp>\\t<part>\\t<offset>\\t<length>\\t<block number>

(the key of the block's first line; `part` names the compressed file; offset
and length locate the block in it). ReplayWeb.page reads the same lines
(prefix, file name, offset, length), so one summary serves both. A reader
binary-searches the small summary, then inflates one block of the big file:
a lookup reads a few KB whatever the index's size.

This is NOT the `!meta` + JSON form py-wacz writes as `index.idx`: pywb rejects
that one ("invalid idx format"), though ReplayWeb.page reads both.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

#: lines per block: pywb reads at most 10 blocks a query; py-wacz and cdxj-indexer use about a thousand too
BLOCK_LINES = 1000


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def write_blocks(lines: Iterable[str], write: Callable[[bytes], object], part: str,
                 lines_per_block: int = BLOCK_LINES) -> tuple[list[str], int]:
    """Write sorted `lines` through `write` as gzip blocks; returns (summary lines, index lines written)."""
    summary: list[str] = []
    block: list[str] = []
    offset = count = 0

    def flush() -> None:
        nonlocal offset
        data = _gzip("".join(block).encode("utf-8"))
        key = " ".join(block[0].split(" ", 2)[:2])
        summary.append(f"{key}\t{part}\t{offset}\t{len(data)}\t{len(summary)}\n")
        write(data)
        offset += len(data)
        block.clear()

    for line in lines:
        block.append(line)
        count += 1
        if len(block) == lines_per_block:
            flush()
    if block:
        flush()
    return summary, count
