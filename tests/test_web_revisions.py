"""Revisions: what changed between two versions of an article, as a reader reads a diff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from newsarchive.archive.keys import record_key
from newsarchive.web.revisions import Paragraphs, history, items, revisions, words
from tests.support.reading_room import plant, revise

RECORD = {"id": "2006849100", "published": "2024-10-02", "headline": "Storm nears Kaohsiung", "deck": None,
          "body": ["One.", "Two words here.", "Three."], "authors": ["Lee I-chia"], "images": [],
          "fetched_at": "2024-10-02T03:00:00.000000Z"}


def test_word_diff_keeps_the_text_readable() -> None:
    assert words("Storm nears Kaohsiung", "Storm hits Kaohsiung, two dead") == [
        ("equal", "Storm "), ("delete", "nears"), ("insert", "hits"), ("equal", " Kaohsiung"),
        ("insert", ", two dead")]
    assert "".join(t for op, t in words("a b c", "a x c") if op != "delete") == "a x c"


def test_list_diff_folds_what_did_not_change() -> None:
    out = items(["One.", "Two words here.", "Three.", "Four."], ["One.", "Two new words here.", "Three.", "Five."])
    assert out == [Paragraphs(kept=1),
                   Paragraphs(segments=[("equal", "Two"), ("insert", " new"), ("equal", " words here.")]),
                   Paragraphs(kept=1),
                   Paragraphs(segments=[("delete", "Four"), ("insert", "Five"), ("equal", ".")])]
    added = items(["a"], ["a", "b"])
    assert added == [Paragraphs(kept=1), Paragraphs(segments=[("insert", "b")])]


def test_revisions_from_history_newest_first(tmp_path: Path) -> None:
    plant(tmp_path, RECORD)
    second = revise(tmp_path, RECORD, "2024-10-03T03:00:00.000000Z", headline="Storm hits Kaohsiung")
    third = revise(tmp_path, second, "2024-10-04T03:00:00.000000Z",
                   body=["One.", "Two words here.", "Three.", "A correction."])
    from newsarchive.store import LocalStore

    store = LocalStore(tmp_path)
    assert [v.fetched_at for v in history(store, third)] == ["2024-10-02T03:00:00.000000Z", "2024-10-03T03:00:00.000000Z"]
    steps = revisions(store, third, record_key(third["id"], dt.date(2024, 10, 2)))
    assert [[c.name for c in s.changes] for s in steps] == [["body"], ["headline"]]
    assert steps[0].after.record is third
    assert steps[0].changes[0].items == [Paragraphs(kept=3), Paragraphs(segments=[("insert", "A correction.")])]


def test_an_article_without_history_has_no_revisions(tmp_path: Path) -> None:
    from newsarchive.store import LocalStore

    plant(tmp_path, RECORD)
    assert revisions(LocalStore(tmp_path), RECORD, "records/2024/10/02/2006849100.json") == []
