"""Reading-room benchmark: server time of the search page, the chart's counts and the article page.

    python bench/webapp.py                                   # 100,000 synthetic records
    python bench/webapp.py --store /path/to/store-1m         # an existing store (index built first if needed)
    python bench/webapp.py --size 1000000 --workdir /big     # a million, kept for later runs

Targets at 1,000,000 articles: the search page's server time p50 < 50 ms
and p99 < 200 ms; counts by month for a common word (the chart) < 300 ms;
an article page < 50 ms from a local store.

What is measured: a real `newsarchive serve` (uvicorn) on 127.0.0.1, asked
over HTTP one request at a time; "server time" is the app's own
`Server-Timing` (from the request reaching the app to the response's first
byte), "wall" what the client waited. Baseline in the same run: the same
work through the library alone (`Archive.search(limit=20)` with snippets,
`Archive.counts`, `Archive.get`), query by query in alternating order, so
the web layer's cost is what the two differ by. Query words are picked by their document frequency in the index,
as bench/query.py does.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.query import percentile, words_by_class  # noqa: E402
from bench.sample import SampleCorpus, write_records  # noqa: E402
from newsarchive.search import Archive  # noqa: E402

TARGET_PAGE_P50, TARGET_PAGE_P99, TARGET_COUNTS, TARGET_ARTICLE = 50.0, 200.0, 300.0, 50.0
REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`newsarchive serve` on the store, its index where this process built it ($NEWSARCHIVE_CACHE)."""

    def __init__(self, store: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "newsarchive", "serve", "--store", str(store),
                                      "--port", str(self.port)], cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 600
        while True:
            try:
                self.get("/static/style.css")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"newsarchive serve did not start; see {log}") from None
                time.sleep(0.2)

    def get(self, path: str) -> tuple[float, float, int]:
        """(server ms, wall ms, bytes) of one GET."""
        start = time.perf_counter()
        with urllib.request.urlopen(self.url + path, timeout=120) as response:
            body = response.read()
            timing = response.headers.get("server-timing", "")
        wall = (time.perf_counter() - start) * 1000
        server = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
        return server, wall, len(body)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def _ms(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def _both(inputs: list[str], served: Callable[[str], tuple[float, float, int]],
          library: Callable[[str], Any]) -> tuple[list[tuple[float, float, int]], list[float]]:
    """Each input through the server and through the library, in alternating order, so that neither always
    finds the other's work in the caches."""
    through_server, through_library = [], []
    for i, value in enumerate(inputs):
        if i % 2:
            through_library.append(_ms(lambda: library(value)))  # noqa: B023 - called at once
            through_server.append(served(value))
        else:
            through_server.append(served(value))
            through_library.append(_ms(lambda: library(value)))  # noqa: B023 - called at once
    return through_server, through_library


def _line(label: str, values: list[float], target: tuple[float, float] | None, extra: str = "") -> bool:
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    good = target is None or (p50 < target[0] and p99 < target[1])
    verdict = "" if target is None else ("OK" if good else "MISSED")
    print(f"  {label:<44} {p50:>8.1f} {p99:>8.1f}  {extra:<18} {verdict}", flush=True)
    return good


def bench(store: Path, workdir: Path, n_queries: int, seed: int) -> bool:
    rng = random.Random(seed)
    os.environ["NEWSARCHIVE_CACHE"] = str(workdir / "cache")
    archive = Archive(str(store), auto_update=False)
    if not archive.index.exists:
        print("building the index (once) ...", flush=True)
    stats = archive.update()
    print(f"index: {stats.records:,} records ({stats.seconds:.0f} s to bring up to date)", flush=True)
    words = words_by_class(archive, SampleCorpus(seed), stats.records, rng)
    pick = rng.choice
    classes = {name: [pick(found) for _ in range(n_queries)] for name, found in words.items()}
    classes["two common words"] = [f"{pick(words['common'])} {pick(words['common'])}" for _ in range(n_queries)]
    classes["common + medium"] = [f"{pick(words['common'])} {pick(words['medium'])}" for _ in range(n_queries)]
    classes["phrase of two common words"] = [f'"{pick(words["common"])} {pick(words["common"])}"'
                                             for _ in range(n_queries)]
    server = Server(store, workdir / "serve.log")
    ok = True
    try:
        print(f"\n{'search page /?q= (20 hits, total, snippets)':<46} {'p50 ms':>8} {'p99 ms':>8}")
        for name, queries in classes.items():
            server.get("/?q=" + urllib.parse.quote(queries[0]))  # warm
            page, library = _both(queries, lambda q: server.get("/?q=" + urllib.parse.quote(q)),
                                  lambda q: archive.search(q, limit=20))
            ok &= _line(f"{name}: server", [p[0] for p in page], (TARGET_PAGE_P50, TARGET_PAGE_P99))
            _line(f"{name}: wall", [p[1] for p in page], None, f"{statistics.median(p[2] for p in page) / 1024:.0f} KB")
            _line(f"{name}: baseline Archive.search", library, None)

        print(f"\n{'chart /chart.svg?by=month (counts by month)':<46} {'p50 ms':>8} {'p99 ms':>8}")
        common = classes["common"]
        chart, library = _both(common, lambda q: server.get(f"/chart.svg?by=month&q={urllib.parse.quote(q)}"),
                               lambda q: archive.counts(q, by="month"))
        ok &= _line("common word: server", [c[0] for c in chart], (TARGET_COUNTS, TARGET_COUNTS))
        _line("common word: baseline Archive.counts", library, None)
        api = [server.get(f"/api/counts?by=month&q={urllib.parse.quote(q)}") for q in common]
        ok &= _line("common word, /api/counts: server", [c[0] for c in api], (TARGET_COUNTS, TARGET_COUNTS))

        print(f"\n{'article page /articles/ID':<46} {'p50 ms':>8} {'p99 ms':>8}")
        ids = [h.id for q in common[:20] for h in archive.search(q, limit=10, snippets=False)][: n_queries]
        pages, library = _both(ids, lambda i: server.get(f"/articles/{i}"), archive.get)
        ok &= _line("server", [p[0] for p in pages], (TARGET_ARTICLE, TARGET_ARTICLE * 4))
        _line("baseline Archive.get", library, None)
    finally:
        server.stop()
        archive.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="an existing store to serve (default: write --size synthetic records)")
    parser.add_argument("--size", type=int, default=100_000, help="synthetic records when no --store (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per class (default 200)")
    parser.add_argument("--workdir", help="keep the store, index and logs here (reused across runs); default a temp dir")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="newsarchive-bench-web-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        store = Path(args.store) if args.store else workdir / f"store-{args.size}"
        if not (store / "records").exists():
            start = time.perf_counter()
            write_records(store, SampleCorpus(args.seed).records(args.size))
            print(f"wrote {args.size:,} records in {time.perf_counter() - start:.0f} s", flush=True)
        ok = bench(store, workdir, args.queries, args.seed)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\nall targets met" if ok else "\nsome targets missed")


if __name__ == "__main__":
    main()
