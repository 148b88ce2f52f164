"""WACZ benchmark: `newsarchive export --format wacz` against py-wacz's `wacz create`, same WARC files, one run.

    python bench/wacz.py [--articles 100000] [--no-demo] [--no-generated] [--keep DIR]

Two archives: the demo (`python -m tests.site.demo`, a real crawl of the local
site, 7 print days) and a generated one (bench/synthetic_store.py: N articles
in crawls of 1,000, real WARC captures, the site's requisites and photos).

newsarchive packages every article of the store (no filter): it finds each
article's capture and what its page uses in the store's replay index, copies
those records into new WARC files, sorts the index into ZipNum blocks and
writes pages with titles. Baseline: `wacz create --detect-pages` of py-wacz
0.6 (the reference tool) on all the store's WARC files, copied whole. Both run
as child processes; figures are wall time and peak RSS (getrusage of the
children), and both packages are checked with `wacz validate`. The store's
replay index is built before timing (it is a cache that `newsarchive replay`
keeps current; its build is timed apart).

Target (issue 12): under 300 MB of memory at 100,000 articles.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.crawl import timed  # noqa: E402
from bench.synthetic_store import generate  # noqa: E402
from newsarchive.replay.env import ReplayEnv  # noqa: E402
from newsarchive.replay.index import ReplayIndex  # noqa: E402
from newsarchive.store import LocalStore  # noqa: E402

TARGET_MB = 300


def demo_store(root: Path) -> Path:
    subprocess.run([sys.executable, "-m", "tests.site.demo", "--store", str(root)], cwd=REPO, check=True,
                   capture_output=True)
    return root


def validate(env: ReplayEnv, package: Path) -> bool:
    result = subprocess.run([str(env.bin("wacz")), "validate", "-f", str(package)], capture_output=True, text=True)
    return result.returncode == 0


def measure(env: ReplayEnv, store: Path, work: Path, name: str) -> dict[str, Any]:
    os.environ["NEWSARCHIVE_CACHE"] = str(work / "cache")
    started = time.perf_counter()
    update = ReplayIndex(LocalStore(store)).update()
    index_seconds = time.perf_counter() - started
    articles = sum(1 for _ in (store / "records").rglob("*.json"))
    ours = work / f"{name}.wacz"
    seconds, rss, proc = timed([sys.executable, "-m", "newsarchive", "export", "--format", "wacz", "-o", str(ours),
                                "--store", str(store)], cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"export failed: {proc.stderr[-2000:]}")
    warcs = sorted(str(p) for p in (store / "warc").rglob("*.warc.gz"))
    base = work / f"{name}-pywacz.wacz"
    b_seconds, b_rss, b_proc = timed([str(env.bin("wacz")), "create", "-o", str(base), "--detect-pages", *warcs])
    if b_proc.returncode != 0:
        raise SystemExit(f"wacz create failed: {b_proc.stderr[-2000:]}")
    return {
        "articles": articles, "store_bytes": sum(p.stat().st_size for p in store.rglob("*") if p.is_file()),
        "replay_index_lines": update.lines, "replay_index_seconds": round(index_seconds, 2),
        "newsarchive": {"seconds": round(seconds, 2), "peak_rss_mb": round(rss / 1024, 1),
                        "bytes": ours.stat().st_size, "valid": validate(env, ours),
                        "articles_per_s": round(articles / seconds, 1)},
        "pywacz (baseline)": {"seconds": round(b_seconds, 2), "peak_rss_mb": round(b_rss / 1024, 1),
                              "bytes": base.stat().st_size, "valid": validate(env, base)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="size of the generated store")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--no-generated", action="store_true")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    env = ReplayEnv().ensure(say=lambda line: print(line, file=sys.stderr))
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-wacz-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    try:
        if not args.no_demo:
            print("demo archive ...", file=sys.stderr, flush=True)
            results["demo"] = measure(env, demo_store(work / "demo"), work, "demo")
        if not args.no_generated:
            print(f"generating {args.articles:,} articles ...", file=sys.stderr, flush=True)
            made = generate(work / "generated", args.articles)
            results["generated"] = measure(env, work / "generated", work, "generated")
            results["generated"]["generate_seconds"] = round(made["seconds"], 1)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ok = True
    for name, r in results.items():
        ours, base = r["newsarchive"], r["pywacz (baseline)"]
        print(f"{name}: {r['articles']:,} articles, store {r['store_bytes'] / 1e6:,.0f} MB "
              f"(replay index {r['replay_index_lines']:,} lines, {r['replay_index_seconds']} s)")
        for label, f in (("newsarchive", ours), ("py-wacz create (baseline)", base)):
            print(f"  {label:28} {f['seconds']:8.1f} s  peak RSS {f['peak_rss_mb']:7.1f} MB  "
                  f"{f['bytes'] / 1e6:9,.1f} MB  valid={f['valid']}")
        ok = ok and ours["valid"] and ours["peak_rss_mb"] < TARGET_MB
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(f"target: under {TARGET_MB} MB, valid: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
