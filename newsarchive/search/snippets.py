"""Snippets: the text of each field a hit matched in, with the matches marked.

Built on the same matcher as KWIC (newsarchive.search.occurrences) rather
than tantivy's snippet generator, which highlights a phrase word by word
wherever the words occur ("cross-strait ties" marks a lone "Cross-strait" in
a headline without "ties"), ignores prefixes, and joins paragraphs. Here a
phrase is one highlighted range, prefixes and proximity matches are marked,
and each field says what it is: a phrase found in the kicker shows the
kicker, not a stray word of the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

import tantivy

from newsarchive.search.occurrences import field_values, find
from newsarchive.search.syntax import Match

MAX_CHARS = 200
#: which field stands for a hit when one snippet must (Hit.snippet): the body first, as before
MAIN_ORDER = ("body", "deck", "kicker", "headline", "byline")


@dataclass
class Snippet:
    """`text` of one field (the body: a window of its best paragraph); `highlights` are character ranges in it."""

    field: str
    text: str
    highlights: list[tuple[int, int]] = _field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "text": self.text, "highlights": [list(r) for r in self.highlights]}


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def window(text: str, ranges: list[tuple[int, int]], max_chars: int) -> tuple[str, list[tuple[int, int]]]:
    """At most `max_chars` of text around the first match, cut at spaces, with the ranges moved to fit."""
    if len(text) <= max_chars:
        return text, ranges
    first = ranges[0][0] if ranges else 0
    start = max(0, first - max_chars // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start and all(b <= space for a, b in ranges if a < space):
            end = space
    return text[start:end], [(a - start, b - start) for a, b in ranges if a >= start and b <= end]


def snippets(record: dict[str, Any], matches: Iterable[Match], analyzer: tantivy.TextAnalyzer,
             max_chars: int = MAX_CHARS) -> dict[str, Snippet]:
    """One snippet per field with a match: short fields whole, the body around its paragraph with most matches."""
    per_value: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for o in find(record, matches, analyzer):
        ranges = per_value.setdefault(o.field, {})
        if o.first.value == o.last.value:
            ranges.setdefault(o.first.value, []).append((o.first.start, o.last.end))
        else:  # across a paragraph break: mark both ends
            ranges.setdefault(o.first.value, []).append((o.first.start, o.first.end))
            ranges.setdefault(o.last.value, []).append((o.last.start, o.last.end))
    out: dict[str, Snippet] = {}
    for name, by_value in per_value.items():
        best = max(by_value, key=lambda v: (len(by_value[v]), -v))
        text, marks = window(field_values(record, name)[best], _merge(by_value[best]), max_chars)
        out[name] = Snippet(name, text, marks)
    return out


def main_snippet(found: dict[str, Snippet]) -> Snippet | None:
    """The snippet that stands for the hit: the body's if it matched, else the first of deck, kicker, headline."""
    return next((found[name] for name in MAIN_ORDER if name in found), None)
