"""The WACZ container: a ZIP whose every file is hashed on its way in, closed by `datapackage.json`.

WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/) as py-wacz's `wacz
validate` and ReplayWeb.page read it:

* WARC files and the compressed index are STORED, never deflated (readers
  seek into them by offset); text files are deflated. Every member is ZIP64,
  so packages pass 4 GiB.
* `archive/` is flat (validate compares the last two path parts only) and
  resource names are lower case (the data-package schema allows nothing else).
* `datapackage.json` lists every file with its sha256 and size, and
  `datapackage-digest.json` holds the sha256 of `datapackage.json` itself.

Files are written one at a time, as streams: memory does not grow with the
package. The ZIP is written beside the target by the caller and renamed into
place when whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path
from typing import IO, Any

from newsarchive import __version__

WACZ_VERSION = "1.1.1"
SOFTWARE = f"newsarchive {__version__}"


class Member:
    """One file being written into the package: counts and hashes what passes."""

    def __init__(self, raw: IO[bytes], path: str) -> None:
        self.raw, self.path = raw, path
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)


class WaczPackage:
    def __init__(self, path: Path, created: dt.datetime) -> None:
        self.path = path
        self.created = created.astimezone(dt.UTC).replace(microsecond=0)
        self._zip = zipfile.ZipFile(path, "w", allowZip64=True)
        self.resources: list[dict[str, Any]] = []
        self._open: Member | None = None

    def _info(self, path: str, stored: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.created.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def open(self, path: str, *, stored: bool) -> Member:
        """Start a file; write to it, then `close(member)`. One file at a time."""
        if self._open is not None:
            raise RuntimeError(f"{self._open.path} is still open")
        self._open = Member(self._zip.open(self._info(path, stored), "w", force_zip64=True), path)
        return self._open

    def close(self, member: Member) -> dict[str, Any]:
        member.raw.close()
        self._open = None
        resource = {"name": Path(member.path).name.lower(), "path": member.path,
                    "hash": f"sha256:{member.sha256.hexdigest()}", "bytes": member.size}
        self.resources.append(resource)
        return resource

    def add_file(self, path: str, source: Path, *, stored: bool) -> dict[str, Any]:
        member = self.open(path, stored=stored)
        with open(source, "rb") as fh:
            while chunk := fh.read(1 << 20):
                member.write(chunk)
        return self.close(member)

    def finish(self, *, title: str, description: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write datapackage.json and its digest; close the ZIP. Returns the datapackage."""
        package: dict[str, Any] = {
            "profile": "data-package", "wacz_version": WACZ_VERSION, "title": title,
            **({"description": description} if description else {}),
            "created": self.created.strftime("%Y-%m-%dT%H:%M:%SZ"), "software": SOFTWARE, **(extra or {}),
            "resources": self.resources,
        }
        data = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        self._zip.writestr(self._info("datapackage.json", stored=False), data)
        digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
        self._zip.writestr(self._info("datapackage-digest.json", stored=False), json.dumps(digest, indent=2).encode())
        self._zip.close()
        return package

    def abandon(self) -> None:
        if self._open is not None:
            self._open.raw.close()
            self._open = None
        self._zip.close()
