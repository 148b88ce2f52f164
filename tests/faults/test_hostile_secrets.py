"""Credentials in URIs (issue 11, item 9): never in reports, logs, errors, folder names or WARC.

Before: `--base-url http://user:pass@…` was written verbatim to runs/*.json and
stderr; `--store s3://KEY:SECRET@bucket/x` printed the secret in its error and
made a spool folder named after it; the README's `--frontier
"redis://:$REDIS_PASSWORD@…"` put the password in /proc/PID/cmdline, and
redaction dropped the port. Now: a URI with credentials is refused in one line
that does not echo them (base URL, store), and the frontier's password comes
from the environment (a password given in the URL anyway never reaches a log,
even with -v).
"""

from __future__ import annotations

import gzip
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import crawl, run_measured
from tests.faults.hostile import HostileSite
from tests.plugins.cli import assert_one_line_error
from tests.plugins.valkey import ValkeyServer

pytestmark = pytest.mark.e2e

FAST_FRONTIER = ("-s", "NEWSARCHIVE_FRONTIER_LEASE_TTL=3", "-s", "NEWSARCHIVE_FRONTIER_GRACE=1")


@pytest.fixture(scope="module")
def guarded_valkey() -> Iterator[tuple[ValkeyServer, str]]:
    """A Valkey of its own that wants a password."""
    with tempfile.TemporaryDirectory(prefix="newsarchive-valkey-auth-") as root:
        server = ValkeyServer(Path(root)).start()
        password = "vAlKeY-" + secrets.token_urlsafe(18)
        server.client().config_set("requirepass", password)
        try:
            yield server, password
        finally:
            server.stop()


def everything_written(store: Path) -> bytes:
    """Every byte under the store, WARCs decompressed (a secret inside a gzip member would not show raw)."""
    out = []
    for path in store.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            out.append(gzip.decompress(data) if path.name.endswith(".gz") else data)
    return b"\n".join(out)


def test_a_base_url_with_credentials_is_refused_without_echoing_them(hostile_site: HostileSite,
                                                                     tmp_path: Path) -> None:
    secret = "pAsS-" + secrets.token_urlsafe(12)
    for base in (f"http://archivist:{secret}@{hostile_site.base_url[7:]}",
                 f"http://archivist:{secret}/x@{hostile_site.base_url[7:]}"):
        result, _, _ = run_measured(["crawl", "--base-url", base, "--store", str(tmp_path / "archive")])
        assert_one_line_error(result, Exit.USAGE)
        assert secret not in result.err + result.out and "credentials" in result.err
    assert not (tmp_path / "archive").exists() and not hostile_site.hits


@pytest.mark.parametrize("secret", ["sEcReT" + secrets.token_urlsafe(16), "sEcReT/with+slash" + secrets.token_hex(8)])
def test_an_s3_uri_with_credentials_is_refused_without_echoing_them(tmp_path: Path, secret: str) -> None:
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path)}
    for command in (["crawl"], ["verify"], ["export", "--format", "jsonl", "--output", str(tmp_path / "x")]):
        result, _, _ = run_measured([*command, "--store", f"s3://AKIDEXAMPLE:{secret}@bucket/prefix"], env=env)
        assert_one_line_error(result, Exit.USAGE)
        assert secret not in result.err and secret.split("/")[0] not in result.err and "AWS_ACCESS_KEY_ID" in result.err
    assert not cache.exists() or not any(cache.rglob("*"))  # no spool folder, named after it or not


def test_the_frontier_password_comes_from_the_environment(hostile_site: HostileSite, tmp_path: Path,
                                                          guarded_valkey: tuple[ValkeyServer, str]) -> None:
    server, password = guarded_valkey
    url = f"redis://127.0.0.1:{server.port}/0"
    store = tmp_path / "archive"
    refused = crawl(hostile_site, store, "--frontier", url, *FAST_FRONTIER, sections=("world",))
    assert_one_line_error(refused.result, Exit.STORE_UNREACHABLE)  # no password: the frontier refuses us
    done = crawl(hostile_site, store, "--frontier", url, *FAST_FRONTIER, sections=("world",),
                 env={"NEWSARCHIVE_FRONTIER_PASSWORD": password})
    assert done.code == Exit.OK, done.result
    assert done.report()["parameters"]["frontier"] == url  # redaction keeps host and port
    assert password.encode() not in everything_written(store)


def test_a_frontier_password_in_the_url_never_reaches_a_log(hostile_site: HostileSite, tmp_path: Path,
                                                            guarded_valkey: tuple[ValkeyServer, str]) -> None:
    server, password = guarded_valkey
    store = tmp_path / "archive"
    day = hostile_site.day.isoformat()
    # -v: Scrapy's own log too, with its "Overridden settings" (the frontier URL among them)
    result, _, _ = run_measured(["-v", "crawl", "--base-url", hostile_site.base_url, "--store", str(store),
                                 "--since", day, "--until", day, "--sections", "world",
                                 "--frontier", f"redis://:{password}@127.0.0.1:{server.port}/0", *FAST_FRONTIER])
    assert result.code == Exit.OK, result
    assert "Overridden settings" in result.err  # what Scrapy logs of its settings was shown
    assert password not in result.err + result.out
    assert password.encode() not in everything_written(store)
