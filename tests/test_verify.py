"""`newsarchive verify` on a real crawl of the local site: sound, damaged WARCs, missing records, S3."""

from __future__ import annotations

import json
import os
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.archive.warc import gzip_member
from newsarchive.exitcodes import Exit
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.crawled_archive import copy_store, crawl, crawled_archive, plain_article, small_site

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    """One world article is served in a layout the parser refuses: a known failure, not damage."""
    server = small_site()
    server.inject(plain_article(server, "world").path(), Fault.unknown_layout())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def archive(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # PARTIAL: the refused page; the site stays up for the S3 test's own crawl
    return crawled_archive(site, tmp_path_factory.mktemp("verify"), Exit.PARTIAL, stop_site=False)


def records(store: Path) -> list[Path]:
    return sorted((store / "records").rglob("*.json"))


def capture_of(record: Path) -> dict:
    return json.loads(record.read_text())["capture"]


def test_sound_store(archive: Path, site: SiteServer) -> None:
    refused = plain_article(site, "world").id
    for mode in ([], ["--quick"]):
        result = run_cli("verify", "--store", str(archive), *mode)
        assert result.code == Exit.OK, result
        assert result.out == ""
        assert "sound" in result.err
        # the page the parser refused is explained by the run report, not a problem
        assert refused in result.err and "reparse" in result.err, result
    report = json.loads(run_cli("verify", "--store", str(archive), "--format", "json").out)
    assert report["sound"] and report["problems"] == []
    assert report["records"] == len(records(archive)) and report["explained"] == [refused]
    assert report["warc_records"] > 2 * report["records"]  # responses, requests, metadata, lists


def test_flipped_byte_in_a_response(archive: Path, tmp_path: Path) -> None:
    store = copy_store(archive, tmp_path / "archive")
    record = records(store)[0]
    cap = capture_of(record)
    warc = store / cap["warc"]
    data = bytearray(warc.read_bytes())
    data[cap["offset"] + cap["length"] // 2] ^= 0x01
    warc.write_bytes(bytes(data))

    result = run_cli("verify", "--store", str(store))
    assert result.code == Exit.VERIFY_FAILED, result
    lines = result.out.splitlines()
    at = f"{cap['warc']}@{cap['offset']}"
    assert f"warc-damaged: {at}: {cap['length']} bytes unreadable" in result.out, result
    key = str(record.relative_to(store))
    assert any(line.startswith(f"pointer: {key}: ") and "damaged" in line for line in lines), result
    assert "problem(s)" in result.err
    # the records after the damage were still read: only that one response's record is named
    assert sum(line.startswith("pointer: ") for line in lines) == 1, result

    quick = run_cli("verify", "--store", str(store), "--quick")
    assert quick.code == Exit.VERIFY_FAILED, quick
    assert quick.out.startswith(f"pointer: {key}: damaged gzip member"), quick


def _recompressed_with_flip(member: bytes) -> bytes:
    """The member with one payload byte changed and gzip redone to the same size: only digests can tell."""
    raw = zlib.decompress(member, zlib.MAX_WBITS | 16)
    start = raw.index(b"\r\n\r\n", raw.index(b"HTTP/1.1")) + 4  # the HTTP payload
    for pos in range(start + 100, len(raw) - 100, 7):
        flipped = bytearray(raw)
        flipped[pos] ^= 0x01
        # as the writer makes members: a payload that arrived compressed is stored, the rest deflated
        for out in (gzip_member(bytes(flipped), 6, start), gzip_member(bytes(flipped), 6)):
            if len(out) == len(member):
                return out
    raise AssertionError("no same-size recompression found")


def test_payload_digest_mismatch(archive: Path, tmp_path: Path) -> None:
    store = copy_store(archive, tmp_path / "archive")
    record = records(store)[-1]
    cap = capture_of(record)
    warc = store / cap["warc"]
    data = bytearray(warc.read_bytes())
    start, end = cap["offset"], cap["offset"] + cap["length"]
    data[start:end] = _recompressed_with_flip(bytes(data[start:end]))
    warc.write_bytes(bytes(data))

    result = run_cli("verify", "--store", str(store))
    assert result.code == Exit.VERIFY_FAILED, result
    at = f"{cap['warc']}@{cap['offset']}"
    assert f"digest: {at}: response " in result.out and "digest failed" in result.out, result
    key = str(record.relative_to(store))
    assert f"pointer: {key}: {at}: the response fails its digest check" in result.out, result
    assert "warc-damaged" not in result.out

    quick = run_cli("verify", "--store", str(store), "--quick")
    assert quick.code == Exit.VERIFY_FAILED, quick
    assert f"pointer: {key}: {at}: the response fails its digest check" in quick.out, quick


def test_deleted_record(archive: Path, tmp_path: Path) -> None:
    store = copy_store(archive, tmp_path / "archive")
    record = records(store)[1]
    article_id = record.stem
    record.unlink()
    for mode in ([], ["--quick"]):
        result = run_cli("verify", "--store", str(store), *mode)
        assert result.code == Exit.VERIFY_FAILED, result
        assert result.out.splitlines() == [line for line in result.out.splitlines() if "missing-record" in line]
        assert len(result.out.splitlines()) == 1, result
        assert f"article {article_id} was archived but has no record" in result.out, result


def test_no_store(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("verify", "--store", str(tmp_path / "nowhere")), Exit.USAGE)
    assert not (tmp_path / "nowhere").exists()  # a typo is not created and found "sound"
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli("verify", "--store", str(tmp_path / "empty")), Exit.BAD_INPUT)


# -- a real S3 store (SeaweedFS) ----------------------------------------------------------------------
@pytest.fixture
def s3_env(seaweed, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(seaweed.env, AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_EC2_METADATA_DISABLED="true", XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


def test_s3_store(site: SiteServer, seaweed, s3_env: dict[str, str]) -> None:
    prefix = f"verify-{uuid.uuid4().hex[:8]}"
    uri = f"s3://{seaweed.bucket}/{prefix}"
    crawled = crawl(site, uri, env=s3_env)
    assert crawled.code == Exit.PARTIAL, crawled
    for mode in ([], ["--quick"]):
        result = run_cli("verify", "--store", uri, "--s3-endpoint-url", seaweed.endpoint_url, *mode, env=s3_env)
        assert result.code == Exit.OK, result
        assert "sound" in result.err

    client = seaweed.client()
    listed = client.list_objects_v2(Bucket=seaweed.bucket, Prefix=f"{prefix}/records/")["Contents"]
    gone = listed[0]["Key"]
    client.delete_object(Bucket=seaweed.bucket, Key=gone)
    result = run_cli("verify", "--store", uri, "--quick", env=s3_env)
    assert result.code == Exit.VERIFY_FAILED, result
    assert f"article {Path(gone).stem} was archived but has no record" in result.out, result

    denied = dict(s3_env, AWS_SECRET_ACCESS_KEY="wrong")
    assert_one_line_error(run_cli("verify", "--store", uri, env=denied), Exit.STORE_DENIED)
