"""An article's revisions: the versions kept under `history/`, and what changed from each to the next.

A crawl that finds an edited page (or a reparse that reads a capture
differently) keeps the earlier record under history/ (newsarchive.archive.records);
the record under records/ is the latest. Changes are the content fields the
crawl itself compares (newsarchive.article.changed_fields), shown as a diff:
text word by word, the body paragraph by paragraph (unchanged paragraphs
folded), lists item by item.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from newsarchive.archive.keys import history_prefix
from newsarchive.article import changed_fields
from newsarchive.errors import KeyNotFound
from newsarchive.store import Store

_WORDS = re.compile(r"\w+|\s+|[^\w\s]")

#: ("equal" | "insert" | "delete", text): what a template turns into plain, <ins> and <del> runs
Segment = tuple[str, str]


@dataclass
class Paragraphs:
    """One step of a list diff: `kept` items unchanged (folded), or segments of a changed item."""

    kept: int = 0
    segments: list[Segment] = field(default_factory=list)


@dataclass
class FieldChange:
    name: str
    #: for text: one run of segments; for lists (body, authors, images): one entry per item or folded run
    items: list[Paragraphs]


@dataclass
class Version:
    record: dict[str, Any]
    key: str  # where it is kept (records/... for the latest)

    @property
    def fetched_at(self) -> str:
        return str(self.record.get("fetched_at") or "")


@dataclass
class Revision:
    """From `before` to `after` (the next version, or the record as it is now)."""

    before: Version
    after: Version
    changes: list[FieldChange]


def words(old: str, new: str) -> list[Segment]:
    """A word diff of two texts (white space kept, so the result reads as the text does)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("insert", "".join(b[j1:j2])))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # a photo
        return " · ".join(str(value.get(k)) for k in ("url", "caption", "credit") if value.get(k))
    return str(value)


def items(old: list[Any], new: list[Any]) -> list[Paragraphs]:
    """A diff of two lists (paragraphs, names, photos): unchanged runs folded, changed items word-diffed."""
    a, b = [_text(x) for x in old], [_text(x) for x in new]
    out: list[Paragraphs] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Paragraphs(kept=i2 - i1))
        elif op == "replace" and i2 - i1 == j2 - j1:  # edited in place: word by word
            out += [Paragraphs(segments=words(x, y)) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
        else:
            out += [Paragraphs(segments=[("delete", x)]) for x in a[i1:i2]]
            out += [Paragraphs(segments=[("insert", y)]) for y in b[j1:j2]]
    return out


def change(name: str, old: Any, new: Any) -> FieldChange:
    if isinstance(old, list) or isinstance(new, list):
        return FieldChange(name, items(old if isinstance(old, list) else [], new if isinstance(new, list) else []))
    return FieldChange(name, [Paragraphs(segments=words(_text(old), _text(new)))])


def history(store: Store, record: dict[str, Any]) -> list[Version]:
    """Earlier versions of the article, oldest first (none for most articles)."""
    try:
        published = dt.date.fromisoformat(str(record.get("published")))
    except ValueError:
        return []
    found = []
    for info in store.list(history_prefix(str(record["id"]), published)):
        try:
            data = json.loads(store.get_bytes(info.key))
        except (KeyNotFound, ValueError):
            continue
        if isinstance(data, dict):
            found.append(Version(data, info.key))
    return found


def revisions(store: Store, record: dict[str, Any], key: str) -> list[Revision]:
    """Each step from one kept version to the next, newest first; the last step ends at the current record."""
    versions = [*history(store, record), Version(record, key)]
    steps = []
    for before, after in zip(versions, versions[1:], strict=False):
        changes = [change(name, before.record.get(name), after.record.get(name))
                   for name in changed_fields(before.record, after.record)]
        steps.append(Revision(before, after, changes))
    return steps[::-1]
