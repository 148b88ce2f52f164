"""The local site without its server: its corpus, pinned to a reference day, and its pages rendered in memory.

Everything here is pure (no server, no process); serving it is tested in test_site.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from newsarchive import dates
from newsarchive.dates import TODAY_ENV
from tests.plugins.clock import SetClock
from tests.site import Corpus
from tests.site.corpus import REFERENCE_DAY, default_days
from tests.site.demo import crawl_command
from tests.site.routes import Router
from tests.site.seed import SEED_ID, seed_blocks

# ---- corpus --------------------------------------------------------------------------------------


def test_default_corpus_is_the_last_seven_taipei_days_and_deterministic() -> None:
    a, b = Corpus(), Corpus()
    assert a.days == default_days() and a.latest_day == REFERENCE_DAY and len(a.days) == 7
    assert a.expected_records() == b.expected_records()
    assert Corpus(seed=1).expected_records() != a.expected_records()


def test_ids_are_ten_digits_unique_and_grow_with_the_date(site_corpus: Corpus) -> None:
    ordered = sorted(site_corpus, key=lambda a: a.day)
    assert all(re.fullmatch(r"\d{10}", a.id) for a in ordered)
    assert len({a.id for a in ordered}) == len(ordered)
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.day < later.day:
            assert int(earlier.id) < int(later.id)


def test_every_printed_byline_form_and_its_parts(site_corpus: Corpus) -> None:
    bylines = {a.byline.printed: a.byline for a in site_corpus}
    patterns = {
        "agency, dateline": r"(AFP|Reuters|AP|Kyodo|NY Times News Service|The Guardian), [A-Z ]+",
        "staff reporter": r"By [\w -]+ / Staff reporter",
        "double spaced": r"By [\w -]+  /  Staff reporter",
        "staff writer with CNA": r"Staff writers?, with CNA",
        "authors, agency, dateline": r"By [\w -]+ and [\w -]+ / Reuters, [A-Z ]+",
        "three authors": r"By [\w -]+, [\w -]+ and [\w -]+",
    }
    for form, pattern in patterns.items():
        assert any(p and re.fullmatch(pattern, p) for p in bylines), form
    assert None in bylines
    spaced = next(b for p, b in bylines.items() if p and "  /  " in p)
    assert "  " not in spaced.collapsed and spaced.agencies == [] and len(spaced.authors) == 1
    cna = next(b for p, b in bylines.items() if p and p.endswith("with CNA"))
    assert cna.agencies == ["CNA"] and cna.authors == [] and cna.dateline is None
    joint = next(b for p, b in bylines.items() if p and re.fullmatch(patterns["authors, agency, dateline"], p))
    assert joint.agencies == ["Reuters"] and len(joint.authors) == 2 and joint.dateline


def test_content_varies_like_a_paper(site_corpus: Corpus) -> None:
    records = list(site_corpus.expected_records().values())
    assert {(r["kicker"] is None, r["deck"] is None) for r in records} == {(True, True), (True, False), (False, False)}
    assert {min(len(r["images"]), 2) for r in records} == {0, 1, 2}
    assert any(r["translator"] for r in records) and any(r["print_page"] is None for r in records)
    text = " ".join(p for r in records for p in r["body"])
    assert re.search(r"\([^)]*[\u4e00-\u9fff]+\)", text) and "“" in text and "’" in text
    assert any("\u00a0" in p for a in site_corpus for p in a.body)
    assert len(set(text.lower().split())) > 500


def test_planted_words_are_where_the_corpus_says(site_corpus: Corpus) -> None:
    assert site_corpus.planted
    for word, ids in site_corpus.planted.items():
        assert site_corpus.ids_containing(word) == ids


def test_seed_article_record_matches_the_seed_text(site_corpus: Corpus) -> None:
    date_line, headline, deck_line, byline, *rest = seed_blocks()
    assert date_line.startswith("Wed, Dec 16, 2015 - Page 7")
    body = rest[: next(i for i, b in enumerate(rest) if b.startswith("This story has been viewed"))]
    record = site_corpus[SEED_ID].expected_record()
    assert record["url"] == "https://www.taipeitimes.com/News/world/archives/2015/12/16/2003634936"
    assert (record["section"], record["section_slug"], record["published"], record["print_page"]) == (
        "World News", "world", "2015-12-16", 7)
    assert record["headline"] == headline == "Kerry seeks Syria progress in Moscow"
    assert f"{record['kicker']}:{record['deck']}" == deck_line and record["kicker"] == "DIVISIVE"
    assert (record["byline"], record["authors"], record["agencies"], record["dateline"]) == (
        byline, [], ["Reuters"], "MOSCOW")
    assert record["body"] == body and len(body) == 19 and body[-1].startswith("News agencies on Monday")
    assert record["word_count"] == sum(len(p.split()) for p in body)
    assert record["translator"] is None and record["images"] == [] and record["language"] == "en"


def test_seed_day_only_on_request() -> None:
    assert SEED_ID not in Corpus(default_days(1), per_section=1)
    assert SEED_ID in Corpus([dt.date(2015, 12, 16)], per_section=1)


# ---- pages in memory, the demo ----------------------------------------------------------------------


def test_demo_runs_the_crawl_command_against_the_site() -> None:
    command = crawl_command("./archive", "http://127.0.0.1:8000", "2024-10-10", "2024-10-16", "front,world", 5)
    assert command[1:] == ["-m", "newsarchive", "crawl", "--store", "./archive", "--base-url", "http://127.0.0.1:8000",
                           "--since", "2024-10-10", "--until", "2024-10-16", "--sections", "front,world",
                           "--max-articles", "5"]


def test_the_project_parser_reads_every_page_as_its_expected_record() -> None:
    """The expected records are the contract: the project's parser agrees with them on every page."""
    from newsarchive.parser import parse_article
    from tests.site.pages import article_page

    corpus = Corpus.with_seed(default_days(2), per_section=3)
    for article in corpus:
        record = parse_article(article_page(corpus, article), url=article.url).to_record()
        assert {k: record[k] for k in article.expected_record()} == article.expected_record(), article.id


