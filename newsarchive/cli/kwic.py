"""`newsarchive kwic`: keyword in context, every occurrence of a query in the matching articles."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from newsarchive.cli import corpus
from newsarchive.exitcodes import Exit, help_text
from newsarchive.search.kwic import WIDTH

KWIC_COLUMNS = ["id", "published", "section", "field", "paragraph", "left", "match", "right"]
DEFAULT_LIMIT = 100


@click.command(epilog=help_text(), cls=corpus.QueryCommand)
@corpus.query_argument
@corpus.filter_options
@click.option("--width", type=click.IntRange(min=1), metavar="N",
              help=f"Characters of context each side (default: what fits the terminal; {WIDTH} in csv and jsonl).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help=f"Read the best N matching articles (default {DEFAULT_LIMIT}).")
@click.option("--all", "every", is_flag=True, help="Every matching article.")
@corpus.dedupe_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@click.option("--excel", is_flag=True, help="With --format csv: for spreadsheets (byte-order mark, no formulas).")
def kwic(query: str, width: int | None, limit: int | None, every: bool, dedupe: bool, fmt: str, excel: bool,
         store: str | None, s3_endpoint_url: str | None, **opts: Any) -> Exit:
    """Every occurrence of QUERY with its left and right context (a concordance).

    The query language is search's; each place a word, phrase, prefix or
    proximity match occurs in a matching article is one line (excluded words
    are not lines), in the order of the articles' rank, then of reading.
    A proximity match across a paragraph break shows the break as ¶.

    \b
      newsarchive kwic '"martial law"' --since 1999 --until 2009 --all
      newsarchive kwic 'protest*' --section taiwan --width 40 --format csv > protest.csv
    """
    if excel and fmt != "csv":
        raise click.UsageError("--excel goes with --format csv")
    if limit is not None and every:
        raise click.UsageError("--limit and --all: choose one")
    from newsarchive.cli.render import kwic_table, kwic_width

    context = kwic_width(width) if fmt == "table" else width or WIDTH
    with corpus.open_archive(store, s3_endpoint_url) as archive:
        result = archive.kwic(query, width=context, limit=None if every else limit or DEFAULT_LIMIT, dedupe=dedupe,
                              **corpus.filters(opts))
    shown = f"{len(result.lines):,} lines in {result.articles:,}" + \
        (f" of {result.total:,} articles" if result.articles < result.total else " articles")
    click.echo(f"{shown} · {result.query}", err=True)
    if fmt == "table":
        kwic_table(result, context)
    elif fmt == "jsonl":
        for line in result.lines:
            click.echo(json.dumps(line.to_dict(), ensure_ascii=False))
    else:
        from newsarchive.search.export import CsvOut

        out = CsvOut(sys.stdout, excel)
        out.row(KWIC_COLUMNS)
        for line in result.lines:
            out.row([getattr(line, name) for name in KWIC_COLUMNS])
    return Exit.OK
