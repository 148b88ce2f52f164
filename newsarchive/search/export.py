"""The corpus as files for other tools: Parquet, CSV, JSON Lines; and as a web archive package (WACZ).

Parquet is the format for analysis (pandas, DuckDB, Spark, Trino, Athena):
typed columns, lists as list columns, print dates as DATE, timestamps as
UTC microseconds (Spark cannot read nanoseconds). Records stream through in
batches, so exporting a million does not hold a million in memory. Files are
written beside the target and renamed into place at the end: an interrupted
export leaves no half file behind. WACZ packages the same records' captures
from the store (newsarchive.wacz.export).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from newsarchive.errors import InvalidArgument
from newsarchive.store.base import Store
from newsarchive.tools.progress import Progress

FORMATS = ("parquet", "csv", "jsonl", "wacz")
BATCH = 5_000
_TS = pa.timestamp("us", tz="UTC")

#: the Parquet schema, a public contract (README, "Export"): add columns, never rename
CAPTURE_TYPE = pa.struct([("warc", pa.string()), ("offset", pa.int64()), ("length", pa.int64()),
                          ("record_id", pa.string()), ("payload_digest", pa.string())])
IMAGE_TYPE = pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string())])
PARQUET_SCHEMA = pa.schema([
    ("id", pa.string()), ("url", pa.string()), ("section", pa.string()), ("section_slug", pa.string()),
    ("headline", pa.string()), ("kicker", pa.string()), ("deck", pa.string()), ("byline", pa.string()),
    ("authors", pa.list_(pa.string())), ("agencies", pa.list_(pa.string())), ("dateline", pa.string()),
    ("translator", pa.string()), ("published", pa.date32()), ("published_at", _TS), ("modified_at", _TS),
    ("print_page", pa.int32()), ("body", pa.list_(pa.string())), ("images", pa.list_(IMAGE_TYPE)),
    ("word_count", pa.int32()), ("language", pa.string()), ("parser", pa.string()),
    ("schema_version", pa.int32()), ("fetched_url", pa.string()), ("fetched_at", _TS), ("capture", CAPTURE_TYPE),
])
CAPTURE_FIELDS = [f.name for f in CAPTURE_TYPE]
#: CSV: one row per article; lists joined, images as JSON, the capture flattened
CSV_COLUMNS = [name for name in PARQUET_SCHEMA.names if name != "capture"] + [f"capture_{n}" for n in CAPTURE_FIELDS]
LIST_SEPARATOR = "; "
PARAGRAPH_SEPARATOR = "\n\n"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 with an offset (or Z) to UTC; anything else (null, garbage) is null rather than a failed export."""
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        return None  # an instant without a zone is not an instant
    return moment.astimezone(dt.UTC) if moment else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


_CONVERT: dict[pa.DataType, Callable[[Any], Any]] = {
    pa.date32(): _date, _TS: _timestamp, pa.int32(): _int, pa.list_(pa.string()): _strings,
}


def _column(records: list[dict[str, Any]], field: pa.Field) -> pa.Array:
    convert = _CONVERT.get(field.type)
    values: list[Any]
    if field.type == pa.string():
        values = [v if isinstance(v := r.get(field.name), str) else None for r in records]
    elif convert:
        values = [convert(r.get(field.name)) for r in records]
    elif field.name == "images":
        values = [[{k: i.get(k) for k in ("url", "caption", "credit")} for i in r.get("images") or () if isinstance(i, dict)]
                  for r in records]
    else:  # capture
        values = [{k: c.get(k) for k in CAPTURE_FIELDS} if isinstance(c := r.get("capture"), dict) else None
                  for r in records]
    return pa.array(values, type=field.type)


def to_table(records: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_arrays([_column(records, f) for f in PARQUET_SCHEMA], schema=PARQUET_SCHEMA)


def csv_row(record: dict[str, Any]) -> list[Any]:
    found = record.get("capture")
    capture: dict[str, Any] = found if isinstance(found, dict) else {}
    row: dict[str, Any] = {name: record.get(name) for name in CSV_COLUMNS}
    row["authors"] = LIST_SEPARATOR.join(_strings(record.get("authors")))
    row["agencies"] = LIST_SEPARATOR.join(_strings(record.get("agencies")))
    row["body"] = PARAGRAPH_SEPARATOR.join(_strings(record.get("body")))
    row["images"] = json.dumps(record.get("images") or [], ensure_ascii=False)
    for name in CAPTURE_FIELDS:
        row[f"capture_{name}"] = capture.get(name)
    return ["" if row[c] is None else row[c] for c in CSV_COLUMNS]


def _batches(records: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def _atomic_path(output: Path) -> Iterator[Path]:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    except OSError as exc:
        raise InvalidArgument(f"--output {output}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, output)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _write_parquet(records: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
        for batch in _batches(records):
            writer.write_table(to_table(batch))
            count += len(batch)
    return count


def _write_csv(records: Iterable[dict[str, Any]], fh: TextIO) -> int:
    writer = csv.writer(fh)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count


def _write_jsonl(records: Iterable[dict[str, Any]], fh: TextIO) -> int:
    count = 0
    for record in records:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def export(records: Iterable[dict[str, Any]], fmt: str, output: str | Path, *, store: Store | None = None,
           with_text: bool = False, description: str | None = None, progress: Progress | None = None,
           say: Callable[[str], object] | None = None) -> int:
    """Write `records` to `output` ("-" is standard output, for CSV and JSON Lines); returns how many.

    WACZ needs the `store` the records come from (their captures are read from it), takes the body as page text
    with `with_text`, and reports what the package holds through `say`."""
    if fmt not in FORMATS:
        raise InvalidArgument(f"--format: unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    text_writer = {"csv": _write_csv, "jsonl": _write_jsonl}.get(fmt)
    if str(output) == "-":
        if text_writer is None:
            raise InvalidArgument(f"--output -: {'WACZ' if fmt == 'wacz' else 'Parquet'} cannot go to standard output; "
                                  "name a file")
        return text_writer(records, sys.stdout)
    path = Path(output).expanduser()
    if path.is_dir():
        raise InvalidArgument(f"--output {path}: is a folder; name a file")
    if not path.parent.is_dir():
        raise InvalidArgument(f"--output {path}: folder {path.parent} does not exist")
    with _atomic_path(path) as tmp:
        if fmt == "wacz":
            if store is None:
                raise ValueError("a WACZ is made from a store: pass store=")
            from newsarchive.wacz.export import write_wacz

            result = write_wacz(records, store, tmp, with_text=with_text, description=description, progress=progress)
            if say is not None:
                say(result.summary())
            return result.articles
        if text_writer is None:
            return _write_parquet(records, tmp)
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            return text_writer(records, fh)
