"""Crawl benchmark: `newsarchive crawl` against wget doing the same work, whole processes timed, in one run.

    python bench/crawl.py [--days 5] [--scale 3] [--rounds 3] [--kinds pages,full] [--stages]
                          [--variant NAME=DIR[;SETTING=VALUE;env:NAME=VALUE]] [--s3] [--workers N]

- The same work. Both crawlers fetch exactly the same URLs from the same server: robots.txt, the 40 section
  lists of 5 print days (8 sections, one page each), the ~1,000 articles they list, and (kind "full") every
  article's photos and the site's page requisites (stylesheets, scripts, icons, fonts). wget is held to that
  set by `--accept-regex` (those days' lists and articles; with `--page-requisites`, the site's /assets/ and
  those days' /images/), and the mirror serves every article under one URL. The server counts requests per
  target; the run fails unless both crawlers made exactly the same requests, and unless the crawl archived
  every article (records and CDXJ lines).
- Two kinds: "pages" (`newsarchive crawl --no-images --no-requisites` against `wget --recursive --level=2`)
  and "full" (the crawl's defaults, photos and requisites, against the same wget with `--page-requisites`).
- Realistic pages, served from disk by a light HTTP/1.1 keep-alive server in its own process (bench/mirror.py).
- Whole processes: wall time from exec to exit (imports, set-up, the parse worker and the close included),
  user+sys CPU of the process tree (/usr/bin/time: every descendant is waited for), peak RSS of the largest
  process, and of the whole tree (sampled every 0.1 s).
- Rounds alternate the runners (each goes first in turn), so drift on a shared machine hits all alike. The
  figure is wget's time / the crawl's time for the same work (>= 1.0: at least as fast as wget), median of the
  rounds, with every round shown, the load average and the CPU other processes used meanwhile.
- A one-article crawl (one section, one day, `--max-articles 1`), of each kind: start-up and close.
- `--stages`: one more crawl per kind with timers injected (a sitecustomize; the package is not changed) gives
  CPU ms per page by stage: fetch (Scrapy's engine, downloader, middlewares, spider: the rest of the main
  process), capture (WARC request and response records), parse (the parse worker), record (JSON record, state,
  metadata record), index (CDXJ at close), and start-up (to the first response). STAGE_HOOKS names them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import mirror  # noqa: E402

BIN = Path(sys.executable).parent
#: crawl options and wget options of each kind of work
KINDS = {
    "pages": (["--no-images", "--no-requisites"], []),
    "full": ([], ["--page-requisites"]),
}

# --------------------------------------------------------------------------------------------------------------------
# timing whole processes
# --------------------------------------------------------------------------------------------------------------------


def _tree_rss_kb(root_pid: int) -> int:
    """Sum of VmRSS over a process and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            with open(f"/proc/{entry}/statm", "rb") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * page_kb
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _busy_seconds() -> float:
    """CPU time used on the whole machine so far (all cores)."""
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / os.sysconf("SC_CLK_TCK")  # user nice system irq softirq steal