# ---- the same site on any day ---------------------------------------------------------------------

#: what the crawl reads from the site: the home page, lists (dated, undated, paged), feeds, sitemaps, the JSON list
SITE_TARGETS = ["/", "/robots.txt", "/News/world", "/News/world?pubdate=2024-10-15", "/News/biz?pubdate=2024-10-16&page=2",
                "/xml/index.rss", "/xml/world.rss", "/sitemapIndex.xml", "/sitemap/sitemap.xml", "/sitemap/2024/10.xml",
                "/ajax_json/1/list/world", "/ajax_json/2/list/all", "/News/list?keywords=typhoon&section=all"]


def rendered_site() -> dict[str, bytes]:
    """The default corpus (with the seed article) and every kind of page of it, as bytes."""
    corpus = Corpus.with_seed()
    router = Router(corpus)
    pages = {target: router.get(target).body for target in SITE_TARGETS}
    pages.update({article.path(): router.get(article.path()).body for article in list(corpus)[::25]})
    return pages


#: the clocks of the faketime proof (issue 10), in Taipei: a month end, a leap day, a year end
CLOCKS = [dt.datetime(2027, 2, 28, 12, tzinfo=dates.TAIPEI), dt.datetime(2028, 2, 29, 0, 30, tzinfo=dates.TAIPEI),
          dt.datetime(2031, 12, 31, 23, 59, tzinfo=dates.TAIPEI)]


def test_the_site_is_the_same_whatever_the_clock_says(monkeypatch: pytest.MonkeyPatch, set_clock: SetClock) -> None:
    """A corpus generated relative to today once failed a test on the day its cross-links changed (issue 10).

    The site ends on its reference day whatever the clock says and whatever today
    is pinned to; tests/test_pinned_today.py makes sure no test reads the clock
    some other way, and the whole suite passes under faketime on these days.
    """
    expected = rendered_site()
    for clock in CLOCKS:
        set_clock(clock)
        for pinned in (None, clock.date().isoformat()):
            if pinned is None:
                monkeypatch.delenv(TODAY_ENV, raising=False)
            else:
                monkeypatch.setenv(TODAY_ENV, pinned)
            assert dates.today_taipei() == clock.date()  # the day is the one set here, either way
            corpus = Corpus()
            assert corpus.days == default_days() and corpus.latest_day == REFERENCE_DAY
            assert rendered_site() == expected, f"the site changed with the clock at {clock}, today pinned to {pinned}"
