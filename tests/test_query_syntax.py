"""The query language as a researcher types it: how each query is read, and one-line errors for the rest."""

from __future__ import annotations

import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.exitcodes import Exit, exit_code_for
from newsarchive.search.schema import analyzer
from newsarchive.search.syntax import Match, parse, positive_matches

ANALYZE = analyzer().analyze


def reading(query: str) -> str:
    return parse(query, ANALYZE).describe()


@pytest.mark.parametrize("query, expected", [
    ("typhoon OR earthquake", "(typhoon OR earthquake)"),
    ("kaohsiung AND typhoon", "(kaohsiung AND typhoon)"),
    ("kaohsiung typhoon", "(kaohsiung AND typhoon)"),
    # OR binds tighter than AND, written or implied (Nexis, Westlaw, Google)
    ("typhoon kaohsiung OR tainan", "(typhoon AND (kaohsiung OR tainan))"),
    ("typhoon OR earthquake AND kaohsiung", "((typhoon OR earthquake) AND kaohsiung)"),
    ("a OR b c OR d", "((a OR b) AND (c OR d))"),
    ("(typhoon kaohsiung) OR tainan", "((typhoon AND kaohsiung) OR tainan)"),
    ("(a OR b) -c", "((a OR b) AND NOT c)"),
    ("-word taiwan", "(NOT word AND taiwan)"),
    ("taiwan NOT china", "(taiwan AND NOT china)"),
    ("taiwan NOT (china OR japan)", "(taiwan AND NOT (china OR japan))"),
    ('-"martial law" museum', '(NOT "martial law" AND museum)'),
    ('"martial law"~3', '"martial law"~3'),
    ("protest*", "protest*"),
    ('"cross str*"', '"cross str*"'),
    ("headline:typhoon", "headline:typhoon"),
    ('byline:"lee i-chia"', 'byline:"lee i chia"'),
    ("headline:(typhoon OR earthquake) kaohsiung", "((headline:typhoon OR headline:earthquake) AND kaohsiung)"),
    ("kicker:(trade -war)", "(kicker:trade AND NOT kicker:war)"),
    ("Taiwan's", '"taiwan s"'),
    ("COVID-19", '"covid 19"'),
    ("Café", "cafe"),
    ("10:30", '"10 30"'),
    ("Note: typhoon", "(note AND typhoon)"),
    ("typhoon & earthquake", "(typhoon AND earthquake)"),  # '&' is not indexed either
    ("typhoon - earthquake", "(typhoon AND earthquake)"),  # a lone '-' is punctuation
    ("and or not", "(and AND or AND not)"),  # lower case: words
    ('"OR" gate', "(or AND gate)"),
    ("(((taiwan)))", "taiwan"),
    ("台北 typhoon", "(台北 AND typhoon)"),
    ("what next?", "(what AND next)"),  # a trailing ? is punctuation
])
def test_reading(query: str, expected: str) -> None:
    assert reading(query) == expected


@pytest.mark.parametrize("query, message", [
    ("", "it is empty"),
    ("   ", "it is empty"),
    ("a OR", "OR needs a word after it"),
    ("OR a", "OR needs a word before it"),
    ("a AND", "AND needs a word after it"),
    ("AND a", "AND needs a word before it"),
    ("a OR OR b", "OR needs a word after it"),
    ("a AND OR b", "AND needs a word after it"),
    ('"unclosed', "a quote is not closed"),
    ('a "unclosed phrase', "a quote is not closed"),
    ("(a OR b", "'(' is never closed"),
    ("a OR b)", "')' without a matching '('"),
    ("()", "empty parentheses"),
    ("-word", "only exclusions"),
    ("NOT word", "only exclusions"),
    ("-a -b", "only exclusions"),
    ("(a -b) OR (-c)", "an exclusion cannot be a side of OR"),
    ("a OR -b", "an exclusion cannot be a side of OR"),
    ("a OR NOT b", "an exclusion cannot be a side of OR"),
    ("NOT", "NOT needs a word"),
    ("a NOT", "NOT needs a word"),
    ("a NOT NOT b", "NOT needs a word"),
    ("foo:bar", "unknown field 'foo:'"),
    ("http://example.com", "unknown field 'http:'"),
    ("headline: typhoon", "no space may follow a field name"),
    ("headline:-typhoon", "must be followed by a word"),
    ("typhoon~2", "~N must follow a closing quote"),
    ('"taiwan"~2', "~N needs a phrase of two or more words"),
    ('"a b"~', "~N must follow a closing quote"),
    ('"a b"~999', "more than 50"),
    ('"cross str*"~2', "cannot be both a prefix"),
    ("pr*", "at least 3 letters"),
    ("*", "nothing before '*'"),
    ("tai*wan", "only allowed at the end"),
    ('"tai* wan"', "only allowed at the end of the last word"),
    ('""', "an empty phrase"),
    ('"&"', "nothing searchable"),
    ("&", "no words to search for"),
    ("--x", "quote a word that starts with '-'"),
    ("a OR &", "a side of OR has no words"),
    ("protest!", "write protest* for every word starting with protest"),
    ("wom?n", "single-character wildcards"),
    (" ".join(["w"] * 201), "more than 200 words"),
])
def test_unreadable_queries_are_one_line_usage_errors(query: str, message: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse(query, ANALYZE)
    text = str(info.value)
    assert message in text, text
    assert text.startswith("cannot parse query ") and "\n" not in text
    assert exit_code_for(info.value) == Exit.USAGE


def test_errors_name_the_character() -> None:
    with pytest.raises(InvalidArgument, match=r"'\(' is never closed \(at character 9\)"):
        parse("typhoon (a OR b", ANALYZE)


def test_positive_matches_leave_out_exclusions() -> None:
    node = parse('typhoon -kaohsiung (quake OR "martial law") NOT (a -b)', ANALYZE)
    assert [m.describe() for m in positive_matches(node)] == ["typhoon", "quake", '"martial law"', "b"]


def test_a_match_carries_its_fields_and_form() -> None:
    (m,) = positive_matches(parse('deck:"cross str*"', ANALYZE))
    assert m == Match(("cross", "str"), ("deck",), 0, True, '"cross str*"')
