"""The query language researchers type, read into a tree (no index needed).

    query    := and_expr EOF
    and_expr := or_expr ( ["AND"] or_expr )*      juxtaposition is AND, as it always was
    or_expr  := unary ( "OR" unary )*             OR binds tighter than AND
    unary    := ("-" | "NOT") primary | primary   must not match
    primary  := "(" and_expr ")" | FIELD ":" primary | WORD | WORD* | "PHRASE" | "PHRASE"~N | "PHRASE*"

Why OR binds tighter: researchers' keyword lists read that way (`typhoon
kaohsiung OR tainan` is a typhoon in either city), and it is the rule of
Nexis, Westlaw and Google, where most of them learnt Boolean search. The
reading is never hidden: `describe()` prints it fully parenthesised
(`search --explain`).

Why our own parser and not tantivy's: tantivy's rejects ordinary news text
(`Taiwan's`), silently drops `*` from `protest*`, silently truncates phrase
prefixes to 50 words, and its lenient mode silently drops what it cannot
read. Here anything that cannot be read exactly is an InvalidArgument of one
line, naming the character where it went wrong.

Words and phrases go through the index's analyzer (passed in), so a query
word means exactly what an indexed word is: `Taiwan's` is the phrase
`taiwan s`, `COVID-19` the phrase `covid 19`, `Café` the word `cafe`. A word
of punctuation alone (`&`) is not indexed either, and is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from newsarchive.errors import InvalidArgument

#: fields a query may name; the first four are searched when none is named (byline only when named:
#: "staff reporter" must not match every body search)
FIELDS = ("headline", "kicker", "deck", "body", "byline")
DEFAULT_FIELDS = ("headline", "kicker", "deck", "body")
#: analysed characters a prefix needs before '*': shorter ones stand for tens of thousands of words
MIN_PREFIX = 3
#: more than this many words and ~N is no longer proximity but co-occurrence (use AND)
MAX_SLOP = 50
#: words and phrases in one query: keeps a pasted document from becoming a query that runs for minutes
MAX_CLAUSES = 200

Analyze = Callable[[str], list[str]]


def syntax_error(query: str, message: str, pos: int | None = None) -> InvalidArgument:
    where = f" (at character {pos + 1})" if pos is not None else ""
    return InvalidArgument(f"cannot parse query {query!r}: {message}{where}")


# -- the tree -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """A word, phrase, prefix or proximity that must occur in one of `fields`."""

    words: tuple[str, ...]  # analysed; more than one: a phrase
    fields: tuple[str, ...]
    slop: int = 0  # "a b"~N: at most N words between (tantivy's slop)
    prefix: bool = False  # the last word is a prefix (word*)
    source: str = ""  # as typed, for messages

    def describe(self) -> str:
        scope = "" if self.fields == DEFAULT_FIELDS else ",".join(self.fields) + ":"
        text = " ".join(self.words) + ("*" if self.prefix else "")
        if len(self.words) > 1:
            text = f'"{text}"' + (f"~{self.slop}" if self.slop else "")
        return scope + text


@dataclass(frozen=True)
class Not:
    child: Node

    def describe(self) -> str:
        return "NOT " + self.child.describe()


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def describe(self) -> str:
        return "(" + " AND ".join(c.describe() for c in self.children) + ")"


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def describe(self) -> str:
        return "(" + " OR ".join(c.describe() for c in self.children) + ")"


Node = Match | Not | And | Or


def positive_matches(node: Node, negated: bool = False) -> Iterator[Match]:
    """The matches a hit can contain (not under NOT): what KWIC lines and highlights look for."""
    if isinstance(node, Match):
        if not negated:
            yield node
    elif isinstance(node, Not):
        yield from positive_matches(node.child, not negated)
    else:
        for child in node.children:
            yield from positive_matches(child, negated)


def matches(node: Node) -> Iterator[Match]:
    """Every match in the tree, excluded ones too."""
    if isinstance(node, Match):
        yield node
    elif isinstance(node, Not):
        yield from matches(node.child)
    else:
        for child in node.children:
            yield from matches(child)


# -- tokens -------------------------------------------------------------------------------------
_LEX = re.compile(r"""
    (?P<ws>\s+)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<field>[a-z_]+):(?=\S)                 # field: touching what it scopes
  | (?P<neg>-)(?=["(\w])                      # -word, -"phrase", -(group); a lone '-' is punctuation
  | (?P<phrase>"(?P<ptext>[^"]*)"(?:~(?P<slop>\d+))?)
  | (?P<open>")                               # a quote never closed
  | (?P<word>[^\s"()]+)
""", re.VERBOSE)
_OPERATORS = {"AND": "and", "OR": "or", "NOT": "not"}


@dataclass
class _Tok:
    kind: str  # lp rp field neg not and or phrase word end
    text: str
    pos: int
    slop: int | None = None
    star: bool = False
    source: str = ""  # as typed (a phrase with its quotes)

    def __post_init__(self) -> None:
        self.source = self.source or self.text


def _phrase_token(query: str, m: re.Match[str]) -> _Tok:
    text = m.group("ptext")
    star = bool(re.search(r"\w\*$", text))  # "cross str*": the last word is a prefix
    if "*" in (text[:-1] if star else text):
        raise syntax_error(query, f"{m.group()}: '*' is only allowed at the end of the last word", m.start())
    slop = int(m.group("slop")) if m.group("slop") is not None else None
    return _Tok("phrase", text[:-1] if star else text, m.start(), slop, star, m.group())


def _word_token(query: str, word: str, pos: int) -> _Tok:
    if re.fullmatch(r"[a-z_]+:", word) and word[:-1] in FIELDS:
        raise syntax_error(query, f"{word!r}: no space may follow a field name ({word}word)", pos)
    if word.startswith("-") and len(word) > 1:
        raise syntax_error(query, f"{word!r}: quote a word that starts with '-'", pos)
    if "~" in word:
        raise syntax_error(query, f"{word!r}: ~N must follow a closing quote directly, with N a number", pos)
    if re.search(r"\w!$", word):  # Nexis/Westlaw root expander
        raise syntax_error(query, f"{word!r}: write {word[:-1]}* for every word starting with {word[:-1]}", pos)
    if re.search(r"\w\?\w", word):
        raise syntax_error(query, f"{word!r}: single-character wildcards (?) are not supported", pos)
    return _Tok(_OPERATORS.get(word, "word"), word, pos)


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _LEX.finditer(query):
        kind = m.lastgroup or ""
        if kind == "ws":
            continue
        if m.group("phrase") is not None:
            toks.append(_phrase_token(query, m))
        elif kind == "open":
            raise syntax_error(query, "a quote is not closed", m.start())
        elif kind == "field":
            toks.append(_Tok("field", m.group("field"), m.start()))
        elif kind == "word":
            toks.append(_word_token(query, m.group(), m.start()))
        else:
            toks.append(_Tok(kind, m.group(), m.start()))
    toks.append(_Tok("end", "", len(query)))
    return toks


# -- parser -------------------------------------------------------------------------------------
_OPERAND_STARTS = ("lp", "field", "neg", "not", "phrase", "word")


class _Parser:
    def __init__(self, query: str, analyze: Analyze) -> None:
        self.query, self.analyze = query, analyze
        self.scope: tuple[str, ...] = DEFAULT_FIELDS
        self.toks = _lex(query)
        self.i = 0
        self.clauses = 0

    def error(self, message: str, tok: _Tok | None = None) -> InvalidArgument:
        return syntax_error(self.query, message, tok.pos if tok else None)

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("it is empty")
        node = self.and_expr()
        if self.tok.kind == "rp":
            raise self.error("')' without a matching '('", self.tok)
        if self.tok.kind != "end":  # never drop the rest silently
            raise self.error(f"unexpected {self.tok.text!r}", self.tok)
        if node is None:
            raise self.error("it has no words to search for (punctuation alone is not indexed)")
        self.check_positive(node)
        return node

    def and_expr(self) -> Node | None:
        items: list[Node] = []
        first = True
        while True:
            tok = self.tok
            if tok.kind == "and":
                if first:
                    raise self.error("AND needs a word before it", tok)
                self.take()
                if self.tok.kind not in _OPERAND_STARTS:
                    raise self.error("AND needs a word after it", tok)
            elif tok.kind == "or":
                raise self.error("OR needs a word before it", tok)
            elif tok.kind not in _OPERAND_STARTS:
                break
            if self.tok.kind == "or":
                raise self.error("OR needs a word before it", self.tok)
            node = self.or_expr()
            if node is not None:
                items.append(node)
            first = False
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def or_expr(self) -> Node | None:
        items = [self.unary()]
        while self.tok.kind == "or":
            op = self.take()
            if self.tok.kind not in _OPERAND_STARTS:
                raise self.error("OR needs a word after it", op)
            items.append(self.unary())
        kept = [n for n in items if n is not None]
        if len(kept) != len(items) and len(items) > 1:
            raise self.error("a side of OR has no words to search for")
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def unary(self) -> Node | None:
        tok = self.tok
        if tok.kind not in ("neg", "not"):
            return self.primary()
        self.take()
        if self.tok.kind not in _OPERAND_STARTS or self.tok.kind in ("neg", "not"):
            raise self.error(f"{tok.text} needs a word, phrase or (group) after it", tok)
        child = self.primary()
        if child is None:
            raise self.error(f"nothing searchable after {tok.text}", tok)
        return Not(child)

    def primary(self) -> Node | None:
        tok = self.take()
        if tok.kind == "lp":
            return self.group(tok)
        if tok.kind == "field":
            if tok.text not in FIELDS:
                raise self.error(f"unknown field '{tok.text}:' (fields: {', '.join(FIELDS)}; "
                                 "quote text that contains ':')", tok)
            if self.tok.kind in ("neg", "not", "and", "or", "field"):
                raise self.error(f"'{tok.text}:' must be followed by a word, phrase or (group)", tok)
            saved, self.scope = self.scope, (tok.text,)
            try:
                return self.primary()
            finally:
                self.scope = saved
        if tok.kind == "phrase":
            return self.atom(tok, tok.text, slop=tok.slop, star=tok.star, quoted=True)
        if tok.kind == "word":
            text, star = tok.text, tok.text.endswith("*")
            text = text.rstrip("*")
            if "*" in text:
                raise self.error(f"{tok.text!r}: '*' is only allowed at the end of a word", tok)
            return self.atom(tok, text, slop=None, star=star, quoted=False)
        if tok.kind == "rp":
            raise self.error("')' without a matching '('", tok)
        if tok.kind == "end":
            raise self.error("it ends where a word was expected", tok)
        raise self.error(f"{tok.text} needs a word before and after it", tok)

    def group(self, lp: _Tok) -> Node | None:
        if self.tok.kind == "rp":
            raise self.error("empty parentheses", lp)
        inner = self.and_expr()  # a field before '(' scopes the whole group (self.scope)
        if self.tok.kind != "rp":
            raise self.error("'(' is never closed", lp)
        self.take()
        return inner

    def atom(self, tok: _Tok, text: str, *, slop: int | None, star: bool, quoted: bool) -> Match | None:
        words = tuple(self.analyze(text))
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise self.error(f"more than {MAX_CLAUSES} words and phrases", tok)
        if not words:
            if quoted:
                raise self.error("an empty phrase" if not text.strip() else f"nothing searchable in {tok.source}", tok)
            if star:
                raise self.error(f"{tok.source!r}: nothing before '*'", tok)
            return None  # punctuation alone: not in the index either
        if slop is not None:
            if len(words) < 2:
                raise self.error(f"{tok.source}: ~N needs a phrase of two or more words", tok)
            if slop > MAX_SLOP:
                raise self.error(f"{tok.source}: ~{slop} is more than {MAX_SLOP}", tok)
        if star:
            if slop:
                raise self.error(f"{tok.source}: a phrase cannot be both a prefix (*) and ~N", tok)
            if len(words[-1]) < MIN_PREFIX:
                raise self.error(f"{tok.source}: a prefix needs at least {MIN_PREFIX} letters before '*'", tok)
        return Match(words, self.scope, slop or 0, star, tok.source)

    def check_positive(self, node: Node) -> None:
        """Every AND needs something that must match, and an exclusion cannot be a side of OR:
        "everything without b" is never what a researcher means."""
        if isinstance(node, And):
            if all(isinstance(c, Not) for c in node.children):
                raise self.error("it has only exclusions: add a word to search for (e.g. a -b)")
            for child in node.children:
                self.check_positive(child.child if isinstance(child, Not) else child)
        elif isinstance(node, Or):
            for child in node.children:
                if isinstance(child, Not):
                    raise self.error(f"an exclusion cannot be a side of OR ({child.describe()}): "
                                     "use parentheses, e.g. (a OR b) -c")
                self.check_positive(child)
        elif isinstance(node, Not):
            raise self.error("it has only exclusions: add a word to search for (e.g. a -b)")


def parse(query: str, analyze: Analyze) -> Node:
    """The tree of `query`; InvalidArgument (one line) if it cannot be read exactly."""
    return _Parser(query, analyze).parse()
