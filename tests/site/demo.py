"""`make demo`: serve the local copy of the site, crawl it into a store, then open the reading room on it.

    python -m tests.site.demo --store ./archive [--days 7] [--sections a,b] [--max-articles N] [--port 8000] [--no-serve]

After the crawl, `newsarchive serve` runs on the store in the foreground and
prints its URL; Ctrl-C (or SIGTERM) stops it. With --no-serve the demo ends
after the crawl (for scripts and tests). Exits with the crawl's own exit
code, so the demo fails the way a crawl would (and with serve's, if the
reading room could not start).
"""

from __future__ import annotations

import argparse
import signal
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


def serve_command(store: str, port: int) -> list[str]:
    """The `newsarchive serve` command line that ends the demo: the reading room on the loopback."""
    return [sys.executable, "-m", "newsarchive", "serve", "--store", store, "--port", str(port)]


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(store: str, port: int) -> int:
    """The reading room until Ctrl-C or SIGTERM (either reaches it, and it stops cleanly); its exit code if it
    ended by itself (a port already taken: 2), else 0."""
    previous = signal.signal(signal.SIGTERM, _stop)
    proc = subprocess.Popen(serve_command(store, port))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)  # uvicorn's own clean stop; a terminal's Ctrl-C already sent it one
        proc.wait(timeout=30)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.site.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="./archive", help="where the crawl archives (default ./archive)")
    parser.add_argument("--sections", help="only these sections, e.g. front,world")
    parser.add_argument("--max-articles", type=int)
    parser.add_argument("--port", type=int, default=8000, help="the reading room's port (default 8000; 0: any)")
    parser.add_argument("--no-serve", action="store_true", help="stop after the crawl (no reading room)")
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
    if not args.no_serve:
        print("serve:", " ".join(serve_command(args.store, args.port)[1:]), flush=True)
        served = serve(args.store, args.port)
        code = code or served
    return code


if __name__ == "__main__":
    sys.exit(main())
