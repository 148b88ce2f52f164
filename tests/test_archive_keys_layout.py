"""Keys of the documented layout only, and ids of ASCII digits only (issue 11, items 6 and 7)."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.archive.keys import check_key, history_key, record_key, state_key, warc_key
from newsarchive.errors import InvalidArgument, NotAnArticle
from newsarchive.parser import parse_article
from newsarchive.site.discovery import from_feed
from newsarchive.site.urls import match_article, validate_id
from tests.site.corpus import Corpus, default_days
from tests.site.pages import article_page

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_keys_are_zero_padded_and_checked() -> None:
    assert record_key("2003825372", dt.date(2024, 10, 16)) == "records/2024/10/16/2003825372.json"
    assert warc_key(dt.datetime(33, 1, 2, tzinfo=dt.UTC), "TT-x.warc.gz") == "warc/0033/01/02/TT-x.warc.gz"
    assert history_key("2003825372", dt.date(2024, 10, 16), dt.datetime(2024, 10, 16, 1, 2, 3, 4, tzinfo=dt.UTC)) \
        == "history/2024/10/16/2003825372/20241016T010203000004Z.json"
    with pytest.raises(ValueError, match="before the paper's first issue"):
        record_key("2003825372", dt.date(1, 1, 1))
    for stray in ("records/1/01/01/2003825372.json", "records/2024/10/16/x.json", "state/lock.json.tmp",
                  "records/2024/10/16/../../../../etc/x.json", "runs/../x.json"):
        with pytest.raises(ValueError, match="not a key of the store's layout"):
            check_key(stray)


def test_ids_are_ascii_digits_only() -> None:
    wide = "2003825372".translate(FULLWIDTH)
    with pytest.raises(InvalidArgument):
        validate_id(wide)
    with pytest.raises(InvalidArgument):
        state_key(wide)
    assert match_article(f"/News/world/archives/2024/10/16/{wide}") is None
    assert match_article("/News/world/archives/２０２４/10/16/2003825372") is None
    feed = f"<rss><item><link>https://www.taipeitimes.com/News/world/archives/2024/10/16/{wide}</link></item></rss>"
    assert from_feed(feed.encode()).articles == []


def test_a_print_date_outside_the_papers_life_is_not_an_article() -> None:
    corpus = Corpus(days=default_days(1), per_section=1)
    article = corpus.on(corpus.days[-1], "world")[0]
    page = article_page(corpus, article)
    for line in ("Mon, Jan 01, 0001 page5", "Mon, Jan 01, 2204 page5", "Mon, Jun 14, 1999 page5"):
        changed = page.replace(f"<h6>{article.day:%a, %b %d, %Y}", f"<h6>{line}", 1)
        assert changed != page
        with pytest.raises(NotAnArticle, match="outside the paper's life"):
            parse_article(changed)
    assert parse_article(page).published == article.day.isoformat()
