"""CDXJ index lines made as records are written, exactly as cdxj-indexer makes them from the closed file
(newsarchive.archive.cdxj reads, sorts, merges and searches them).

Indexing a closed WARC file means reading and decompressing all of it again:
a tenth of a crawl's CPU, all of it after the last page was fetched. The
writer knows each record's offset and length as it writes it, so the line can
be made then, from the record's uncompressed bytes, read back with warcio's
own loader (as cdxj-indexer reads them from the file, so header quirks come
out the same) and keyed with the same SURT. At close the lines are sorted and
de-duplicated, as cdxj-indexer's sorting writer does. A file left open by a
crash has no lines kept: `recover` indexes it by reading it
(newsarchive.archive.recovery.finish).

tests/test_archive_cdxj.py checks the lines against cdxj-indexer, byte for byte.
"""

from __future__ import annotations

import io
import json
import re

from warcio.recordloader import ArcWarcRecordLoader
from warcio.timeutils import iso_date_to_timestamp

from newsarchive.archive.cdxj import url_key

#: cdxj-indexer's RE_SPACE: a mime type ends at the first ";" or white space
_MIME_END = re.compile(r"[;\s]")
_LOADER = ArcWarcRecordLoader()
#: record types whose line this module makes (cdxj-indexer's defaults also index `resource` and non-warc-fields
#: `metadata` records, which the crawl never writes: a file with one is indexed by reading it)
INDEXED = frozenset({"response", "revisit"})
#: record types cdxj-indexer never indexes (with its default record types)
NOT_INDEXED = frozenset({"warcinfo", "request"})


def is_indexed(rec_type: str, content_type: str | None) -> bool:
    """Whether cdxj-indexer (default record types) writes a line for such a record."""
    if rec_type in NOT_INDEXED:
        return False
    return not (rec_type == "metadata" and content_type == "application/warc-fields")


def cdxj_line(raw: bytes, offset: int, length: int, filename: str) -> str:
    """The line cdxj-indexer (default fields) writes for the response or revisit record `raw` (uncompressed), found
    at `offset` (`length` bytes compressed) in the file `filename`."""
    record = _LOADER.parse_record_stream(io.BytesIO(raw), known_format="warc")
    if record.rec_type not in INDEXED:
        raise ValueError(f"no CDXJ line is made here for a {record.rec_type} record")
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    index: dict[str, str] = {}
    if url is not None:
        index["url"] = url
    mime: str | None
    if record.rec_type == "revisit":
        mime = "warc/revisit"
    else:
        mime = http.get_header("content-type") if http else None
        if mime:
            mime = _MIME_END.split(mime, 1)[0].strip()
    if mime is not None:
        index["mime"] = mime
    status = http.get_statuscode() if http else None
    if status is not None:
        index["status"] = status
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    if digest is not None:
        index["digest"] = digest
    index["length"] = str(length)
    index["offset"] = str(offset)
    index["filename"] = filename
    timestamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
    key = url_key(url) if url is not None else None  # cdxj-indexer writes "None" as the key of a URL-less record
    return f"{key} {timestamp} {json.dumps(index)}\n"


def index_text(lines: list[str]) -> str:
    """A file's index from its lines: sorted, identical lines once (cdxj-indexer's sorting writer)."""
    return "".join(sorted(set(lines)))
