"""Capture benchmark: what photos and page requisites cost a crawl, against the same crawl without them, in one run.

    python bench/capture.py [--days 4] [--rounds 3] [--json FILE]

The site runs in its own process (pre-rendered, photos 50 KB JPEGs, ~40 requisites). Each round crawls the
same print days twice into fresh stores, in alternating order: the baseline with `--no-images --no-requisites`
(pages only: lists and articles, as before issue 12), and the default (every article's photos, the site's
requisites once per crawl). Figures per archived article: wall time of the whole crawl, WARC bytes written
(compressed, as stored) and HTTP exchanges; medians over the rounds. A second crawl of the same store
(`--refresh`: every page again, lists and requisites revisited, photos kept) shows what they cost a day later.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.crawl import BIN, start_site, timed  # noqa: E402

BASELINE = "pages only (--no-images --no-requisites)"
FULL = "pages, photos, requisites (default)"


def crawl(base: str, store: Path, days: list, extra: list[str]) -> dict[str, float]:
    args = [str(BIN / "newsarchive"), "crawl", "--base-url", base, "--store", str(store),
            "--since", days[0].isoformat(), "--until", days[-1].isoformat(), *extra]
    run = timed(args, env={"NEWSARCHIVE_TODAY": days[-1].isoformat()})
    if run["code"] != 0:
        raise SystemExit(f"crawl exited {run['code']}:\n{run['stderr'][-3000:]}")
    report = json.loads(max((store / "runs").glob("*.json")).read_text())
    counts = report["counts"]
    articles = counts["articles_new"] + counts["articles_changed"] + counts["articles_unchanged"]
    return {"seconds": run["wall"], "articles": articles, "bytes": report["bytes_written"],
            "exchanges": counts["responses"], "images": counts["images"], "assets": counts["assets"],
            "revisits": counts["revisits"], "peak_rss_mb": run["rss_mb"]}


def per_article(runs: list[dict[str, float]]) -> dict[str, float]:
    n = runs[0]["articles"]
    return {"articles": n, "ms_per_article": statistics.median(r["seconds"] for r in runs) / n * 1000,
            "kb_per_article": statistics.median(r["bytes"] for r in runs) / n / 1024,
            "exchanges_per_article": statistics.median(r["exchanges"] for r in runs) / n,
            "images": statistics.median(r["images"] for r in runs), "assets": statistics.median(r["assets"] for r in runs),
            "revisits": statistics.median(r["revisits"] for r in runs),
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=4, help="print days to crawl (66 articles a day)")
    parser.add_argument("--rounds", type=int, default=3, help="crawls of each kind (medians are reported)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    from tests.site.corpus import default_days

    days = default_days(args.days)
    work = Path(tempfile.mkdtemp(prefix="bench-capture-"))
    site, base = start_site(args.days, self_links=False)
    runs: dict[str, list[dict[str, float]]] = {BASELINE: [], FULL: [], f"{BASELINE}, --refresh": [],
                                               f"{FULL}, --refresh": []}
    try:
        for n in range(args.rounds):
            kinds = [(BASELINE, ["--no-images", "--no-requisites"]), (FULL, [])]
            for name, extra in kinds if n % 2 == 0 else reversed(kinds):
                store = work / f"{n}-{len(runs[name])}-{'full' if name == FULL else 'pages'}"
                runs[name].append(crawl(base, store, days, extra))
                runs[f"{name}, --refresh"].append(crawl(base, store, days, [*extra, "--refresh"]))
                shutil.rmtree(store, ignore_errors=True)
    finally:
        site.terminate()
        site.wait()
        shutil.rmtree(work, ignore_errors=True)

    results = {name: per_article(r) for name, r in runs.items()}
    print(f"{'':52} {'articles':>8} {'s':>6} {'ms/article':>10} {'KB/article':>10} {'exch/art':>8} "
          f"{'photos':>6} {'assets':>6} {'revisits':>8} {'RSS':>6}")
    for name, r in results.items():
        print(f"{name:52} {r['articles']:>8.0f} {r['seconds']:>6.2f} {r['ms_per_article']:>10.2f} "
              f"{r['kb_per_article']:>10.1f} {r['exchanges_per_article']:>8.2f} {r['images']:>6.0f} {r['assets']:>6.0f} "
              f"{r['revisits']:>8.0f} {r['peak_rss_mb']:>5.0f}M")
    base_r, full_r = results[BASELINE], results[FULL]
    print(f"photos and requisites: {full_r['ms_per_article'] / base_r['ms_per_article']:.2f}x the time, "
          f"{full_r['kb_per_article'] / base_r['kb_per_article']:.2f}x the bytes per article")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
