"""What tests need to read back an archive: its records, its WARC records, its soundness.

Independent of the code under test where it matters: WARCs are read with
warcio directly and checked with the real `warcio check` command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

WARCIO = str(Path(sys.executable).with_name("warcio"))
FASTWARC = str(Path(sys.executable).with_name("fastwarc"))


@dataclass
class WarcRecord:
    file: Path
    offset: int
    type: str
    url: str | None
    record_id: str
    concurrent_to: str | None
    refers_to: str | None
    status: int | None
    headers: dict[str, str]
    payload: bytes


def records(store: Path) -> dict[str, dict[str, Any]]:
    """Every JSON record under records/, by id; fails on an id stored twice."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((store / "records").rglob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        assert record["id"] not in out, f"article {record['id']} recorded twice: {path}"
        assert path.name == f"{record['id']}.json"
        out[record["id"]] = record
    return out


def warc_files(store: Path) -> list[Path]:
    return sorted((store / "warc").rglob("*.warc.gz"))


def warc_records(store: Path) -> list[WarcRecord]:
    out = []
    for path in warc_files(store):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                h = rec.rec_headers
                payload = rec.content_stream().read() if rec.rec_type in ("response", "metadata", "revisit") else b""
                out.append(WarcRecord(
                    file=path, offset=it.get_record_offset(), type=rec.rec_type, url=h.get_header("WARC-Target-URI"),
                    record_id=h.get_header("WARC-Record-ID"), concurrent_to=h.get_header("WARC-Concurrent-To"),
                    refers_to=h.get_header("WARC-Refers-To"),
                    status=(int(rec.http_headers.get_statuscode())
                            if rec.http_headers and rec.rec_type in ("response", "revisit") else None),
                    headers=dict(h.headers), payload=payload,
                ))
    return out


def warcio_check(store: Path) -> None:
    """`warcio check` on every WARC file: digests verified by the reference implementation."""
    files = warc_files(store)
    assert files, "no WARC files"
    result = subprocess.run([WARCIO, "check", "-v", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "digest present and correct" in result.stdout or "digest pass" in result.stdout


def fastwarc_check(store: Path, tmp: Path) -> None:
    """FastWARC's `check -p` on every WARC file: block digests of every record, payload digests of every HTTP one.

    FastWARC hashes what follows a revisit's HTTP headers (nothing) against the original's payload digest, which
    an identical-payload-digest revisit must carry, so it reports every such revisit PAYLOAD_FAIL: those are
    checked block-only (`check` without -p, which must pass on the whole file)."""
    revisits = {r.record_id for r in warc_records(store) if r.type == "revisit"}
    for path in warc_files(store):
        plain = subprocess.run([FASTWARC, "check", "-q", str(path)], capture_output=True, text=True)
        assert plain.returncode == 0, plain.stdout[-3000:] + plain.stderr[-3000:]
        out = tmp / "fastwarc-check.txt"
        subprocess.run([FASTWARC, "check", "-p", "-q", "-o", str(out), str(path)], capture_output=True, text=True)
        lines = out.read_text().splitlines()
        assert lines, f"fastwarc checked nothing in {path}"
        for line in lines:
            record_id, _, verdict = line.partition(": ")
            if record_id in revisits:
                assert verdict.startswith("OK"), line  # the block digest holds
            else:
                assert verdict in ("OK, PAYLOAD_OK", "OK, PAYLOAD_NO_DIGEST"), line


def leftovers(store: Path) -> list[Path]:
    """Temporary or unfinished files: none may remain after a run ends, however it ended."""
    return [p for p in store.rglob("*") if p.is_file() and (p.name.endswith((".open", ".tmp")))]


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the fields the corpus cannot know (parser, provenance, its photos' captures)."""
    from newsarchive.article import image_content

    skip = {"parser", "schema_version", "fetched_url", "fetched_at", "capture"}
    return {k: image_content(v) if k == "images" else v for k, v in record.items() if k not in skip}


def download_bucket(client, bucket: str, prefix: str, dest: Path) -> Path:  # client: a boto3 S3 client
    """Copy every object under a prefix into a folder, so the local checks above apply to an S3 store."""
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        for obj in page.get("Contents", []):
            target = dest / obj["Key"][len(prefix.rstrip("/")) + 1:]
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, obj["Key"], str(target))
    return dest


def spooled(spool: Path) -> list[str]:
    """Keys still waiting in a spool (each entry's metadata file is its commit point)."""
    return [json.loads(p.read_text())["key"] for p in spool.glob("*.json")]
