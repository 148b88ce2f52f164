"""Property tests: whatever bytes or text arrive, `parse_article` returns a sound record or raises NotAnArticle.

What "sound" means is checked by tests/support/parser_outcomes.py (shared with the fuzz suite).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.article import Article
from newsarchive.parser import parse_article
from tests.support.parser_outcomes import PAGES, SETTINGS, check, outcome_of

#: fragments that stress the template: its own markers, unbalanced tags, entities, controls
JUNK = [
    "<div>", "</div>", "</li></ul>", "<h1>", "</h1>", "<h2>", "<h6>Mon, Feb 30, 2024 page0</h6>", "<p>", "</p>",
    '<div class="archives">', '<div class="imgboxa">', '<font class="red ">', '<div class="name">', "<!--", "-->",
    "<script>", "</script>", "<![CDATA[", "]]>", "&nbsp;", "&#0;", "&#xD800;", "&", "<", ">", "\x00", "\x1b",
    "\ufeff", "\u00a0", "\u3000", "（by ", "）", "<br>", '<meta property="og:url" content="http://[::1">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "url": [[[', "<base href='//x'>", "\ud800",
]


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


def test_a_claimed_url_with_a_page_in_it_is_reported_on_one_short_line() -> None:
    """Found by the mangled-page property (seed 1): a page cut inside og:url's content and pasted again makes the
    claimed "URL" half a page of markup; the reason quotes it on one line, cut at 120 characters."""
    marker = b'<meta property="og:url" content="'
    page = next(page for page in PAGES.values() if marker in page)
    cut = page.index(marker) + len(marker)
    outcome = outcome_of(page[:cut] + page[:cut])
    check(outcome)
    assert str(outcome).startswith("not an article page (<!DOCTYPE html> <html lang=")
    assert len(str(outcome)) < 150
