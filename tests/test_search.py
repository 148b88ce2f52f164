"""Search through the Python API: exact hit sets against plain-Python ground truth, ranking, incremental index."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.keys import record_key
from newsarchive.errors import UserError
from newsarchive.exitcodes import Exit, exit_code_for
from newsarchive.search import Archive, ArticleNotFound
from tests.plugins.search import DAYS, KRATHON, expected_ids, provenance, write_store
from tests.site import vocab

ALL = 10_000


@pytest.fixture(scope="module")
def archive(store_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return Archive(str(store_root), index_dir=str(tmp_path_factory.mktemp("index")))


def hit_ids(archive: Archive, query: str, **filters: Any) -> set[str]:
    hits = archive.search(query, limit=ALL, snippets=False, **filters)
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids)), "an article was returned twice"
    return set(ids)


@pytest.mark.parametrize("word", ["government", "minister", "typhoon", "Kaohsiung", "exhibition", "1987",
                                  *vocab.PLANTED[:3]])
def test_single_word_hits_exactly_the_records_holding_it(archive: Archive, records: list, word: str) -> None:
    expected = expected_ids(records, [word])
    assert expected and len(expected) < len(records) or word == "government"
    assert hit_ids(archive, word) == expected


@pytest.mark.parametrize("query", ["typhoon Kaohsiung", "premier minister percent", "exporters quarter",
                                   "Kaohsiung evacuated residents"])
def test_every_word_must_match(archive: Archive, records: list, query: str) -> None:
    expected = expected_ids(records, query.split())
    assert expected
    assert hit_ids(archive, query) == expected


@pytest.mark.parametrize("phrase", ["martial law", "Executive Yuan", "made landfall in Kaohsiung",
                                    vocab.PLANTED[0]])
def test_quoted_phrase_matches_consecutive_words_only(archive: Archive, records: list, phrase: str) -> None:
    expected = expected_ids(records, [phrase])
    assert expected
    assert hit_ids(archive, f'"{phrase}"') == expected


def test_phrase_never_spans_two_paragraphs(archive: Archive, records: list) -> None:
    both_words = hit_ids(archive, "martial law")
    assert "2006849004" in both_words  # "...under martial" / "law enforcement..."
    assert "2006849004" not in hit_ids(archive, '"martial law"')
    assert "2006849005" in hit_ids(archive, '"martial law"')


def test_phrase_and_words_combine(archive: Archive, records: list) -> None:
    expected = expected_ids(records, ["martial law", "exhibition"])
    assert hit_ids(archive, '"martial law" exhibition') == expected == {"2006849005"}


def test_excluded_word(archive: Archive, records: list) -> None:
    expected = expected_ids(records, ["typhoon"], exclude=["Kaohsiung"])
    assert hit_ids(archive, "typhoon -Kaohsiung") == expected


def test_kicker_and_deck_are_searched(archive: Archive, records: list) -> None:
    assert hit_ids(archive, "semiconductor shipments") == expected_ids(records, ["semiconductor", "shipments"])
    assert "2006849007" in hit_ids(archive, '"trade war"')


def test_case_and_accents_are_ignored(archive: Archive, records: list) -> None:
    assert hit_ids(archive, "CAFE") == hit_ids(archive, "café") == expected_ids(records, ["cafe"]) == {"2006849006"}
    assert hit_ids(archive, "Taipei's") == expected_ids(records, ["taipei s"])


@pytest.mark.parametrize("filters, keep", [
    ({"section": "biz"}, lambda r: r["section_slug"] == "biz"),
    ({"section": "Taiwan News"}, lambda r: r["section_slug"] == "taiwan"),
    ({"since": "2024-10-02"}, lambda r: r["published"] >= "2024-10-02"),
    ({"until": "2024-10-02"}, lambda r: r["published"] <= "2024-10-02"),
    ({"since": "2024-10-02", "until": "2024-10-02"}, lambda r: r["published"] == "2024-10-02"),
    ({"since": dt.date(2024, 10, 3), "section": "world"}, lambda r: r["published"] >= "2024-10-03"
                                                                      and r["section_slug"] == "world"),
    ({"author": "lee i-chia"}, lambda r: "lee i-chia" in {a.lower() for a in r["authors"]}),
    ({"author": "SHELLEY shan"}, lambda r: "Shelley Shan" in r["authors"]),
    ({"agency": "cna"}, lambda r: "CNA" in r["agencies"]),
    ({"agency": "  the   GUARDIAN "}, lambda r: "The Guardian" in r["agencies"]),
])
def test_filters(archive: Archive, records: list, filters: dict, keep: Any) -> None:
    selected = set()
    for query in ("government", "said minister", "typhoon"):
        expected = expected_ids(records, query.split(), keep=keep)
        assert hit_ids(archive, query, **filters) == expected
        selected |= expected
    assert selected, "the filter must select something"


def test_author_filter_matches_whole_names_only(archive: Archive, records: list) -> None:
    assert hit_ids(archive, "typhoon", author="LEE I-CHIA") == {"2006849001", "2006849003"}
    assert hit_ids(archive, "typhoon", author="Lee") == set()


def test_exact_headline_ranks_first(archive: Archive) -> None:
    for query in (f'"{KRATHON}"', KRATHON.lower()):
        hits = archive.search(query, limit=5)
        assert hits[0].id == "2006849001", [(h.id, h.score) for h in hits]
        assert len(hits) >= 2 and hits[0].score > hits[1].score


def test_scores_descend_and_limit_applies(archive: Archive) -> None:
    hits = archive.search("government", limit=7)
    assert len(hits) == 7
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hits_carry_whole_records_and_highlighted_snippets(archive: Archive, records: list) -> None:
    by_id = {r["id"]: r for r in records}
    for hit in archive.search("evacuated residents", limit=3):
        assert hit.record == by_id[hit.id]
        marked = {hit.snippet[a:b].lower() for a, b in hit.highlights}
        assert marked and marked <= {"evacuated", "residents"}, (hit.snippet, hit.highlights)
        assert hit.to_dict()["score"] == hit.score


@pytest.mark.parametrize("query", ['"unclosed', "", "   ", "&& ---", "-government"])
def test_unsearchable_queries_are_usage_errors(archive: Archive, query: str) -> None:
    with pytest.raises(UserError) as info:
        archive.search(query)
    assert exit_code_for(info.value) == Exit.USAGE


@pytest.mark.parametrize("filters", [{"section": "opinion"}, {"since": "2024-02-30"}, {"until": "yesterday"},
                                     {"since": "2024-10-03", "until": "2024-10-01"}, {"author": "  "}])
def test_bad_filters_are_usage_errors(archive: Archive, filters: dict) -> None:
    with pytest.raises(UserError) as info:
        archive.search("government", **filters)
    assert exit_code_for(info.value) == Exit.USAGE


def test_get_and_articles_read_the_store(archive: Archive, records: list) -> None:
    by_id = {r["id"]: r for r in records}
    assert archive.get("2006849005") == by_id["2006849005"]
    with pytest.raises(ArticleNotFound):
        archive.get("1999999999")
    listed = list(archive.articles(since="2024-10-02", until="2024-10-03", section="taiwan"))
    expected = sorted((r for r in records if r["published"] >= "2024-10-02" and r["section_slug"] == "taiwan"),
                      key=lambda r: (r["published"], r["id"]))
    assert listed == expected
    assert [r["id"] for r in archive.articles(author="lee i-chia")] == ["2006849001", "2006849003"]


def test_empty_store_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "store" / "runs").mkdir(parents=True)
    with pytest.raises(UserError) as info:
        Archive(str(tmp_path / "store"), index_dir=str(tmp_path / "index")).search("government")
    assert exit_code_for(info.value) == Exit.BAD_INPUT


def test_index_follows_additions_refreshes_and_deletions(tmp_path: Path, records: list) -> None:
    """A search notices each change by itself; the index only ever holds what the store holds."""
    first = records[:40]
    store = write_store(tmp_path / "store", first)
    archive = Archive(str(tmp_path / "store"), index_dir=str(tmp_path / "index"), recheck_seconds=0)
    assert hit_ids(archive, "government") == expected_ids(first, ["government"])

    added = records[40:60]
    write_store(tmp_path / "store", added)
    assert hit_ids(archive, "government") == expected_ids(first + added, ["government"])

    refreshed = {**first[0], "headline": "Zanzibar accord signed", "body": ["A zanzibar accord was signed."]}
    write_store(tmp_path / "store", [refreshed])
    assert hit_ids(archive, "zanzibar") == {refreshed["id"]}
    assert archive.search("zanzibar")[0].record["headline"] == "Zanzibar accord signed"

    gone = added[0]
    store.delete(record_key(gone["id"], dt.date.fromisoformat(gone["published"])))
    current = [refreshed, *first[1:], *added[1:]]
    assert hit_ids(archive, "government") == expected_ids(current, ["government"])
    assert archive.index.searcher().num_docs == len(current)

    stats = archive.update()
    assert (stats.records, stats.changed) == (len(current), 0)
    rebuilt = archive.update(rebuild=True)
    assert (rebuilt.added, rebuilt.rebuilt) == (len(current), True)
    assert hit_ids(archive, "government") == expected_ids(current, ["government"])


def test_a_record_that_is_not_json_is_skipped(tmp_path: Path, records: list) -> None:
    store = write_store(tmp_path / "store", records[:5])
    store.put_bytes("records/2024/10/01/2006840000.json", b"<html>not a record</html>")
    archive = Archive(str(tmp_path / "store"), index_dir=str(tmp_path / "index"))
    stats = archive.update()
    assert (stats.records, stats.added, stats.skipped) == (6, 5, 1)


def test_index_is_a_cache_rebuilt_from_records_alone(tmp_path: Path, store_root: Path, records: list) -> None:
    index_dir = tmp_path / "index"
    expected = expected_ids(records, ["typhoon"])
    assert hit_ids(Archive(str(store_root), index_dir=str(index_dir)), "typhoon") == expected
    shutil.rmtree(index_dir)
    assert hit_ids(Archive(str(store_root), index_dir=str(index_dir)), "typhoon") == expected
    meta = json.loads((index_dir / "meta.json").read_text())
    assert meta["records"] == len(records) and meta["store"] == Path(store_root).as_uri()


def test_index_lives_in_the_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_root: Path) -> None:
    from newsarchive.search import index_dir_for

    monkeypatch.setenv("NEWSARCHIVE_CACHE", str(tmp_path / "cache"))
    archive = Archive(str(store_root))
    assert archive.index.dir == index_dir_for(archive.store.uri)
    assert archive.index.dir.parent == tmp_path / "cache" / "index"
    monkeypatch.delenv("NEWSARCHIVE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Archive(str(store_root)).index.dir.parent == tmp_path / "xdg" / "newsarchive" / "index"


def test_provenance_fields_survive(archive: Archive, records: list) -> None:
    record = archive.get("2006849001")
    assert record["capture"] == provenance(next(r for r in records if r["id"] == "2006849001"))["capture"]
    assert DAYS[1].isoformat() == record["published"]


def test_staleness_marker_sees_run_reports_and_record_writes(tmp_path: Path, records: list,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarchive.search import index as index_module

    monkeypatch.setattr(index_module, "SETTLE_SECONDS", 0.0)
    store = write_store(tmp_path / "store", records[:3])
    archive = Archive(str(tmp_path / "store"), index_dir=str(tmp_path / "index"))
    archive.update()
    assert archive.index.is_fresh()
    store.put_bytes("runs/20241005T000000Z-1.json", b"{}")  # a crawl finished (the S3 signal)
    assert not archive.index.is_fresh()
    archive.update()
    assert archive.index.is_fresh()
    write_store(tmp_path / "store", [{**records[0], "headline": records[0]["headline"][::-1]}])  # same size
    assert not archive.index.is_fresh()
    assert archive.index.ensure_fresh().replaced == 1
    assert archive.index.ensure_fresh() is None
