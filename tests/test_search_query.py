"""newsarchive.search.query: the small query language and the filters, checked in plain Python.

The hit sets themselves are checked against the index in test_search.py; here
the parsing and the `Filters` rule that exports and listings share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.search.query import Filters, Term, parse_terms

D = dt.date


def words(text: str) -> list[str]:
    """A stand-in analyzer: lower-cased words of letters and digits (the index's own is tested with the index)."""
    return ["".join(c for c in w if c.isalnum()).lower() for w in text.split() if any(c.isalnum() for c in w)]


# -- parse_terms -----------------------------------------------------------------------------------------

def test_words_phrases_and_exclusions() -> None:
    assert parse_terms('Typhoon "made landfall" -Kaohsiung -"martial law"', words) == [
        Term(("typhoon",)), Term(("made", "landfall")), Term(("kaohsiung",), exclude=True),
        Term(("martial", "law"), exclude=True),
    ]


def test_punctuation_alone_searches_nothing() -> None:
    assert parse_terms("trade & - war", words) == [Term(("trade",)), Term(("war",))]


@pytest.mark.parametrize("text, words_", [
    ('"martial law', "a quote is not closed"),
    ("", "no words to search for"),
    ("-typhoon", "no words to search for"),
    ("& -", "no words to search for"),
    ('""', "no words to search for"),
])
def test_unsearchable_queries_are_invalid_arguments(text: str, words_: str) -> None:
    with pytest.raises(InvalidArgument, match=words_):
        parse_terms(text, words)


# -- Filters ---------------------------------------------------------------------------------------------

def record(**fields: Any) -> dict[str, Any]:
    return {"section_slug": "taiwan", "authors": ["Lee I-chia"], "agencies": ["CNA"], **fields}


def test_no_filter_keeps_everything() -> None:
    assert Filters.build() == Filters()
    assert Filters.build().matches(record(), D(2028, 2, 29))


def test_section_by_slug_or_display_name() -> None:
    assert Filters.build(section="Taiwan News").section == Filters.build(section=" TAIWAN ").section == "taiwan"
    taiwan = Filters.build(section="taiwan")
    assert taiwan.matches(record(), D(2024, 10, 16))
    assert not taiwan.matches(record(section_slug="world"), D(2024, 10, 16))


def test_dates_are_inclusive() -> None:
    leap = Filters.build(since="2028-02-28", until=D(2028, 2, 29))
    assert (leap.since, leap.until) == (D(2028, 2, 28), D(2028, 2, 29))
    assert leap.matches(record(), D(2028, 2, 28)) and leap.matches(record(), D(2028, 2, 29))
    assert not leap.matches(record(), D(2028, 2, 27)) and not leap.matches(record(), D(2028, 3, 1))
    assert Filters.build(since="2031-12-31").matches(record(), D(2032, 1, 1))
    assert not Filters.build(until="2031-12-31").matches(record(), D(2032, 1, 1))


def test_author_and_agency_match_whole_names_in_any_case_and_spacing() -> None:
    assert Filters.build(author="lee   I-CHIA").matches(record(), D(2024, 10, 16))
    assert not Filters.build(author="Lee").matches(record(), D(2024, 10, 16))
    assert Filters.build(agency="cna").matches(record(), D(2024, 10, 16))
    assert not Filters.build(agency="AFP").matches(record(), D(2024, 10, 16))
    # missing or odd name lists do not match, and do not fail
    assert not Filters.build(author="Lee I-chia").matches(record(authors=None), D(2024, 10, 16))
    assert Filters.build(agency="CNA").matches(record(agencies=[None, 3, "CNA"]), D(2024, 10, 16))


@pytest.mark.parametrize("kwargs, words_", [
    ({"section": "Opinion"}, "--section: unknown section 'Opinion'"),
    ({"since": "2024-10-05", "until": "2024-10-01"}, "--until 2024-10-01 is before --since 2024-10-05"),
    ({"since": "last week"}, "--since: not a date"),
    ({"until": "2027-02-29"}, "--until: not a date"),
    ({"author": "   "}, "--author: empty name"),
    ({"agency": ""}, "--agency: empty name"),
])
def test_bad_filters_are_invalid_arguments(kwargs: dict[str, Any], words_: str) -> None:
    with pytest.raises(InvalidArgument, match=words_):
        Filters.build(**kwargs)
