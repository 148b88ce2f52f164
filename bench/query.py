"""Search benchmark: build rate, index size and ranked top-10 latency on synthetic corpora.

    python bench/query.py                          # 100,000 records
    python bench/query.py --sizes 100000,1000000   # and a million (about 4 GB of records, some minutes)

Targets at 1,000,000 articles: median under 20 ms and p99 under 100 ms for
every query class; build at least 5,000 records/s. Records come from
bench.sample (realistic shape, Zipfian words) and are written in
the store layout; the build is timed from the store (listing, reading,
parsing, indexing, merging), as `newsarchive index` runs it. Query time is
`Archive.search(limit=10)` end to end (query building, BM25 top-10, reading
the ten records from the store), without snippets and without the staleness
check, which is timed on its own.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sample import SampleCorpus, write_records  # noqa: E402
from newsarchive.search import Archive  # noqa: E402
from newsarchive.search.index import change_marker  # noqa: E402

TARGET_MEDIAN_MS, TARGET_P99_MS, TARGET_BUILD_RATE = 20.0, 100.0, 5_000


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def words_by_class(archive: Archive, corpus: SampleCorpus, n_docs: int, rng: random.Random) -> dict[str, list[str]]:
    """Query words picked by their real document frequency in the built index."""
    searcher = archive.index.searcher()
    df = {w: searcher.doc_freq("body", w) for w in corpus.core[:4000] + rng.sample(corpus.tail[:50_000], 3000)}
    bands = {"common": (0.10, 1.01), "medium": (0.001, 0.01), "rare": (1 / n_docs, 0.0001 + 1 / n_docs)}
    words = {name: [w for w, f in df.items() if lo <= f / n_docs < hi and f > 0] for name, (lo, hi) in bands.items()}
    for name, found in words.items():
        if not found:
            raise SystemExit(f"no {name} words in the corpus: the generator changed?")
    words["common"] = [w for w in words["common"] if len(w) > 3] or words["common"]  # not "the"/"of" alone
    return words


def _queries(words: dict[str, list[str]], rng: random.Random, n: int) -> dict[str, list[str]]:
    classes = {name: [rng.choice(found) for _ in range(n)] for name, found in words.items()}
    classes["two common words"] = [" ".join(rng.sample(words["common"], 2)) for _ in range(n)]
    classes["common + medium"] = [f"{rng.choice(words['common'])} {rng.choice(words['medium'])}" for _ in range(n)]
    return classes


def _random_filters(rng: random.Random) -> dict[str, Any]:
    year = rng.randint(2000, 2025)
    return {"section": rng.choice(["taiwan", "biz", "world", "front"]),
            "since": f"{year}-01-01", "until": f"{year}-12-31"}


def _latencies(run: Callable[[], Any], repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        run()
    return (time.perf_counter() - start) * 1000 / repeat


def bench(size: int, workdir: Path, n_queries: int, seed: int) -> bool:
    rng = random.Random(seed)
    store, index_dir = workdir / f"store-{size}", workdir / f"index-{size}"
    corpus = SampleCorpus(seed)
    print(f"\n== {size:,} records ==", flush=True)
    if not (store / "records").exists():
        start = time.perf_counter()
        write_records(store, corpus.records(size))
        print(f"wrote the store in {time.perf_counter() - start:.0f} s ({_size(store) / 1e9:.2f} GB)", flush=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    archive = Archive(str(store), index_dir=str(index_dir), auto_update=False)
    load, cpu = os.getloadavg()[0], time.process_time()
    stats = archive.update()
    cpu = time.process_time() - cpu
    rate = stats.records / stats.seconds
    index_bytes = _size(index_dir)
    print(f"  ({cpu / stats.records * 1e6:,.0f} us of CPU per record over all threads, {os.cpu_count()} cores, "
          f"load average {load:.1f} before the build: other work on the machine slows the wall clock)")
    print(f"build: {stats.records:,} records in {stats.seconds:.1f} s = {rate:,.0f} records/s "
          f"(target >= {TARGET_BUILD_RATE:,})  {'OK' if rate >= TARGET_BUILD_RATE else 'MISSED'}")
    print(f"index size: {index_bytes / 1e6:,.0f} MB ({index_bytes / stats.records:,.0f} bytes/record, "
          f"records themselves stay in the store)")
    check_ms = statistics.median(_latencies(lambda: change_marker(archive.store)) for _ in range(5))
    no_change = archive.update()
    print(f"staleness check: {check_ms:.0f} ms; update with nothing changed: {no_change.seconds:.1f} s")

    words = words_by_class(archive, corpus, stats.records, rng)
    ok = rate >= TARGET_BUILD_RATE
    print(f"{'query class':<34} {'median ms':>10} {'p99 ms':>8} {'hits/query':>11}")
    for name, queries in _queries(words, rng, n_queries).items():
        for filtered in (False, True):
            times, hits = [], 0
            for q in queries:
                filters = _random_filters(rng) if filtered else {}
                start = time.perf_counter()
                found = archive.search(q, limit=10, snippets=False, **filters)
                times.append((time.perf_counter() - start) * 1000)
                hits += len(found)
            median, p99 = statistics.median(times), percentile(times, 0.99)
            good = median < TARGET_MEDIAN_MS and p99 < TARGET_P99_MS
            ok &= good
            label = f"{name}{' + section + year' if filtered else ''}"
            print(f"{label:<34} {median:>10.2f} {p99:>8.2f} {hits / len(queries):>11.1f}  {'OK' if good else 'MISSED'}",
                  flush=True)
    archive.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated corpus sizes (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per class (default 200)")
    parser.add_argument("--workdir", help="keep stores and indexes here (reused across runs); default a temp dir")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = [bench(int(size), workdir, args.queries, args.seed) for size in args.sizes.split(",")]
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\nall targets met" if all(results) else "\nsome targets missed")


if __name__ == "__main__":
    main()
