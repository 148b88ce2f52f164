"""How fast `parse_article` reads real-size article pages, against what lxml alone can do.

    .venv/bin/python bench/parse.py [--seconds 2]

Pages are the parser fixtures (tests/fixtures/articles/<layout>@<version>/<case>/page.html): full ~47 KB
pages in the current template, with head metadata, scripts, menus, the "Most
Popular" column, the "You might also like" box and ads. Three contenders run
over the same pages on one core, interleaved round by round so a noisy
neighbour hurts each alike:

* floor: bare `lxml.html.fromstring` plus XPath pulling the same fields; the
  least any parser of these pages must spend.
* parse_article: the real parser (lxml cuts out the regions, BeautifulSoup
  reads them). Target: within 5x the floor.
* naive: BeautifulSoup(whole page, "lxml") and the same extraction code; what
  the region cut saves.

Every parse_article record is checked against the fixture's expected JSON
first: a fast wrong parser does not count. Not a test: figures vary by machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup
from lxml import html as lxml_html

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsarchive.parser import parse_article  # noqa: E402
from newsarchive.parser.current import CurrentLayout  # noqa: E402
from tests.support.article_fixtures import ROOT, article_fixtures  # noqa: E402

TARGET = 5.0

_ARCH = "(//div[contains(concat(' ', normalize-space(@class), ' '), ' archives ')][h1])[1]"


def floor(page: bytes) -> dict:
    """The same fields with lxml and XPath only: no white space rules beyond split/join, no byline parsing."""
    doc = lxml_html.fromstring(page)
    arch = doc.xpath(_ARCH)[0]

    def one(query: str, node=doc) -> str | None:
        found = node.xpath(query)
        return " ".join(str(found[0]).split()) if found else None

    paragraphs = [" ".join(p.text_content().split()) for p in arch.xpath(
        "p[not(ancestor::div[contains(@class, 'imgbox')])] | div[not(contains(@class, 'ad'))]/p")]
    return {
        "url": one("/html/head/meta[@property='og:url']/@content"),
        "section": one("/html/head/meta[@property='article:section']/@content"),
        "published_at": one("/html/head/meta[@property='article:published_time']/@content"),
        "ld": [json.loads(s) for s in doc.xpath("//script[@type='application/ld+json']/text()")],
        "date_line": one("preceding::h6[1]//text()", arch),
        "headline": one("h1//text()", arch),
        "kicker": one("h2/font[contains(@class, 'red')]//text()", arch),
        "deck": one("normalize-space(h2/text()[last()])", arch),
        "byline": one("ul[contains(@class, 'as')]//div[@class='name']//text()", arch),
        "body": [p for p in paragraphs if p],
        "images": [(box.xpath("string(.//@href)"), " ".join(box.xpath("string(h1)").split()),
                    re.sub(r"^Photos?:\s*", "", box.xpath("string(p)")))
                   for box in arch.xpath("div[contains(@class, 'imgbox')]")],
    }


def naive(page: bytes) -> dict:
    return CurrentLayout.extract(BeautifulSoup(page, "lxml")).to_record()


def real(page: bytes) -> dict:
    return parse_article(page).to_record()


def check(pages: dict[str, bytes], expected_records: dict[str, dict]) -> None:
    """Every record right, and the naive path agrees, before any clock starts."""
    for name, page in pages.items():
        expected = expected_records[name]
        got = real(page)
        wrong = [field for field in expected if expected[field] != got.get(field)]
        if wrong:
            sys.exit(f"bench: {name}: parse_article got {wrong} wrong; fix the parser before timing it")
        if naive(page) != got:
            sys.exit(f"bench: {name}: the whole-page soup gives another record than the region soup")
        if floor(page)["headline"] != expected["headline"]:
            sys.exit(f"bench: {name}: the floor extraction reads the wrong headline")


def run(pages: list[bytes], contenders: dict[str, Callable[[bytes], object]], seconds: float) -> dict[str, float]:
    """Best-of-rounds seconds per page for each contender (the minimum is the least noisy estimate)."""
    best = {name: float("inf") for name in contenders}
    deadline = time.perf_counter() + seconds
    rounds = 0
    while rounds < 3 or time.perf_counter() < deadline:
        for name, fn in contenders.items():
            gc.collect()
            start = time.perf_counter()
            for page in pages:
                fn(page)
            best[name] = min(best[name], (time.perf_counter() - start) / len(pages))
        rounds += 1
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="time budget for the timed rounds")
    args = parser.parse_args(argv)
    fixtures = article_fixtures()
    pages = {str(f): f.page_bytes() for f in fixtures}
    if not pages:
        sys.exit(f"bench: no fixture pages under {ROOT}")
    check(pages, {str(f): f.record() for f in fixtures})
    sizes = [len(p) for p in pages.values()]
    best = run(list(pages.values()), {"floor": floor, "parse_article": real, "naive": naive}, args.seconds)
    print(f"{len(pages)} pages, mean {sum(sizes) / len(sizes) / 1024:.1f} KB, every field checked against fixtures")
    print(f"{'':<28}{'ms/page':>9}{'pages/s':>10}{'x floor':>9}")
    for label, key in (("floor (lxml + XPath)", "floor"), ("parse_article", "parse_article"),
                       ("naive BeautifulSoup(page)", "naive")):
        print(f"{label:<28}{best[key] * 1000:>9.3f}{1 / best[key]:>10.0f}{best[key] / best['floor']:>9.2f}")
    ratio = best["parse_article"] / best["floor"]
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"parse_article is {ratio:.2f}x the floor: {verdict} the {TARGET:g}x target "
          f"(naive BeautifulSoup: {best['naive'] / best['floor']:.2f}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
