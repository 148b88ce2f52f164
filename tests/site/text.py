"""Seeded prose: headlines, decks, paragraphs, captions.

Sentences are built from real words with a skewed distribution (a few words
common, most rare) so that full-text search has both frequent and rare terms
to rank. Some paragraphs carry the traps of real pages: curly quotes, Chinese
in parentheses and non-breaking spaces.
"""

from __future__ import annotations

import random

from tests.site import vocab

NBSP = "\u00a0"


def _zipf_pick(rng: random.Random, words: list[str]) -> str:
    """Earlier words in a list come up far more often than later ones."""
    n = len(words)
    index = min(int(rng.paretovariate(1.2)) - 1, n - 1)
    return words[(index * 7) % n] if rng.random() < 0.2 else rng.choice(words)


def noun_phrase(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.6:
        parts.append(_zipf_pick(rng, vocab.ADJECTIVES))
    parts.append(_zipf_pick(rng, vocab.NOUNS))
    if rng.random() < 0.3:
        parts.append(_zipf_pick(rng, vocab.NOUNS))
    return " ".join(parts)


def _subject(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(vocab.SPEAKERS)
    if roll < 0.3:
        name, zh = rng.choice(vocab.ORGS_ZH)
        return f"the {name} ({zh})"
    if roll < 0.85:
        return "The " + noun_phrase(rng)
    return f"{rng.choice(['Officials', 'Residents', 'Analysts'])} in {rng.choice(vocab.PLACES_TW)}"


def sentence(rng: random.Random) -> str:
    subject = _subject(rng)
    verb = _zipf_pick(rng, vocab.VERBS_PAST)
    obj = noun_phrase(rng)
    tail = ""
    roll = rng.random()
    if roll < 0.25:
        tail = f" {rng.choice(vocab.CONNECTORS)} the {noun_phrase(rng)} {_zipf_pick(rng, vocab.VERBS_PAST)}"
    elif roll < 0.4:
        place, zh = rng.choice(vocab.PLACES_ZH)
        tail = f" near {place} ({zh})"
    elif roll < 0.5:
        tail = f" after a {rng.randint(3, 48)} percent {_zipf_pick(rng, vocab.NOUNS)} change"
    elif roll < 0.58:
        tail = f" worth NT${NBSP}{rng.randint(2, 900)} million"
    when = rng.choice(vocab.TIME_PHRASES) if rng.random() < 0.5 else _zipf_pick(rng, vocab.ADVERBS)
    text = f"{subject} {verb} the {obj}{tail} {when}."
    return text[0].upper() + text[1:]


def quote(rng: random.Random) -> str:
    said = rng.choice(["said", "told reporters", "wrote on Facebook", "said in a statement"])
    speaker = rng.choice(vocab.SPEAKERS)
    inner = sentence(rng).rstrip(".")
    if rng.random() < 0.3:
        inner += f", including the ‘{noun_phrase(rng)}’ plan"
    return f"“{inner},” {speaker} {said}."


def paragraph(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return quote(rng)
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))


def headline(rng: random.Random) -> str:
    subject = _zipf_pick(rng, vocab.NOUNS).capitalize()
    if rng.random() < 0.3:
        subject = rng.choice(vocab.PLACES_TW)
    text = f"{subject} {_zipf_pick(rng, vocab.VERBS_PRESENT)} {noun_phrase(rng)}"
    if rng.random() < 0.25:
        text += f" in {rng.choice(vocab.PLACES_TW)}"
    if rng.random() < 0.15:
        text = f"‘{noun_phrase(rng).capitalize()}’: " + text
    return text


def deck(rng: random.Random) -> str:
    return sentence(rng).rstrip(".")


def caption(rng: random.Random) -> str:
    place = rng.choice(vocab.PLACES_TW)
    return f"{noun_phrase(rng).capitalize()} is seen in {place} {rng.choice(vocab.TIME_PHRASES)}."


def author_note(rng: random.Random, name: str) -> str:
    """An op-ed's closing line about its writer: body text, unlike a translator credit."""
    adjective = _zipf_pick(rng, vocab.ADJECTIVES)  # drawn in this order: the corpus must not change
    role = rng.choice(["researcher", "professor", "writer"])
    return f"{name} is a {adjective} {role} based in {rng.choice(vocab.PLACES_TW)}."
