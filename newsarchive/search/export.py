"""The corpus as files for other tools: Parquet, CSV, JSON Lines; and as a web archive package (WACZ).

Parquet is the format for analysis (pandas, DuckDB, Spark, Trino, Athena):
typed columns, lists as list columns, print dates as DATE, timestamps as
UTC microseconds (Spark cannot read nanoseconds), plus `year` and `text`
(the paragraphs joined) so the first group-by and the first regex need no
conversion. Records stream through in batches, so exporting a million does
not hold a million in memory. Files are written beside the target and
renamed into place at the end: an interrupted export leaves no half file
behind. They are created with the permissions the umask gives (a shared
server's colleagues can read them), not the 0600 of a temporary file.

`partition_by="year"` writes a folder of Hive-style `year=YYYY/part-0.EXT`
files, which every engine reads as one table with a `year` column; the files
leave `year` out, as Hive does (pandas refuses a column that is both in the
files and in the folder names).

`excel=True` (CSV) is for spreadsheets: a UTF-8 byte-order mark (without it
Excel reads Chinese names and curly quotes as Latin-1), cells cut at Excel's
32,767 characters with a marker, and text that a spreadsheet would run as a
formula (starting = + - @, tab or carriage return) prefixed with an
apostrophe (OWASP's CSV-injection rule).

WACZ packages the same records' captures from the store
(newsarchive.wacz.export); it needs the store and a file to write.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import secrets
import shutil
import sys
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
PARTITIONS = ("year",)
EXTENSIONS = {"parquet": "parquet", "csv": "csv", "jsonl": "jsonl"}
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
    # conveniences: the print year (the year of `published`), and the paragraphs joined by a blank line
    ("year", pa.int32()), ("text", pa.string()),
])
CAPTURE_FIELDS = [f.name for f in CAPTURE_TYPE]
#: CSV: one row per article; lists joined, images as JSON, the capture flattened (`body` is the text already)
CSV_COLUMNS = [name for name in PARQUET_SCHEMA.names if name not in ("capture", "year", "text")] + \
    [f"capture_{n}" for n in CAPTURE_FIELDS] + ["year"]
LIST_SEPARATOR = "; "
PARAGRAPH_SEPARATOR = "\n\n"
#: Excel's limit on the characters of a cell, and what replaces the end of a longer one
EXCEL_CELL = 32_767
EXCEL_CUT = " [... cut: Excel cells hold 32,767 characters]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def year_of(record: dict[str, Any]) -> int | None:
    published = _date(record.get("published"))
    return published.year if published else None


def text_of(record: dict[str, Any]) -> str:
    return PARAGRAPH_SEPARATOR.join(_strings(record.get("body")))


def _column(records: list[dict[str, Any]], field: pa.Field) -> pa.Array:
    convert = _CONVERT.get(field.type)
    values: list[Any]
    if field.name == "year":
        values = [year_of(r) for r in records]
    elif field.name == "text":
        values = [text_of(r) for r in records]
    elif field.type == pa.string():
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


def to_table(records: list[dict[str, Any]], schema: pa.Schema = PARQUET_SCHEMA) -> pa.Table:
    return pa.Table.from_arrays([_column(records, f) for f in schema], schema=schema)


def csv_row(record: dict[str, Any]) -> list[Any]:
    found = record.get("capture")
    capture: dict[str, Any] = found if isinstance(found, dict) else {}
    row: dict[str, Any] = {name: record.get(name) for name in CSV_COLUMNS}
    row["authors"] = LIST_SEPARATOR.join(_strings(record.get("authors")))
    row["agencies"] = LIST_SEPARATOR.join(_strings(record.get("agencies")))
    row["body"] = text_of(record)
    row["year"] = year_of(record)
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


def excel_cell(value: Any) -> Any:
    """A cell Excel shows as written: never run as a formula, never over its size limit."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if len(value) > EXCEL_CELL:
        value = value[:EXCEL_CELL - len(EXCEL_CUT)] + EXCEL_CUT
    return value


class CsvOut:
    """A CSV writer, for spreadsheets if `excel` (the byte-order mark is the caller's: see `encoding`)."""

    def __init__(self, fh: TextIO, excel: bool = False) -> None:
        self.writer = csv.writer(fh)
        self.excel = excel
        if excel and fh is sys.stdout:
            fh.write("\ufeff")

    def row(self, values: Iterable[Any]) -> None:
        self.writer.writerow([excel_cell(v) for v in values] if self.excel else list(values))


def _temp_name(target: Path) -> Path:
    return target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


