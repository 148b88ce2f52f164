"""Synthetic records with the shape and word statistics of the real paper, for benchmarks and tests.

A million realistic bodies cannot be drawn word by word in reasonable time,
so bodies are assembled from a pool of paragraphs drawn from a Zipfian
vocabulary, plus a few words from a long tail per article. That gives the
index what matters for speed: a handful of words in most articles, a broad
middle in a few percent, and a tail of words in a handful of articles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsarchive.archive.keys import record_key
from newsarchive.article import SCHEMA_VERSION, encode
from newsarchive.site.urls import SECTIONS, SITE

#: the most frequent words of the paper, most frequent first
COMMON = (
    "the of to and in a that for on is said was with as by it at from have be has are his an will "
    "taiwan government president china chinese taipei people year would not its which but were this "
    "their had also been new more party ministry percent years said one two after over last first "
    "city county legislator legislature council lawmakers dpp kmt policy election economic market "
    "company companies trade military defense national public minister premier officials official "
    "yesterday today week month cross strait beijing washington japan us united states international "
    "security development industry prices growth exports billion million nt local central cabinet "
    "executive yuan legislative court police health hospital students school university education "
    "environment energy power water typhoon earthquake weather rain tourism travel culture art "
    "festival music film game team players season coach league tournament win won lost match "
    "chairman chairwoman spokesperson statement report reported according data survey study plan "
    "proposal bill law act amendment regulations rules support opposition protest rally vote voters"
).split()
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwyz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
KICKERS = ("FOCUS ON TAIWAN", "CROSS-STRAIT TIES", "TRADE WAR", "ELECTION 2024", "DEFENSE", "ENERGY", "HEALTH")
PEOPLE = (
    "Lee I-chia", "Chen Yu-fu", "Lin Chia-nan", "Shih Hsiu-chuan", "Chung Li-hua", "Hsiao Yu-hsiang",
    "Wu Su-wei", "Jason Pan", "Kayleigh Madjar", "Crystal Hsu", "Ralph Jennings", "Chien Li-chung",
    "Huang Tzu-ti", "Yang Mien-chieh", "Tsai Ssu-pei", "Lin Ching-chuan", "Ann Maxon", "Jake Chung",
)
AGENCIES = ("AFP", "Reuters", "AP", "Bloomberg", "Kyodo", "NY Times News Service", "The Guardian")
DATELINES = ("TOKYO", "BEIJING", "HONG KONG", "WASHINGTON", "MANILA", "SEOUL", "LONDON", "PARIS")


def _synthetic_words(count: int, offset: int) -> list[str]:
    """Pronounceable made-up words: deterministic, and never a real English word by accident of meaning."""
    words = ("".join(parts) for parts in itertools.product(_SYLLABLES, repeat=3))
    return list(itertools.islice(words, offset, offset + count))


def _zipf_cum_weights(n: int, s: float = 1.05) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank ** s) for rank in range(1, n + 1)))


class SampleCorpus:
    """Deterministic realistic records: `SampleCorpus(seed).records(n)`."""

    def __init__(self, seed: int = 1, *, core_size: int = 20_000, tail_size: int = 300_000,
                 pool_size: int = 5_000, first_day: dt.date = dt.date(1999, 6, 15),
                 last_day: dt.date = dt.date(2026, 11, 26)) -> None:
        self.rng = random.Random(seed)
        self.core = list(COMMON) + _synthetic_words(core_size - len(COMMON), 0)
        self.tail = _synthetic_words(tail_size, core_size)
        self._core_cw = _zipf_cum_weights(len(self.core))
        self._tail_cw = _zipf_cum_weights(len(self.tail), 1.2)
        self.pool = [self._sentence(self.rng.randint(25, 60)) for _ in range(pool_size)]
        self.first_day, self.days = first_day, (last_day - first_day).days + 1

    def _sentence(self, n: int) -> str:
        words = self.rng.choices(self.core, cum_weights=self._core_cw, k=n)
        return " ".join(words).capitalize() + "."

    def _byline(self) -> tuple[str, list[str], list[str], str | None]:
        kind = self.rng.random()
        if kind < 0.45:
            name = self.rng.choice(PEOPLE)
            return f"By {name} / Staff reporter", [name], [], None
        if kind < 0.7:
            agency, place = self.rng.choice(AGENCIES), self.rng.choice(DATELINES)
            return f"{agency}, {place}", [], [agency], place
        if kind < 0.85:
            return "Staff writer, with CNA", [], ["CNA"], None
        a, b = self.rng.sample(PEOPLE, 2)
        return f"By {a} and {b} / Reuters, TAIPEI", [a, b], ["Reuters"], "TAIPEI"

    def record(self, serial: int) -> dict[str, Any]:
        rng = self.rng
        article_id = f"{2000000000 + serial:010d}"
        day = self.first_day + dt.timedelta(days=serial * 7919 % self.days)
        slug = rng.choice(("front", "taiwan", "taiwan", "biz", "editorials", "sport", "world", "world", "feat", "lang"))
        url = f"{SITE}/News/{slug}/archives/{day:%Y/%m/%d}/{article_id}"
        byline, authors, agencies, dateline = self._byline()
        tail = " ".join(rng.choices(self.tail, cum_weights=self._tail_cw, k=6))
        body = rng.sample(self.pool, rng.randint(6, 14))
        body.insert(rng.randrange(len(body) + 1), f"{self._sentence(12)[:-1]} {tail}.")
        fetched = dt.datetime(day.year, day.month, day.day, 2, 30, tzinfo=dt.UTC) + dt.timedelta(days=1)
        digest = hashlib.sha1(article_id.encode()).hexdigest()
        return {
            "id": article_id, "url": url, "section": SECTIONS[slug], "section_slug": slug,
            "headline": self._sentence(rng.randint(6, 11))[:-1],
            "kicker": rng.choice(KICKERS) if rng.random() < 0.15 else None,
            "deck": self._sentence(rng.randint(12, 25)) if rng.random() < 0.5 else None,
            "byline": byline, "authors": authors, "agencies": agencies, "dateline": dateline,
            "translator": "Lin Lee-kai" if slug == "editorials" and rng.random() < 0.5 else None,
            "published": day.isoformat(), "published_at": f"{day.isoformat()}T00:00:00+08:00",
            "modified_at": None, "print_page": rng.randint(1, 16),
            "body": body,
            "images": [{"url": f"https://img.taipeitimes.com/images/{day:%Y/%m/%d}/p{article_id[-4:]}.jpg",
                        "caption": self._sentence(10), "credit": "Photo: CNA"}] if rng.random() < 0.4 else [],
            "word_count": sum(p.count(" ") + 1 for p in body), "language": "en",
            "parser": "taipeitimes/2", "schema_version": SCHEMA_VERSION,
            "fetched_url": url, "fetched_at": fetched.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "capture": {
                "warc": f"warc/{fetched:%Y/%m/%d}/TT-{fetched:%Y%m%d%H%M%S}-00001-bench-1.warc.gz",
                "offset": serial * 9173 % 1_000_000_000, "length": 9000 + serial % 5000,
                "record_id": f"<urn:uuid:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}>",
                "payload_digest": f"sha1:{digest.upper()[:32]}",
            },
        }

    def records(self, count: int, start: int = 0) -> Iterator[dict[str, Any]]:
        for serial in range(start, start + count):
            yield self.record(serial)


def write_records(root: str | Path, records: Iterator[dict[str, Any]]) -> int:
    """Write records in the store layout without fsync: fast enough to lay out a million for a benchmark."""
    root = Path(root)
    made: set[Path] = set()
    count = 0
    for record in records:
        path = root / record_key(record["id"], dt.date.fromisoformat(record["published"]))
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(encode(record))
        count += 1
    return count


#: how a reprint differs from the wire story it copies (the kinds a newsroom makes)
REPRINT_EDITS = ("new headline", "last paragraph trimmed", "last 2 paragraphs trimmed", "dateline changed",
                 "5 words edited", "trimmed, dateline changed and 3 words edited", "staff paragraph added")


class DuplicateSet:
    """Records with known wire duplicates, for measuring duplicate detection (precision and recall).

    `originals` stories with unique paragraphs, each reprinted 0-3 times
    within ten days by one edit of REPRINT_EDITS; `hard` distinct stories on
    the same topic that share two to four paragraphs with an original (the
    background paragraphs papers reuse), printed within days of it; and
    `background` unrelated records. `truth[id]` is the id of the story a
    record copies (itself for a story of its own).
    """

    def __init__(self, seed: int = 5, originals: int = 1500, hard: int = 1500, background: int = 12000) -> None:
        self.corpus = SampleCorpus(seed)
        self.rng = random.Random(seed)
        self.records: list[dict[str, Any]] = []
        self.truth: dict[str, str] = {}
        self.kind: dict[str, str] = {}
        self.source: dict[str, str] = {}  # a same-topic story -> the story whose paragraphs it shares
        serial = 0
        originals_made: list[dict[str, Any]] = []
        for _ in range(originals):
            original = self._story(serial)
            serial += 1
            self._add(original, original["id"], "original")
            originals_made.append(original)
            for _ in range(self.rng.choice([0, 1, 1, 2, 3])):
                kind = self.rng.choice(REPRINT_EDITS)
                self._add(self._reprint(original, serial, kind), original["id"], kind)
                serial += 1
        for _ in range(hard):
            source = self.rng.choice(originals_made)
            self._add(self._same_topic(source, serial), None, "same topic")
            self.source[self.records[-1]["id"]] = source["id"]
            serial += 1
        for record in SampleCorpus(seed + 1).records(background, start=serial):
            self._add(record, None, "background")

    def _add(self, record: dict[str, Any], copies: str | None, kind: str) -> None:
        self.records.append(record)
        self.truth[record["id"]] = copies or record["id"]
        self.kind[record["id"]] = kind

    def _paragraph(self) -> str:
        return self.corpus._sentence(self.rng.randint(25, 45))

    def _story(self, serial: int) -> dict[str, Any]:
        record = self.corpus.record(serial)
        return {**record, "body": [self._paragraph() for _ in range(self.rng.randint(6, 12))]}

    def _moved(self, record: dict[str, Any], serial: int, body: list[str]) -> dict[str, Any]:
        day = dt.date.fromisoformat(record["published"]) + dt.timedelta(days=self.rng.randint(0, 10))
        article_id = f"{2000000000 + serial:010d}"
        return {**record, "id": article_id, "published": day.isoformat(), "headline": self.corpus._sentence(8)[:-1],
                "url": f"{SITE}/News/{record['section_slug']}/archives/{day:%Y/%m/%d}/{article_id}", "body": body}

    def _edit_words(self, body: list[str], count: int) -> None:
        for _ in range(count):
            i = self.rng.randrange(len(body))
            words = body[i].split()
            words[self.rng.randrange(len(words))] = self.rng.choice(self.corpus.core[:500])
            body[i] = " ".join(words)

    def _reprint(self, original: dict[str, Any], serial: int, kind: str) -> dict[str, Any]:
        body = list(original["body"])
        dateline = f"{self.rng.choice(DATELINES)}, {self.rng.choice(AGENCIES)} - "
        if kind == "last paragraph trimmed":
            body = body[:-1]
        elif kind == "last 2 paragraphs trimmed":
            body = body[:-2]
        elif kind == "dateline changed":
            body[0] = dateline + body[0]
        elif kind == "5 words edited":
            self._edit_words(body, 5)
        elif kind == "trimmed, dateline changed and 3 words edited":
            body = body[:-1]
            body[0] = dateline + body[0]
            self._edit_words(body, 3)
        elif kind == "staff paragraph added":
            body.append("Additional reporting by staff writer, with CNA")
        return self._moved(original, serial, body)

    def _same_topic(self, original: dict[str, Any], serial: int) -> dict[str, Any]:
        shared = self.rng.sample(original["body"], self.rng.choice([2, 3, 4]))
        body = shared + [self._paragraph() for _ in range(self.rng.randint(4, 8))]
        self.rng.shuffle(body)
        return self._moved(original, serial, body)
