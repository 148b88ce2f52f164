"""`reparse`: rebuild records from the stored captures with the current parser, offline.

A parser fix must reach pages archived years ago without fetching them again,
and the WARC already holds every byte the site sent. So each record's capture
is read back (one ranged read), its payload decoded as Scrapy decoded it, and
parsed again; provenance (fetched_url, fetched_at, capture, and each photo's
capture) is kept from the record, since the capture is the same. A record is written only when the
result differs, so a second run writes nothing; a content change leaves the
old version in history/ (newsarchive.archive.records), as a crawl's edit does.

Article responses that have no record (the parser of the day refused them)
are found through the CDXJ indexes and get a record now if the current parser
reads them, together with the crawl's state object, exactly as the crawl
would have written them: capture pointer and fetch time come from the WARC.
A record that cannot be read any more (cut short, not JSON) is rebuilt the
same way from its article's latest capture, at the same key: the crawl skips
it (its state says archived), so reparse is what brings it back.

A record keeps its key whatever print date the parser reads now (one id, one
key, for ever): a new date is an edit, counted under `moved`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsarchive import article
from newsarchive.archive import records as recordstore
from newsarchive.archive import warcread
from newsarchive.archive.keys import RECORDS_PREFIX, parse_record_key, record_key
from newsarchive.archive.state import ArticleState, KnownArticles
from newsarchive.archive.warc import CapturePointer
from newsarchive.archive.warcread import CdxEntry, UnreadableRecord
from newsarchive.dates import iso_utc, utc_now
from newsarchive.errors import KeyNotFound, NotAnArticle
from newsarchive.site.urls import ARTICLE_PATH_RE, Mirror, match_article
from newsarchive.store.base import Store
from newsarchive.tools.progress import Progress


@dataclass
class Outcome:
    unchanged: int = 0
    rewritten: int = 0  # parser output differs, content fields the same (e.g. a new parser version)
    changed: int = 0  # content fields differ: the old version went to history/
    created: int = 0  # article responses that had no record, and unreadable records rebuilt from their capture
    moved: int = 0  # the print date the parser reads changed (the record keeps its key)
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.rewritten + self.changed + self.created

    def summary(self) -> str:
        lines = [f"reparse: {self.unchanged} unchanged, {self.rewritten} rewritten, {self.changed} changed "
                 f"(old versions in history/), {self.created} created from captures without a record"
                 + (f", {self.moved} with a new print date (key kept)" if self.moved else "")
                 + f"; {len(self.failures)} failed"]
        lines += [f"  failed: {f['where']}: {f['reason']}" for f in self.failures[:20]]
        if len(self.failures) > 20:
            lines.append(f"  ... and {len(self.failures) - 20} more")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "written": self.written}


@dataclass
class _Created:
    """A record made from a capture that had none, waiting for its photos' captures."""

    record: dict[str, Any]
    key: str
    wanted: dict[str, str]  # photo URL -> the URL the crawl fetched it from


