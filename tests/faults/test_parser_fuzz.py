"""Parser fuzzing beyond tests/test_parser_properties.py (which mangles bytes): mangled *structure* and
*encodings* of real-template pages. The only documented outcomes are a sound record or NotAnArticle.

Structural edits work on the element tree (lxml), so they produce what a
broken CMS or a proxy would: elements of the article dropped, doubled, moved,
or buried under thousands of wrappers; then the page goes through the parser
as bytes, like a crawled response.
"""

from __future__ import annotations

import random

import lxml.html
from hypothesis import given
from hypothesis import strategies as st

from newsarchive.article import Article
from newsarchive.parser import parse_article
from tests.support.parser_outcomes import PAGES, SETTINGS, check, outcome_of

#: encodings a page may arrive in, honest or not, with or without a BOM
ENCODINGS = ["utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "big5", "gb18030", "shift_jis",
             "euc-kr", "iso-2022-jp", "koi8-r", "ascii"]


@st.composite
def restructured_pages(draw: st.DrawFn) -> bytes:
    """A fixture page whose article elements were dropped, doubled, moved or nested deeply."""
    name = draw(st.sampled_from(sorted(PAGES)))
    tree = lxml.html.fromstring(PAGES[name])
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    region = tree.xpath('//div[@class="archives"]') or [tree]
    for _ in range(draw(st.integers(1, 5))):
        elements = [e for e in region[0].iter() if e is not region[0] and e.getparent() is not None]
        if not elements:
            break
        element = rng.choice(elements)
        parent = element.getparent()
        kind = draw(st.sampled_from(["drop", "duplicate", "move", "nest", "swap_tag"]))
        if kind == "drop":
            parent.remove(element)
        elif kind == "duplicate":
            for _ in range(draw(st.integers(1, 3))):
                parent.insert(parent.index(element), lxml.html.fromstring(lxml.html.tostring(element)))
        elif kind == "move":
            parent.remove(element)
            target = rng.choice([tree, *tree.iter("body", "div", "ul", "li")])
            target.insert(rng.randint(0, len(target)), element)
        elif kind == "nest":
            depth = draw(st.sampled_from([2, 50, 1000, 5000]))
            outer = inner = lxml.html.Element(draw(st.sampled_from(["div", "span", "p", "b"])))
            for _ in range(depth - 1):
                child = inner.makeelement(inner.tag, {})
                inner.append(child)
                inner = child
            parent.replace(element, outer)
            inner.append(element)
        else:
            element.tag = draw(st.sampled_from(["div", "p", "h1", "h2", "span", "script", "li"]))
    return lxml.html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")


@SETTINGS
@given(restructured_pages())
def test_restructured_real_pages(data: bytes) -> None:
    check(outcome_of(data))


@SETTINGS
@given(st.sampled_from(sorted(PAGES)), st.sampled_from(ENCODINGS), st.sampled_from(["keep", "drop", "lie"]),
       st.sampled_from(["replace", "xmlcharrefreplace", "ignore"]))
def test_real_pages_in_strange_encodings(name: str, encoding: str, meta: str, errors: str) -> None:
    """Re-encoded pages, their charset declaration kept, removed, or naming another encoding."""
    text = PAGES[name].decode("utf-8")
    if meta == "drop":
        text = text.replace('charset="utf-8"', "").replace("charset=utf-8", "")
    elif meta == "lie":
        text = text.replace('charset="utf-8"', 'charset="iso-8859-7"').replace("charset=utf-8", "charset=iso-8859-7")
    data = text.encode(encoding, errors)
    outcome = outcome_of(data)
    check(outcome)
    if isinstance(outcome, Article) and encoding == "utf-8-sig" and meta == "keep":
        assert outcome == parse_article(PAGES[name])  # a BOM in front of an honest page changes nothing


@SETTINGS
@given(st.sampled_from(sorted(PAGES)), st.integers(1, 20_000))
def test_deeply_nested_pages_do_not_exhaust_the_stack(name: str, depth: int) -> None:
    """The whole page inside `depth` unclosed <div>s, as a page missing every </div> would be."""
    data = PAGES[name].replace(b"<body", b"<div>" * depth + b"<body", 1)
    check(outcome_of(data))
