"""Crawl benchmark: newsarchive against wget over the same local copy of the site, in one run.

    python bench/crawl.py [--days 16] [--s3] [--workers N]

The site runs in its own process (pre-rendered), so both crawlers are measured,
not the site. Baseline: `wget --recursive --level=2 --warc-file` from the same
section list pages (wget writes WARC but parses nothing). newsarchive fetches
the same lists and every article on them, parses each article, writes WARC
with request records and a JSON record per article. Figures: pages/s (every
HTTP response, lists and articles alike) and peak RSS of the crawler's process
tree (the largest single process, from getrusage).

Target (issue 3): at least wget's pages/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsarchive.site.urls import SECTIONS  # noqa: E402

BIN = Path(sys.executable).parent


def start_site(days: int, self_links: bool) -> tuple[subprocess.Popen, str]:
    args = [sys.executable, "-m", "tests.site", "serve", "--days", str(days), "--prerender"]
    if self_links:
        args.append("--self-links")
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        raise SystemExit(f"site did not start: {proc.stderr.read() if proc.stderr else ''}")
    return proc, base


def timed(args: list[str], env: dict[str, str] | None = None,
          cwd: Path | None = None) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall time and peak RSS (KiB) of a command and its descendants."""
    wrapper = ("import resource,subprocess,sys,time;t=time.perf_counter();"
               "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
               "w=time.perf_counter()-t;sys.stdout.write(p.stdout);sys.stderr.write(p.stderr);"
               "print('\\nBENCH',w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,p.returncode)")
    proc = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd)
    line = [row for row in proc.stdout.splitlines() if row.startswith("BENCH ")][-1].split()
    return float(line[1]), int(line[2]), proc


def list_urls(base: str, days: list[dt.date]) -> list[str]:
    return [f"{base}/News/{s}?pubdate={d:%Y-%m-%d}" for d in days for s in SECTIONS]


def run_wget(base: str, days: list[dt.date], work: Path) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    seeds = work / "seeds.txt"
    seeds.write_text("\n".join(list_urls(base, days)) + "\n")
    # flat names: a list saved as News/world would block saving News/world/archives/...
    elapsed, rss, proc = timed(["wget", "--recursive", "--level=2", "--no-verbose", "--no-directories",
                                "-e", "robots=off", "--warc-file", str(work / "wget"), "--no-warc-keep-log",
                                "--directory-prefix", str(work / "mirror"), "--input-file", str(seeds)], cwd=work)
    pages = proc.stderr.count(" URL:")
    return {"pages": pages, "seconds": elapsed, "pages_per_s": pages / elapsed, "peak_rss_mb": rss / 1024}


def run_newsarchive(base: str, days: list[dt.date], store: str, env: dict[str, str] | None = None,
                    extra: list[str] | None = None) -> dict[str, float]:
    args = [str(BIN / "newsarchive"), "crawl", "--base-url", base, "--store", store,
            "--since", days[0].isoformat(), "--until", days[-1].isoformat(), *(extra or [])]
    elapsed, rss, proc = timed(args, env=env)
    if proc.returncode != 0 or "BENCH" not in proc.stdout:
        raise SystemExit(f"crawl failed:\n{proc.stderr[-3000:]}")
    code = int(proc.stdout.split()[-1])
    if code != 0:
        raise SystemExit(f"crawl exited {code}:\n{proc.stderr[-3000:]}")
    counts = {}
    for line in proc.stderr.splitlines():
        if line.strip().startswith("lists:"):
            counts["lists"] = int(line.split()[1])
        if line.strip().startswith("articles:"):
            counts["articles"] = int(line.split()[1])
    pages = counts.get("lists", 0) + counts.get("articles", 0)
    return {"pages": pages, "articles": counts.get("articles", 0), "seconds": elapsed,
            "pages_per_s": pages / elapsed, "peak_rss_mb": rss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=16, help="print days to crawl (66 articles a day: 16 ≈ 1,000)")
    parser.add_argument("--s3", action="store_true", help="also crawl into a real SeaweedFS")
    parser.add_argument("--workers", type=int, default=0, help="also run N workers on a shared frontier (bench/workers.py)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    from tests.site.corpus import default_days

    days = default_days(args.days)
    results: dict[str, dict[str, float]] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    site, base = start_site(args.days, self_links=False)
    wsite, wbase = start_site(args.days, self_links=True)
    try:
        results["wget (baseline)"] = run_wget(wbase, days, work / "wget")
        results["newsarchive, local store"] = run_newsarchive(base, days, str(work / "store"))
        if args.s3:
            from tests.plugins.seaweed import SeaweedServer

            with SeaweedServer(work / "weed") as weed:
                results["newsarchive, SeaweedFS"] = run_newsarchive(
                    base, days, f"s3://{weed.bucket}/bench", env=weed.env,
                    extra=["--spool-dir", str(work / "spool")])
        if args.workers:
            from bench.workers import run_workers

            results.update(run_workers(base, days, args.workers, work))
    finally:
        for proc in (site, wsite):
            proc.terminate()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)

    floor = results["wget (baseline)"]["pages_per_s"]
    print(f"{'':28} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'vs wget':>8} {'peak RSS':>9}")
    for name, r in results.items():
        print(f"{name:28} {r['pages']:>6.0f} {r['seconds']:>8.2f} {r['pages_per_s']:>8.1f} "
              f"{r['pages_per_s'] / floor:>7.2f}x {r['peak_rss_mb']:>7.0f}MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
