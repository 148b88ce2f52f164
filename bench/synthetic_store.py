"""A synthetic store with real WARC captures, for the benchmarks of what reads WARCs (WACZ export, replay).

    python bench/synthetic_store.py DIR --articles 100000 [--per-crawl 1000] [--seed 1]

Records come from bench.sample (realistic shape); each article's page is
rendered in the site's real template (tests/site/chrome: ~45 KB, the ~30
stylesheets, scripts and icons of the real site) and captured with the
project's own WarcWriter, as a crawl of www.taipeitimes.com would write it.
Articles are grouped into crawls of `per-crawl` articles, one WARC file (or
more, at 1 GB) each. Every crawl captures the site's requisites once: in full
the first time, as revisit records afterwards (unchanged). 40 % of the
articles have a photo (30 KB of incompressible bytes, like a JPEG), captured
right after its page. Records are written without fsync (bench.sample).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sample import SampleCorpus, write_records  # noqa: E402
from newsarchive.archive.warc import CapturePointer, HttpExchange, WarcWriter  # noqa: E402
from newsarchive.dates import iso_utc  # noqa: E402
from newsarchive.store import LocalStore  # noqa: E402
from newsarchive.wacz.requisites import page_requisites  # noqa: E402
from tests.site import chrome  # noqa: E402

START = dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)
PHOTO_BYTES = 30_000
CONTENT_TYPES = {".css": "text/css", ".js": "application/javascript", ".png": "image/png", ".jpg": "image/jpeg"}


def page(record: dict[str, Any]) -> bytes:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in record["body"])
    photos = "\n".join(f'<div class="imgboxa"><img src="{i["url"]}"><h1>{i["caption"]}</h1></div>'
                       for i in record["images"])
    html = "\n".join([
        chrome.head(f"{record['headline']} - Taipei Times", [("property", "og:url", record["url"])]),
        chrome.menus(record["section_slug"]),
        f'<div class="container"><div class="archives"><h1>{record["headline"]}</h1>{photos}{paragraphs}</div></div>',
        chrome.footer(),
    ])
    return html.encode("utf-8")


def exchange(url: str, body: bytes, content_type: str, when: dt.datetime) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("User-Agent", "newsarchive-bench")], request_body=b"",
                        status=200, protocol="HTTP/1.1",
                        response_headers=[("Content-Type", content_type), ("Content-Length", str(len(body)))],
                        response_body=body, date=when)


def requisite_body(url: str, rng: random.Random) -> tuple[bytes, str]:
    suffix = "." + url.split("?", 1)[0].rsplit(".", 1)[-1]
    kind = CONTENT_TYPES.get(suffix, "application/octet-stream")
    size = {"text/css": 6000, "application/javascript": 12000}.get(kind, 1500)
    if kind.startswith("text/") or kind.endswith("javascript"):
        return (f"/* {url} */\n" + ".x{margin:0}\n" * (size // 14)).encode(), kind
    return rng.randbytes(size), kind


def generate(root: Path, articles: int, per_crawl: int = 1000, seed: int = 1) -> dict[str, float]:
    store = LocalStore(root)
    store.check()
    corpus = SampleCorpus(seed)
    rng = random.Random(seed)
    first: dict[str, CapturePointer] = {}
    first_date: dict[str, dt.datetime] = {}
    bodies: dict[str, tuple[bytes, str]] = {}
    started = time.perf_counter()
    made = 0
    for crawl in range(0, articles, per_crawl):
        when = START + dt.timedelta(hours=crawl // per_crawl)
        writer = WarcWriter(store, store.staging_dir(), host=f"bench-{crawl // per_crawl}")
        batch = [corpus.record(serial) for serial in range(crawl, min(crawl + per_crawl, articles))]
        for url in page_requisites(page(batch[0]), "https://www.taipeitimes.com/"):
            if "/images/" in url and "img.taipeitimes.com" in url:
                continue  # that one is the article's photo
            body, kind = bodies.setdefault(url, requisite_body(url, rng))
            previous = first.get(url)
            revisit = None if previous is None else {"uri": url, "date": iso_utc(first_date[url]),
                                                     "record_id": previous.record_id,
                                                     "payload_digest": previous.payload_digest or ""}
            pointer = writer.write_exchange(exchange(url, body, kind, when), revisit_of=revisit)
            if previous is None:
                first[url], first_date[url] = pointer, when
        for n, record in enumerate(batch):
            fetched = when + dt.timedelta(seconds=1 + n)
            pointer = writer.write_exchange(exchange(record["url"], page(record), "text/html; charset=utf-8", fetched))
            for image in record["images"]:
                writer.write_exchange(exchange(image["url"], rng.randbytes(PHOTO_BYTES), "image/jpeg", fetched))
            record.update(fetched_url=record["url"], fetched_at=iso_utc(fetched), capture=pointer.as_dict())
        writer.close()
        write_records(root, iter(batch))
        made += len(batch)
        print(f"  {made:,} articles ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return {"articles": made, "seconds": time.perf_counter() - started, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-crawl", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    stats = generate(args.root, args.articles, args.per_crawl, args.seed)
    print(f"{stats['articles']:,} articles, {stats['bytes'] / 1e9:.2f} GB, in {stats['seconds']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
