"""Replay benchmark: the latency of one article through `newsarchive replay` (pywb), local store and S3.

    python bench/replay.py [--requests 300] [--no-s3]

The store is the demo archive (`python -m tests.site.demo`: a real crawl of
the local site). One article is asked for again and again, one request at a
time, as a reader's browser would: in `id_` mode (the bytes as captured, with
Accept-Encoding: gzip) and as pywb shows the page (rewritten). Baseline, same
run, same record: reading it straight from the store with the Store API (one
ranged read and the gzip member inflated, `archive.warcread.read_record`),
i.e. the floor under any replay. S3 is SeaweedFS on the same two cores
(`weed mini`, tests/plugins/seaweed.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsarchive.archive.replay import replay_url  # noqa: E402
from newsarchive.archive.warcread import read_record  # noqa: E402
from newsarchive.replay.env import ReplayEnv  # noqa: E402
from newsarchive.replay.server import ReplayServer  # noqa: E402
from newsarchive.store import LocalStore, Store  # noqa: E402

WARMUP = 10


def latencies(fetch: Callable[[], object], n: int) -> dict[str, float]:
    for _ in range(WARMUP):
        fetch()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
            "max_ms": round(times[-1], 2)}


def get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def measure(store: Store, record: dict[str, Any], n: int) -> dict[str, Any]:
    capture = record["capture"]
    expected = read_record(store, capture["warc"], capture["offset"], capture["length"]).payload
    started = time.perf_counter()
    with ReplayServer(store, port=0) as server:
        startup = time.perf_counter() - started
        original = str(replay_url(record, server.base_url, original=True))
        assert get(original) == expected, "replay is not byte for byte"
        return {
            "startup_s": round(startup, 2),
            "pywb id_": latencies(lambda: get(original), n),
            "pywb rewritten": latencies(lambda: get(str(replay_url(record, server.base_url))), n),
            "store read (baseline)": latencies(
                lambda: read_record(store, capture["warc"], capture["offset"], capture["length"]), n),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    ReplayEnv().ensure(say=lambda line: print(line, file=sys.stderr))
    work = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    os.environ["NEWSARCHIVE_CACHE"] = str(work / "cache")
    results: dict[str, Any] = {}
    try:
        root = work / "demo"
        subprocess.run([sys.executable, "-m", "tests.site.demo", "--store", str(root)], cwd=REPO, check=True,
                       capture_output=True)
        record = json.loads(next(iter(sorted((root / "records").rglob("*.json")))).read_text())
        results["local store"] = measure(LocalStore(root), record, args.requests)
        if not args.no_s3:
            from newsarchive.store.s3 import S3Store
            from tests.plugins.seaweed import SeaweedServer

            with SeaweedServer(work / "weed") as weed:
                os.environ.update(weed.env)
                client = weed.client()
                for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
                    rel = path.relative_to(root).as_posix()
                    if not rel.startswith("."):
                        client.upload_file(str(path), weed.bucket, f"demo/{rel}")
                with S3Store(weed.bucket, "demo", spool_dir=work / "spool") as s3:
                    results["S3 (SeaweedFS)"] = measure(s3, record, args.requests)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, r in results.items():
        print(f"{name} (pywb start {r['startup_s']} s):")
        for label in ("pywb id_", "pywb rewritten", "store read (baseline)"):
            f = r[label]
            print(f"  {label:24} p50 {f['p50_ms']:7.2f} ms  p95 {f['p95_ms']:7.2f} ms  max {f['max_ms']:7.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
