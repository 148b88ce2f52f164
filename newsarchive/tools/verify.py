"""`verify`: prove that the archive is whole, or list exactly what is not.

Three promises are checked:

1. every WARC file reads to its end, each gzip member whole and each record's
   block and payload digests correct (full mode only: it reads every byte once);
2. every JSON record's capture pointer resolves to a response record with the
   record id and payload digest the pointer names;
3. every archived article response (HTTP 200 to an article URL) has a record,
   unless a run report says that page failed to parse ("not an article"):
   that is a known, reported failure, which `reparse` retries, not damage;
4. every photo a record names on the paper's own hosts has a capture pointer
   (`missing-image`, with the crawl's reason when a run report gives one), and
   the pointer resolves to its response record as the article's does
   (`image-pointer`). A photo on another host is never fetched, so never missing;
5. every article has one record: an id under two keys is a problem (one id,
   one key, for ever), as is a record that cannot be read (`reparse` rebuilds
   it from its capture, which the crawl would not: its state says archived).

Full mode streams each WARC once and answers the pointer checks from what the
stream showed, so nothing is read twice. `quick` skips the streams: pointers
are followed with one ranged read each and article responses come from the
CDXJ indexes, which on S3 costs a few KB per record instead of the whole
archive.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from newsarchive.archive import warcread
from newsarchive.archive.keys import RECORDS_PREFIX, cdxj_key, parse_record_key
from newsarchive.archive.report import image_failures, parse_failures
from newsarchive.archive.warcread import Damage, UnreadableRecord
from newsarchive.errors import KeyNotFound
from newsarchive.site.urls import Mirror, match_article
from newsarchive.store.base import Store
from newsarchive.tools.progress import Progress

READERS = 8  # records and ranged reads in flight at once: S3 latency, not CPU, is the limit


@dataclass(frozen=True)
class Problem:
    kind: str  # warc-damaged, digest, no-index, index, record, pointer, missing-record, missing-image, image-pointer,
    # duplicate
    where: str  # a store key, with @offset for a place in a WARC
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "detail": self.detail}


@dataclass(frozen=True)
class Seen:
    """What a scan keeps of a response, for the pointer checks (not the payload)."""

    length: int
    type: str
    record_id: str | None
    payload_digest: str
    intact: bool


@dataclass
class Report:
    quick: bool
    warcs: int = 0
    warc_bytes: int = 0
    warc_records: int = 0
    records: int = 0
    images: int = 0  # photo captures the records point to
    article_responses: int = 0
    explained: list[str] = field(default_factory=list)  # article ids without record, failed to parse per a run report
    problems: list[Problem] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        mode = "quick (pointers and records; WARC contents not read)" if self.quick else "full"
        lines = [
            f"verify ({mode}): {self.warcs} WARC files ({self.warc_bytes:,} bytes, {self.warc_records} records read), "
            f"{self.records} JSON records ({self.images} photo captures), {self.article_responses} article responses",
        ]
        if self.explained:
            lines.append(f"  {len(self.explained)} archived article page(s) were refused (run reports say why) and "
                         f"have no record: {', '.join(sorted(self.explained)[:10])}"
                         f"{' ...' if len(self.explained) > 10 else ''}; `newsarchive reparse` retries them")
        lines.append("  sound" if self.sound else f"  {len(self.problems)} problem(s)")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"quick": self.quick, "sound": self.sound, "warcs": self.warcs, "warc_bytes": self.warc_bytes,
                "warc_records": self.warc_records, "records": self.records, "images": self.images,
                "article_responses": self.article_responses, "explained": sorted(self.explained),
                "problems": [p.as_dict() for p in self.problems]}


def _at(warc: str, offset: int) -> str:
    return f"{warc}@{offset}"


class Verifier:
    def __init__(self, store: Store, *, quick: bool = False, progress: Progress | None = None) -> None:
        self.store = store
        self.progress = progress or Progress()
        self.report = Report(quick=quick)
        self.seen: dict[tuple[str, int], Seen] = {}
        self.damaged: dict[str, list[tuple[int, int]]] = {}
        #: article id -> where a 200 response for it lies
        self.article_responses: dict[str, str] = {}
        self.mirror = Mirror()  # which photo URLs are the paper's own (records keep canonical URLs)
        self._image_reasons: dict[str, str] | None = None

    def problem(self, kind: str, where: str, detail: str) -> None:
        self.report.problems.append(Problem(kind, where, detail))

    # -- 1. WARC files ------------------------------------------------------------------------------
    def _note_article(self, url: str | None, status: int | None, where: str) -> None:
        ref = match_article(url or "") if status == 200 else None
        if ref is not None:
            self.article_responses.setdefault(ref.id, where)

    def scan_warc(self, warc: str) -> None:
        for item in warcread.scan(self.store, warc):
            if isinstance(item, Damage):
                self.problem("warc-damaged", _at(warc, item.offset), f"{item.length} bytes unreadable: {item.reason}")
                self.damaged.setdefault(warc, []).append((item.offset, item.offset + item.length))
                self.progress.advance(item.length)
                continue
            self.report.warc_records += 1
            self.progress.advance(item.length)
            for note in item.digest_problems:
                self.problem("digest", _at(warc, item.offset), f"{item.type} {item.target_uri}: {note}")
            if item.type in ("response", "revisit"):
                self.seen[(warc, item.offset)] = Seen(item.length, item.type, item.record_id,
                                                      item.computed_payload_digest, not item.digest_problems)
                if item.type == "response":
                    self._note_article(item.target_uri, item.status, _at(warc, item.offset))

    def check_index(self, warc: str) -> None:
        """The CDXJ must exist (coverage and replay use it) and point at records the scan found."""
        entries = warcread.read_cdxj(self.store, warc)
        if entries is None:
            self.problem("no-index", cdxj_key(warc), "the WARC's CDXJ index is missing")
            return
        if self.report.quick:
            for e in entries:
                if not e.is_revisit:
                    self._note_article(e.url, e.status, _at(warc, e.offset))
            return
        for e in entries:
            seen = self.seen.get((warc, e.offset))
            if seen is None or seen.length != e.length:
                self.problem("index", cdxj_key(warc), f"{e.url}: no record of {e.length} bytes at {e.offset}")

    # -- 2. records and their pointers ------------------------------------------------------------------
    def _pointer_quick(self, capture: Any) -> Seen | str | None:
        """Follow a pointer with one ranged read (quick mode); None if there is no usable pointer."""
        if not isinstance(capture, dict) or not isinstance(capture.get("offset"), int) \
                or not isinstance(capture.get("length"), int):
            return None
        warc = str(capture.get("warc"))
        try:
            rec = warcread.read_record(self.store, warc, capture["offset"], capture["length"])
        except KeyNotFound:
            return f"WARC {warc} is missing"
        except (UnreadableRecord, ValueError) as exc:
            return str(exc)
        return Seen(rec.length, rec.type, rec.record_id, rec.computed_payload_digest, not rec.digest_problems)

    def _fetch(self, key: str) -> tuple[str, dict[str, Any] | str, Seen | str | None, list[Seen | str | None]]:
        """A record (or why it is unusable) and, in quick mode, what its pointer and its photos' pointers lead to:
        run in a pool."""
        try:
            doc = json.loads(self.store.get_bytes(key))
        except KeyNotFound:
            return key, "vanished while verifying", None, []
        except ValueError as exc:
            return key, f"not JSON ({exc}); `newsarchive reparse` rebuilds it from its capture", None, []
        if not isinstance(doc, dict):
            return key, "not a JSON object; `newsarchive reparse` rebuilds it from its capture", None, []
        if not self.report.quick:
            return key, doc, None, []
        images = [self._pointer_quick(image.get("capture")) if isinstance(image, dict) else None
                  for image in _images(doc)]
        return key, doc, self._pointer_quick(doc.get("capture")), images

    def _why_absent(self, warc: str, offset: int) -> str:
        if any(start <= offset < end for start, end in self.damaged.get(warc, ())):
            return f"its response at {_at(warc, offset)} lies in a damaged stretch of the WARC"
        if not self.store.exists(warc):
            return f"WARC {warc} is missing"
        return f"no record starts at {_at(warc, offset)}"

    def check_pointer(self, kind: str, key: str, capture: Any, followed: Seen | str | None, what: str = "") -> None:
        """A capture pointer must lead to an intact response record with the id and payload digest it names."""
        if not isinstance(capture, dict) or not all(k in capture for k in ("warc", "offset", "length")):
            self.problem(kind, key, f"{what}no capture pointer")
            return
        warc, offset, length = str(capture["warc"]), capture["offset"], capture["length"]
        if not isinstance(offset, int) or not isinstance(length, int):
            self.problem(kind, key, f"{what}capture offset/length not integers: {offset!r}, {length!r}")
            return
        where = _at(warc, offset)
        seen = followed if self.report.quick else self.seen.get((warc, offset))
        if seen is None:
            seen = self._why_absent(warc, offset)
        if isinstance(seen, str):
            self.problem(kind, key, f"{what}{seen}")
            return
        if seen.type != "response":
            self.problem(kind, key, f"{what}{where} is a {seen.type} record, not a response")
        if seen.length != length:
            self.problem(kind, key, f"{what}{where}: the record is {seen.length} bytes, the pointer says {length}")
        if capture.get("record_id") and seen.record_id != capture["record_id"]:
            self.problem(kind, key, f"{what}{where}: record id {seen.record_id}, the pointer says {capture['record_id']}")
        if not seen.intact:
            self.problem(kind, key, f"{what}{where}: the response fails its digest check")
        elif capture.get("payload_digest") and seen.payload_digest != capture["payload_digest"]:
            self.problem(kind, key, f"{what}{where}: payload digest {seen.payload_digest}, "
                                    f"the pointer says {capture['payload_digest']}")

    def check_record(self, key: str, doc: dict[str, Any], followed: Seen | str | None,
                     images: list[Seen | str | None] | None = None) -> None:
        parsed = parse_record_key(key)
        if parsed is None or doc.get("id") != parsed[0]:
            self.problem("record", key, f"holds id {doc.get('id')!r}, not the one its key names")
        self.check_pointer("pointer", key, doc.get("capture"), followed)
        for n, image in enumerate(_images(doc)):
            if not isinstance(image, dict) or not isinstance(image.get("url"), str):
                continue
            url = image["url"]
            label = f"photo {n + 1} ({url}): "
            if image.get("capture") is None:
                if self.mirror.is_first_party(url):
                    reason = self.image_reasons().get(url)
                    self.problem("missing-image", key, f"{label}no capture"
                                 + (f" (the crawl reported: {reason})" if reason else " (not fetched)"))
                continue
            self.report.images += 1
            self.check_pointer("image-pointer", key, image["capture"], images[n] if images else None, label)

    def image_reasons(self) -> dict[str, str]:
        """Why crawls failed to capture photos, per the run reports (read once, when a photo is missing)."""
        if self._image_reasons is None:
            self._image_reasons = image_failures(self.store)
        return self._image_reasons

    def check_records(self, keys: list[str]) -> set[str]:
        """Check every record; returns the ids that have one."""
        ids: set[str] = set()
        where: dict[str, str] = {}  # id -> its first key
        self.progress.start("records", len(keys))
        with ThreadPoolExecutor(READERS) as pool:
            for key, doc, followed, images in pool.map(self._fetch, keys):
                self.progress.advance()
                parsed = parse_record_key(key)
                if parsed is not None:
                    if parsed[0] in where:
                        self.problem("duplicate", key, f"article {parsed[0]} also has a record at {where[parsed[0]]}: "
                                                       "one article, one record key")
                    where.setdefault(parsed[0], key)
                if isinstance(doc, str):
                    self.problem("record", key, doc)
                    continue
                if parsed is not None:
                    ids.add(parsed[0])
                self.check_record(key, doc, followed, images)
        return ids

    # -- the whole --------------------------------------------------------------------------------------
    def run(self) -> Report:
        warcs = warcread.warc_files(self.store)
        record_keys = [o.key for o in self.store.list(RECORDS_PREFIX) if o.key.endswith(".json")]
        self.report.warcs = len(warcs)
        self.report.warc_bytes = sum(o.size for o in warcs)
        if not self.report.quick:
            self.progress.start("WARC files", self.report.warc_bytes)
            for info in warcs:
                self.scan_warc(info.key)
        for info in warcs:
            self.check_index(info.key)
        self.report.records = len(record_keys)
        ids = self.check_records(record_keys)
        self.report.article_responses = len(self.article_responses)
        failed = parse_failures(self.store) if set(self.article_responses) - ids else set()
        for article_id, where in sorted(self.article_responses.items()):
            if article_id in ids:
                continue
            if article_id in failed:
                self.report.explained.append(article_id)
            else:
                self.problem("missing-record", where, f"article {article_id} was archived but has no record")
        return self.report


def _images(doc: dict[str, Any]) -> list[Any]:
    images = doc.get("images")
    return images if isinstance(images, list) else []


def verify(store: Store, *, quick: bool = False, progress: Progress | None = None) -> Report:
    return Verifier(store, quick=quick, progress=progress).run()

