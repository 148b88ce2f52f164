"""The bounded decoder (newsarchive.archive.decoding): exact on real bodies, and a bomb of any coding stops at
the limit having cost no more than the limit."""

from __future__ import annotations

import gzip
import random
import zlib

import brotli
import pytest

from newsarchive.archive import decoding
from newsarchive.archive.decoding import DecodedTooLarge, UndecodableBody, decode, split_codings
from tests.faults.hostile import Allocations, MiB, bomb, encode_stream, header_value

try:
    from compression import zstd
except ImportError:
    from backports import zstd

STACKS = ["gzip", "deflate", "deflate-raw", "br", "zstd", "gzip, gzip", "br, gzip", "zstd, br", "deflate, zstd"]


def encoded(data: bytes, stack: str) -> bytes:
    chunks = [data]
    for coding in (c.strip() for c in stack.split(",")):
        chunks = list(encode_stream(chunks, coding))
    return b"".join(chunks)


def text(size: int, seed: int = 1) -> bytes:
    """Compressible but not trivial bytes, with a tail of noise."""
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghij ") for _ in range(rng.randint(1, 9))) for _ in range(500)]
    out = b" ".join(rng.choice(words) for _ in range(size // 5 + 1))[:size]
    return out + rng.randbytes(min(size, 5000))


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 300_000])
def test_every_stack_round_trips_and_the_limit_is_exact(stack: str, size: int) -> None:
    data = text(size)
    wire = encoded(data, stack)
    assert decode(wire, header_value(stack), limit=0) == data
    assert decode(wire, header_value(stack), limit=len(data)) == data
    if data:
        with pytest.raises(DecodedTooLarge, match="decoded size over limit"):
            decode(wire, header_value(stack), limit=len(data) - 1)


def test_a_body_not_encoded_is_held_to_the_same_limit() -> None:
    assert decode(b"x" * 10, None, limit=10) == b"x" * 10
    with pytest.raises(DecodedTooLarge, match=r"not encoded\) from 11 bytes received"):
        decode(b"x" * 11, [], limit=10)


@pytest.mark.parametrize("stack", ["gzip", "deflate", "deflate-raw", "br", "zstd", "gzip, gzip", "br, gzip"])
def test_a_bomb_stops_at_the_limit_holding_no_more_than_the_limit(stack: str) -> None:
    wire = bomb(stack, 64 * MiB)
    with Allocations() as held, pytest.raises(DecodedTooLarge) as caught:
        decode(wire, header_value(stack), limit=1 * MiB)
    assert held.peak < 2 * MiB + len(wire), held.peak  # the limit, a chunk or two, the wire bytes: never the 64 MiB
    assert f"from {len(wire):,} bytes received" in str(caught.value)
    assert f"Content-Encoding: {header_value(stack)}" in str(caught.value)


def test_concatenated_members_and_frames_trailing_bytes_and_cut_bodies() -> None:
    data = text(200_000)
    assert decode(gzip.compress(data[:100_000]) + gzip.compress(data[100_000:]), "gzip", 0) == data
    assert decode(zstd.compress(data[:100_000]) + zstd.compress(data[100_000:]), "zstd", 0) == data
    assert decode(gzip.compress(data) + b"trailing", "gzip", 0) == data
    assert decode(zlib.compress(data) + b"trailing", "deflate", 0) == data
    for wire, coding in ((gzip.compress(data), "gzip"), (brotli.compress(data), "br"), (zstd.compress(data), "zstd")):
        part = decode(wire[: len(wire) * 9 // 10], coding, 0)  # a capture cut at the wire cap: what can be decoded
        assert part and data.startswith(part) and len(part) < len(data)


@pytest.mark.parametrize(("body", "coding"), [(b"not gzip at all", "gzip"), (b"\xff" * 40, "br"),
                                              (b"xxxxxxxxxx", "zstd"), (b"abc", "compress")])
def test_corrupt_or_unknown_codings_are_undecodable(body: bytes, coding: str) -> None:
    with pytest.raises(UndecodableBody):
        decode(body, coding, 0)


def test_codings_are_read_as_sent() -> None:
    assert split_codings([b"X-GZIP, identity", b"br"]) == ["gzip", "br"]
    assert decode(gzip.compress(b"page"), "X-Gzip, identity", 0) == b"page"
    assert decoding.ACCEPT_ENCODING == "gzip, deflate, br, zstd"  # only what is decoded here, with the bound


def test_a_zstd_frame_asking_for_a_huge_window_is_refused() -> None:
    big = zstd.ZstdCompressor(options={zstd.CompressionParameter.window_log: 27})
    wire = big.compress(bytes(16 * MiB), zstd.ZstdCompressor.FLUSH_FRAME)  # a 16 MiB window: over the 8 MiB
    with pytest.raises(UndecodableBody):
        decode(wire, "zstd", 0)


def test_offline_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert decoding.page_limit() == decoding.PAGE_LIMIT and decoding.feed_limit() == decoding.FEED_LIMIT
    monkeypatch.setenv(decoding.PAGE_LIMIT_ENV, "2048")
    assert decoding.page_limit() == 2048
