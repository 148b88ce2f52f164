"""`newsarchive replay` serves the whole store in pywb, a local folder or S3, WARCs read where they lie:
every article byte for byte (id_), its stylesheet, the image the stylesheet names and its photo, under the
URLs the page names; new WARCs served without a restart; truncated captures that do not hang clients;
`show` printing a working link; and nothing left running once it stops."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from newsarchive.archive.cdxj import timestamp14
from newsarchive.archive.replay import COLLECTION, capture_url, replay_url
from newsarchive.cache import store_cache_dir
from newsarchive.exitcodes import Exit
from newsarchive.processes import pid_alive
from newsarchive.replay.env import ReplayEnv
from newsarchive.store import LocalStore
from tests.captures import Page, write_captures
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.plugins.replay import (
    BACKGROUND,
    STYLESHEET,
    Planted,
    captured_payload,
    closest_payloads,
    running_replay,
    upload,
)
from tests.plugins.seaweed import SeaweedServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def cache(tmp_path: Path, replay_env: ReplayEnv) -> dict[str, str]:
    """A replay folder of the test's own; the environment is made once for the session."""
    return {"NEWSARCHIVE_CACHE": str(tmp_path / "cache")}


def get(url: str, *, gzip: bool = True, timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def base_of(collection_url: str) -> str:
    return collection_url.rstrip("/").rsplit("/", 1)[0]


def assert_articles_replay_byte_for_byte(planted: Planted, base: str) -> None:
    for record in planted.records():
        status, headers, body = get(str(replay_url(record, base, original=True)))
        assert status == 200, record["id"]
        assert body == captured_payload(planted.store, record["capture"]), record["id"]
        assert sha1_b32(body) == record["capture"]["payload_digest"]


def assert_requisites_replay(planted: Planted, base: str) -> None:
    """Each planted capture, asked for by the URL the page (or the stylesheet) names, the site's, and by the
    mirror's: the store's capture closest to the article's time (today, the planted one)."""
    when = timestamp14(planted.article["fetched_at"])
    for site_url, (mirror_url, _) in planted.captures.items():
        expected = closest_payloads(planted, site_url)
        assert expected
        for url in (site_url, mirror_url):
            status, headers, data = get(capture_url(base, url, when, original=True))
            assert status == 200 and data in expected, url


def test_a_local_store_replays_every_article_and_what_its_page_uses(planted: Planted, cache: dict[str, str]) -> None:
    with running_replay("--store", str(planted.root), env=cache) as (replay, collection):
        assert collection.endswith(f"/{COLLECTION}/")
        base = base_of(collection)
        assert_articles_replay_byte_for_byte(planted, base)
        assert_requisites_replay(planted, base)
        # the page as pywb shows it: rewritten, its stylesheet link pointing back into the replay
        record = planted.article
        status, _, page = get(str(replay_url(record, base)), gzip=False)
        text = page.decode("utf-8", "replace")
        assert status == 200 and record["headline"].split()[0] in text
        assert f"/{COLLECTION}/" in text and "assets/css/style.css" in text
        # the article by the site's URL too (the alias of the mirror's capture)
        status, _, body = get(capture_url(base, record["url"], timestamp14(record["fetched_at"]), original=True))
        assert status == 200 and body == captured_payload(planted.store, record["capture"])
    assert replay.proc.returncode == 0 and "replay stopped" in replay.err


def test_show_prints_the_replay_url_of_the_running_server(planted: Planted, cache: dict[str, str]) -> None:
    record = planted.article
    with running_replay("--store", str(planted.root), env=cache) as (_, collection):
        shown = run_cli("show", record["id"], "--store", str(planted.root), env=cache)
        assert shown.code == Exit.OK, shown
        line = next(line for line in shown.out.splitlines() if line.strip().startswith("replay"))
        url = line.split()[-1]
        assert url == f"{collection}{timestamp14(record['fetched_at'])}/{record['fetched_url']}"
        status, _, page = get(url, gzip=False)
        assert status == 200 and record["headline"].split()[0] in page.decode("utf-8", "replace")
    # no server: the default address, or the one the archivist publishes
    idle = run_cli("show", record["id"], "--store", str(planted.root), env=cache)
    assert f"replay      http://127.0.0.1:8080/{COLLECTION}/" in idle.out
    published = run_cli("show", record["id"], "--store", str(planted.root),
                        env={**cache, "NEWSARCHIVE_REPLAY_URL": "https://replay.example.org"})
    assert f"replay      https://replay.example.org/{COLLECTION}/" in published.out


def test_warcs_written_while_it_runs_are_served_without_a_restart(planted_copy: Planted, cache: dict[str, str]) -> None:
    store = planted_copy.store
    with running_replay("--store", str(planted_copy.root), "--refresh", "1", env=cache) as (_, collection):
        new = Page("http://127.0.0.1:9/News/front/archives/2024/10/16/2099999999", b"<html>late</html>")
        write_captures(store, [new])
        url = capture_url(base_of(collection), new.url, timestamp14(new.date.isoformat()), original=True)
        deadline = time.monotonic() + 60
        while (found := get(url))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert found[0] == 200 and found[2] == new.body
        assert_articles_replay_byte_for_byte(planted_copy, base_of(collection))


def test_a_truncated_capture_is_served_with_the_bytes_kept_at_once(planted: Planted, cache: dict[str, str]) -> None:
    url, kept, announced = planted.truncated
    with running_replay("--store", str(planted.root), env=cache) as (_, collection):
        started = time.monotonic()
        status, headers, body = get(capture_url(base_of(collection), url, timestamp14(planted.article["fetched_at"]),
                                                original=True), timeout=20)
        assert time.monotonic() - started < 10  # pywb alone announces 20,000 bytes and the client waits for them
        assert (status, len(body), headers["Content-Length"]) == (200, kept, str(kept))
        assert headers["X-Newsarchive-Truncated"] == f"kept {kept} of {announced} bytes"


def _server_pid(store: LocalStore) -> int:
    return int(json.loads((store_cache_dir("replay", store.uri) / "server.json").read_text())["pid"])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_pywb_and_leaves_nothing_running(planted: Planted, cache: dict[str, str],
                                                        monkeypatch: pytest.MonkeyPatch, sig: int) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CACHE", cache["NEWSARCHIVE_CACHE"])
    with running_replay("--store", str(planted.root), env=cache) as (replay, collection):
        pywb = _server_pid(planted.store)
        assert pid_alive(pywb)
        code = replay.stop(sig)
    assert code == Exit.OK and "replay stopped" in replay.err and "Traceback" not in replay.err
    assert not pid_alive(pywb)
    assert not (store_cache_dir("replay", planted.store.uri) / "server.json").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(collection, timeout=5)


def test_pywb_does_not_outlive_a_killed_replay(planted: Planted, cache: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CACHE", cache["NEWSARCHIVE_CACHE"])
    with running_replay("--store", str(planted.root), env=cache) as (replay, _):
        pywb = _server_pid(planted.store)
        replay.stop(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while pid_alive(pywb) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not pid_alive(pywb)


def test_a_port_in_use_is_one_line_and_exit_2(planted: Planted, cache: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("replay", "--store", str(planted.root), "--port", str(port), env=cache, timeout=120)
    assert_one_line_error(result, Exit.USAGE)
    assert "in use" in result.err and "--port" in result.err


def test_a_store_with_no_capture(tmp_path: Path, cache: dict[str, str]) -> None:
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli("replay", "--store", str(tmp_path / "empty"), env=cache), Exit.BAD_INPUT)
    assert_one_line_error(run_cli("replay", "--store", str(tmp_path / "missing"), env=cache), Exit.USAGE)


def test_an_s3_store_replays_from_seaweedfs(planted: Planted, seaweed: SeaweedServer, cache: dict[str, str],
                                            tmp_path: Path) -> None:
    prefix = f"replay-{uuid.uuid4().hex[:8]}"
    upload(seaweed, planted.root, prefix)
    env = {**cache, **seaweed.env, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    with running_replay("--store", f"s3://{seaweed.bucket}/{prefix}", env=env) as (_, collection):
        base = base_of(collection)
        assert_articles_replay_byte_for_byte(planted, base)
        assert_requisites_replay(planted, base)
    # the endpoint may be given as an option instead
    env.pop("AWS_ENDPOINT_URL")
    with running_replay("--store", f"s3://{seaweed.bucket}/{prefix}", "--s3-endpoint-url", seaweed.endpoint_url,
                        env=env) as (_, collection):
        when = timestamp14(planted.article["fetched_at"])
        for url in (STYLESHEET, BACKGROUND):
            status, _, body = get(capture_url(base_of(collection), url, when, original=True))
            assert status == 200 and body in closest_payloads(planted, url), url


def test_the_python_api_starts_and_stops_a_server(planted: Planted, replay_env: ReplayEnv, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What the web app uses: a server on a free port, replay URLs of records, stopped on leaving."""
    from newsarchive.replay.server import ReplayServer, running_url

    monkeypatch.setenv("NEWSARCHIVE_CACHE", str(tmp_path / "cache"))
    store = planted.store
    with ReplayServer(store, port=0, env=replay_env) as server:
        assert running_url(store) == server.base_url
        pid = server.proc.pid if server.proc else 0
        status, _, body = get(str(replay_url(planted.article, server.base_url, original=True)))
        assert status == 200 and body == captured_payload(store, planted.article["capture"])
    assert running_url(store) is None and not pid_alive(pid)
    assert os.listdir(tmp_path / "cache" / "replay")  # its index stays, for the next start
