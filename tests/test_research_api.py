"""The Archive API researchers and the web app use: totals, all hits, counts, duplicates through the index."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.keys import record_key
from newsarchive.errors import InvalidArgument
from newsarchive.search import Archive, Hits
from tests.plugins.search import DAYS, expected_ids, write_store


@pytest.fixture
def archive(search_archive: Archive) -> Archive:
    return search_archive


def test_hits_are_a_list_with_the_total_and_the_reading(archive: Archive, records: list) -> None:
    expected = expected_ids(records, ["government"])
    hits = archive.search("government", limit=5)
    assert isinstance(hits, list) and isinstance(hits, Hits) and len(hits) == 5
    assert hits.total == len(expected) > 5
    assert hits.query == "government" and hits.hits == list(hits)
    every = archive.search("government", limit=None, snippets=False)
    assert len(every) == every.total == len(expected) and {h.id for h in every} == expected
    as_json = json.loads(json.dumps(hits.to_dict()))
    assert as_json["total"] == hits.total and len(as_json["hits"]) == 5
    assert set(as_json["hits"][0]["snippets"]) <= {"headline", "kicker", "deck", "body", "byline"}


def test_boolean_queries_through_the_archive(archive: Archive, records: list) -> None:
    typhoon, kaohsiung = expected_ids(records, ["typhoon"]), expected_ids(records, ["kaohsiung"])
    assert {h.id for h in archive.search("typhoon OR kaohsiung", limit=None)} == typhoon | kaohsiung
    assert {h.id for h in archive.search("typhoon AND kaohsiung", limit=None)} == typhoon & kaohsiung
    assert {h.id for h in archive.search("typhoon NOT kaohsiung", limit=None)} == typhoon - kaohsiung
    assert archive.explain("typhoon kaohsiung OR tainan") == "(typhoon AND (kaohsiung OR tainan))"


def test_snippets_name_their_field(archive: Archive) -> None:
    (hit,) = [h for h in archive.search('"trade war"', limit=50) if h.id == "2006849007"]
    assert hit.snippet_field == "kicker" and hit.snippet == "TRADE WAR" and hit.highlights == [(0, 9)]


def by(records: list[dict[str, Any]], ids: set[str], key: Any) -> Counter:
    return Counter(key(r) for r in records if r["id"] in ids)


@pytest.mark.parametrize("period, label", [("day", lambda r: r["published"]), ("month", lambda r: r["published"][:7]),
                                           ("year", lambda r: r["published"][:4]),
                                           ("section", lambda r: r["section_slug"])])
def test_counts_equal_plain_python_counts(archive: Archive, records: list, period: str, label: Any) -> None:
    ids = expected_ids(records, ["government"])
    counts = archive.counts("government", by=period)
    assert counts.total == len(ids)
    got = {b.key: b.count for b in counts.buckets}
    expected = by(records, ids, label)
    assert {k: v for k, v in got.items() if v} == dict(expected)
    if period == "day":  # every day of the archive, zeros included
        assert list(got) == [d.isoformat() for d in DAYS]
    if period == "section":
        assert set(got) == {r["section_slug"] for r in records}


def test_normalized_counts_are_shares_of_the_bucket(archive: Archive, records: list) -> None:
    ids = expected_ids(records, ["government"], keep=lambda r: r["section_slug"] in ("taiwan", "biz"))
    counts = archive.counts("government", by="day", normalize=True, section="taiwan,biz", since="2024-10",
                             until="2024-10")
    every = by(records, {r["id"] for r in records if r["section_slug"] in ("taiwan", "biz")}, lambda r: r["published"])
    hits = by(records, ids, lambda r: r["published"])
    assert len(counts.buckets) == 31  # the whole month, days without articles included
    for bucket in counts.buckets:
        assert bucket.count == hits.get(bucket.key, 0) and bucket.articles == every.get(bucket.key, 0)
        assert bucket.share == (bucket.count / bucket.articles if bucket.articles else None)
    assert [b.key for b in archive.counts("government", by="day", since="2024-10").buckets] == \
        ["2024-10-01", "2024-10-02", "2024-10-03"]  # without --until: to the archive's last day
    assert json.loads(json.dumps(counts.to_dict()))["buckets"][1] == {"key": "2024-10-02", "count": hits["2024-10-02"],
                                                                      "articles": every["2024-10-02"],
                                                                      "share": counts.buckets[1].share}


def test_counts_without_a_query_count_the_filters(archive: Archive, records: list) -> None:
    counts = archive.counts(by="year", agency="cna")
    assert counts.to_dict() == {"total": sum(1 for r in records if "CNA" in r["agencies"]), "by": "year",
                                "query": "", "normalized": False,
                                "buckets": [{"key": "2024", "count": sum(1 for r in records if "CNA" in r["agencies"])}]}
    with pytest.raises(InvalidArgument, match="--count-by: 'week'"):
        archive.counts("government", by="week")


# -- duplicates through the index ----------------------------------------------------------------
def _wire(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Three printings of one long story (the second a day later, trimmed), and the rest as they are."""
    story = next(r for r in records if len(" ".join(r["body"]).split()) > 120)
    later = DAYS[1] + dt.timedelta(days=1)
    reprint = {**story, "id": "2006849101", "headline": "Reprinted", "published": later.isoformat(),
               "body": story["body"][:-1] if len(story["body"]) > 3 else story["body"]}
    again = {**story, "id": "2006849102", "published": DAYS[2].isoformat()}
    return [reprint, again, story]


def test_dedupe_keeps_one_per_group_and_follows_changes(tmp_path: Path, records: list) -> None:
    reprint, again, story = _wire(records)
    base = [r for r in records if r["id"] != story["id"]][:60] + [story]
    write_store(tmp_path / "store", base + [reprint])
    archive = Archive(str(tmp_path / "store"), index_dir=str(tmp_path / "index"), recheck_seconds=0)
    word = story["body"][0].split()[3]
    all_ids = {h.id for h in archive.search(word, limit=None)}
    assert {story["id"], reprint["id"]} <= all_ids
    deduped = {h.id for h in archive.search(word, limit=None, dedupe=True)}
    assert deduped == all_ids - {reprint["id"]}
    assert archive.duplicates(reprint["id"]) == [story["id"], reprint["id"]]
    assert archive.counts(word, by="year", dedupe=True).total == len(deduped)
    assert [r["id"] for r in archive.records(word, dedupe=True)] == [
        r["id"] for r in sorted((r for r in base if r["id"] in deduped), key=lambda r: (r["published"], r["id"]))]

    # a third printing arrives; then the original is deleted: the earliest left leads the group
    write_store(tmp_path / "store", [again])
    assert archive.duplicates(story["id"]) == [story["id"], reprint["id"], again["id"]]
    (tmp_path / "store" / record_key(story["id"], dt.date.fromisoformat(story["published"]))).unlink()
    assert archive.duplicates(again["id"])[0] == min((reprint, again), key=lambda r: (r["published"], r["id"]))["id"]
    assert len(archive.search(word, limit=None, dedupe=True)) == len(deduped)
    stats = archive.update(rebuild=True)
    assert stats.rebuilt and archive.duplicates(again["id"]) == sorted(
        [reprint["id"], again["id"]], key=lambda i: i != archive.duplicates(again["id"])[0])