def timed(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Wall, user+sys CPU of the process and every descendant, peak RSS (largest process; whole tree).

    /usr/bin/time starts the command, so its RSS is not this (large) process's high-water mark, which a fork
    keeps through exec."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as usage:
        busy0, epoch0, started = _busy_seconds(), time.time(), time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-o", usage.name, "-f", "%U %S %M %x", *args], stdout=out,
                                stderr=err, env={**os.environ, **(env or {})}, cwd=cwd)
        peak_tree = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak_tree[0] = max(peak_tree[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        wall = time.perf_counter() - started
        busy = _busy_seconds() - busy0
        done.set()
        sampler.join()
        user, system, maxrss, code = usage.read().split()[-4:]
    out.seek(0)
    err.seek(0)
    return {"epoch": [epoch0, epoch0 + wall], "wall": wall, "user": float(user), "sys": float(system),
            "cpu": float(user) + float(system), "rss_mb": int(maxrss) / 1024, "tree_rss_mb": peak_tree[0] / 1024,
            "code": int(code), "machine_cpu": busy, "load": os.getloadavg()[0],
            "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


# --------------------------------------------------------------------------------------------------------------------
# the two crawlers
# --------------------------------------------------------------------------------------------------------------------


def accept_regex(days: list[dt.date], kind: str) -> str:
    """Exactly these print days' lists and articles (not the day before a list links to); "full": with the site's
    requisites (/assets/) and those days' photos."""
    dates = "|".join(d.isoformat() for d in days)
    paths = "|".join(f"{d:%Y/%m/%d}" for d in days)
    regex = rf"pubdate=({dates})$|/archives/({paths})/[0-9]{{10}}$"
    if kind == "full":
        regex += rf"|/assets/|/images/({paths})/"
    return regex


def run_wget(base: str, days: list[dt.date], work: Path, kind: str, cdx: bool = False) -> dict[str, Any]:
    from newsarchive.site.urls import SECTIONS

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    seeds = work / "seeds.txt"
    seeds.write_text("".join(f"{base}/News/{s}?pubdate={d.isoformat()}\n" for d in days for s in SECTIONS))
    args = ["wget", "--recursive", "--level=2", "--no-verbose", "--no-directories", *KINDS[kind][1],
            "--accept-regex", accept_regex(days, kind), "--warc-file", str(work / "wget"), "--no-warc-keep-log",
            *(["--warc-cdx"] if cdx else []), "--directory-prefix", str(work / "files"), "--input-file", str(seeds)]
    return timed(args, cwd=work)


def run_crawl(python: str, repo: Path, base: str, since: dt.date, until: dt.date, work: Path, extra: list[str],
              env: dict[str, str] | None = None, store: str | None = None) -> dict[str, Any]:
    """`python -m newsarchive crawl` of the mirror into a fresh store, with `repo` first on PYTHONPATH."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(env or {})
    env.update(x[4:].split("=", 1) for x in extra if x.startswith("env:"))  # type: ignore[misc]
    extra = [x for x in extra if not x.startswith("env:")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(repo), env.get("PYTHONPATH", "")) if p)
    env.setdefault("NEWSARCHIVE_TODAY", until.isoformat())
    target = store or str(work / "store")
    args = [python, "-m", "newsarchive", "crawl", "--base-url", base, "--since", since.isoformat(),
            "--until", until.isoformat(), "--store", target, *extra]
    result = timed(args, env=env, cwd=work)
    (work / "crawl.log").write_text(result["stderr"])
    if result["code"] != 0:
        raise SystemExit(f"crawl exited {result['code']}:\n{result['stderr'][-3000:]}")
    local = work / "store"
    result["records"] = sum(1 for _ in (local / "records").rglob("*.json")) if (local / "records").is_dir() else None
    result["cdxj_lines"] = sum(len(p.read_bytes().splitlines()) for p in local.rglob("*.cdxj")) if local.is_dir() else None
    return result


def run_newsarchive(base: str, days: list[dt.date], store: str, env: dict[str, str] | None = None,
                    extra: list[str] | None = None) -> dict[str, float]:
    """One crawl of `days` into `store` (bench/workers.py): pages (lists + articles) per second, peak RSS."""
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-one-"))
    try:
        r = run_crawl(sys.executable, REPO, base, days[0], days[-1], work, extra or [], env=env, store=store)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    counts = {}
    for line in r["stderr"].splitlines():
        for name in ("lists", "articles"):
            if line.strip().startswith(f"{name}:"):
                counts[name] = int(line.split()[1])
    pages = counts.get("lists", 0) + counts.get("articles", 0)
    return {"pages": pages, "articles": counts.get("articles", 0), "seconds": r["wall"],
            "pages_per_s": pages / r["wall"], "peak_rss_mb": r["rss_mb"]}


def start_site(days: int, self_links: bool) -> tuple[subprocess.Popen, str]:
    """The project's copy of the site, pre-rendered, in its own process (bench/capture.py, bench/workers.py)."""
    args = [sys.executable, "-m", "tests.site", "serve", "--days", str(days), "--prerender"]
    if self_links:
        args.append("--self-links")
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        raise SystemExit(f"site did not start: {proc.stderr.read() if proc.stderr else ''}")
    return proc, base


# --------------------------------------------------------------------------------------------------------------------
# stages: timers injected with a sitecustomize (the package is not changed)
# --------------------------------------------------------------------------------------------------------------------

#: module -> [(attribute path, stage)]: what each stage is, in the package as it is now
STAGE_HOOKS = {
    "newsarchive.crawl.capture": [("WarcCapture.response_downloaded", "capture")],
    "newsarchive.archive.warc": [("WarcWriter.write_metadata", "record")],
    "newsarchive.archive.recovery": [("finish", "index")],
    "newsarchive.pipelines.records": [("RecordPipeline._store", "record")],
    "newsarchive.pipelines.parse": [("parse_to_record", "parse_call")],
}

SITECUSTOMIZE = r'''
import atexit, functools, json, os, sys, time
_DIR = os.environ.get("BENCH_STAGES_DIR")
_HOOKS = json.loads(os.environ.get("BENCH_STAGE_HOOKS", "{}"))
_T = {"pid": os.getpid()}

def _dump():
    t = os.times()
    _T["process_cpu"] = t.user + t.system
    with open(os.path.join(_DIR, f"stages-{os.getpid()}.json"), "w") as fh:
        json.dump(_T, fh)

def _wrap(fn, stage):
    import inspect
    params = inspect.signature(fn).parameters
    any_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())

    @functools.wraps(fn)
    def timed(*a, **k):
        if not any_kw:  # Scrapy's signals pass every named argument to a (*a, **k) receiver
            k = {n: v for n, v in k.items() if n in params}
        if _T.get("pid") != os.getpid():  # a forked worker: its own totals
            _T.clear(); _T["pid"] = os.getpid(); _T["worker"] = True
        if stage == "capture" and "first_response_cpu" not in _T:
            t = os.times(); _T["first_response_cpu"] = t.user + t.system
        t0 = time.thread_time()
        try:
            return fn(*a, **k)
        finally:
            _T[stage] = _T.get(stage, 0.0) + time.thread_time() - t0
            _T[stage + "_n"] = _T.get(stage + "_n", 0) + 1
            if _T.get("worker"):
                _dump()  # a pool worker ends with os._exit: no atexit
    return timed

def _patch(module):
    for path, stage in _HOOKS.get(module.__name__, []):
        owner, _, attr = path.rpartition(".")
        obj = module
        for part in filter(None, owner.split(".")):
            obj = getattr(obj, part)
        setattr(obj, attr, _wrap(getattr(obj, attr), stage))

class _PostImport:
    def find_spec(self, name, path=None, target=None):
        if name not in _HOOKS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            _patch(module)
        spec.loader.exec_module = exec_module
        return spec

if _DIR:
    sys.meta_path.insert(0, _PostImport())
    atexit.register(_dump)
'''

STAGES = ("fetch", "capture", "parse", "record", "index")


def run_stages(python: str, repo: Path, base: str, days: list[dt.date], work: Path, pages: int, articles: int,
               extra: list[str]) -> dict[str, float]:
    hook_dir = work / "sitecustomize"
    hook_dir.mkdir(parents=True, exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
    out = work / "stage-times"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    env = {"PYTHONPATH": str(hook_dir), "BENCH_STAGES_DIR": str(out), "BENCH_STAGE_HOOKS": json.dumps(STAGE_HOOKS)}
    result = run_crawl(python, repo, base, days[0], days[-1], work / "crawl-stages", extra, env)
    if result["records"] != articles:
        raise SystemExit(f"instrumented crawl wrote {result['records']} records, not {articles}: a hook broke it")
    main: dict[str, float] = {}
    workers: list[dict[str, float]] = []
    for path in out.glob("stages-*.json"):
        data = json.loads(path.read_text())
        (workers.append(data) if data.get("worker") else main.update(data))  # type: ignore[func-returns-value]
    worker_cpu = sum(w.get("process_cpu", 0.0) for w in workers)
    parse_calls = sum(w.get("parse_call", 0.0) for w in workers) + main.get("parse_call", 0.0)
    startup = main.get("first_response_cpu", 0.0)
    named = {s: main.get(s, 0.0) for s in ("capture", "record", "index")}
    fetch = main.get("process_cpu", 0.0) - startup - sum(named.values())

    def ms(seconds: float) -> float:
        return 1000 * seconds / pages

    return {"pages": pages, "start-up": startup * 1000, "fetch": ms(fetch), "capture": ms(named["capture"]),
            "parse": ms(worker_cpu if workers else parse_calls), "parse_to_record": ms(parse_calls),
            "record": ms(named["record"]), "index": ms(named["index"]), "main process": ms(main.get("process_cpu", 0.0)),
            "parse workers": ms(worker_cpu), "tree": ms(float(result["cpu"])), "wall": float(result["wall"]),
            "workers": len(workers)}


# --------------------------------------------------------------------------------------------------------------------


def parse_variant(text: str, default_repo: Path, common: list[str]) -> tuple[str, Path, list[str]]:
    """NAME=DIR[;SETTING=VALUE;...;env:NAME=VALUE]: a checkout to crawl with (first on PYTHONPATH), its settings
    and environment. DIR empty: this checkout."""
    name, _, rest = text.partition("=")
    repo, *settings = rest.split(";") if rest else [""]
    extra = common + [x for s in settings if s and not s.startswith("env:") for x in ("--set", s)]
    extra += [s for s in settings if s.startswith("env:")]
    return name, Path(repo) if repo else default_repo, extra


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=5, help="print days (default 5)")
    parser.add_argument("--scale", type=int, default=3,
                        help="articles per section and day, times a real paper's mix of 66 a day (3: 990 in 5 days)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of wget and newsarchive, alternating (default 3)")
    parser.add_argument("--kinds", default="pages,full", help="pages (no photos, no requisites), full, or both")
    parser.add_argument("--one-article-rounds", type=int, default=3, help="one-article crawls of each kind (0: none)")
    parser.add_argument("--stages", action="store_true", help="also one instrumented crawl: CPU ms per page by stage")
    parser.add_argument("--wget-cdx", action="store_true", help="wget also writes its CDX index (--warc-cdx)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to crawl with")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every newsarchive crawl (repeatable)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=DIR[;SETTING=VALUE...]",
                        help="compare checkouts, settings or environments in the same rounds (repeatable)")
    parser.add_argument("--s3", action="store_true", help="also a crawl into a real SeaweedFS on the same machine")
    parser.add_argument("--workers", type=int, default=0, help="also 1..N workers on a shared frontier (bench/workers.py)")
    parser.add_argument("--keep", type=Path, help="build the mirror and keep the outputs here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    from tests.site.corpus import default_days

    days = default_days(args.days)
    kinds = [k for k in args.kinds.split(",") if k]
    common = [x for s in args.settings for x in ("--set", s)]
    variants = [parse_variant(v, REPO, common) for v in args.variant] or [("newsarchive", REPO, common)]
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "mirror"
    shutil.rmtree(root, ignore_errors=True)
    server = subprocess.Popen([sys.executable, str(Path(mirror.__file__)), "serve", str(root), "site", "self"],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base, wbase = server.stdout.readline().split()
    weed = None
    figures: dict[str, Any] = {"variants": {name: [str(repo), extra] for name, repo, extra in variants},
                               "load_before": os.getloadavg()}
    rounds: dict[str, list[dict[str, dict]]] = {k: [] for k in kinds}
    one: dict[str, list[dict]] = {}
    stages: dict[str, dict] = {}
    try:
        m = figures["mirror"] = mirror.build(root, days, args.scale, wbase)
        print(f"mirror: {m['lists']} lists, {m['articles']} articles ({m['article_kb']:.1f} KB each, "
              f"{m['article_gz_kb']:.1f} KB gzipped), {m['photos']} photos, {m['requisites']} requisites; "
              f"{days[0]} .. {days[-1]}; load average {os.getloadavg()[0]:.1f}", flush=True)
        runs = list(variants)
        if args.s3:
            from tests.plugins.seaweed import SeaweedServer

            weed = SeaweedServer(work / "weed").__enter__()
            runs.append(("newsarchive, SeaweedFS", REPO, common + [f"env:{k}={v}" for k, v in weed.env.items()]
                         + ["--spool-dir", str(work / "spool")]))
        for n in range(args.rounds):
            for kind in kinds if n % 2 == 0 else kinds[::-1]:
                runners = ["wget"] + [name for name, _, _ in runs]
                order = runners[n % len(runners):] + runners[:n % len(runners)]  # each goes first in turn
                this: dict[str, dict] = {}
                for who in order:
                    url = wbase if who == "wget" else base
                    mirror.control(url, "reset")
                    cpu0 = mirror.control(url, "hits")["cpu"]
                    if who == "wget":
                        r = run_wget(wbase, days, work / "wget", kind, args.wget_cdx)
                    else:
                        _, repo, extra = next(v for v in runs if v[0] == who)
                        store = f"s3://{weed.bucket}/bench-{n}-{kind}" if weed is not None and who.endswith("SeaweedFS") else None
                        r = run_crawl(args.python, repo, base, days[0], days[-1], work / "crawl", KINDS[kind][0] + extra,
                                      store=store)
                        if store is None and (r["records"] != m["articles"] or r["cdxj_lines"] < r["records"]):
                            keep = work / f"failed-{who}-{kind}-{n}"
                            shutil.rmtree(keep, ignore_errors=True)
                            shutil.copytree(work / "crawl", keep)
                            raise SystemExit(f"{who} wrote {r['records']} records, {r['cdxj_lines']} CDXJ lines "
                                             f"(kept in {keep}):\n{r['stderr'][-2000:]}")
                    seen = mirror.control(url, "hits")
                    r["hits"] = seen["hits"]
                    r["requests"] = sum(seen["hits"].values())
                    r["server_cpu"] = seen["cpu"] - cpu0
                    r["other_cpu"] = max(0.0, r["machine_cpu"] - r["cpu"] - r["server_cpu"])
                    if seen["span"]:  # start-up (exec to first request), fetching (first to last), tail (to exit)
                        r["phases"] = [seen["span"][0] - r["epoch"][0], seen["span"][1] - seen["span"][0],
                                       r["epoch"][1] - seen["span"][1]]
                    print(f"  round {n + 1} {kind:5} {who:22}: {r['requests']} requests, {r['wall']:.2f} s wall, "
                          f"{r['user']:.2f}+{r['sys']:.2f} s CPU, {r['rss_mb']:.0f} MB (tree {r['tree_rss_mb']:.0f} MB), "
                          f"server {r['server_cpu']:.2f} s, others {r['other_cpu']:.2f} s CPU, load {r['load']:.1f}; "
                          f"phases {'/'.join(f'{x:.2f}' for x in r.get('phases', []))} s", flush=True)
                    this[who] = r
                reference = this["wget"]["hits"]  # exactly the same requests, or the comparison means nothing
                for who, r in this.items():
                    if r["hits"] != reference:
                        w, c = reference, r["hits"]
                        raise SystemExit(f"{kind}: not the same work: wget {len(w)} URLs / {sum(w.values())} requests, "
                                         f"{who} {len(c)} / {sum(c.values())}; only wget: "
                                         f"{sorted(set(w) - set(c))[:5]}; only {who}: {sorted(set(c) - set(w))[:5]}; "
                                         f"twice: {sorted(u for u, k in c.items() if k > 1)[:5]}")
                rounds[kind].append(this)
        for n in range(args.one_article_rounds):
            for kind in kinds:
                for name, repo, extra in variants if n % 2 == 0 else variants[::-1]:
                    mirror.control(base, "reset")
                    r = run_crawl(args.python, repo, base, days[-1], days[-1], work / "one",
                                  ["--sections", "front", "--max-articles", "1", *KINDS[kind][0], *extra])
                    r["requests"] = sum(mirror.control(base, "hits")["hits"].values())
                    one.setdefault(f"{name}, {kind}", []).append(r)
        if args.stages:
            for kind in kinds:
                pages = rounds[kind][-1]["wget"]["requests"] if rounds[kind] else 0
                for name, repo, extra in variants:
                    stages[f"{name}, {kind}"] = run_stages(args.python, repo, base, days, work, pages, m["articles"],
                                                           KINDS[kind][0] + extra)
        if args.workers:
            from bench.workers import run_workers

            figures["workers"] = run_workers(base, days, args.workers, work)
    finally:
        server.terminate()
        server.wait()
        if weed is not None:
            weed.__exit__(None, None, None)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    figures["load_after"] = os.getloadavg()
    figures["summary"] = {}
    for kind, rs in rounds.items():
        if not rs:
            continue
        runners = list(rs[0])
        print(f"\n{kind}: {rs[-1]['wget']['requests']} requests each; medians of {len(rs)} rounds")
        print(f"{'':24} {'wall s':>7} {'CPU s':>6} {'user':>6} {'sys':>5} {'RSS MB':>6} {'tree MB':>7} "
              f"{'CPU ms/req':>10} {'others s':>8} {'vs wget':>8}")
        for who in ["wget"] + [w for w in runners if w != "wget"]:
            med = {k: _median([float(r[who][k]) for r in rs]) for k in
                   ("wall", "cpu", "user", "sys", "rss_mb", "tree_rss_mb", "other_cpu", "load")}
            ratios = [r["wget"]["wall"] / r[who]["wall"] for r in rs]
            med["ratio"] = _median(ratios)
            med["ratio_rounds"] = ratios  # type: ignore[assignment]
            med["cpu_ratio"] = _median([r["wget"]["cpu"] / r[who]["cpu"] for r in rs])
            med["phases"] = [_median([r[who]["phases"][i] for r in rs]) for i in range(3)]  # type: ignore[assignment]
            figures["summary"][f"{who}, {kind}"] = med
            print(f"{who:24} {med['wall']:>7.2f} {med['cpu']:>6.2f} {med['user']:>6.2f} {med['sys']:>5.2f} "
                  f"{med['rss_mb']:>6.0f} {med['tree_rss_mb']:>7.0f} {1000 * med['cpu'] / rs[-1][who]['requests']:>10.2f} "
                  f"{med['other_cpu']:>8.2f} {med['ratio']:>7.2f}x")
        for who in runners:
            s = figures["summary"][f"{who}, {kind}"]
            ph = s["phases"]
            print(f"  {who:22} start-up {ph[0]:.2f} s, fetching {ph[1]:.2f} s, tail {ph[2]:.2f} s"
                  + ("" if who == "wget" else f"; wget time / its time: {s['ratio']:.2f}x (rounds "
                     f"{', '.join(f'{x:.2f}' for x in s['ratio_rounds'])}), CPU {s['cpu_ratio']:.2f}x"))
        for name, _, _ in variants[1:]:
            first = variants[0][0]
            d = [r[name]["wall"] / r[first]["wall"] for r in rs]
            c = [r[name]["cpu"] / r[first]["cpu"] for r in rs]
            print(f"  {name} / {first}: wall {_median(d):.3f} (rounds {', '.join(f'{x:.2f}' for x in d)}), "
                  f"CPU {_median(c):.3f} (rounds {', '.join(f'{x:.2f}' for x in c)})")
    for name, runs_ in one.items():
        walls = [float(r["wall"]) for r in runs_]
        print(f"one-article crawl, {name} ({runs_[0]['requests']} requests): {_median(walls):.2f} s wall "
              f"(runs {', '.join(f'{x:.2f}' for x in walls)}), {_median([float(r['cpu']) for r in runs_]):.2f} s CPU, "
              f"{_median([float(r['rss_mb']) for r in runs_]):.0f} MB")
        figures.setdefault("one_article", {})[name] = {"wall": walls, "cpu": [r["cpu"] for r in runs_],
                                                       "rss_mb": [r["rss_mb"] for r in runs_]}
    for name, st in stages.items():
        print(f"\nCPU ms per page by stage, {name} ({st['pages']} requests, one instrumented crawl, {st['wall']:.2f} s):")
        for stage in STAGES:
            print(f"  {stage:10} {st[stage]:7.2f}")
        print(f"  {'start-up':10} {st['start-up']:7.0f} ms once (imports, set-up, to the first response)")
        print(f"  main process {st['main process']:.2f}, parse worker(s) {st['parse workers']:.2f} ({st['workers']}), "
              f"tree {st['tree']:.2f} ms/page; parse_to_record alone {st['parse_to_record']:.2f}")
    for name, r in (figures.get("workers") or {}).items():
        print(f"{name}: {r['pages']:.0f} pages in {r['seconds']:.2f} s, {r['pages_per_s']:.0f} pages/s, "
              f"{r['peak_rss_mb']:.0f} MB")
    print(f"load average before {figures['load_before'][0]:.1f}, after {figures['load_after'][0]:.1f}")
    figures["stages"] = stages
    figures["rounds"] = {kind: [{who: {k: v for k, v in r.items() if k not in ("stdout", "stderr", "hits")}
                                 for who, r in rnd.items()} for rnd in rs] for kind, rs in rounds.items()}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
