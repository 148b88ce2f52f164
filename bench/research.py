"""Research queries at scale: the index build with duplicate groups, counts over time, Boolean queries,
concordances, the search page, and duplicate detection's precision and recall.

    python bench/research.py --workdir /var/tmp/bench                 # 1,000,000 records (written once, kept)
    python bench/research.py --store STORE --index INDEX --keep-index  # an existing store and index

Every figure stands next to a named baseline measured in the same run:

* build: records/s and CPU per record for the whole build, against the CPU of
  the duplicate grouping alone (signatures and LSH) on the first records;
* counts (`Archive.counts`): against the way before them, reading every hit's
  record to count it (timed on medium words; one common word, once);
* Boolean queries (`Archive.search(limit=10)`, total included): against the
  operator-free query of two common words;
* KWIC of 1,000 hits (`Archive.kwic(limit=1000)`): against reading the same
  1,000 records (`Archive.search(limit=1000)`);
* the search page (`Archive.search(limit=20)`: total and per-field snippets):
  against a plain top-10 without snippets;
* duplicates: precision and recall on bench.sample.DuplicateSet (17,105
  records with known reprints and same-topic stories).

Targets: counts of a common word by month < 300 ms; KWIC of 1,000 hits < 2 s;
search page p50 < 50 ms and p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.query import percentile, words_by_class  # noqa: E402
from bench.sample import DuplicateSet, SampleCorpus, write_records  # noqa: E402
from newsarchive.archive.keys import record_key  # noqa: E402
from newsarchive.errors import InvalidArgument  # noqa: E402
from newsarchive.search import Archive  # noqa: E402
from newsarchive.search.dedupe import DuplicateGroups, group_records, shingle_hashes, signature, words  # noqa: E402
from newsarchive.search.records import list_records, read_records  # noqa: E402

COUNTS_MS, KWIC_S, PAGE_P50_MS, PAGE_P99_MS = 300.0, 2.0, 50.0, 200.0


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000, result


def summary(times: list[float]) -> str:
    return f"p50 {statistics.median(times):8.1f}  p99 {percentile(times, 0.99):8.1f}  max {max(times):8.1f}"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build(archive: Archive, store: Path, sample: int) -> None:
    print("== build (duplicate groups included) ==", flush=True)
    load, cpu = os.getloadavg()[0], time.process_time()
    stats = archive.update(rebuild=True)
    cpu = time.process_time() - cpu
    print(f"{stats.records:,} records in {stats.seconds:.0f} s = {stats.records / stats.seconds:,.0f} records/s, "
          f"{cpu / stats.records * 1e6:,.0f} us CPU/record (load {load:.1f}); index {_size(archive.index.dir) / 1e6:,.0f} MB "
          f"(dedupe.arrow {(archive.index.dir / 'dedupe.arrow').stat().st_size / 1e6:,.0f} MB); "
          f"{stats.regrouped:,} documents rewritten for their group", flush=True)
    keys = list(itertools.islice(list_records(archive.store), sample))
    loaded = [(rk, record) for rk, record, _ in read_records(archive.store, keys) if record is not None]
    start = time.process_time()
    state = DuplicateGroups()
    for rk, record in loaded:
        state.put(rk.key, rk.id, rk.published, signature(record.get("body") or ()))
    middle = time.process_time()
    state.regroup()
    end = time.process_time()
    print(f"baseline, duplicate grouping alone on the first {len(loaded):,} records: signatures "
          f"{(middle - start) / len(loaded) * 1e6:,.0f} us + LSH grouping {(end - middle) / len(loaded) * 1e6:,.0f} "
          f"us CPU/record", flush=True)


def update(archive: Archive, n: int = 200) -> None:
    """What duplicate grouping adds to an update of `n` new records (a day's crawl) on this index."""
    path = archive.index.dir / "dedupe.arrow"
    bodies = [r["body"] for r in SampleCorpus(99).records(n)]
    start = time.perf_counter()
    state = DuplicateGroups.load(path)
    assert state is not None, path
    loaded = time.perf_counter()
    day = dt.date(2026, 11, 20)
    for i, body in enumerate(bodies):
        state.put(f"records/{day:%Y/%m/%d}/{3000000000 + i}.json", str(3000000000 + i), day, signature(body))
    state.regroup()
    grouped = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        state.save(Path(folder) / "dedupe.arrow")
    saved = time.perf_counter()
    print(f"duplicate groups on an update of {n} records: load {loaded - start:.2f} s, sign and regroup "
          f"{grouped - loaded:.2f} s, save {saved - grouped:.2f} s ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)


def queries(archive: Archive, corpus: SampleCorpus, n: int, rng: random.Random) -> dict[str, list[str]]:
    words = words_by_class(archive, corpus, archive.index.searcher().num_docs, rng)
    common = words["common"]
    phrases = []
    for paragraph in rng.sample(corpus.pool, 4 * n):
        tokens = paragraph.rstrip(".").lower().split()
        i = rng.randrange(len(tokens) - 1)
        phrases.append(f'"{tokens[i]} {tokens[i + 1]}"')
    prefixes = []
    for word in rng.sample([w for w in corpus.core[:3000] if len(w) >= 6], 400):
        try:
            archive.search(word[:5] + "*", limit=1, snippets=False)
            prefixes.append(word[:5] + "*")
        except InvalidArgument:  # stands for more than 1,000 words
            continue
    pick = lambda items: [rng.choice(items) for _ in range(n)]  # noqa: E731
    two = lambda fmt: [fmt.format(*rng.sample(common, 3)) for _ in range(n)]  # noqa: E731
    return {
        "common word": pick(common), "medium word": pick(words["medium"]), "rare word": pick(words["rare"]),
        "two common words (baseline)": two("{} {}"), "a OR b (common)": two("{} OR {}"),
        "a b OR c": two("{} {} OR {}"), "(a OR b) -c": two("({} OR {}) -{}"),
        '"a b"~3 (common)': two('"{} {}"~3'), "phrase": pick(phrases), "prefix (5 letters)": pick(prefixes),
        "headline:common": [f"headline:{w}" for w in pick(common)],
    }


def counts(archive: Archive, classes: dict[str, list[str]], rng: random.Random) -> None:
    print("\n== counts (Archive.counts), ms ==", flush=True)
    worst = worst_p99 = 0.0
    for by in ("month", "year", "day", "section"):
        for name in ("common word", "medium word", "rare word", "a OR b (common)", "phrase"):
            times = [timed(lambda q=q, by=by: archive.counts(q, by=by))[0] for q in classes[name]]
            if by == "month" and name == "common word":
                worst = statistics.median(times)
                worst_p99 = percentile(times, 0.99)
            print(f"by {by:<8} {name:<20} {summary(times)}", flush=True)
    for label, kwargs in (("normalized", {"normalize": True}), ("deduped", {"dedupe": True})):
        times = [timed(lambda q=q, kw=kwargs: archive.counts(q, by="month", **kw))[0] for q in classes["common word"]]
        print(f"by month {'common word, ' + label:<20} {summary(times)}", flush=True)
    print(f"target: a common word by month < {COUNTS_MS:.0f} ms: p50 {worst:.1f}, p99 {worst_p99:.1f} "
          f"{'OK' if worst_p99 < COUNTS_MS else 'MISSED'}")

    def by_reading(q: str) -> tuple[int, Counter]:
        hits = archive.search(q, limit=None, snippets=False)
        return len(hits), Counter(h.record["published"][:7] for h in hits)

    times, sizes = [], []
    for q in classes["medium word"][:10]:
        ms, (n, _) = timed(lambda q=q: by_reading(q))
        times.append(ms)
        sizes.append(n)
    print(f"baseline, reading every hit to count by month, medium words ({statistics.median(sizes):,.0f} hits): "
          f"{summary(times)}")
    q = rng.choice(classes["common word"])
    ms, (n, _) = timed(lambda: by_reading(q))
    print(f"baseline, reading every hit, one common word ({n:,} hits): {ms / 1000:.1f} s", flush=True)


def boolean(archive: Archive, classes: dict[str, list[str]]) -> None:
    print("\n== Boolean queries: Archive.search(limit=10), total included, ms ==", flush=True)
    for name in ("two common words (baseline)", "a OR b (common)", "a b OR c", "(a OR b) -c", '"a b"~3 (common)',
                 "phrase", "prefix (5 letters)", "headline:common"):
        results = [timed(lambda q=q: archive.search(q, limit=10, snippets=False)) for q in classes[name]]
        hits = statistics.median(r.total for _, r in results)
        print(f"{name:<30} {summary([t for t, _ in results])}   median total {hits:>9,.0f}", flush=True)


def kwic(archive: Archive, classes: dict[str, list[str]], n: int) -> None:
    print("\n== KWIC of 1,000 hits: Archive.kwic(limit=1000), s ==", flush=True)
    ok = True
    for name in ("common word", "phrase", '"a b"~3 (common)', "prefix (5 letters)"):
        base, runs, lines = [], [], []
        for q in classes[name][:n]:
            base.append(timed(lambda q=q: archive.search(q, limit=1000, snippets=False))[0] / 1000)
            ms, result = timed(lambda q=q: archive.kwic(q, limit=1000))
            runs.append(ms / 1000)
            lines.append(len(result.lines))
        ok &= max(runs) < KWIC_S
        print(f"{name:<22} kwic p50 {statistics.median(runs):.2f} max {max(runs):.2f} ({statistics.median(lines):,.0f} "
              f"lines); baseline reading the 1,000 records p50 {statistics.median(base):.2f}", flush=True)
    print(f"target: 1,000 hits < {KWIC_S:.0f} s {'OK' if ok else 'MISSED'}")


def page(archive: Archive, classes: dict[str, list[str]]) -> None:
    print("\n== search page: Archive.search(limit=20) with total and snippets, ms ==", flush=True)
    ok = True
    for name in ("common word", "medium word", "rare word", "two common words (baseline)", "a OR b (common)",
                 "phrase", '"a b"~3 (common)', "prefix (5 letters)", "headline:common"):
        base = [timed(lambda q=q: archive.search(q, limit=10, snippets=False))[0] for q in classes[name]]
        times = [timed(lambda q=q: archive.search(q, limit=20))[0] for q in classes[name]]
        good = statistics.median(times) < PAGE_P50_MS and percentile(times, 0.99) < PAGE_P99_MS
        ok &= good
        print(f"{name:<30} {summary(times)}   baseline top-10 p50 {statistics.median(base):6.1f}  "
              f"{'OK' if good else 'MISSED'}", flush=True)
    print(f"target: p50 < {PAGE_P50_MS:.0f} ms and p99 < {PAGE_P99_MS:.0f} ms {'OK' if ok else 'MISSED'}")


def worst(archive: Archive) -> None:
    """The slowest queries there are: phrases of the most frequent words (in most of the articles) and "the"."""
    print("\n== worst cases (best of 3), ms ==", flush=True)
    for q in ('"of the"', '"in the"', '"said the"', '"the government"', "the"):
        search = min(timed(lambda q=q: archive.search(q, limit=20))[0] for _ in range(3))
        counts = min(timed(lambda q=q: archive.counts(q, by="month"))[0] for _ in range(3))
        ms, result = timed(lambda q=q: archive.kwic(q, limit=1000))
        print(f"{q:<18} {result.total:>9,} articles: search page {search:7.1f}  counts by month {counts:7.1f}  "
              f"KWIC of 1,000 hits {ms:7.1f} ({len(result.lines):,} lines)", flush=True)


def duplicates() -> None:
    print("\n== duplicate detection on bench.sample.DuplicateSet ==", flush=True)
    data = DuplicateSet()
    items = [(record_key(r["id"], dt.date.fromisoformat(r["published"])), r["id"],
              dt.date.fromisoformat(r["published"]), r["body"]) for r in data.records]
    cpu = time.process_time()
    found = group_records(items)
    cpu = time.process_time() - cpu
    by_id = {article_id: found[key] for key, article_id, _, _ in items}

    def pairs(groups: dict[str, Any]) -> set[frozenset[str]]:
        members: dict[Any, list[str]] = defaultdict(list)
        for record, group in groups.items():
            members[group].append(record)
        return {frozenset(p) for ms in members.values() for p in itertools.combinations(ms, 2)}

    got, truth = pairs(by_id), pairs(data.truth)
    reprints = [i for i, kind in data.kind.items() if kind not in ("original", "same topic", "background")]
    joined = sum(1 for i in reprints if by_id[i] == by_id[data.truth[i]])
    missed = Counter(data.kind[i] for p in truth - got for i in p if data.kind[i] != "original")
    wrong = Counter(data.kind[i] for p in got - truth for i in p)
    shingles = {r["id"]: set(shingle_hashes(words(r["body"])).tolist()) for r in data.records}

    def jaccard(a: str, b: str) -> float:
        return len(shingles[a] & shingles[b]) / len(shingles[a] | shingles[b])

    by_kind: dict[str, list[float]] = defaultdict(list)
    for i in reprints:
        by_kind[data.kind[i]].append(jaccard(i, data.truth[i]))
    same_topic = [jaccard(i, source) for i, source in data.source.items()]
    print("exact Jaccard of a reprint to its original, min-median: " + "; ".join(
        f"{kind} {min(v):.2f}-{statistics.median(v):.2f}" for kind, v in sorted(by_kind.items()))
        + f"; same-topic stories to the story they share paragraphs with: median {statistics.median(same_topic):.2f}, "
          f"max {max(same_topic):.2f}")
    print(f"{len(items):,} records, {len(reprints):,} reprints, {len(truth):,} duplicate pairs: precision "
          f"{len(got & truth) / max(1, len(got)):.4f}, recall {len(got & truth) / len(truth):.4f}, reprints in their "
          f"original's group {joined / len(reprints):.4f}; missed by kind {dict(missed)}; false pairs by kind "
          f"{dict(wrong)}; "
          f"{cpu / len(items) * 1e6:,.0f} us CPU/record")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="an existing store (default: WORKDIR/store-SIZE, written if missing)")
    parser.add_argument("--index", help="the index folder (default: WORKDIR/research-index-SIZE)")
    parser.add_argument("--workdir", default="/var/tmp/newsarchive-bench")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--keep-index", action="store_true", help="use the index as it is (no timed rebuild)")
    parser.add_argument("--queries", type=int, default=100, help="queries per class (default 100)")
    parser.add_argument("--kwic-queries", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1, help="the store's bench.sample seed")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: build,counts,boolean,kwic,page,worst,dupes")
    args = parser.parse_args()
    skip = set(args.skip.split(",")) if args.skip else set()
    workdir = Path(args.workdir)
    store = Path(args.store) if args.store else workdir / f"store-{args.size}"
    if not (store / "records").exists():
        workdir.mkdir(parents=True, exist_ok=True)
        write_records(store, SampleCorpus(args.seed).records(args.size))
    index = Path(args.index) if args.index else workdir / f"research-index-{args.size}"
    archive = Archive(str(store), index_dir=str(index), auto_update=False)
    print(f"store {store}, index {index}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    if "build" not in skip and not (args.keep_index and archive.index.exists):
        build(archive, store, 50_000)
    archive.update()
    if "build" not in skip:
        update(archive)
    rng = random.Random(args.seed)
    classes = queries(archive, SampleCorpus(args.seed), args.queries, rng)
    for name, part in (("counts", lambda: counts(archive, classes, rng)), ("boolean", lambda: boolean(archive, classes)),
                       ("kwic", lambda: kwic(archive, classes, args.kwic_queries)), ("page", lambda: page(archive, classes)),
                       ("worst", lambda: worst(archive)), ("dupes", duplicates)):
        if name not in skip:
            part()
    archive.close()


if __name__ == "__main__":
    main()
