"""`newsarchive export`: records (all, those the filters select, or a query's) as Parquet, CSV or JSON Lines, or
their captures as a WACZ package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from newsarchive.cli.corpus import dedupe_option, filter_options, filters, open_archive
from newsarchive.exitcodes import Exit, help_text


@click.command(epilog=help_text())
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl", "wacz"]), required=True)
@click.option("--output", "-o", required=True, metavar="PATH", help="The file to write ('-': standard output, "
                                                                     "CSV and JSON Lines only); with --partition-by, "
                                                                     "a new folder.")
@click.option("--query", "-q", metavar="QUERY", help="Only the records matching this query (search's language).")
@filter_options
@dedupe_option
@click.option("--partition-by", type=click.Choice(["year"]), help="Write Hive-style year=YYYY/ folders, one file each.")
@click.option("--excel", is_flag=True, help="With --format csv: for spreadsheets (byte-order mark, cells cut at "
                                            "32,767 characters, no formulas).")
@click.option("--with-text", is_flag=True, help="With --format wacz: the body as each page's text (full-text search "
                                                "in ReplayWeb.page).")
def export(fmt: str, output: str, query: str | None, dedupe: bool, partition_by: str | None, excel: bool,
           with_text: bool, store: str | None, s3_endpoint_url: str | None, **opts: Any) -> Exit:
    """Export records for pandas, DuckDB, Spark, spreadsheets... or as a web
    archive package (WACZ) to hand over.

    Parquet has typed columns (the README's "Export" lists them, with `year`
    and `text`); CSV joins body paragraphs with a blank line; JSON Lines has
    the whole records. Records come in print-date order, read from the store.
    WACZ holds the articles' captures with the stylesheets, scripts, images
    and photos their pages use, copied byte for byte from the store's WARC files.

    \b
      newsarchive export --format parquet --output tt.parquet --since 2024
      newsarchive export --format csv --excel -o protests.csv --query 'protest* taipei' --dedupe
      newsarchive export --format parquet -o corpus/ --partition-by year
      newsarchive export --format wacz -o 2024-10.wacz --since 2024-10-01 --until 2024-10-31
    """
    from newsarchive.cli.progressbar import TerminalProgress
    from newsarchive.errors import NoRecords
    from newsarchive.search.export import export as write

    with open_archive(store, s3_endpoint_url) as archive:
        if query is not None:
            archive.parse(query)  # a query that cannot be read fails before anything is written
        records = archive.records(query, dedupe=dedupe, **filters(opts))
        first = next(records, None)
        if first is None and not archive.has_records():
            raise NoRecords(f"store {archive.store.uri} has no records")
        chosen = ", ".join(f"{name} {value}" for name, value in filters(opts).items() if value)
        if query:
            chosen = ", ".join(x for x in (f"query {query}", chosen) if x)
        with TerminalProgress() as progress:
            count = write(_chain(first, records), fmt, output, excel=excel, partition_by=partition_by,
                          store=archive.store, with_text=with_text, progress=progress,
                          description=f"Taipei Times articles archived by newsarchive ({chosen or 'all articles'}), "
                                      "as captured",
                          say=lambda line: click.echo(line, err=True))
    click.echo(f"exported {count} records to {output}", err=True)
    return Exit.OK


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest
