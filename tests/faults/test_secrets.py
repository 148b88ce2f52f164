"""Credentials never leave the process: not in logs, run reports, warcinfo records, error messages, the spool.

A real SeaweedFS of its own, with credentials nobody could mistake for
anything else, takes a crawl; then every byte the crawl wrote (each object
in the bucket, WARCs decompressed, the spool, the cache, stdout and stderr)
is searched for them. A second run with a wrong secret must fail in one
line without echoing it. Objects must not be readable without credentials.
"""

from __future__ import annotations

import gzip
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import Crawl, FaultSite, crawl
from tests.plugins.cli import assert_one_line_error
from tests.plugins.seaweed import SeaweedServer
from tests.site.corpus import Corpus, default_days

pytestmark = pytest.mark.e2e

PREFIX = "taipeitimes"


@dataclass
class SecretRun:
    server: SeaweedServer
    site: FaultSite
    home: Path  # the spool and the cache live here
    good: Crawl
    bad: Crawl
    wrong_secret: str


def env_for(server: SeaweedServer, home: Path, secret: str | None = None) -> dict[str, str]:
    env = dict(server.env, XDG_CACHE_HOME=str(home / "cache"), HOME=str(home))
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    return env


@pytest.fixture(scope="module")
def secret_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretRun]:
    root = tmp_path_factory.mktemp("secrets")
    server = SeaweedServer(root / "seaweed", bucket="secrets-test")
    server.access_key = "AKIDFAULTS" + secrets.token_hex(6).upper()
    server.secret_key = "sEcReT/" + secrets.token_urlsafe(24) + "+end"
    site = FaultSite(Corpus(days=default_days(1), per_section=2)).start()
    server.start()
    try:
        home = root / "home"
        uri = f"s3://{server.bucket}/{PREFIX}"
        good = crawl(site, uri, "--spool-dir", str(home / "spool"), env=env_for(server, home))
        wrong = "wRoNg/" + secrets.token_urlsafe(24)
        bad = crawl(site, uri, "--spool-dir", str(home / "spool"), env=env_for(server, home, wrong))
        yield SecretRun(server, site, home, good, bad, wrong)
    finally:
        server.stop()
        site.stop()


def bucket_objects(server: SeaweedServer) -> dict[str, bytes]:
    """Every object of the bucket, WARCs decompressed (a secret inside a gzip member would not show raw)."""
    client = server.client()
    out: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=server.bucket):
        for obj in page.get("Contents", []):
            data = client.get_object(Bucket=server.bucket, Key=obj["Key"])["Body"].read()
            out[obj["Key"]] = gzip.decompress(data) if obj["Key"].endswith(".gz") else data
    return out


def forms(secret: str) -> list[bytes]:
    """The secret as it could appear: raw, URL-quoted, or with its tail cut (a truncated log line)."""
    return [secret.encode(), quote(secret, safe="").encode(), secret[: len(secret) * 2 // 3].encode()]


def test_the_crawl_into_s3_archives_everything(secret_run: SecretRun) -> None:
    assert secret_run.good.code == Exit.OK, secret_run.good.result
    keys = set(bucket_objects(secret_run.server))
    assert {f"{PREFIX}/records/{a.day:%Y/%m/%d}/{a.id}.json" for a in secret_run.site.corpus
            if a.id in secret_run.site.expected_ids()} <= keys
    assert any(k.startswith(f"{PREFIX}/runs/") for k in keys) and any(k.endswith(".warc.gz") for k in keys)


def test_bad_credentials_are_one_line_without_the_secret(secret_run: SecretRun) -> None:
    assert_one_line_error(secret_run.bad.result, Exit.STORE_DENIED)
    assert secret_run.server.access_key[-4:] in secret_run.bad.result.err  # enough to tell which key, no more


def test_no_secret_anywhere_the_crawls_wrote(secret_run: SecretRun) -> None:
    server = secret_run.server
    needles = forms(server.secret_key) + forms(secret_run.wrong_secret) + [server.access_key.encode()]
    places: dict[str, bytes] = {f"s3://{k}": v for k, v in bucket_objects(server).items()}
    places.update({str(p): p.read_bytes() for p in secret_run.home.rglob("*") if p.is_file()})
    for run in (secret_run.good, secret_run.bad):
        places[f"stdout {run.run_id if run is secret_run.good else 'bad'}"] = run.result.out.encode()
        places[f"stderr {run.run_id if run is secret_run.good else 'bad'}"] = run.result.err.encode()
    assert any(k.startswith("s3://") and b"WARC-Type: warcinfo" in v for k, v in places.items())
    leaks = [(where, needle) for where, data in places.items() for needle in needles if needle in data]
    assert not leaks, leaks


def test_objects_are_private(secret_run: SecretRun) -> None:
    server = secret_run.server
    client = server.client()
    keys = list(bucket_objects(server))
    for key in keys:
        grants = client.get_object_acl(Bucket=server.bucket, Key=key).get("Grants", [])
        assert not [g for g in grants if "AllUsers" in str(g.get("Grantee", {}).get("URI", ""))], (key, grants)
    # and without credentials nothing can be read
    for key in keys[:5]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.endpoint_url}/{server.bucket}/{quote(key)}", timeout=5)
        assert refused.value.code in (401, 403)
