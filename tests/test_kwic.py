"""Concordance lines and snippets come from one matcher that agrees with the index, record by record."""

from __future__ import annotations

from typing import Any

import pytest

from newsarchive.search import Archive
from newsarchive.search.kwic import kwic
from newsarchive.search.occurrences import find, tokenize
from newsarchive.search.schema import analyzer
from newsarchive.search.snippets import main_snippet, snippets, window
from newsarchive.search.syntax import And, Match, Node, Not, parse, positive_matches

AN = analyzer()


def lines(record: dict[str, Any], query: str, width: int = 60) -> list[tuple[str, str, str, str]]:
    found = kwic(record, positive_matches(parse(query, AN.analyze)), AN, width)
    return [(ln.field, ln.left, ln.match, ln.right) for ln in found]


def test_positions_leave_one_between_paragraphs_as_tantivy_does() -> None:
    assert [t.pos for t in tokenize(AN, ["Martial", "law", "", "was lifted"])] == [0, 2, 5, 6]


def test_every_occurrence_with_its_context_in_reading_order() -> None:
    record = {"id": "1", "headline": "Typhoon nears", "body": ["A typhoon, the first typhoon of the year.",
                                                             "No typhoon here? Typhoons are common."]}
    assert lines(record, "typhoon", width=8) == [
        ("headline", "", "Typhoon", "nears"),
        ("body", "A", "typhoon", ", the fi"),
        ("body", "he first", "typhoon", "of the y"),  # `width` characters, as a concordance cuts
        ("body", "No", "typhoon", "here? Ty"),
    ]


def test_prefix_phrase_and_proximity() -> None:
    record = {"id": "1", "body": ["Protesters and protests: a protest.", "He spoke of martial", "law in 1987.",
                                  "The cross-strait ties were strained."]}
    assert [m for _, _, m, _ in lines(record, "protest*")] == ["Protesters", "protests", "protest"]
    assert lines(record, '"martial law"~1', width=11) == [("body", "He spoke of", "martial ¶ law", "in 1987.")]
    assert lines(record, '"martial law"') == []
    assert [m for _, _, m, _ in lines(record, '"cross strait ties"')] == ["cross-strait ties"]
    assert [m for _, _, m, _ in lines(record, '"ties cross"~3')] == ["cross-strait ties"]  # swapped and one apart


def test_excluded_words_are_not_lines_and_one_place_is_one_line() -> None:
    record = {"id": "1", "body": ["Typhoon warning in Kaohsiung and Tainan."]}
    assert [m for _, _, m, _ in lines(record, "typhoon -taipei (typhoon* OR storm)")] == ["Typhoon"]
    assert [m for _, _, m, _ in lines(record, "kaohsiung OR tainan")] == ["Kaohsiung", "Tainan"]


def test_a_phrase_in_the_kicker_is_found_in_the_kicker() -> None:
    record = {"id": "1", "kicker": "CROSS-STRAIT TIES", "headline": "Talks resume", "body": ["Cross strait talks."]}
    assert lines(record, '"cross-strait ties"') == [("kicker", "", "CROSS-STRAIT TIES", "")]
    found = snippets(record, positive_matches(parse('"cross-strait ties"', AN.analyze)), AN)
    assert list(found) == ["kicker"]
    assert (found["kicker"].text, found["kicker"].highlights) == ("CROSS-STRAIT TIES", [(0, 17)])
    assert main_snippet(found) is found["kicker"]


def test_snippets_mark_whole_phrases_in_the_best_paragraph() -> None:
    record = {"id": "1", "headline": "Martial law remembered",
              "body": ["Nothing here.", "Martial law ended in 1987; martial law is remembered.", "martial arts"]}
    found = snippets(record, positive_matches(parse('"martial law"', AN.analyze)), AN)
    assert set(found) == {"headline", "body"}
    body = found["body"]
    assert body.text == record["body"][1]
    assert [body.text[a:b] for a, b in body.highlights] == ["Martial law", "martial law"]
    assert main_snippet(found) is body
    assert found["headline"].highlights == [(0, 11)]


def test_windows_cut_at_spaces_and_keep_the_marks() -> None:
    text = "word " * 30 + "typhoon " + "word " * 60
    start = text.index("typhoon")
    cut, marks = window(text, [(start, start + 7)], 100)
    assert len(cut) <= 100 and not cut.startswith(" ") and not cut.endswith(" ")
    assert [cut[a:b] for a, b in marks] == ["typhoon"]


QUERIES = ["typhoon", '"executive yuan"', '"the government"~2', "minister*", '"said the*"', "headline:typhoon",
           'kicker:"trade war"', 'byline:"lee i-chia"', '"martial law"~1', "typhoon OR kaohsiung -residents",
           "(taiwan OR china) premier", "deck:semiconductor"]


@pytest.fixture
def archive(search_archive: Archive) -> Archive:
    return search_archive


def holds(node: Node, record: dict[str, Any]) -> bool:
    """The query's truth for a record, from the matcher's occurrences alone (no index)."""
    if isinstance(node, Match):
        return bool(find(record, [node], AN))
    if isinstance(node, Not):
        return not holds(node.child, record)
    if isinstance(node, And):
        return all(holds(child, record) for child in node.children)
    return any(holds(child, record) for child in node.children)


@pytest.mark.parametrize("query", QUERIES)
def test_the_matcher_agrees_with_the_index_record_by_record(archive: Archive, records: list, query: str) -> None:
    """Two independent answers: the index's hits, and the query evaluated on the matcher's occurrences."""
    matched = {h.id for h in archive.search(query, limit=None, snippets=False)}
    node = archive.parse(query)
    assert matched, query
    assert {r["id"] for r in records if holds(node, r)} == matched
    matches = list(positive_matches(node))
    assert all(kwic(r, matches, AN) for r in records if r["id"] in matched)


def test_archive_kwic_reads_the_hits(archive: Archive, records: list) -> None:
    result = archive.kwic("typhoon", width=20, limit=None)
    assert result.total == result.articles == len({ln.id for ln in result.lines})
    by_id = {r["id"]: r for r in records}
    for line in result.lines:
        assert line.match.lower() == "typhoon" and len(line.left) <= 20 and len(line.right) <= 20
        record = by_id[line.id]
        assert (line.published, line.section) == (record["published"], record["section_slug"])
    first = archive.kwic("typhoon", limit=2)
    assert first.articles == 2 and first.total == result.total
    assert first.to_dict()["lines"][0].keys() == {"id", "published", "section", "field", "paragraph", "left",
                                                  "match", "right", "query"}


def test_only_paragraphs_that_can_hold_a_match_are_skipped() -> None:
    """ASCII paragraphs without the words are skipped; accented ones never are (the analyzer folds them)."""
    record = {"id": "1", "body": ["Nothing to see.", "The CAFÉ opened.", "A cafe closed.", "Café society"]}
    assert [m for _, _, m, _ in lines(record, "cafe")] == ["CAFÉ", "cafe", "Café"]
    assert [m for _, _, m, _ in lines(record, '"cafe society"~1')] == ["Café society"]
    assert lines(record, '"nothing opened"~5') == [("body", "", "Nothing to see. ¶ The CAFÉ opened", ".")]
