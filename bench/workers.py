"""`bench/crawl.py --workers N`: the same backfill by 1, 2, ... N worker processes sharing a Redis frontier.

Each round crawls into a store of its own (so a round's frontier key is its own and nothing is already
archived), with all its workers started at once against the same site process; the round's time is from
the start to the last worker's exit, its pages the sum of every worker's (each page is fetched by one
worker only), its peak RSS the largest single process. Valkey runs on 127.0.0.1 for the benchmark.

    python bench/crawl.py --workers 2          # rows "newsarchive, 1 worker(s)" and "..., 2 worker(s)"
    python bench/workers.py --workers 2        # the same rows without the wget baseline
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def run_round(base: str, days: list, workers: int, store: Path, frontier: str) -> dict[str, float]:
    """One crawl by `workers` processes at once; pages/s over the wall time of the whole round."""
    from bench.crawl import run_newsarchive

    results: list[dict[str, float]] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            results.append(run_newsarchive(base, days, str(store), extra=["--frontier", frontier]))
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a failed crawl, reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise SystemExit(f"a worker failed: {errors[0]}")
    pages = sum(r["pages"] for r in results)
    return {"pages": pages, "articles": sum(r["articles"] for r in results), "seconds": seconds,
            "pages_per_s": pages / seconds, "peak_rss_mb": max(r["peak_rss_mb"] for r in results)}


def run_workers(base: str, days: list, max_workers: int, work: Path) -> dict[str, dict[str, float]]:
    """Rounds of 1..max_workers workers over the same site, each into a fresh store."""
    from tests.plugins.valkey import ValkeyServer

    out: dict[str, dict[str, float]] = {}
    root = work / "valkey"
    root.mkdir(parents=True, exist_ok=True)
    server = ValkeyServer(root).start()
    try:
        for n in range(1, max_workers + 1):
            out[f"newsarchive, {n} worker(s)"] = run_round(base, days, n, work / f"store-{n}w", server.url)
    finally:
        server.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.crawl import start_site
    from tests.site.corpus import default_days

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    site, base = start_site(args.days, self_links=False)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-workers-") as work:
            results: dict[str, Any] = run_workers(base, default_days(args.days), args.workers, Path(work))
    finally:
        site.terminate()
        site.wait()
    one = results["newsarchive, 1 worker(s)"]["pages_per_s"]
    print(f"{'':28} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'vs 1':>6} {'peak RSS':>9}")
    for name, r in results.items():
        print(f"{name:28} {r['pages']:>6.0f} {r['seconds']:>8.2f} {r['pages_per_s']:>8.1f} "
              f"{r['pages_per_s'] / one:>5.2f}x {r['peak_rss_mb']:>7.0f}MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
