"""Wire duplicates: precision and recall on records with known reprints, and groups kept right as records
come, change and go."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from bench.sample import DuplicateSet, SampleCorpus
from newsarchive.archive.keys import record_key
from newsarchive.search import dedupe
from newsarchive.search.dedupe import DuplicateGroups, group_records, signature

#: Thresholds, and why. On this set (seeded: 3,859 records, 886 duplicate pairs) the method finds every pair
#: and 4 wrong ones (precision 0.9955); on bench/research.py's 17,105 records precision is 0.9994 and recall
#: 1.0000. A reprint with two paragraphs trimmed is the hardest case (Jaccard 0.59-0.77): its pair passes the
#: estimate with probability >= 0.94 (64 permutations), and transitivity through the story's other reprints
#: recovers most misses, hence recall >= 0.98. Distinct stories sharing paragraphs with a story (Jaccard up to
#: 0.40) pass with probability up to 0.06 each; one such merge into a group of n makes n wrong pairs, and a
#: few hundred groups make a handful at most, hence precision >= 0.98.
MIN_PRECISION, MIN_RECALL = 0.98, 0.98


def _pairs(groups: dict[str, str]) -> set[frozenset[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record, group in groups.items():
        members[group].append(record)
    return {frozenset(p) for ms in members.values() for p in itertools.combinations(ms, 2)}


def _day(record: dict) -> dt.date:
    return dt.date.fromisoformat(record["published"])


def test_precision_and_recall_on_known_reprints() -> None:
    data = DuplicateSet(seed=5, originals=400, hard=400, background=2500)
    found = group_records((record_key(r["id"], _day(r)), r["id"], _day(r), r["body"]) for r in data.records)
    by_id = {r["id"]: str(found[record_key(r["id"], _day(r))]) for r in data.records}
    got, truth = _pairs(by_id), _pairs(data.truth)
    precision, recall = len(got & truth) / len(got), len(got & truth) / len(truth)
    assert len(truth) > 400
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, (precision, recall)
    # the representative is the original: the earliest printed
    originals = {i for i, kind in data.kind.items() if kind == "original"}
    reps = {g for g in by_id.values()}
    assert sum(1 for o in originals if o in reps) / len(originals) > 0.99


def body(seed: int, paragraphs: int = 4, words: int = 30) -> list[str]:
    corpus = SampleCorpus(seed)
    return [corpus._sentence(words) for _ in range(paragraphs)]


STORY, OTHER = body(1), body(2)
D = dt.date(2024, 10, 10)


def put(state: DuplicateGroups, article_id: str, day: dt.date, text: list[str]) -> tuple[int, bool]:
    return state.put(f"k{article_id}", article_id, day, signature(text))


def test_a_later_reprint_joins_the_story_an_earlier_one_leads_it() -> None:
    state = DuplicateGroups()
    assert put(state, "2000000005", D, STORY) == (2000000005, True)  # provisional: its own group
    put(state, "2000000009", D, OTHER)
    assert state.regroup() == {}
    assert put(state, "2000000007", D + dt.timedelta(days=3), STORY[:-1]) == (2000000007, True)
    assert state.regroup() == {"k2000000007": (2000000005, False)}
    # an earlier printing becomes the representative: every member's group moves to it
    put(state, "2000000001", D - dt.timedelta(days=2), [*STORY, "Additional reporting by staff writer"])
    assert state.regroup() == {"k2000000005": (2000000001, False), "k2000000007": (2000000001, False)}
    assert state.group_of("k2000000009") == 2000000009


def test_removing_the_record_that_joined_two_others_splits_them() -> None:
    p = body(3, paragraphs=6, words=60)
    first, bridge, last = p[0:4], p[1:5], p[2:6]  # Jaccard first~bridge~last about 0.6, first~last 0.33
    state = DuplicateGroups()
    for article_id, text in (("2000000001", first), ("2000000002", bridge), ("2000000003", last)):
        put(state, article_id, D, text)
    state.regroup()
    assert {state.group_of(k) for k in ("k2000000001", "k2000000002", "k2000000003")} == {2000000001}
    state.remove("k2000000002")
    assert state.regroup() == {"k2000000003": (2000000003, True)}
    assert state.group_of("k2000000002") is None


def test_records_outside_the_window_and_short_bodies_stay_alone() -> None:
    state = DuplicateGroups()
    put(state, "2000000001", D, STORY)
    put(state, "2000000002", D + dt.timedelta(days=dedupe.WINDOW_DAYS + 1), STORY)
    put(state, "2000000003", D, ["Photo: CNA"])
    put(state, "2000000004", D, ["Photo: CNA"])
    assert signature(["Photo: CNA"]) is None
    assert state.regroup() == {}
    put(state, "2000000005", D + dt.timedelta(days=dedupe.WINDOW_DAYS), STORY)
    assert state.regroup() == {"k2000000005": (2000000001, False), "k2000000002": (2000000001, False)}


def test_state_survives_saving(tmp_path: Path) -> None:
    state = DuplicateGroups()
    put(state, "2000000001", D, STORY)
    put(state, "2000000002", D, STORY)
    put(state, "2000000003", D, ["short"])
    state.regroup()
    state.save(tmp_path / "dedupe.arrow")
    loaded = DuplicateGroups.load(tmp_path / "dedupe.arrow")
    assert loaded is not None
    assert loaded.groups() == {"k2000000001": 2000000001, "k2000000002": 2000000001, "k2000000003": 2000000003}
    assert (loaded.signature_of("k2000000002") == signature(STORY)).all()
    assert loaded.signature_of("k2000000003") is None
    put(loaded, "2000000004", D + dt.timedelta(days=1), STORY[1:])
    assert loaded.regroup() == {"k2000000004": (2000000001, False)}
    loaded.remove("k2000000001")  # the representative goes: the next earliest leads
    assert loaded.regroup() == {"k2000000002": (2000000002, True), "k2000000004": (2000000002, False)}
    loaded.save(tmp_path / "again.arrow")
    again = DuplicateGroups.load(tmp_path / "again.arrow")
    assert again is not None and again.groups() == {"k2000000002": 2000000002, "k2000000003": 2000000003,
                                                    "k2000000004": 2000000002}
    assert DuplicateGroups.load(tmp_path / "missing.arrow") is None
    (tmp_path / "broken.arrow").write_bytes(b"not arrow")
    assert DuplicateGroups.load(tmp_path / "broken.arrow") is None


def test_the_index_compares_with_what_documents_hold() -> None:
    """After an interrupted update the saved state may be behind the index: the index's answer wins."""
    state = DuplicateGroups()
    put(state, "2000000001", D, STORY)
    state.regroup()
    put(state, "2000000002", D, STORY)
    assert state.regroup(indexed=lambda keys: {k: 77 for k in keys}) == {"k2000000001": (2000000001, True),
                                                                          "k2000000002": (2000000001, False)}


@pytest.mark.parametrize("edit", ["dateline", "trim", "words"])
def test_signatures_of_reprints_are_close_and_of_other_stories_far(edit: str) -> None:
    reprint = {"dateline": ["TOKYO, AFP - " + STORY[0], *STORY[1:]], "trim": STORY[:-1],
               "words": [STORY[0].replace(" the ", " a "), *STORY[1:]]}[edit]
    a, b, c = signature(STORY), signature(reprint), signature(OTHER)
    assert a is not None and b is not None and c is not None
    assert dedupe.similar(b[None, :], a)[0] >= dedupe.THRESHOLD > dedupe.similar(c[None, :], a)[0]


def test_signatures_are_datasketchs_minhash() -> None:
    """The numpy shortcut computes exactly what datasketch's MinHash.update_batch does with the same hashes."""
    from datasketch import MinHash

    hashes = dedupe.shingle_hashes(dedupe.words(STORY))
    reference = MinHash(num_perm=dedupe.NUM_PERM, seed=dedupe.SEED, hashfunc=int, scheme=dedupe.SCHEME)
    reference.update_batch(hashes.tolist())
    assert (dedupe.minhash_values(hashes) == reference.hashvalues).all()
    assert (signature(STORY) == reference.hashvalues).all()
