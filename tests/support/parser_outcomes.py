"""What the parser may answer to any input: a sound record or NotAnArticle. The oracle of the property tests
(tests/test_parser_properties.py) and the fuzz suite (tests/faults/test_parser_fuzz.py), over the real fixture pages.

"Sound" is checked, not assumed: a record that comes back from a mangled page
still has to keep the record's promises (a ten-digit id, a canonical URL, a
headline, collapsed text, a word count that adds up, JSON-encodable as UTF-8).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from hypothesis import HealthCheck, settings

from newsarchive.article import Article
from newsarchive.errors import NotAnArticle
from newsarchive.parser import parse_article
from tests.support.article_fixtures import article_fixtures

#: every fixture page, by layout/case: the real pages the tests mangle
PAGES = {str(fixture): fixture.page_bytes() for fixture in article_fixtures()}
CANONICAL = re.compile(r"https://www\.taipeitimes\.com/News/[a-z]+/archives/\d{4}/\d{2}/\d{2}/\d{10}")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(outcome: Article | NotAnArticle) -> None:
    if isinstance(outcome, NotAnArticle):
        assert str(outcome) and "\n" not in str(outcome), "the reason is one short line"
        return
    record = outcome.to_record()
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # what the CLI writes must encode
    assert re.fullmatch(r"\d{10}", outcome.id)
    assert CANONICAL.fullmatch(outcome.url) and outcome.url.endswith(outcome.id)
    assert outcome.headline and outcome.headline == " ".join(outcome.headline.split())
    dt.date.fromisoformat(outcome.published)
    for text in [outcome.kicker, outcome.deck, outcome.byline, outcome.translator, *outcome.body]:
        assert text is None or (text and text == " ".join(text.split()))
    assert outcome.word_count == sum(len(p.split()) for p in outcome.body)
    assert all(image.url.startswith(("http://", "https://")) for image in outcome.images)
    assert outcome.print_page is None or outcome.print_page > 0
    assert outcome.parser == "taipeitimes/current@1"


def outcome_of(data: bytes | str) -> Article | NotAnArticle:
    try:
        return parse_article(data)
    except NotAnArticle as exc:  # the one documented error; anything else fails the test
        return exc
