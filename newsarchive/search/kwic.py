"""Keyword in context: every occurrence of a query in a record, with the text either side.

The lines come from newsarchive.search.occurrences, the index's own tokens,
so a concordance shows exactly what the index matched, including matches in
the headline, kicker or deck and proximity matches that reach into the next
paragraph (shown `martial ¶ law`). Context is cut to `width` characters and
its white space collapsed, so each line is one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import tantivy

from newsarchive.search.occurrences import Occurrence, field_values, find
from newsarchive.search.syntax import Match

WIDTH = 60
PARAGRAPH_MARK = " ¶ "


@dataclass(frozen=True)
class KwicLine:
    """One occurrence: `left` + `match` + `right` is the text around it (JSON-friendly: `to_dict`)."""

    id: str
    published: str
    section: str  # the section slug
    field: str  # headline, kicker, deck, byline or body
    paragraph: int  # index of the body paragraph (0 for the other fields)
    left: str
    match: str
    right: str
    query: str  # the part of the query that matched, as `--explain` writes it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _line(record: dict[str, Any], o: Occurrence, width: int) -> KwicLine:
    values = field_values(record, o.field)
    a, b = o.first, o.last
    if a.value == b.value:
        text = values[a.value]
        left, middle, right = text[:a.start], text[a.start:b.end], text[b.end:]
    else:  # a proximity match across a paragraph break (the index allows it)
        left = values[a.value][:a.start]
        middle = PARAGRAPH_MARK.join([values[a.value][a.start:], *values[a.value + 1:b.value], values[b.value][:b.end]])
        right = values[b.value][b.end:]
    left, right = _squash(left), _squash(right)
    return KwicLine(
        id=str(record.get("id") or ""), published=str(record.get("published") or ""),
        section=str(record.get("section_slug") or ""), field=o.field, paragraph=a.value,
        left=left[len(left) - width:] if len(left) > width else left, match=_squash(middle), right=right[:width],
        query=o.match.describe(),
    )


def kwic(record: dict[str, Any], matches: Iterable[Match], analyzer: tantivy.TextAnalyzer,
         width: int = WIDTH) -> list[KwicLine]:
    """The record's lines in reading order; one line per place, even if two parts of the query match it."""
    lines: list[KwicLine] = []
    seen: set[tuple[str, int, int, int, int]] = set()
    for o in find(record, matches, analyzer):
        place = (o.field, o.first.value, o.first.start, o.last.value, o.last.end)
        if place not in seen:
            seen.add(place)
            lines.append(_line(record, o, width))
    return lines
