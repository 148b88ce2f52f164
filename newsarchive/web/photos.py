"""An article's photo, served from its own capture (`images[i].capture`), never from the live site.

The capture is read by its pointer with one ranged read and checked against
it (length, record id, payload digest: newsarchive.search.capture) before a
byte is served, so a damaged capture is an error, not a broken picture.
Bounds: a pointer longer than MAX_BYTES is not read, and the payload is
decoded (chunked, gzip) only up to MAX_BYTES, so a hostile capture cannot
make the server inflate gigabytes. Only raster images are served, as
images: an SVG or an HTML page captured under a photo's URL could run
script if it were served from the app's origin.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader

from newsarchive.archive.warcread import decompress_member
from newsarchive.errors import CaptureDamaged, KeyNotFound
from newsarchive.search.capture import Pointer, stored_bytes
from newsarchive.store import Store

#: the crawl cuts responses at 20 MB (NEWSARCHIVE_MAX_RESPONSE_SIZE); no photo is larger
MAX_BYTES = 20 * 1024 * 1024
RASTER = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif")


@dataclass(frozen=True)
class Photo:
    body: bytes
    content_type: str


def captured(record: dict[str, Any], index: int) -> dict[str, Any] | None:
    """The photo's capture pointer, or None if the record has no such photo or it was not captured."""
    images = record.get("images")
    image = images[index] if isinstance(images, list) and 0 <= index < len(images) else None
    capture = image.get("capture") if isinstance(image, dict) else None
    return capture if isinstance(capture, dict) else None


def photo(store: Store, record: dict[str, Any], index: int) -> Photo:
    capture = captured(record, index)
    owner = f"{record.get('id')} photo {index + 1}"
    if capture is None:
        raise KeyNotFound(f"article {record.get('id')}: photo {index + 1} was not captured")
    holder = {"id": owner, "capture": capture}  # what newsarchive.search.capture reads a pointer from
    if Pointer.of(holder).length > MAX_BYTES:
        raise CaptureDamaged(f"article {owner}: its capture is larger than {MAX_BYTES:,} bytes")
    member = decompress_member(stored_bytes(store, holder))
    try:
        parsed = ArcWarcRecordLoader().parse_record_stream(io.BytesIO(member))
        status = parsed.http_headers.get_statuscode() if parsed.http_headers else None
        kind = (parsed.http_headers.get_header("Content-Type") or "") if parsed.http_headers else ""
        body = parsed.content_stream().read(MAX_BYTES + 1)
    except (ArchiveLoadFailed, ValueError, EOFError, OSError) as exc:
        raise CaptureDamaged(f"article {owner}: the capture cannot be decoded ({exc})") from None
    if status != "200":
        raise KeyNotFound(f"article {owner}: the site answered {status}, not a photo")
    if len(body) > MAX_BYTES:
        raise CaptureDamaged(f"article {owner}: the photo decodes to more than {MAX_BYTES:,} bytes")
    content_type = kind.split(";")[0].strip().lower()
    if content_type not in RASTER:
        raise KeyNotFound(f"article {owner}: the capture is {content_type or 'untyped'}, not a photo")
    return Photo(body, content_type)
