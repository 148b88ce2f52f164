"""Property tests: whatever bytes or text arrive, `parse_article` returns a sound record or raises NotAnArticle.

"Sound" is checked, not assumed: a record that comes back from a mangled page
still has to keep the record's promises (a ten-digit id, a canonical URL, a
headline, collapsed text, a word count that adds up, JSON-encodable as UTF-8).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.article import Article
from newsarchive.errors import NotAnArticle
from newsarchive.parser import parse_article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
PAGES = {p.stem: p.read_bytes() for p in sorted(FIXTURES.glob("*.html"))}
CANONICAL = re.compile(r"https://www\.taipeitimes\.com/News/[a-z]+/archives/\d{4}/\d{2}/\d{2}/\d{10}")
#: fragments that stress the template: its own markers, unbalanced tags, entities, controls
JUNK = [
    "<div>", "</div>", "</li></ul>", "<h1>", "</h1>", "<h2>", "<h6>Mon, Feb 30, 2024 page0</h6>", "<p>", "</p>",
    '<div class="archives">', '<div class="imgboxa">', '<font class="red ">', '<div class="name">', "<!--", "-->",
    "<script>", "</script>", "<![CDATA[", "]]>", "&nbsp;", "&#0;", "&#xD800;", "&", "<", ">", "\x00", "\x1b",
    "\ufeff", "\u00a0", "\u3000", "（by ", "）", "<br>", '<meta property="og:url" content="http://[::1">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "url": [[[', "<base href='//x'>", "\ud800",
]
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


@SETTINGS
@given(st.binary(max_size=6000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(outcome_of(data))


@SETTINGS
@given(st.text(st.characters(exclude_categories=()), max_size=3000))
def test_arbitrary_text_including_lone_surrogates(data: str) -> None:
    check(outcome_of(data))


@st.composite
def mangled_pages(draw: st.DrawFn) -> bytes:
    """A real fixture page with a few edits, biased towards the article region where the parser looks."""
    data = bytearray(PAGES[draw(st.sampled_from(sorted(PAGES)))])
    start = max(data.find(b'<div class="where">'), 0)
    end = data.find(b'<div class="fbsbox">') if b'<div class="fbsbox">' in data else len(data)
    for _ in range(draw(st.integers(1, 6))):
        size = len(data)
        at = draw(st.one_of(st.integers(0, size), st.integers(min(start, size), min(end, size))))
        kind = draw(st.sampled_from(["delete", "insert", "truncate", "duplicate", "byte"]))
        if kind == "delete":
            del data[at:at + draw(st.integers(1, 2000))]
        elif kind == "insert":
            piece = draw(st.one_of(st.sampled_from(JUNK), st.text(max_size=40)))
            data[at:at] = piece.encode("utf-8", "surrogatepass")
        elif kind == "truncate":
            del data[at:]
        elif kind == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 3000))]
        else:
            data[at:at + 1] = bytes([draw(st.integers(0, 255))])
    return bytes(data)


@SETTINGS
@given(mangled_pages())
def test_mangled_real_pages(data: bytes) -> None:
    check(outcome_of(data))


@SETTINGS
@given(mangled_pages())
def test_mangled_real_pages_as_text(data: bytes) -> None:
    check(outcome_of(data.decode("utf-8", "surrogateescape")))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(PAGES)), st.integers(0, 60000))
def test_cut_short_pages_are_whole_records_or_refused(name: str, cut: int) -> None:
    """A download cut short gives the full record (the article was complete) or NotAnArticle, never half a body."""
    outcome = outcome_of(PAGES[name][:cut])
    check(outcome)
    if isinstance(outcome, Article):
        assert outcome == parse_article(PAGES[name])
