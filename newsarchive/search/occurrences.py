"""Where a query's words and phrases occur in a record: the one matcher behind KWIC lines and highlights.

Tokens come from the index's own analyzer through `TextAnalyzer.pre_tokenize`
(Rust): the same words and positions the index holds, with character
offsets that are Python string indices. So what a concordance line or a
highlight shows is what the index matched; a regex re-implementation of the
analyzer disagreed on 94% of mixed-script test texts (ligatures, Æ, İ, ...).

Positions across a multi-valued field (body paragraphs) follow tantivy's
indexer: the next value starts one position after the last token of the
previous one plus one (POSITION_GAP = 1), so an exact phrase never spans
paragraphs but `"a b"~N` with N >= 1 can, as the index itself does.

Slop follows tantivy's phrase scorer: word i of a phrase gets the adjusted
position pos - i; consecutive words match when their adjusted positions
differ by at most the slop left, and the differences add up. We search
exhaustively where tantivy is greedy, which can only find a few more
occurrences in records the index already matched.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import tantivy

from newsarchive.search.syntax import Match

#: every field a query can match, in the order a reader meets them
FIELD_ORDER = ("headline", "kicker", "deck", "byline", "body")


class Token(NamedTuple):
    text: str
    pos: int  # position within the field (with the paragraph gap), or within its value
    value: int  # which value of the field (body paragraph); 0 for single-valued fields
    start: int  # character offsets within that value
    end: int


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a match: from token `first` to token `last` of `field` (maybe across paragraphs)."""

    match: Match
    field: str
    first: Token
    last: Token


def field_values(record: dict[str, Any], field: str) -> list[str]:
    value = record.get(field)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) and value else []


def tokenize(analyzer: tantivy.TextAnalyzer, values: list[str], first_value: int = 0) -> list[Token]:
    """The tokens of `values` with positions running across them as tantivy numbers a multi-valued field."""
    tokens: list[Token] = []
    base = 0
    for index, text in enumerate(values, first_value):
        last = -1
        for t in analyzer.pre_tokenize(text).tokens:
            last = t.position
            tokens.append(Token(t.text, base + last, index, t.char_offset_from, t.char_offset_to))
        base += last + 2 if last >= 0 else 1  # end position + POSITION_GAP
    return tokens


class _Tokens:
    """Tokens and where each word occurs among them."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.by_text: dict[str, list[int]] = {}
        for index, token in enumerate(tokens):
            self.by_text.setdefault(token.text, []).append(index)

    def candidates(self, m: Match, i: int) -> list[int]:
        """Indexes of the tokens that can be word i of the match."""
        word = m.words[i]
        if m.prefix and i == len(m.words) - 1:
            return sorted(j for text, js in self.by_text.items() if text.startswith(word) for j in js)
        return self.by_text.get(word, [])

    def spans(self, m: Match) -> Iterator[tuple[Token, Token]]:
        """(first, last) token of each occurrence of m."""
        n = len(m.words)
        cands = [self.candidates(m, i) for i in range(n)]
        if any(not c for c in cands):
            return
        toks = self.tokens
        if n == 1:
            for j in cands[0]:
                yield toks[j], toks[j]
            return
        if m.slop == 0:
            at = [{toks[j].pos: j for j in c} for c in cands]
            for j in cands[0]:
                p = toks[j].pos
                if all(p + i in at[i] for i in range(1, n)):
                    yield toks[j], toks[at[n - 1][p + n - 1]]
            return
        adjusted = [[toks[j].pos - i for j in c] for i, c in enumerate(cands)]

        def extend(i: int, prev: int, budget: int, chosen: list[int]) -> Iterator[list[int]]:
            if i == n:
                yield chosen
                return
            for k in range(bisect_left(adjusted[i], prev - budget), len(adjusted[i])):
                a = adjusted[i][k]
                if a > prev + budget:
                    break
                # no check that tokens differ: tantivy lets one token serve two words of a sloppy phrase
                yield from extend(i + 1, a, budget - abs(a - prev), [*chosen, cands[i][k]])

        for k0, a0 in enumerate(adjusted[0]):
            for chosen in extend(1, a0, m.slop, [cands[0][k0]]):
                ordered = sorted((toks[j] for j in chosen), key=lambda t: t.pos)
                yield ordered[0], ordered[-1]
                break  # one occurrence per first word


class _Field:
    """One field of one record, tokenised only as far as the matches looked up in it need.

    An exact match (word, prefix, phrase) lies within one value, so only the
    values that can hold it are tokenised: for ASCII text, those in which every
    word of the match appears as a substring of the lower-cased value (exact:
    the analyzer only splits and lower-cases ASCII). Proximity (~N) can cross
    values, so it tokenises the whole field with field-wide positions."""

    def __init__(self, analyzer: tantivy.TextAnalyzer, values: list[str]) -> None:
        self.analyzer, self.values = analyzer, values
        self.lowered = [v.lower() if v.isascii() else None for v in values]
        self.per_value: dict[int, _Tokens] = {}
        self.whole: _Tokens | None = None

    def spans(self, m: Match) -> Iterator[tuple[Token, Token]]:
        if m.slop:
            ascii_values = [low for low in self.lowered if low is not None]
            if len(ascii_values) == len(self.lowered) and \
                    not all(any(word in low for low in ascii_values) for word in m.words):
                return
            if self.whole is None:
                self.whole = _Tokens(tokenize(self.analyzer, self.values))
            yield from self.whole.spans(m)
            return
        for index, lowered in enumerate(self.lowered):
            if lowered is not None and not all(word in lowered for word in m.words):
                continue
            if index not in self.per_value:
                self.per_value[index] = _Tokens(tokenize(self.analyzer, [self.values[index]], index))
            yield from self.per_value[index].spans(m)


def find(record: dict[str, Any], matches: Iterable[Match], analyzer: tantivy.TextAnalyzer) -> list[Occurrence]:
    """Every occurrence of `matches` in the record, in reading order (field, paragraph, offset)."""
    fields: dict[str, _Field] = {}
    found: list[Occurrence] = []
    for m in matches:
        for name in m.fields:
            if name not in fields:
                fields[name] = _Field(analyzer, field_values(record, name))
            for first, last in fields[name].spans(m):
                found.append(Occurrence(m, name, first, last))
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    found.sort(key=lambda o: (order.get(o.field, len(order)), o.first.value, o.first.start, -o.last.end))
    return found
