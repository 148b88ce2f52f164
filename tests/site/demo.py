"""`make demo`: serve the local copy of the site and crawl it into a store, no internet needed.

    python -m tests.site.demo --store ./archive [--days 7] [--sections a,b] [--max-articles N]

Exits with the crawl's own exit code, so the demo fails the way a crawl would.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tests.site.__main__ import add_corpus_options, corpus_from_args
from tests.site.server import SiteServer


def crawl_command(store: str, base_url: str, since: str, until: str, sections: str | None = None,
                  max_articles: int | None = None) -> list[str]:
    """The `newsarchive crawl` command line the demo runs (the same code as the console script)."""
    command = [sys.executable, "-m", "newsarchive", "crawl", "--store", store, "--base-url", base_url,
               "--since", since, "--until", until]
    if sections:
        command += ["--sections", sections]
    if max_articles is not None:
        command += ["--max-articles", str(max_articles)]
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.site.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="./archive", help="where the crawl archives (default ./archive)")
    parser.add_argument("--sections", help="only these sections, e.g. front,world")
    parser.add_argument("--max-articles", type=int)
    add_corpus_options(parser)
    args = parser.parse_args(argv)
    corpus = corpus_from_args(args)
    with SiteServer(corpus) as server:
        since, until = corpus.days[0].isoformat(), corpus.latest_day.isoformat()
        print(f"site: {server.base_url} ({len(corpus)} articles, {since} .. {until})", flush=True)
        command = crawl_command(args.store, server.base_url, since, until, args.sections, args.max_articles)
        print("crawl:", " ".join(command[1:]), flush=True)
        code = subprocess.call(command)
        print(f"archive: {Path(args.store).resolve()} (crawl exit code {code}; "
              f"{server.total_hits()} requests served)", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
