"""`newsarchive export`: records (all, those the filters select, or a query's) as Parquet, CSV or JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from newsarchive.cli.corpus import dedupe_option, filter_options, filters, open_archive
from newsarchive.exitcodes import Exit, help_text


@click.command(epilog=help_text())
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), required=True)
@click.option("--output", "-o", required=True, metavar="PATH", help="The file to write ('-': standard output, "
                                                                     "CSV and JSON Lines only); with --partition-by, "
                                                                     "a new folder.")
@click.option("--query", "-q", metavar="QUERY", help="Only the records matching this query (search's language).")
@filter_options
@dedupe_option
@click.option("--partition-by", type=click.Choice(["year"]), help="Write Hive-style year=YYYY/ folders, one file each.")
@click.option("--excel", is_flag=True, help="With --format csv: for spreadsheets (byte-order mark, cells cut at "
                                            "32,767 characters, no formulas).")
def export(fmt: str, output: str, query: str | None, dedupe: bool, partition_by: str | None, excel: bool,
           store: str | None, s3_endpoint_url: str | None, **opts: Any) -> Exit:
    """Export records for pandas, DuckDB, Spark, spreadsheets...

    Parquet has typed columns (the README's "Export" lists them, with `year`
    and `text`); CSV joins body paragraphs with a blank line; JSON Lines has
    the whole records. Records come in print-date order, read from the store.

    \b
      newsarchive export --format parquet --output tt.parquet --since 2024
      newsarchive export --format csv --excel -o protests.csv --query 'protest* taipei' --dedupe
      newsarchive export --format parquet -o corpus/ --partition-by year
    """
    from newsarchive.errors import NoRecords
    from newsarchive.search.export import export as write

    with open_archive(store, s3_endpoint_url) as archive:
        if query is not None:
            archive.parse(query)  # a query that cannot be read fails before anything is written
        records = archive.records(query, dedupe=dedupe, **filters(opts))
        first = next(records, None)
        if first is None and not archive.has_records():
            raise NoRecords(f"store {archive.store.uri} has no records")
        count = write(_chain(first, records), fmt, output, excel=excel, partition_by=partition_by)
    click.echo(f"exported {count} records to {output}", err=True)
    return Exit.OK


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest
