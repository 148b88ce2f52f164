"""The store contract, run against the local folder and a real S3 server (SeaweedFS), plus what only S3 has:
credentials, outages, the spool."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from newsarchive.errors import KeyNotFound, StoreDenied, StoreUnreachable
from newsarchive.store import LocalStore, open_store
from newsarchive.store.base import Store
from newsarchive.store.s3 import S3Store
from tests.plugins.seaweed import ACCESS_KEY, SECRET_KEY

MiB = 1 << 20
UNSAFE_KEYS = ["", "/etc/passwd", "../escape", "a/../../b", "a//b", "./a", "a/./b", "a\\b", "a/"]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """boto3 sees the test server's credentials and nothing of the machine's (~/.aws, instance metadata)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def dead_endpoint() -> str:
    """A local port nobody listens on: connection refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def s3_store(endpoint: str, bucket: str, spool: Path, prefix: str | None = None) -> S3Store:
    store = S3Store(bucket=bucket, prefix=prefix if prefix is not None else f"t/{uuid.uuid4().hex[:12]}",
                    endpoint_url=endpoint, spool_dir=spool, multipart_threshold=5 * MiB,
                    multipart_chunksize=5 * MiB)
    store.list_page_size = 2
    return store


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.e2e)])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """The contract runs on both stores; only the S3 one needs a server (SeaweedFS), so only it is end-to-end."""
    if request.param == "local":
        st: Store = LocalStore(tmp_path / "archive")
    else:
        seaweed = request.getfixturevalue("seaweed")
        st = s3_store(seaweed.endpoint_url, seaweed.bucket, tmp_path / "spool")
    st.check()
    yield st
    st.close()


def settled(store: Store) -> None:
    """On S3, wait until everything is really in the bucket, so the reads below test S3 and not the spool."""
    assert store.flush(timeout=20) == 0
    assert store.pending() == 0


def big_file(path: Path, size: int) -> bytes:
    data = hashlib.shake_256(path.name.encode()).digest(size)
    path.write_bytes(data)
    return data


def multipart_etag(data: bytes, part: int) -> str:
    digests = b"".join(hashlib.md5(data[i:i + part]).digest() for i in range(0, len(data), part))
    return f"{hashlib.md5(digests).hexdigest()}-{(len(data) + part - 1) // part}"


# -- the contract, for both stores ---------------------------------------------------------------------

def test_put_get_overwrite_and_missing(store: Store) -> None:
    store.put_bytes("records/2024/01/02/2003800001.json", b'{"v": 1}')
    store.put_bytes("records/2024/01/02/2003800001.json", b'{"v": 2}')
    settled(store)
    assert store.get_bytes("records/2024/01/02/2003800001.json") == b'{"v": 2}'
    with pytest.raises(KeyNotFound, match="no object records/nope.json"):
        store.get_bytes("records/nope.json")
    with pytest.raises(KeyNotFound):
        store.get_range("records/nope.json", 0, 10)
    with pytest.raises(KeyNotFound):
        store.open_read("records/nope.json")


def test_get_range_and_open_read(store: Store) -> None:
    data = bytes(range(256)) * 4
    store.put_bytes("warc/a.warc.gz", data, content_type="application/warc")
    settled(store)
    assert store.get_range("warc/a.warc.gz", 10, 20) == data[10:30]
    assert store.get_range("warc/a.warc.gz", 1000, 100) == data[1000:]  # runs past the end
    assert store.get_range("warc/a.warc.gz", 5000, 10) == b""  # starts past the end
    with store.open_read("warc/a.warc.gz") as fh:
        assert fh.read() == data


def test_list_in_key_order_relative_and_filtered(store: Store) -> None:
    keys = ["records/2024/01/02/2003800002.json", "records/2024/01/01/2003800001.json", "runs/r1.json",
            "records/2024/01/02/2003800001.json", "records/2024/01/10/2003800003.json"]
    for i, key in enumerate(keys):
        store.put_bytes(key, b"x" * (i + 1))
    settled(store)
    listed = list(store.list())
    assert [o.key for o in listed] == sorted(keys)
    assert {o.key: o.size for o in listed} == {k: i + 1 for i, k in enumerate(keys)}
    assert all(o.modified is not None for o in listed)
    assert [o.key for o in store.list("records/2024/01/0")] == sorted([keys[0], keys[1], keys[3]])
    assert [o.key for o in store.list("records/2024/01/02/")] == sorted(keys[0:4:3])
    assert list(store.list("nothing/")) == []


def test_exists_and_delete(store: Store) -> None:
    store.put_bytes("state/articles/2003800001.json", b"{}")
    settled(store)
    assert store.exists("state/articles/2003800001.json")
    assert not store.exists("state/articles/2003800002.json")
    store.delete("state/articles/2003800001.json")
    store.delete("state/articles/2003800001.json")  # absent is not an error
    assert not store.exists("state/articles/2003800001.json")
    assert list(store.list("state/")) == []


def test_create_exclusive_is_a_lock(store: Store) -> None:
    assert store.create_exclusive("state/lock.json", b'{"owner": "a"}') is True
    assert store.create_exclusive("state/lock.json", b'{"owner": "b"}') is False
    assert store.get_bytes("state/lock.json") == b'{"owner": "a"}'
    store.delete("state/lock.json")
    # many contenders at once: exactly one wins (a conditional put on S3, O_EXCL locally)
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def contend(i: int) -> None:
        barrier.wait()
        results.append(store.create_exclusive("state/lock.json", f'{{"owner": {i}}}'.encode()))

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_put_file_small_and_multipart(store: Store, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    small = tmp_path / "small.cdxj"
    small.write_bytes(b"com,taipeitimes)/ 20240101 {}\n")
    store.put_file("warc/2024/01/01/a.cdxj", small)
    big = tmp_path / "big.warc.gz"
    data = big_file(big, 11 * MiB + 12345)  # three 5 MiB parts on S3
    store.put_file("warc/2024/01/01/a.warc.gz", big, content_type="application/warc")
    settled(store)
    assert not small.exists() and not big.exists()  # the store owns them now
    assert store.get_bytes("warc/2024/01/01/a.cdxj") == b"com,taipeitimes)/ 20240101 {}\n"
    for offset, length in [(0, 100), (5 * MiB - 50, 100), (11 * MiB, 20000)]:
        assert store.get_range("warc/2024/01/01/a.warc.gz", offset, length) == data[offset:offset + length]
    assert [o.size for o in store.list("warc/")] == [len(b"com,taipeitimes)/ 20240101 {}\n"), len(data)]
    if isinstance(store, S3Store):
        seaweed = request.getfixturevalue("seaweed")
        head = seaweed.client().head_object(Bucket=seaweed.bucket, Key=f"{store.prefix}/warc/2024/01/01/a.warc.gz")
        assert head["ETag"].strip('"') == multipart_etag(data, 5 * MiB)  # what the store verified after upload
        assert head["ContentType"] == "application/warc"


def test_warc_staged_then_handed_over(store: Store) -> None:
    staging = store.staging_dir()
    staging.mkdir(parents=True, exist_ok=True)
    open_warc = staging / "TT-20240101000000-00001-host.warc.gz"
    open_warc.write_bytes(b"WARC/1.1\r\n" * 100)
    store.put_file("warc/2024/01/01/TT-20240101000000-00001-host.warc.gz", open_warc, content_type="application/warc")
    settled(store)
    assert not open_warc.exists()
    assert [o.key for o in store.list()] == ["warc/2024/01/01/TT-20240101000000-00001-host.warc.gz"]
    assert store.get_range("warc/2024/01/01/TT-20240101000000-00001-host.warc.gz", 10, 10) == b"WARC/1.1\r\n"


@pytest.mark.parametrize("key", UNSAFE_KEYS)
def test_unsafe_keys_are_refused(store: Store, key: str, tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"x")
    for call in (lambda: store.put_bytes(key, b"x"), lambda: store.put_file(key, f),
                 lambda: store.create_exclusive(key, b"x"), lambda: store.get_bytes(key),
                 lambda: store.get_range(key, 0, 1), lambda: store.exists(key), lambda: store.delete(key)):
        with pytest.raises(ValueError, match="unsafe store key"):
            call()
    assert f.exists()
    assert store.pending() == 0


# -- S3 only ---------------------------------------------------------------------------------------------

@pytest.mark.e2e
def test_open_store_s3_uri(tmp_path: Path, seaweed, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(f"s3://{seaweed.bucket}/via-uri/{uuid.uuid4().hex[:8]}", s3_endpoint_url=seaweed.endpoint_url,
                    spool_dir=str(tmp_path / "spool")) as st:
        assert isinstance(st, S3Store) and st.endpoint == seaweed.endpoint_url
        st.check()
        st.put_bytes("runs/r.json", b"{}")
        assert st.flush(10) == 0
        prefix = st.prefix
    # the standard AWS_ENDPOINT_URL, read by boto3 itself
    monkeypatch.setenv("AWS_ENDPOINT_URL", seaweed.endpoint_url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with open_store(f"s3://{seaweed.bucket}/{prefix}") as st:
        assert st.get_bytes("runs/r.json") == b"{}"
        assert str(st._spool.root).startswith(str(tmp_path / "cache" / "newsarchive" / "spool" / seaweed.bucket))


@pytest.mark.e2e
def test_objects_are_private(tmp_path: Path, seaweed) -> None:
    with s3_store(seaweed.endpoint_url, seaweed.bucket, tmp_path / "spool") as st:
        st.put_bytes("records/2024/01/01/2003800001.json", b'{"private": true}')
        assert st.flush(10) == 0
        url = f"{seaweed.endpoint_url}/{seaweed.bucket}/{st.prefix}/records/2024/01/01/2003800001.json"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=5)
    assert err.value.code == 403


@pytest.mark.e2e
@pytest.mark.parametrize("access_key, secret", [
    ("newsarchive-test-key", "wrong-secret-must-not-leak"),  # SignatureDoesNotMatch
    ("AKIAUNKNOWNKEY123456", "wrong-secret-must-not-leak"),  # InvalidAccessKeyId
])
def test_bad_credentials_are_denied_without_leaking(tmp_path: Path, seaweed, monkeypatch: pytest.MonkeyPatch,
                                                    access_key: str, secret: str) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    with s3_store(seaweed.endpoint_url, seaweed.bucket, tmp_path / "spool") as st:
        with pytest.raises(StoreDenied) as err:
            st.check()
    message = str(err.value)
    assert message.startswith(f"store s3://{seaweed.bucket}/t/") and "\n" not in message
    assert secret not in message and access_key not in message
    assert ("SignatureDoesNotMatch" in message) or ("InvalidAccessKeyId" in message)


@pytest.mark.e2e
def test_missing_bucket_is_unreachable(tmp_path: Path, seaweed) -> None:
    with s3_store(seaweed.endpoint_url, "no-such-bucket", tmp_path / "spool", prefix="p") as st:
        with pytest.raises(StoreUnreachable) as err:
            st.check()
    assert str(err.value) == (f"store s3://no-such-bucket/p: cannot reach {seaweed.endpoint_url}: "
                              "bucket no-such-bucket does not exist")


def test_unreachable_endpoint_fails_fast_and_writes_spool(tmp_path: Path) -> None:
    endpoint = dead_endpoint()
    with s3_store(endpoint, "bucket", tmp_path / "spool", prefix="p") as st:
        started = time.monotonic()
        with pytest.raises(StoreUnreachable) as err:
            st.check()
        assert str(err.value).startswith(f"store s3://bucket/p: cannot reach {endpoint}: ")
        assert "\n" not in str(err.value)
        for i in range(20):  # a crawl going on through the outage: no errors, no waiting
            st.put_bytes(f"records/2024/01/01/20038000{i:02d}.json", b'{"i": %d}' % i)
        assert time.monotonic() - started < 5
        assert st.pending() == 20
        assert st.get_bytes("records/2024/01/01/2003800007.json") == b'{"i": 7}'
        with pytest.raises(StoreUnreachable):
            st.get_bytes("records/2024/01/01/2003899999.json")  # not spooled: the bucket must answer


@pytest.mark.e2e
def test_outage_spools_and_flush_uploads_everything(tmp_path: Path, fresh_seaweed, monkeypatch) -> None:
    server = fresh_seaweed
    spool = tmp_path / "spool"
    with s3_store(server.endpoint_url, server.bucket, spool, prefix="crawl") as st:
        st.check()
        st.put_bytes("runs/before.json", b"before")
        assert st.flush(10) == 0

        server.stop()
        started = time.monotonic()
        st.put_bytes("records/2024/01/01/2003800001.json", b"v1")
        st.put_bytes("records/2024/01/01/2003800001.json", b"v2")  # the newest spooled write wins
        st.put_bytes("records/2024/01/01/2003800002.json", b"two")
        st.put_bytes("records/2024/01/01/2003800003.json", b"deleted while spooled")
        with pytest.raises(StoreUnreachable):
            st.delete("records/2024/01/01/2003800003.json")  # the spooled copy is gone; the bucket must confirm
        warc = tmp_path / "x.warc.gz"
        data = big_file(warc, 6 * MiB)
        st.put_file("warc/2024/01/01/x.warc.gz", warc)
        assert time.monotonic() - started < 10
        # the crawl still sees what it archived
        assert st.pending() == 3
        assert st.exists("records/2024/01/01/2003800002.json")
        assert st.get_bytes("records/2024/01/01/2003800001.json") == b"v2"
        assert st.get_range("warc/2024/01/01/x.warc.gz", 3 * MiB, 10) == data[3 * MiB:3 * MiB + 10]
        with pytest.raises(StoreUnreachable):
            list(st.list("records/"))  # never a listing that silently misses what the bucket holds
        assert st.flush(timeout=1) == 3  # still down: everything still waits

        server.start()
        assert st.flush(timeout=30) == 0
        assert not list(spool.glob("*.json")) and not list(spool.glob("*.data"))

    raw = server.client()
    def body(key: str) -> bytes:
        return raw.get_object(Bucket=server.bucket, Key=f"crawl/{key}")["Body"].read()
    assert body("runs/before.json") == b"before"
    assert body("records/2024/01/01/2003800001.json") == b"v2"
    assert body("records/2024/01/01/2003800002.json") == b"two"
    assert body("warc/2024/01/01/x.warc.gz") == data
    assert raw.list_objects_v2(Bucket=server.bucket, Prefix="crawl/records/2024/01/01/2003800003")["KeyCount"] == 0


@pytest.mark.e2e
def test_new_store_drains_a_leftover_spool(tmp_path: Path, seaweed) -> None:
    spool = tmp_path / "spool"
    prefix = f"t/{uuid.uuid4().hex[:12]}"
    with s3_store(dead_endpoint(), seaweed.bucket, spool, prefix=prefix) as first:  # a run during an outage
        for i in range(3):
            first.put_bytes(f"state/articles/200380000{i}.json", b"%d" % i)
        assert first.pending() == 3
    # what kill -9 leaves: a half-written temporary file, never to be uploaded
    (spool / ".tmp-half").write_bytes(b"half an obj")
    second = s3_store(seaweed.endpoint_url, seaweed.bucket, spool, prefix=prefix)
    try:
        assert second.pending() == 3
        # before any upload the bucket holds nothing, yet the listing shows what waits
        assert [o.key for o in second.list("state/")] == [f"state/articles/200380000{i}.json" for i in range(3)]
        second.check()  # starts the upload in the background
        assert second.flush(timeout=20) == 0
        keys = [o["Key"] for o in seaweed.client().list_objects_v2(Bucket=seaweed.bucket, Prefix=prefix + "/")
                .get("Contents", [])]
        assert keys == [f"{prefix}/state/articles/200380000{i}.json" for i in range(3)]
        assert second.get_bytes("state/articles/2003800002.json") == b"2"
        assert [p.name for p in spool.iterdir() if not p.name.startswith(".")] == []  # only the stale tmp
        assert (spool / ".tmp-half").exists()  # too recent to sweep: it may be another process's write
    finally:
        second.close()
