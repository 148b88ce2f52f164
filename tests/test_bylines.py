"""Byline -> authors, agencies, dateline: every form TAIPEI_TIMES.md lists, then the forms we justify beyond it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.parser.bylines import BylineParts, is_role, parse_byline

#: (printed byline, authors, agencies, dateline)
AS_PRINTED = [
    ("AFP, MANILA", [], ["AFP"], "MANILA"),
    ("Reuters, MOSCOW", [], ["Reuters"], "MOSCOW"),
    ("By Stacy Hsu / Staff reporter", ["Stacy Hsu"], [], None),
    ("By Sean Lin  /  Staff reporter", ["Sean Lin"], [], None),
    ("Staff writer, with CNA", [], ["CNA"], None),
    ("By Ben Blanchard and Yimou Lee / Reuters, TAIPEI", ["Ben Blanchard", "Yimou Lee"], ["Reuters"], "TAIPEI"),
    ("By Nadia Tsao, Lin Liang-sheng and William Hetherington",
     ["Nadia Tsao", "Lin Liang-sheng", "William Hetherington"], [], None),
    # each agency the notes list, in its usual place
    ("AP, WASHINGTON", [], ["AP"], "WASHINGTON"),
    ("Bloomberg", [], ["Bloomberg"], None),
    ("Kyodo, TOKYO", [], ["Kyodo"], "TOKYO"),
    ("NY Times News Service, NEW YORK", [], ["NY Times News Service"], "NEW YORK"),
    ("By Helen Davidson / The Guardian, TAIPEI", ["Helen Davidson"], ["The Guardian"], "TAIPEI"),
    ("Staff writers, with CNA", [], ["CNA"], None),
]

BEYOND = [
    # a "with" clause naming several organisations; generic credits and roles are not organisations
    ("Staff writer, with CNA and AFP", [], ["CNA", "AFP"], None),
    ("Staff writer, with agencies", [], [], None),
    ("By Chen Yu-fu and Jonathan Chin / Staff reporter, with staff writer", ["Chen Yu-fu", "Jonathan Chin"], [], None),
    ("Reuters, WASHINGTON, with staff writer", [], ["Reuters"], "WASHINGTON"),
    # several agencies before one dateline: known names extend the list, the rest is the place
    ("AFP, AP and Reuters, BANGKOK", [], ["AFP", "AP", "Reuters"], "BANGKOK"),
    ("AFP and Reuters, KYIV", [], ["AFP", "Reuters"], "KYIV"),
    ("Reuters, HONG KONG", [], ["Reuters"], "HONG KONG"),
    # an organisation the list does not know, in the organisation's place
    ("Xinhua, BEIJING", [], ["Xinhua"], "BEIJING"),
    ("By Jane Doe / Bloomberg Opinion", ["Jane Doe"], ["Bloomberg Opinion"], None),
    # a comma instead of the slash, before an agency or a role
    ("By Jane Doe, Reuters, TAIPEI", ["Jane Doe"], ["Reuters"], "TAIPEI"),
    ("By Jane Doe, Staff reporter", ["Jane Doe"], [], None),
    # a staff reporter abroad: the place is the dateline
    ("By Lee Hsin-fang / Staff reporter, in WASHINGTON", ["Lee Hsin-fang"], [], "WASHINGTON"),
    ("By Jane Doe / Staff reporter in WASHINGTON", ["Jane Doe"], [], "WASHINGTON"),
    # Oxford comma, ampersand, other roles, lower case "by"
    ("By Jane Doe, John Roe, and Jim Poe", ["Jane Doe", "John Roe", "Jim Poe"], [], None),
    ("By Jane Doe & John Roe / Staff reporters", ["Jane Doe", "John Roe"], [], None),
    ("By Jane Doe / Special to the Taipei Times", ["Jane Doe"], [], None),
    ("By Jane Doe / Contributing reporter", ["Jane Doe"], [], None),
    ("by Jane Doe", ["Jane Doe"], [], None),
    ("By Chen Fang-yu", ["Chen Fang-yu"], [], None),
    # white space as pages print it
    ("By Ben Blanchard \nand Yimou Lee ", ["Ben Blanchard", "Yimou Lee"], [], None),
    ("\u00a0AFP,\u00a0 MANILA\n", [], ["AFP"], "MANILA"),
    # nothing printed
    (None, [], [], None),
    ("", [], [], None),
    ("   ", [], [], None),
    ("By", [], [], None),
]


@pytest.mark.parametrize("byline, authors, agencies, dateline", AS_PRINTED + BEYOND)
def test_byline_parts(byline: str | None, authors: list[str], agencies: list[str], dateline: str | None) -> None:
    assert parse_byline(byline) == BylineParts(authors, agencies, dateline)


@pytest.mark.parametrize("role", ["Staff writer", "Staff writers", "Staff reporter", "staff reporters",
                                  "Contributing reporter", "Special to the Taipei Times", "Correspondent"])
def test_roles_are_never_agencies(role: str) -> None:
    assert is_role(role)
    assert parse_byline(role).agencies == []
    assert parse_byline(f"By Jane Doe / {role}").agencies == []


@pytest.mark.parametrize("organisation", ["Writers Guild", "Reporters Without Borders"])
def test_an_organisation_named_after_a_role_is_still_an_organisation(organisation: str) -> None:
    assert not is_role(organisation)
    assert parse_byline(f"{organisation}, PARIS").agencies == [organisation]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_parts_taken_from_the_text(byline: str) -> None:
    """Whatever the input, no exception, and every part is a piece of the byline, never made up."""
    def norm(text: str) -> str:
        return re.sub(r"\s*,\s*", ", ", " ".join(text.split()))

    parts = parse_byline(byline)
    for piece in parts.authors + parts.agencies + ([parts.dateline] if parts.dateline else []):
        assert piece and piece == " ".join(piece.split())
        assert norm(piece) in norm(byline)
