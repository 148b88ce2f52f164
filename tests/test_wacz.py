"""`newsarchive export --format wacz` on a crawled store, checked with tools nobody here wrote: py-wacz's
`wacz validate`, and pywb replaying the package (`wb-manager add --unpack-wacz`, and its ZipNum index served
directly): every article byte for byte, and every capture of what the article's page uses that the store
holds (read from the page independently here, with BeautifulSoup), under the URLs the page names."""

from __future__ import annotations

import gzip
import json
import subprocess
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from newsarchive.archive.cdxj import CdxLine, timestamp14
from newsarchive.archive.replay import capture_url
from newsarchive.archive.warc import payload_digest as sha1_b32
from newsarchive.archive.warcread import read_record
from newsarchive.exitcodes import Exit
from newsarchive.replay.env import ReplayEnv
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.plugins.replay import (
    BACKGROUND,
    STYLESHEET,
    Planted,
    Wayback,
    captured_payload,
    closest_payloads,
    upload,
    wb_manager,
)
from tests.plugins.seaweed import SeaweedServer

pytestmark = pytest.mark.e2e


def get(url: str, gzip_ok: bool = True) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def window(record: dict[str, Any]) -> list[str]:
    return ["--since", record["published"], "--until", record["published"], "--section", record["section_slug"]]


@pytest.fixture(scope="module")
def package(planted: Planted, tmp_path_factory: pytest.TempPathFactory, replay_env: ReplayEnv) -> Path:
    """The WACZ of the planted article's day and section, with text."""
    out = tmp_path_factory.mktemp("wacz") / "day.wacz"
    result = run_cli("export", "--format", "wacz", "--output", str(out), "--store", str(planted.root), "--with-text",
                     *window(planted.article), env={"NEWSARCHIVE_CACHE": str(out.parent / "cache")})
    assert result.code == Exit.OK, result
    assert "exported" in result.err and "WARC records" in result.err
    return out


@pytest.fixture(scope="module")
def replayed(package: Path, replay_env: ReplayEnv, tmp_path_factory: pytest.TempPathFactory):  # -> Iterator[str]
    """pywb replaying the package as any archive would: init, add --unpack-wacz, wayback."""
    root = tmp_path_factory.mktemp("pywb")
    wb_manager(replay_env, root, "init", "handover")
    wb_manager(replay_env, root, "add", "--unpack-wacz", "handover", str(package))
    with Wayback(replay_env, root) as wayback:
        yield f"{wayback.base_url}"


def selected(planted: Planted) -> list[dict[str, Any]]:
    a = planted.article
    return [r for r in planted.records() if (r["published"], r["section_slug"]) == (a["published"], a["section_slug"])]