def _when(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _provenance(entry: CdxEntry, rec: warcread.WarcRecord) -> dict[str, Any]:
    """fetched_url, fetched_at and capture of a stored response, as the crawl gives an article or a photo."""
    fetched_at = _when(rec.date or iso_utc(utc_now()))
    capture = CapturePointer(entry.warc, entry.offset, entry.length, rec.record_id or "", rec.header_payload_digest)
    return {"fetched_url": rec.target_uri, "fetched_at": iso_utc(fetched_at), "capture": capture.as_dict()}


def _mirror_of(fetched_url: str) -> Mirror:
    """The site or mirror an article was fetched from, to find where the crawl fetched its photos from."""
    parts = urlsplit(fetched_url)
    match = ARTICLE_PATH_RE.search(parts.path)
    base_path = parts.path[: match.start()] if match else ""
    return Mirror(f"{parts.scheme}://{parts.netloc}{base_path}" if parts.netloc else None)


def _parse(rec: warcread.WarcRecord) -> dict[str, Any]:
    """The current parser's record of a captured response, as the parse pipeline makes it."""
    from newsarchive.parser import parse_article  # the parser is only loaded when there is work

    ref = match_article(rec.target_uri or "")
    url = ref.canonical_url if ref else None
    return parse_article(rec.body(), url=url).to_record()


def _as_stored(record: dict[str, Any]) -> dict[str, Any]:
    """A record as it reads back from the store (JSON round trip), to compare like with like."""
    return json.loads(article.encode(record))


def _published(record: dict[str, Any], fallback: dt.date) -> dt.date:
    """The print date the record names; the fallback (the key's date, the crawl window's) when it names none."""
    try:
        return dt.date.fromisoformat(record["published"])
    except (KeyError, TypeError, ValueError):
        record["published"] = fallback.isoformat()
        return fallback


class Reparser:
    def __init__(self, store: Store, window: tuple[dt.date, dt.date] | None = None,
                 progress: Progress | None = None) -> None:
        self.store = store
        self.window = window
        self.progress = progress or Progress()
        self.outcome = Outcome()
        self.known = KnownArticles(store)
        self._latest: dict[str, CdxEntry] | None = None
        #: records made from captures, written by `finish` once their photos' captures are looked up
        self.pending: list[_Created] = []

    def in_window(self, day: dt.date) -> bool:
        return self.window is None or self.window[0] <= day <= self.window[1]

    def fail(self, where: str, reason: str) -> None:
        self.outcome.failures.append({"where": where, "reason": reason})

    # -- records that exist ---------------------------------------------------------------------
    def reparse_record(self, key: str, article_id: str, day: dt.date) -> None:
        old = recordstore.read_record(self.store, key)
        capture = old.get("capture") if old else None
        if old is None or not isinstance(capture, dict):
            self.rebuild(key, article_id)
            return
        try:
            rec = warcread.read_record(self.store, str(capture.get("warc")), int(capture["offset"]),
                                       int(capture["length"]))
            new = _parse(rec)
        except KeyNotFound:
            self.fail(key, f"WARC {capture.get('warc')} is missing")
            return
        except (UnreadableRecord, KeyError, TypeError, ValueError) as exc:
            self.fail(key, f"capture unreadable: {exc}")
            return
        except NotAnArticle as exc:
            self.fail(key, f"the current parser refuses the capture (record kept): {exc}")
            return
        new.update({name: old.get(name) for name in article.PROVENANCE})
        article.carry_image_provenance(new.get("images") or [], old.get("images"))
        _published(new, day)
        new = _as_stored(new)
        if new == old:
            self.outcome.unchanged += 1
            return
        if article.changed_fields(old, new):
            recordstore.keep_history(self.store, old, day)
            self.outcome.changed += 1
        else:
            self.outcome.rewritten += 1
        if new.get("published") != old.get("published"):
            self.outcome.moved += 1
        recordstore.write_record(self.store, key, new)

    # -- captures without a record ---------------------------------------------------------------
    def latest_captures(self) -> dict[str, CdxEntry]:
        """The latest 200 response of every article, from the CDXJ indexes (read once)."""
        if self._latest is None:
            latest: dict[str, CdxEntry] = {}
            for info in warcread.warc_files(self.store):
                for entry in warcread.responses(self.store, info.key):
                    ref = match_article(entry.url)
                    if ref is None or entry.status != 200 or entry.is_revisit:
                        continue
                    if ref.id not in latest or entry.timestamp >= latest[ref.id].timestamp:
                        latest[ref.id] = entry
            self._latest = latest
        return self._latest

    def orphans(self, have: set[str]) -> dict[str, CdxEntry]:
        """The latest 200 response of each article in the window that has no record."""
        return {i: e for i, e in self.latest_captures().items()
                if i not in have and (ref := match_article(e.url)) is not None and self.in_window(ref.date)}

    def rebuild(self, key: str, article_id: str) -> None:
        """A record that cannot be read, made again from its article's latest capture, at its key."""
        entry = self.latest_captures().get(article_id)
        if entry is None:
            self.fail(key, "unreadable record, and no capture of its article to rebuild it from")
            return
        self.create(article_id, entry, at=key)

    def create(self, article_id: str, entry: CdxEntry, at: str | None = None) -> None:
        """The record a capture without one gets (or an unreadable record, rebuilt `at` its key), queued for
        `finish` once its photos' captures are looked up."""
        where = f"{entry.warc}@{entry.offset} ({entry.url})"
        try:
            rec = warcread.read_record(self.store, entry.warc, entry.offset, entry.length)
            record = _parse(rec)
        except (UnreadableRecord, KeyNotFound) as exc:
            self.fail(where, f"capture unreadable: {exc}")
            return
        except NotAnArticle as exc:
            self.fail(where, f"not an article: {exc}")
            return
        provenance = _provenance(entry, rec)
        record.update(provenance)
        ref = match_article(entry.url)
        published = _published(record, ref.date if ref else _when(provenance["fetched_at"]).date())
        if at is not None:  # rebuilding an unreadable record: its key stays, if the page is that article
            if record["id"] != article_id:
                self.fail(at, f"unreadable record; its article's capture declares article {record['id']}")
                return
            key = at
        else:
            key = self._key_of(record["id"], published)
            if self.store.exists(key):  # the page declares an id that has a record already
                self.fail(where, f"declares article {record['id']}, which has a record ({key})")
                return
        mirror = _mirror_of(rec.target_uri or entry.url)
        wanted = {image["url"]: mirror.to_fetch(image["url"]) for image in record.get("images") or ()
                  if isinstance(image.get("url"), str) and mirror.is_first_party(image["url"])}
        self.pending.append(_Created(record, key, wanted))

    def photo_provenance(self, fetched: set[str]) -> dict[str, dict[str, Any]]:
        """The latest 200 capture of each of these URLs, as a record's image entry points to it."""
        latest: dict[str, CdxEntry] = {}
        if fetched:
            for info in warcread.warc_files(self.store):
                for entry in warcread.responses(self.store, info.key):
                    if entry.url in fetched and entry.status == 200 and not entry.is_revisit and (
                            entry.url not in latest or entry.timestamp >= latest[entry.url].timestamp):
                        latest[entry.url] = entry
        found = {}
        for url, entry in latest.items():
            try:
                found[url] = _provenance(entry, warcread.read_record(self.store, entry.warc, entry.offset, entry.length))
            except (UnreadableRecord, KeyNotFound) as exc:
                self.fail(f"{entry.warc}@{entry.offset} ({url})", f"photo capture unreadable: {exc}")
        return found

    def finish(self, created: _Created, photos: dict[str, dict[str, Any]]) -> None:
        """Write a created record with its photos' captures, and the state the crawl would have written."""
        record = created.record
        missing = []
        for image in record.get("images") or ():
            fetched = created.wanted.get(image.get("url"))
            if fetched is None:
                continue
            if fetched in photos:
                image.update(photos[fetched])
            else:
                missing.append(image["url"])
        recordstore.write_record(self.store, created.key, _as_stored(record))
        if missing:  # the next crawl that lists the article fetches them, as after a crawl's failed photo
            self.known.mark_images_missing(record["id"], created.key, missing)
        self._remember(record, created.key)
        self.outcome.created += 1

    def _key_of(self, article_id: str, published: dt.date) -> str:
        """The key the article's state names (one id, one key), else the one its print date gives."""
        state = self.known.get(article_id) if article_id in self.known else None
        if state is not None and state.record:
            parsed = parse_record_key(state.record)
            if parsed is not None and parsed[0] == article_id:
                return state.record
        return record_key(article_id, published)

    def _remember(self, record: dict[str, Any], key: str) -> None:
        """The crawl's state object for an article, so the next crawl treats it as archived."""
        self.known.remember(ArticleState.of_record(record, key))

    # -- the whole ----------------------------------------------------------------------------------
    def run(self) -> Outcome:
        self.known.load()
        keys: list[tuple[str, str, dt.date]] = []
        have: set[str] = set()
        for info in self.store.list(RECORDS_PREFIX):
            parsed = parse_record_key(info.key)
            if parsed is None:
                continue
            have.add(parsed[0])
            if self.in_window(parsed[1]):
                keys.append((info.key, *parsed))
        orphans = self.orphans(have)
        self.progress.start("reparsing", len(keys) + len(orphans))
        for key, article_id, day in keys:
            self.reparse_record(key, article_id, day)
            self.progress.advance()
        for article_id, entry in sorted(orphans.items()):
            self.create(article_id, entry)
            self.progress.advance()
        # records made from captures (new ones, and unreadable ones rebuilt) get their photos' captures in one pass
        photos = self.photo_provenance({url for made in self.pending for url in made.wanted.values()})
        for made in self.pending:
            self.finish(made, photos)
        return self.outcome


def reparse(store: Store, window: tuple[dt.date, dt.date] | None = None,
            progress: Progress | None = None) -> Outcome:
    return Reparser(store, window, progress).run()
