"""Parsed queries against a small real index: hit sets stated by hand, the prefix bound, and queries
without operators keeping the hits and scores of the earlier query builder."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import tantivy
from tantivy import Occur, Query

from newsarchive.errors import InvalidArgument
from newsarchive.search import Archive
from newsarchive.search import query as query_module
from newsarchive.search.filters import Filters
from newsarchive.search.query import build_query
from newsarchive.search.schema import ANALYZER, TEXT_FIELDS, analyzer, build_schema, to_document
from newsarchive.search.syntax import parse

AN = analyzer()
DAY = dt.date(2024, 10, 2)
DOCS: list[dict[str, Any]] = [
    {"id": "1", "headline": "Typhoon hits Kaohsiung", "body": ["Heavy rain in the south.", "Martial law was lifted in 1987."]},
    {"id": "2", "headline": "Earthquake shakes Hualien", "body": ["The martial and civil law debate.", "Protesters gathered."]},
    {"id": "3", "headline": "Cabinet meets", "kicker": "CROSS-STRAIT TIES", "body": ["Martial", "law"]},
    {"id": "4", "headline": "Protests in Taipei", "body": ["A protest against the law, with martial music."],
     "byline": "By Lee I-chia / Staff reporter"},
    {"id": "5", "headline": "Taiwan's COVID-19 cases", "body": ["Kaohsiung reports a typhoon and an earthquake.",
                                                                "The law martial reversed."]},
    {"id": "6", "headline": "Café culture", "body": ["A protestant church; protesting students."], "byline": "AFP, TOKYO"},
]


@pytest.fixture(scope="module")
def index() -> tantivy.Index:
    ix = tantivy.Index(build_schema())
    ix.register_tokenizer(ANALYZER, analyzer())
    writer = ix.writer(15_000_000, 1)
    for doc in DOCS:
        writer.add_document(to_document(f"k{doc['id']}", doc, DAY, int(doc["id"]), True))
    writer.commit()
    ix.reload()
    return ix


@pytest.fixture
def archive(search_archive: Archive) -> Archive:
    return search_archive


def hits(index: tantivy.Index, text: str) -> list[str]:
    searcher = index.searcher()
    q = build_query(index.schema, searcher, parse(text, AN.analyze), Filters(), query_text=text)
    return sorted(searcher.doc(a).get_first("id") for _, a in searcher.search(q, 100).hits)


@pytest.mark.parametrize("text, ids", [
    ("typhoon OR earthquake", ["1", "2", "5"]),
    ("kaohsiung AND typhoon", ["1", "5"]),
    ("typhoon kaohsiung OR hualien", ["1", "5"]),
    ("(typhoon OR earthquake) -kaohsiung", ["2"]),
    ('"martial law"', ["1"]),                       # not 3: the phrase would span two paragraphs
    ('"martial law"~1', ["1", "3"]),               # 3: ~N counts the paragraph break as one word
    ('"martial law"~2', ["1", "2", "3", "5"]),     # 2: two words between; 5: "law martial", a swap costs 2
    ('"martial law"~3', ["1", "2", "3", "4", "5"]),  # 4: "the law, with martial": a swap and one word
    ("protest*", ["2", "4", "6"]),                  # protesters, protests, protest, protestant, protesting
    ('"the law*"', ["4", "5"]),                     # a phrase whose last word is a prefix
    ("headline:typhoon", ["1"]),
    ("headline:protest*", ["4"]),
    ('byline:"lee i-chia"', ["4"]),
    ("byline:afp", ["6"]),
    ("staff", []),                                  # the byline only when named
    ('kicker:"cross-strait ties"', ["3"]),
    ('"CROSS-STRAIT TIES"', ["3"]),
    ("Taiwan's", ["5"]),
    ("COVID-19", ["5"]),
    ("cafe", ["6"]),
    ("typhoon NOT headline:typhoon", ["5"]),
    ("zzzprefix*", []),
])
def test_hits(index: tantivy.Index, text: str, ids: list[str]) -> None:
    assert hits(index, text) == ids


def test_a_prefix_standing_for_too_many_words_is_refused_not_cut(index: tantivy.Index,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query_module, "MAX_EXPANSIONS", 3)
    with pytest.raises(InvalidArgument, match=r"protest\* stands for 5 different words \(at most 3\): use a longer"):
        hits(index, "protest*")


# -- queries without operators: the same hits and scores as the builder they replace ------------------
def earlier_query(schema: tantivy.Schema, text: str) -> Query:
    """What earlier versions built: each word or "phrase" a Must (-x: MustNot) over the four text fields."""
    clauses = []
    for part in _earlier_terms(text):
        exclude, words = part
        per_field = [(Occur.Should, Query.boost_query(
            Query.term_query(schema, f, words[0], index_option="freq") if len(words) == 1
            else Query.phrase_query(schema, f, list(words)), boost)) for f, boost in TEXT_FIELDS.items()]
        clauses.append((Occur.MustNot if exclude else Occur.Must, Query.boolean_query(per_field)))
    return Query.boolean_query(clauses)


def _earlier_terms(text: str) -> list[tuple[bool, tuple[str, ...]]]:
    terms = []
    for m in re.finditer(r'(-?)"([^"]*)"|(-?)([^\s"]+)', text):
        minus, raw = (m[1], m[2]) if m[2] is not None else (m[3], m[4])
        words = tuple(AN.analyze(raw))
        if words:
            terms.append((bool(minus), words))
    return terms


@pytest.mark.parametrize("text", ["typhoon Kaohsiung", '"Executive Yuan" -premier', "Taipei's", "evacuated residents",
                                  "Café culture", "government -minister -premier", '"Executive Yuan" said',
                                  "typhoon & earthquake", "government"])
def test_queries_without_operators_keep_their_hits_and_scores(archive: Archive, text: str) -> None:
    archive.update()
    searcher = archive.index.searcher()
    schema = archive.index.schema
    before = searcher.search(earlier_query(schema, text), 10_000)
    now = searcher.search(build_query(schema, searcher, parse(text, AN.analyze), Filters()), 10_000)
    assert before.hits, text
    assert [(round(s, 5), a.segment_ord, a.doc) for s, a in before.hits] == \
        [(round(s, 5), a.segment_ord, a.doc) for s, a in now.hits]