@contextmanager
def _atomic_path(output: Path) -> Iterator[Path]:
    """A temporary file beside `output`, renamed onto it when the block ends well. Created with mode 0666
    less the umask, as any file the user writes (mkstemp would make it 0600)."""
    tmp = _temp_name(output)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise InvalidArgument(f"--output {output}: cannot write there ({exc.strerror})") from None
    try:
        yield tmp
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _atomic_folder(output: Path) -> Iterator[Path]:
    """A temporary folder beside `output` (which must not exist, or be empty), renamed onto it at the end."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InvalidArgument(f"--output {output}: exists; --partition-by writes a new folder (remove it, or name "
                              "another)")
    tmp = _temp_name(output)
    try:
        tmp.mkdir(0o777)
    except OSError as exc:
        raise InvalidArgument(f"--output {output}: cannot write there ({exc.strerror})") from None
    try:
        yield tmp
        if output.is_dir():
            output.rmdir()
        os.replace(tmp, output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _FileWriter:
    """One output file, written batch by batch (so a partition's writer can stay open while others fill)."""

    def __init__(self, fmt: str, path: Path, excel: bool, schema: pa.Schema = PARQUET_SCHEMA) -> None:
        self.fmt, self.schema, self.count = fmt, schema, 0
        self.parquet: pq.ParquetWriter | None = None
        self.fh: TextIO | None = None
        self.csv: CsvOut | None = None
        if fmt == "parquet":
            self.parquet = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            self.fh = open(path, "w", encoding="utf-8-sig" if excel else "utf-8", newline="")
            if fmt == "csv":
                self.csv = CsvOut(self.fh, excel)
                self.csv.row(CSV_COLUMNS)

    def write(self, batch: list[dict[str, Any]]) -> None:
        if self.parquet is not None:
            self.parquet.write_table(to_table(batch, self.schema))
        elif self.csv is not None:
            for record in batch:
                self.csv.row(csv_row(record))
        elif self.fh is not None:
            self.fh.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in batch)
        self.count += len(batch)

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        if self.fh is not None:
            self.fh.close()


def _write_file(records: Iterable[dict[str, Any]], fmt: str, path: Path, excel: bool) -> int:
    writer = _FileWriter(fmt, path, excel)
    try:
        for batch in _batches(records):
            writer.write(batch)
    finally:
        writer.close()
    return writer.count


def _write_partitions(records: Iterable[dict[str, Any]], fmt: str, folder: Path, excel: bool) -> int:
    """One file per year, each open until the end: records come in year order, but any order is written whole."""
    schema = PARQUET_SCHEMA.remove(PARQUET_SCHEMA.get_field_index("year"))
    writers: dict[int | None, _FileWriter] = {}
    try:
        for batch in _batches(records):
            by_year: dict[int | None, list[dict[str, Any]]] = {}
            for record in batch:
                by_year.setdefault(year_of(record), []).append(record)
            for year, members in by_year.items():
                if year not in writers:
                    part = folder / f"year={year if year is not None else '__HIVE_DEFAULT_PARTITION__'}"
                    part.mkdir(0o777)
                    writers[year] = _FileWriter(fmt, part / f"part-0.{EXTENSIONS[fmt]}", excel, schema)
                writers[year].write(members)
    finally:
        for writer in writers.values():
            writer.close()
    return sum(w.count for w in writers.values())


def _write_stream(records: Iterable[dict[str, Any]], fmt: str, fh: TextIO, excel: bool) -> int:
    """CSV or JSON Lines to standard output."""
    count = 0
    if fmt == "csv":
        out = CsvOut(fh, excel)
        out.row(CSV_COLUMNS)
        for record in records:
            out.row(csv_row(record))
            count += 1
    else:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def export(records: Iterable[dict[str, Any]], fmt: str, output: str | Path, *, excel: bool = False,
           partition_by: str | None = None, store: Store | None = None, with_text: bool = False,
           description: str | None = None, progress: Progress | None = None,
           say: Callable[[str], object] | None = None) -> int:
    """Write `records` to `output` ("-" is standard output, for CSV and JSON Lines); returns how many.
    `partition_by="year"`: `output` is a new folder of year=YYYY/ files.

    WACZ needs the `store` the records come from (their captures are read from it), takes the body as page text
    with `with_text`, and reports what the package holds through `say`."""
    if fmt not in FORMATS:
        raise InvalidArgument(f"--format: unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if excel and fmt != "csv":
        raise InvalidArgument("--excel: only for --format csv")
    if partition_by is not None and partition_by not in PARTITIONS:
        raise InvalidArgument(f"--partition-by: {partition_by!r} is not one of {', '.join(PARTITIONS)}")
    if partition_by is not None and fmt == "wacz":
        raise InvalidArgument("--partition-by: a WACZ is one package; export a year with --query instead")
    if str(output) == "-":
        if partition_by:
            raise InvalidArgument("--output -: --partition-by writes a folder; name one")
        if fmt in ("parquet", "wacz"):
            raise InvalidArgument(f"--output -: {'WACZ' if fmt == 'wacz' else 'Parquet'} cannot go to standard output; "
                                  "name a file")
        return _write_stream(records, fmt, sys.stdout, excel)
    path = Path(output).expanduser()
    if not path.parent.is_dir():
        raise InvalidArgument(f"--output {path}: folder {path.parent} does not exist")
    if partition_by:
        with _atomic_folder(path) as tmp_folder:
            return _write_partitions(records, fmt, tmp_folder, excel)
    if path.is_dir():
        raise InvalidArgument(f"--output {path}: is a folder; name a file")
    with _atomic_path(path) as tmp:
        if fmt == "wacz":
            if store is None:
                raise ValueError("a WACZ is made from a store: pass store=")
            from newsarchive.wacz.export import write_wacz

            result = write_wacz(records, store, tmp, with_text=with_text, description=description, progress=progress)
            if say is not None:
                say(result.summary())
            return result.articles
        return _write_file(records, fmt, tmp, excel)
