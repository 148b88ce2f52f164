"""`newsarchive search`: ranked hits with the total, or counts over time (--count-by).

Commands return an Exit code; errors (newsarchive.errors) become one line on
stderr and their exit code in newsarchive.cli.main.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from newsarchive.cli.corpus import (
    QueryCommand,
    dedupe_option,
    filter_options,
    filters,
    open_archive,
    query_argument,
    total_line,
)
from newsarchive.exitcodes import Exit, help_text

DEFAULT_LIMIT = 10
HIT_COLUMNS = ["score", "id", "published", "section_slug", "headline", "byline", "url", "snippet", "snippet_field"]


@click.command(epilog=help_text(), cls=QueryCommand)
@query_argument
@filter_options
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help=f"How many results (default {DEFAULT_LIMIT}).")
@click.option("--all", "every", is_flag=True, help="Every matching article.")
@dedupe_option
@click.option("--count-by", type=click.Choice(["day", "month", "year", "section"]),
              help="Count matching articles per day, month, year or section instead of listing them.")
@click.option("--normalize", is_flag=True, help="With --count-by: each count as a share of all articles in its "
                                                 "bucket (under the same filters).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@click.option("--excel", is_flag=True, help="With --format csv: for spreadsheets (byte-order mark, no formulas).")
@click.option("--explain", is_flag=True, help="Print how the query is read (fully parenthesised), then stop.")
def search(query: str, limit: int | None, every: bool, dedupe: bool, count_by: str | None, normalize: bool, fmt: str,
           excel: bool, explain: bool, store: str | None, s3_endpoint_url: str | None, **opts: Any) -> Exit:
    """Full-text search, best matches first (BM25), with how many match in all.

    Words must all occur in the headline, kicker, deck or body; "quoted
    phrases" as written (within one paragraph). OR, AND, NOT in capitals,
    -word, (groups), prefix word*, proximity "a b"~N (at most N words
    between), fields headline: kicker: deck: body: byline:. OR binds
    tighter than AND: `a b OR c` is a AND (b OR c). Case and accents are
    ignored; words are not stemmed.

    \b
      newsarchive search 'typhoon kaohsiung OR tainan' --since 2024-10
      newsarchive search '"martial law"~3 -museum' --section taiwan,editorials --all --format jsonl
      newsarchive search 'protest*' --count-by month --normalize --since 2019 --until 2020
      newsarchive search 'typhoon OR earthquake kaohsiung' --explain
    """
    if excel and fmt != "csv":
        raise click.UsageError("--excel goes with --format csv")
    if count_by is None and normalize:
        raise click.UsageError("--normalize goes with --count-by")
    if count_by is not None and (limit is not None or every):
        raise click.UsageError("--count-by counts every match: --limit and --all do not apply")
    if limit is not None and every:
        raise click.UsageError("--limit and --all: choose one")
    with open_archive(store, s3_endpoint_url) as archive:
        if explain:
            click.echo(archive.explain(query))
            return Exit.OK
        if count_by is not None:
            counts = archive.counts(query, by=count_by, normalize=normalize, dedupe=dedupe, **filters(opts))
            _print_counts(counts, fmt, excel)
            return Exit.OK
        hits = archive.search(query, limit=None if every else limit or DEFAULT_LIMIT, snippets=fmt != "jsonl",
                              dedupe=dedupe, **filters(opts))
    if fmt == "table":
        from newsarchive.cli.render import hits_table

        hits_table(hits)
        return Exit.OK
    click.echo(total_line(len(hits), hits.total), err=True)
    if fmt == "jsonl":
        for hit in hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    else:
        from newsarchive.search.export import CsvOut

        out = CsvOut(sys.stdout, excel)
        out.row(HIT_COLUMNS)
        for hit in hits:
            r = hit.record
            out.row([f"{hit.score:.4f}", r.get("id"), r.get("published"), r.get("section_slug"), r.get("headline"),
                     r.get("byline") or "", r.get("url"), hit.snippet, hit.snippet_field or ""])
    return Exit.OK


def _print_counts(counts: Any, fmt: str, excel: bool) -> None:
    if fmt == "table":
        from newsarchive.cli.render import counts_table

        counts_table(counts)
        return
    click.echo(f"{counts.total:,} articles, {len(counts.buckets):,} buckets by {counts.by}", err=True)
    if fmt == "jsonl":
        for bucket in counts.buckets:
            click.echo(json.dumps(bucket.to_dict(), ensure_ascii=False))
        return
    from newsarchive.search.export import CsvOut

    out = CsvOut(sys.stdout, excel)
    out.row(["key", "count", "articles", "share"] if counts.normalized else ["key", "count"])
    for bucket in counts.buckets:
        row: list[Any] = [bucket.key, bucket.count]
        if counts.normalized:
            row += [bucket.articles, "" if bucket.share is None else f"{bucket.share:.6f}"]
        out.row(row)
