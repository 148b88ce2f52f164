"""A store of realistic records for the search and export tests, and plain-Python ground truth.

The records are what a correct parser makes of the test site's articles
(tests/site: Corpus.expected_records), plus the crawl's provenance fields,
plus a few hand-written articles for the cases a generator does not aim at
(a phrase split across paragraphs, accents, a headline that must rank
first). Expected hit sets are computed here from the records alone, without
the index, so a test compares two independent answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.keys import record_key
from newsarchive.article import SCHEMA_VERSION, encode
from newsarchive.store import LocalStore
from tests.site.corpus import Corpus

DAYS = [dt.date(2024, 10, 1) + dt.timedelta(days=i) for i in range(3)]
KRATHON = "Typhoon Krathon makes landfall in Kaohsiung"


def provenance(record: dict[str, Any]) -> dict[str, Any]:
    """What the crawl adds to a parsed record: where and when it was fetched, and its WARC capture."""
    day = dt.date.fromisoformat(record["published"])
    fetched = dt.datetime(day.year, day.month, day.day, 3, 20, 5, 123456, tzinfo=dt.UTC)
    digest = hashlib.sha1(record["id"].encode()).hexdigest()
    return {
        **record,
        "parser": "taipeitimes/2",
        "schema_version": SCHEMA_VERSION,
        "fetched_url": record["url"],
        "fetched_at": fetched.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "capture": {
            "warc": f"warc/{fetched:%Y/%m/%d}/TT-{fetched:%Y%m%d%H%M%S}-00001-test-1.warc.gz",
            "offset": int(record["id"][-4:]) * 1111,
            "length": 20_000 + int(record["id"][-3:]),
            "record_id": f"<urn:uuid:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}>",
            "payload_digest": f"sha1:{digest[:32].upper()}",
        },
    }


def _handwritten(article_id: str, day: dt.date, slug: str, section: str, headline: str, body: list[str],
                 **extra: Any) -> dict[str, Any]:
    record = {
        "id": article_id, "url": f"https://www.taipeitimes.com/News/{slug}/archives/{day:%Y/%m/%d}/{article_id}",
        "section": section, "section_slug": slug, "headline": headline, "kicker": None, "deck": None,
        "byline": None, "authors": [], "agencies": [], "dateline": None, "translator": None,
        "published": day.isoformat(), "published_at": f"{day.isoformat()}T00:00:00+08:00", "modified_at": None,
        "print_page": 2, "body": body, "images": [], "word_count": sum(len(p.split()) for p in body),
        "language": "en",
    }
    record.update(extra)
    return record


def handwritten() -> list[dict[str, Any]]:
    d1, d2, d3 = DAYS
    return [
        _handwritten("2006849001", d2, "taiwan", "Taiwan News", KRATHON, [
            "Typhoon Krathon made landfall in Kaohsiung yesterday afternoon, the Central Weather Administration said.",
            "More than 10,000 residents were evacuated from coastal districts.",
        ], byline="By Lee I-chia / Staff reporter", authors=["Lee I-chia"], deck="Thousands evacuated as storm nears"),
        # the headline's words, and even its phrase, in the body of others: the headline must still win
        _handwritten("2006849002", d2, "front", "Front Page", "Storm disrupts flights and rail services", [
            f"Officials warned that {KRATHON} was likely. {KRATHON}, forecasters repeated.",
            "Typhoon Krathon makes landfall in Kaohsiung only rarely so late in the season, they said.",
            "Kaohsiung and typhoon shelters were opened. Krathon makes landfall; typhoon makes Kaohsiung wary.",
        ], agencies=["CNA"], byline="Staff writer, with CNA"),
        _handwritten("2006849003", d3, "taiwan", "Taiwan News", "Cleanup begins after typhoon", [
            "Crews in Kaohsiung cleared debris after the typhoon made landfall.",
        ], byline="By LEE I-CHIA / Staff reporter", authors=["LEE I-CHIA"]),
        # "martial" ends one paragraph and "law" begins the next: not the phrase
        _handwritten("2006849004", d1, "editorials", "Editorial & Opinion", "Remembering the long shadow", [
            "Older voters still recall the years under martial",
            "law enforcement agencies later apologized for the surveillance.",
        ], translator="Eddy Chang"),
        _handwritten("2006849005", d1, "taiwan", "Taiwan News", "Museum marks end of martial law", [
            "The exhibition traces the 38 years of martial law that ended in 1987.",
        ], kicker="HISTORY", deck="A new exhibition in Taipei's Jingmei district"),
        _handwritten("2006849006", d3, "feat", "Features", "Taipei's café culture comes of age", [
            "The city's independent cafés now number more than 1,000.",
        ], agencies=["AFP"], byline="AFP, TAIPEI", dateline="TAIPEI"),
        _handwritten("2006849007", d3, "biz", "Business", "Exporters brace for tariffs", [
            "Exporters said orders had slowed in the third quarter.",
        ], kicker="TRADE WAR", deck="Semiconductor shipments may be spared, analysts say"),
    ]


def corpus_records() -> list[dict[str, Any]]:
    corpus = Corpus(days=DAYS, seed=3)
    return [provenance(r) for r in [*corpus.expected_records().values(), *handwritten()]]


def write_store(root: Path, records: Iterable[dict[str, Any]]) -> LocalStore:
    store = LocalStore(root)
    for record in records:
        store.put_bytes(record_key(record["id"], dt.date.fromisoformat(record["published"])), encode(record))
    return store


# -- ground truth -------------------------------------------------------------------------------
def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Letters-and-digits runs, lower-cased and accent-folded; runs of 40+ bytes dropped."""
    return [_fold(w.lower()) for w in re.findall(r"[^\W_]+", text) if len(w.encode()) < 40]


def _values(record: dict[str, Any]) -> list[str]:
    return [v for v in (record.get("headline"), record.get("kicker"), record.get("deck")) if v] + record["body"]


def contains(record: dict[str, Any], phrase: list[str]) -> bool:
    """The words occur consecutively within one field value (one paragraph, the headline, ...)."""
    for value in _values(record):
        tokens = words(value)
        if any(tokens[i:i + len(phrase)] == phrase for i in range(len(tokens) - len(phrase) + 1)):
            return True
    return False


def expected_ids(records: list[dict[str, Any]], include: list[str], exclude: list[str] = (),
                 keep: Callable[[dict[str, Any]], bool] = lambda r: True) -> set[str]:
    """Ids whose text holds every `include` word/phrase and no `exclude` one, among records `keep` accepts."""
    inc, exc = [words(t) for t in include], [words(t) for t in exclude]
    return {r["id"] for r in records
            if keep(r) and all(contains(r, p) for p in inc) and not any(contains(r, p) for p in exc)}


@pytest.fixture(scope="session")
def records() -> list[dict[str, Any]]:
    return corpus_records()


@pytest.fixture(scope="session")
def store_root(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Path:
    root = tmp_path_factory.mktemp("store")
    write_store(root, records)
    return root


@pytest.fixture(scope="session")
def search_archive(store_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One Archive (and index) of the store above for every module that only reads it."""
    from newsarchive.search import Archive

    return Archive(str(store_root), index_dir=str(tmp_path_factory.mktemp("index")))
