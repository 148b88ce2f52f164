"""The hostile server (tests/faults/hostile.py) does what the fault tests rely on it to do."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
from collections.abc import Iterator

import pytest

from newsarchive.archive import decoding
from tests.faults.hostile import BlackHole, GiB, HostileSite, MiB, bomb, closed_port_base_url, header_value

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> Iterator[HostileSite]:
    with HostileSite() as server:
        yield server


def get(site: HostileSite, target: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=30)
    conn.request("GET", target, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    return conn.getresponse()


def test_what_is_not_planted_is_the_real_site(site: HostileSite) -> None:
    body = gzip.decompress(get(site, site.list_target("world")).read())
    assert all(a.id.encode() in body for a in site.articles("world"))


@pytest.mark.parametrize("stack", ["gzip", "deflate", "deflate-raw", "br", "zstd", "gzip, gzip", "br, gzip"])
def test_bombs_decode_to_their_size(site: HostileSite, stack: str) -> None:
    target = f"/bomb/{stack.replace(', ', '+')}"
    wire = site.plant_bomb(target, stack, size=64 * MiB)
    response = get(site, target)
    data = response.read()
    assert len(data) == wire and response.getheader("Content-Encoding") == header_value(stack)
    codings = decoding.split_codings(response.getheader("Content-Encoding"))
    assert sum(len(piece) for piece in decoding.iter_decode(iter([data]), codings, 0)) == 64 * MiB


def test_a_4_gib_bomb_is_a_few_megabytes_at_most() -> None:
    sizes = {stack: len(bomb(stack, 4 * GiB)) for stack in ("gzip", "br", "zstd", "br, gzip")}
    assert sizes["gzip"] < 5 * MiB and sizes["br"] < 10_000 and sizes["zstd"] < 200_000 and sizes["br, gzip"] < 500


def test_lists_that_never_end_or_link_too_much(site: HostileSite) -> None:
    site.endless_pagination("biz")
    assert b"page=501" in get(site, site.list_target("biz", page=500)).read()
    site.plant_many_articles("editorials", n=20_000)
    assert get(site, site.list_target("editorials")).read().count(b"/News/editorials/archives/") >= 20_000
    site.plant_nested_json("lang", depth=100_000)
    with pytest.raises(RecursionError):
        json.loads(get(site, "/ajax_json/1/list/lang").read())


def test_many_headers_are_streamed(site: HostileSite) -> None:
    target = site.list_target("sport")
    site.plant_many_headers(target, count=100_000)
    with socket.create_connection((site.host, site.port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(1 << 20)
    assert received.split(b"\r\n\r\n", 1)[0].count(b"\r\nX-Hostile-") == 100_000


def test_sites_that_are_not_there() -> None:
    port = int(closed_port_base_url().rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with BlackHole() as hole, socket.create_connection(hole.base_url[7:].split(":"), timeout=2) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(1)
        with pytest.raises(TimeoutError):
            sock.recv(1)