def test_wacz_validate_accepts_it(package: Path, replay_env: ReplayEnv) -> None:
    result = subprocess.run([str(replay_env.bin("wacz")), "validate", "-f", str(package)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0 and "is valid" in result.stdout, result


def test_pages_are_the_selected_articles(package: Path, planted: Planted) -> None:
    with zipfile.ZipFile(package) as zf:
        header, *pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert header["hasText"] is True
    expected = {r["id"]: r for r in selected(planted)}
    assert len(expected) > 1 and sorted(p["id"] for p in pages) == sorted(expected)
    for page in pages:
        record = expected[page["id"]]
        assert (page["url"], page["title"], page["text"]) == (record["fetched_url"], record["headline"],
                                                              "\n\n".join(record["body"]))
        assert timestamp14(page["ts"]) == timestamp14(record["fetched_at"])


def test_pywb_replays_every_article_byte_for_byte(replayed: str, planted: Planted) -> None:
    for record in selected(planted):
        status, body = get(capture_url(replayed, record["fetched_url"], timestamp14(record["fetched_at"]), original=True,
                                       collection="handover"))
        assert status == 200, record["id"]
        assert body == captured_payload(planted.store, record["capture"]), record["id"]


def _uses(planted: Planted) -> list[str]:
    """What the article's page names (stylesheets, icons, scripts, images) on the site, and its photos."""
    article = planted.article
    page = read_record(planted.store, **{k: article["capture"][k] for k in ("warc", "offset", "length")}).body()
    soup = BeautifulSoup(page, "html.parser")
    base = urljoin(article["fetched_url"], soup.base["href"]) if soup.base and soup.base.get("href") else article["fetched_url"]
    named = [link["href"] for link in soup.find_all("link", href=True)
             if {"stylesheet", "icon"} & set(link.get("rel") or [])]
    named += [tag["src"] for tag in soup.find_all(["script", "img"], src=True)]
    urls = [urljoin(base, href) for href in named] + [image["url"] for image in article["images"]]
    mirror = urlsplit(article["fetched_url"]).hostname
    return [u for u in dict.fromkeys(urls) if urlsplit(u).hostname in (mirror, "www.taipeitimes.com", "img.taipeitimes.com")]


def test_every_capture_the_page_uses_is_in_the_package_and_replays(replayed: str, planted: Planted,
                                                                   package: Path) -> None:
    article = planted.article
    when = timestamp14(article["fetched_at"])
    with zipfile.ZipFile(package) as zf:
        index = gzip.decompress(zf.read("indexes/index.cdx.gz")).decode()
    checked = []
    for url in _uses(planted) + [BACKGROUND]:  # and the image the stylesheet names
        expected = closest_payloads(planted, url)
        if not expected:
            continue  # the store has none of it: nothing to package
        assert any(f'"digest": "{sha1_b32(payload)}"' in index for payload in expected), url
        status, body = get(capture_url(replayed, url, when, original=True, collection="handover"))
        assert status == 200 and body in expected, url
        checked.append(url)
    # today's crawl captures no requisites; the planted stylesheet, photo and background are always there
    assert {STYLESHEET, BACKGROUND, article["images"][0]["url"]} <= set(checked)


def test_pywb_reads_the_packages_zipnum_index_as_it_is(package: Path, planted: Planted, replay_env: ReplayEnv,
                                                       tmp_path: Path) -> None:
    """The package unzipped and served as it lies: index.idx is pywb's ZipNum summary (no wb-manager copy)."""
    root = tmp_path / "unzipped"
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root)
    (tmp_path / "config.yaml").write_text(
        "collections:\n  zipnum:\n"
        f"    index:\n      type: zipnum\n      path: {root}/indexes/index.idx\n"
        f"      shard_index_loc:\n        match: '^.*$'\n        replace: '{root}/indexes/'\n"
        f"    archive_paths: {root}/archive/\nframed_replay: false\n")
    with Wayback(replay_env, tmp_path) as wayback:
        for record in selected(planted):
            url = capture_url(wayback.base_url, record["fetched_url"], timestamp14(record["fetched_at"]), original=True,
                              collection="zipnum")
            assert get(url) == (200, captured_payload(planted.store, record["capture"])), record["id"]


def test_the_filters_choose_the_articles(planted: Planted, tmp_path: Path, replay_env: ReplayEnv) -> None:
    out = tmp_path / "world.wacz"
    result = run_cli("export", "--format", "wacz", "-o", str(out), "--store", str(planted.root), "--section", "world",
                     env={"NEWSARCHIVE_CACHE": str(tmp_path / "cache")})
    assert result.code == Exit.OK, result
    with zipfile.ZipFile(out) as zf:
        header, *pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert "hasText" not in header and all("text" not in page for page in pages)
    assert sorted(p["id"] for p in pages) == sorted(r["id"] for r in planted.records() if r["section_slug"] == "world")


def test_wacz_needs_a_file(planted: Planted, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("export", "--format", "wacz", "-o", "-", "--store", str(planted.root)), Exit.USAGE)
    assert_one_line_error(run_cli("export", "--format", "wacz", "-o", str(tmp_path / "no" / "x.wacz"),
                                  "--store", str(planted.root)), Exit.USAGE)


def test_a_package_from_an_s3_store_equals_one_from_the_folder(planted: Planted, seaweed: SeaweedServer,
                                                               tmp_path: Path, package: Path) -> None:
    prefix = f"wacz-{uuid.uuid4().hex[:8]}"
    upload(seaweed, planted.root, prefix)
    out = tmp_path / "from-s3.wacz"
    env = {**seaweed.env, "NEWSARCHIVE_CACHE": str(tmp_path / "cache"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    result = run_cli("export", "--format", "wacz", "-o", str(out), "--store", f"s3://{seaweed.bucket}/{prefix}",
                     "--with-text", *window(planted.article), env=env)
    assert result.code == Exit.OK, result
    def captures(zf: zipfile.ZipFile) -> list[tuple[str, str, str, str]]:
        """Each index line without where it lies (the package's WARC is named for the time it was made, and
        opened by a warcinfo record naming the store)."""
        lines = [CdxLine.parse(text) for text in gzip.decompress(zf.read("indexes/index.cdx.gz")).decode().splitlines()]
        return [(line.urlkey, line.timestamp, line.fields["digest"], line.fields["length"]) for line in lines if line]

    with zipfile.ZipFile(package) as local, zipfile.ZipFile(out) as remote:
        assert remote.read("pages/pages.jsonl") == local.read("pages/pages.jsonl")
        assert captures(remote) == captures(local) != []
