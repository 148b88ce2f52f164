"""`python -m tests.site serve --port P [--days N | --since D --until D]`: the site as its own process.

Benchmarks run the site in another process so that it does not share the
crawler's interpreter (and GIL). The first line on stdout is the base URL.
"""

from __future__ import annotations

import argparse
import signal
import sys

from newsarchive.dates import days as day_range
from newsarchive.dates import parse_date
from tests.site.corpus import DEFAULT_PER_SECTION, Corpus, default_days
from tests.site.server import SiteServer


def corpus_from_args(args: argparse.Namespace) -> Corpus:
    if args.since or args.until:
        if not (args.since and args.until):
            raise SystemExit("--since and --until go together")
        chosen = day_range(parse_date(args.since), parse_date(args.until))
    else:
        chosen = default_days(args.days)
    per_section = args.per_section if args.per_section is not None else DEFAULT_PER_SECTION
    make = Corpus.with_seed if args.with_seed_article else Corpus
    return make(chosen, per_section=per_section, seed=args.seed)


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, default=7, help="the last N print days (default 7)")
    parser.add_argument("--since", help="first print day, YYYY-MM-DD (with --until)")
    parser.add_argument("--until", help="last print day, YYYY-MM-DD")
    parser.add_argument("--per-section", type=int, help="articles per section and day (default: a real paper's mix)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--with-seed-article", action="store_true", help="also serve 2015-12-16 and the seed article")


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends the server as Ctrl-C does, so `terminate()` gives a clean exit 0."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.site")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the site until interrupted")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--prerender", action="store_true", help="render every article before serving")
    serve.add_argument("--self-links", action="store_true",
                       help="pages link this server's host instead of www.taipeitimes.com (for wget)")
    add_corpus_options(serve)
    args = parser.parse_args(argv)
    server = SiteServer(corpus_from_args(args), host=args.host, port=args.port, self_links=args.self_links)
    if args.prerender:
        server.prerender()
    print(server.base_url, flush=True)
    print(f"{len(server.corpus)} articles, {server.corpus.days[0]} .. {server.corpus.latest_day}",
          file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
