"""Citations name the article as printed and the archived capture it was read from."""

from __future__ import annotations

from typing import Any

import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.search.cite import Name, cite

RECORD: dict[str, Any] = {
    "id": "2006849001", "headline": "Typhoon Krathon makes landfall in Kaohsiung", "published": "2024-10-02",
    "url": "https://www.taipeitimes.com/News/taiwan/archives/2024/10/02/2006849001",
    "authors": ["Lee I-chia", "Jason Pan"], "agencies": ["CNA"], "fetched_at": "2024-10-02T03:20:05.123456Z",
    "capture": {"warc": "warc/2024/10/02/TT-1.warc.gz", "offset": 1, "length": 2,
                "record_id": "<urn:uuid:0b2726ec-e390-3de9-57b8-a72eb065f98a>", "payload_digest": "sha1:0B27"},
}
CAPTURE = ("Archived capture: WARC record <urn:uuid:0b2726ec-e390-3de9-57b8-a72eb065f98a> in "
           "warc/2024/10/02/TT-1.warc.gz, captured 2024-10-02T03:20:05Z, payload digest sha1:0B27.")


@pytest.mark.parametrize("name, family, given, family_first, apa, chicago_first", [
    ("Lee I-chia", "Lee", "I-chia", True, "Lee, I.-C.", "Lee I-chia"),
    ("Tsai Ing-wen", "Tsai", "Ing-wen", True, "Tsai, I.-W.", "Tsai Ing-wen"),
    ("Jason Pan", "Pan", "Jason", False, "Pan, J.", "Pan, Jason"),
    ("Jean-Paul Sartre", "Sartre", "Jean-Paul", False, "Sartre, J.-P.", "Sartre, Jean-Paul"),
    ("Mary Ann Evans", "Evans", "Mary Ann", False, "Evans, M. A.", "Evans, Mary Ann"),
    ("AFP", "AFP", "", False, "AFP", "AFP"),
])
def test_names(name: str, family: str, given: str, family_first: bool, apa: str, chicago_first: str) -> None:
    parsed = Name.parse(name)
    assert (parsed.family, parsed.given, parsed.family_first) == (family, given, family_first)
    assert parsed.apa() == apa and parsed.chicago(first=True) == chicago_first


def test_apa() -> None:
    assert cite(RECORD, "apa") == (
        "Lee, I.-C., & Pan, J. (2024, October 2). Typhoon Krathon makes landfall in Kaohsiung. Taipei Times. "
        f"{RECORD['url']} {CAPTURE}")


def test_chicago() -> None:
    assert cite(RECORD, "chicago") == (
        "Lee I-chia and Jason Pan. “Typhoon Krathon makes landfall in Kaohsiung.” Taipei Times, October 2, 2024. "
        f"{RECORD['url']}. {CAPTURE}")


def test_bibtex() -> None:
    record = {**RECORD, "headline": "Q&A: 100% of #1 {fans}"}
    assert cite(record, "bibtex") == "\n".join([
        "@article{taipeitimes-2006849001,",
        "  author = {Lee, I-chia and Pan, Jason},",
        "  title = {{Q\\&A: 100\\% of \\#1 \\{fans\\}}},",
        "  journal = {Taipei Times},",
        "  date = {2024-10-02},",
        "  year = {2024},",
        "  month = {10},",
        f"  url = {{{RECORD['url']}}},",
        "  urldate = {2024-10-02},",
        f"  note = {{{CAPTURE}}}",
        "}",
    ])


def test_an_agency_story_is_cited_under_the_agency_and_an_uncredited_one_under_its_headline() -> None:
    agency = {**RECORD, "authors": []}
    assert cite(agency, "apa").startswith("CNA. (2024, October 2). Typhoon")
    assert "author = {{CNA}}" in cite(agency, "bibtex")
    nobody = {**RECORD, "authors": [], "agencies": [], "headline": "Why now?"}
    assert cite(nobody, "apa").startswith("Why now? (2024, October 2). Taipei Times.")
    assert cite(nobody, "chicago").startswith("“Why now?” Taipei Times, October 2, 2024.")
    assert "author" not in cite(nobody, "bibtex")


def test_a_record_without_a_capture_is_cited_without_one() -> None:
    plain = {k: v for k, v in RECORD.items() if k not in ("capture", "fetched_at")}
    assert "Archived" not in cite(plain, "apa") and "note" not in cite(plain, "bibtex")


def test_html_escapes_and_italicises_the_paper() -> None:
    text = cite({**RECORD, "headline": "<b>Typhoon</b> & rain"}, "apa", markup="html")
    assert "&lt;b&gt;Typhoon&lt;/b&gt; &amp; rain" in text and "<i>Taipei Times</i>." in text
    assert "&lt;urn:uuid:" in text


def test_unknown_style() -> None:
    with pytest.raises(InvalidArgument, match="--cite: 'mla' is not one of apa, chicago, bibtex"):
        cite(RECORD, "mla")
