"""Records in, a WACZ out: the selected articles as captured, with what their pages use, ready to hand over.

`write_wacz(records, store, path)` takes records from the same selection the
other export formats use (newsarchive.search: `Archive.articles`, filters,
queries) and writes:

    archive/newsarchive-<created>-<n>.warc.gz   the records needed, copied byte for byte (newsarchive.wacz.captures)
    indexes/index.cdx.gz                        their index, sorted, in gzip blocks of 1,000 lines
    indexes/index.idx                           the blocks' summary (pywb's ZipNum form; ReplayWeb.page reads it too)
    pages/pages.jsonl                           one line per article: the URL as captured, its time, the headline
                                                as title (and the body as text, with_text)
    datapackage.json, datapackage-digest.json   every file's sha256; the digest of datapackage.json

Why an `.idx` for every package, however small: ReplayWeb.page reads a
package's index through `.idx` (or a plain `.cdx`/`.cdxj`), pywb's
`wb-manager add --unpack-wacz` through `.cdx.gz` (it ignores `.cdxj`); ZipNum
is the one layout both read, and a small package is one block.

Mirror captures are indexed under the site's URLs too (newsarchive.archive.replay),
so a page's links to www.taipeitimes.com find them in any replayer.

It streams: one record in memory at a time; index lines are sorted on disk
(newsarchive.archive.cdxj.LineSorter), pages spooled to a temporary file; what
grows with the package is the set of captures already copied (a few dozen
bytes each). Temporary files go beside the output and are removed at the end.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import logging
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.warcwriter import WARCWriter

from newsarchive.archive.cdxj import CdxLine, LineSorter, SortedCdxj, timestamp14
from newsarchive.archive.replay import as_fetched, with_aliases
from newsarchive.archive.warcread import UnreadableRecord
from newsarchive.archive.zipnum import BLOCK_LINES, write_blocks
from newsarchive.dates import utc_now
from newsarchive.errors import KeyNotFound
from newsarchive.replay.index import ReplayIndex
from newsarchive.site.requisites import from_css
from newsarchive.store.base import Store
from newsarchive.tools.progress import Progress
from newsarchive.wacz.captures import CaptureFinder, Copied
from newsarchive.wacz.package import SOFTWARE, Member, WaczPackage
from newsarchive.wacz.requisites import page_requisites

log = logging.getLogger(__name__)

MAX_WARC_SIZE = 1_000_000_000
CSS_DEPTH = 3  # @import chains: a stylesheet that imports one that names images
CSS_CACHE = 1024
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


@dataclass
class WaczResult:
    """What a package holds."""

    articles: int = 0  # lines of pages.jsonl
    captures: int = 0  # responses and revisits copied
    requisites: int = 0  # of which not the articles' own pages: stylesheets, scripts, images, photos
    records: int = 0  # WARC records copied, requests and warcinfo included
    index_lines: int = 0
    warc_files: int = 0
    bytes: int = 0  # size of the package
    #: ids of selected articles not in the package: no capture, or their capture is missing from the store's index
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.articles} articles, {self.requisites} captures of what their pages use, {self.records} WARC "
                f"records in {self.warc_files} WARC files, {self.bytes:,} bytes")
        if self.skipped:
            text += (f"; {len(self.skipped)} articles left out, their capture not in the store's index "
                     f"(run `newsarchive verify`): {', '.join(self.skipped[:5])}{' ...' if len(self.skipped) > 5 else ''}")
        return text


class _WarcOut:
    """The package's WARC files: members appended, a new file every `max_size` bytes, each opened by a warcinfo
    record saying what it is."""

    def __init__(self, package: WaczPackage, max_size: int, stamp: str, description: str) -> None:
        self.package, self.max_size, self.stamp, self.description = package, max_size, stamp, description
        self.member: Member | None = None
        self.name = ""
        self.files = 0

    def _warcinfo(self, name: str) -> bytes:
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(name, {
            "software": SOFTWARE, "format": "WARC File Format 1.1",
            "description": self.description,
        }))
        return out.getvalue()

    def append(self, data: bytes) -> tuple[str, int]:
        """Add one gzip member; returns the file and offset it lies at."""
        if self.member is None or self.member.size >= self.max_size:
            self.close()
            self.name = f"newsarchive-{self.stamp}-{self.files:05d}.warc.gz"
            self.files += 1
            self.member = self.package.open(f"archive/{self.name}", stored=True)
            self.member.write(self._warcinfo(self.name))
        offset = self.member.size
        self.member.write(data)
        return self.name, offset

    def close(self) -> None:
        if self.member is not None:
            self.package.close(self.member)
            self.member = None


class WaczBuilder:
    """Add records one by one, then `finish()`. Use `write_wacz` unless you need the steps."""

    def __init__(self, store: Store, path: Path, *, with_text: bool = False, created: dt.datetime | None = None,
                 max_warc_size: int = MAX_WARC_SIZE, block_lines: int = BLOCK_LINES,
                 progress: Progress | None = None) -> None:
        self.store, self.path, self.with_text, self.block_lines = store, Path(path), with_text, block_lines
        self.progress = progress or Progress()
        self.created = created or utc_now()
        self.result = WaczResult()
        self.workdir = Path(tempfile.mkdtemp(prefix=".wacz-", dir=self.path.parent))
        try:
            index = ReplayIndex(store)
            index.update(self.progress)
            self.finder = CaptureFinder(store, SortedCdxj(index.path))
            self.package = WaczPackage(self.path, self.created)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.warcs = _WarcOut(self.package, max_warc_size, f"{self.created:%Y%m%d%H%M%S}",
                              f"Records copied byte for byte from a newsarchive store ({store.uri}) for a WACZ package")
        self.lines = LineSorter(self.workdir)
        self.pages = open(self.workdir / "pages.jsonl", "w", encoding="utf-8")
        self._copied: set[tuple[int, int]] = set()
        self._files: dict[str, int] = {}  # store WARC key -> a small number, for the sets below
        self._sources: set[int] = set()  # store WARCs whose warcinfo is in the package
        self._css = functools.lru_cache(maxsize=CSS_CACHE)(self._css_children)
        self.progress.start("packing articles", None)

    # -- captures ---------------------------------------------------------------------------------------------
    def _key(self, line: CdxLine) -> tuple[int, int]:
        file_id = self._files.setdefault(line.filename, len(self._files))
        return file_id, line.offset

    def _copy(self, line: CdxLine) -> Copied | None:
        """Copy a capture (with its request, and its file's warcinfo the first time); None if already in."""
        key = self._key(line)
        if key in self._copied:
            return None
        copied = self.finder.read(line)
        self._copied.add(key)
        if key[0] not in self._sources:  # the source file's warcinfo, once
            self._sources.add(key[0])
            if (info := self.finder.warcinfo(line.filename)) is not None:
                self.warcs.append(info)
                self.result.records += 1
        name, offset = self.warcs.append(copied.member)
        self.result.records += 1
        if copied.request is not None:
            self.warcs.append(copied.request)
            self.result.records += 1
        for text in with_aliases([line.moved(name, offset).text]):
            self.lines.add(text)
        self.result.captures += 1
        return copied

    def _css_children(self, filename: str, offset: int, length: int, url: str) -> tuple[str, ...]:
        line = CdxLine("", "", {"filename": filename, "offset": str(offset), "length": str(length), "url": url})
        return tuple(from_css(self.finder.read(line).body().decode("utf-8", "replace"), url))

    def _requisite(self, url: str, timestamp: str, fetched_from: str, depth: int = 0, line: CdxLine | None = None) -> None:
        """Put in the capture of `url` closest to `timestamp` (or `line`, when known), and what it needs."""
        line = line or self.finder.closest(as_fetched(url, fetched_from), timestamp)
        if line is None:
            return  # the store holds no capture of it
        try:
            content = self.finder.original_of(line) if line.is_revisit else line  # a revisit's payload is elsewhere
            if self._copy(line) is not None:
                self.result.requisites += 1
            if content is not None and content is not line and self._copy(content) is not None:
                self.result.requisites += 1
            if content is not None and depth < CSS_DEPTH and str(content.fields.get("mime", "")).lower() == "text/css":
                children = self._css(content.filename, content.offset, content.length, content.url)
            else:
                children = ()
        except (UnreadableRecord, KeyNotFound) as exc:  # a damaged or vanished record costs itself only
            log.warning("%s: left out of the package (%s)", line.url, exc)
            return
        for child in children:
            self._requisite(child, timestamp, content.url if content else line.url, depth + 1)

    # -- records ----------------------------------------------------------------------------------------------
    def add(self, record: dict[str, Any]) -> bool:
        """Put one article in the package; False (and noted in `result.skipped`) if its capture cannot be found."""
        self.progress.advance()
        capture, fetched_url = record.get("capture"), record.get("fetched_url")
        line = None
        if isinstance(capture, dict) and isinstance(fetched_url, str):
            line = self.finder.at(fetched_url, str(capture.get("warc")), int(capture.get("offset") or 0))
        if line is None:
            self.result.skipped.append(str(record.get("id")))
            return False
        try:
            page = self._copy(line) or self.finder.read(line)
        except (UnreadableRecord, KeyNotFound):
            self.result.skipped.append(str(record.get("id")))
            return False
        images = [image for image in record.get("images") or () if isinstance(image, dict)]
        for image in images:  # a photo the crawl captured for this article: that very capture
            pointer = image.get("capture")
            if isinstance(pointer, dict) and (found := self.finder.at_pointer(pointer)) is not None:
                self._requisite(found.url, line.timestamp, line.url, line=found)
        photos = [str(image["url"]) for image in images if image.get("url")]
        for url in dict.fromkeys([*page_requisites(page.body(), line.url), *photos]):
            self._requisite(url, line.timestamp, line.url)
        self._page(record, line)
        return True

    def _page(self, record: dict[str, Any], line: CdxLine) -> None:
        fetched_at = str(record.get("fetched_at") or "")
        when = dt.datetime.strptime(timestamp14(fetched_at or line.timestamp), "%Y%m%d%H%M%S")
        page: dict[str, Any] = {"id": record.get("id"), "url": line.url, "ts": f"{when:%Y-%m-%dT%H:%M:%SZ}",
                                "title": record.get("headline") or line.url}
        if self.with_text:
            page["text"] = "\n\n".join(p for p in record.get("body") or () if isinstance(p, str))
        self.pages.write(json.dumps(page, ensure_ascii=False) + "\n")
        self.result.articles += 1

    def finish(self, *, title: str, description: str | None = None) -> WaczResult:
        """Write the index, pages and datapackage; close the package."""
        self.warcs.close()
        self.result.warc_files = self.warcs.files
        member = self.package.open("indexes/index.cdx.gz", stored=True)
        summary, self.result.index_lines = write_blocks(self.lines.sorted(), member.write, "index.cdx.gz",
                                                        self.block_lines)
        self.package.close(member)
        member = self.package.open("indexes/index.idx", stored=False)
        for text in summary:
            member.write(text.encode("utf-8"))
        self.package.close(member)
        self.pages.close()
        member = self.package.open("pages/pages.jsonl", stored=False)
        header = {**PAGES_HEADER, "hasText": True} if self.with_text else PAGES_HEADER
        member.write((json.dumps(header) + "\n").encode("utf-8"))
        with open(self.workdir / "pages.jsonl", "rb") as fh:
            while chunk := fh.read(1 << 20):
                member.write(chunk)
        self.package.close(member)
        self.package.finish(title=title, description=description)
        self.result.bytes = self.path.stat().st_size
        return self.result

    def close(self) -> None:
        """Release everything (after finish, or instead of it when giving up)."""
        self.pages.close()
        self.package.abandon()  # closes the ZIP if finish() did not get that far; nothing after it did
        self.lines.close()
        self.finder.index.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def write_wacz(records: Iterable[dict[str, Any]], store: Store, path: str | Path, *, with_text: bool = False,
               title: str = "Taipei Times", description: str | None = None,
               progress: Progress | None = None) -> WaczResult:
    """Package `records` (and what their pages use) from `store` into the WACZ file `path`."""
    builder = WaczBuilder(store, Path(path), with_text=with_text, progress=progress)
    try:
        for record in records:
            builder.add(record)
        return builder.finish(title=title, description=description)
    finally:
        builder.close()
