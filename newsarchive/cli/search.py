"""`newsarchive search | export | show | index`: the corpus for researchers.

Commands return an Exit code; errors (newsarchive.errors) become one line on
stderr and their exit code in newsarchive.cli.main.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from newsarchive.cli.options import store_option
from newsarchive.exitcodes import Exit, help_text


def _filter_options(fn: Callable) -> Callable:
    for decorator in reversed([
        click.option("--section", metavar="SLUG", help="Only this section (front, taiwan, biz, editorials, sport, "
                                                       "world, feat, lang)."),
        click.option("--since", metavar="YYYY-MM-DD", help="Printed on or after this day."),
        click.option("--until", metavar="YYYY-MM-DD", help="Printed on or before this day."),
        click.option("--author", metavar="NAME", help="A person in the byline (any case)."),
        click.option("--agency", metavar="NAME", help="An agency credited (AFP, CNA, ...; any case)."),
    ]):
        fn = decorator(fn)
    return fn


def _archive(store: str | None) -> Any:
    from newsarchive.search import Archive  # tantivy only loads for these commands

    return Archive(store)


def _filters(opts: dict[str, Any]) -> dict[str, Any]:
    return {name: opts[name] for name in ("section", "since", "until", "author", "agency")}


# -- search ----------------------------------------------------------------------
@click.command(epilog=help_text())
@click.argument("query")
@store_option
@_filter_options
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="How many results.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
def search(query: str, store: str | None, limit: int, fmt: str, **filters: Any) -> Exit:
    """Full-text search, best matches first (BM25).

    Every word must occur in the headline, kicker, deck or body; "quoted
    phrases" must occur as written; -word excludes. Case and accents are
    ignored; words are not stemmed.

    \b
      newsarchive search 'typhoon kaohsiung' --since 2024-10-01
      newsarchive search '"martial law"' --section taiwan --format jsonl
    """
    with _archive(store) as archive:
        hits = archive.search(query, limit=limit, snippets=fmt != "jsonl", **_filters(filters))
    if fmt == "jsonl":
        for hit in hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    elif fmt == "csv":
        _print_csv(hits)
    else:
        _print_table(hits)
    return Exit.OK


def _print_csv(hits: list[Any]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(["score", "id", "published", "section_slug", "headline", "byline", "url", "snippet"])
    for hit in hits:
        r = hit.record
        writer.writerow([f"{hit.score:.4f}", r.get("id"), r.get("published"), r.get("section_slug"),
                         r.get("headline"), r.get("byline") or "", r.get("url"), hit.snippet])


def _print_table(hits: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    terminal = sys.stdout.isatty()
    console = Console(width=None if terminal else int(os.environ.get("COLUMNS", "200")), highlight=False)
    if not hits:
        console.print("No articles match.")
        return
    table = Table(show_lines=True)
    for name in ("Date", "Section", "Headline", "Byline", "URL"):
        # a URL is copied, not read: never break it
        table.add_column(name, overflow="fold", no_wrap=name in ("Date", "URL"), ratio=3 if name == "Headline" else None)
    for hit in hits:
        r = hit.record
        cell = Text(r.get("headline") or "", style="bold")
        cell.append("\n")
        cell.append_text(_highlighted(hit.snippet, hit.highlights, terminal))
        table.add_row(r.get("published") or "", r.get("section") or r.get("section_slug") or "", cell,
                      r.get("byline") or "", r.get("url") or "")
    console.print(table)


def _highlighted(snippet: str, ranges: list[tuple[int, int]], terminal: bool) -> Any:
    """Matches in reverse video on a terminal; **between stars** when piped, where styles are dropped."""
    from rich.text import Text

    text = Text()
    pos = 0
    for start, end in ranges:
        text.append(snippet[pos:start])
        word = snippet[start:end]
        text.append(word, style="reverse bold") if terminal else text.append(f"**{word}**")
        pos = end
    text.append(snippet[pos:])
    return text


# -- export -----------------------------------------------------------------------
@click.command(epilog=help_text())
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl", "wacz"]), required=True)
@click.option("--output", "-o", required=True, metavar="PATH", help="The file to write ('-': standard output, "
                                                                     "CSV and JSON Lines only).")
@store_option
@_filter_options
@click.option("--with-text", is_flag=True, help="WACZ: the body as each page's text (full-text search in "
                                                "ReplayWeb.page).")
def export(fmt: str, output: str, store: str | None, with_text: bool, **filters: Any) -> Exit:
    """Export records (all, or those the filters select) for pandas, DuckDB, Spark...
    or as a web archive package (WACZ) to hand over.

    Parquet has typed columns (the README's "Export" lists them); CSV joins body
    paragraphs with a blank line; JSON Lines has the whole records. WACZ holds
    the articles' captures with the stylesheets, scripts, images and photos
    their pages use, copied byte for byte from the store's WARC files.
    """
    from newsarchive.cli.progressbar import TerminalProgress
    from newsarchive.errors import NoRecords
    from newsarchive.search.export import export as write

    with _archive(store) as archive:
        records = archive.articles(**_filters(filters))
        first = next(records, None)
        if first is None and not archive.has_records():
            raise NoRecords(f"store {archive.store.uri} has no records")
        chosen = ", ".join(f"{name} {value}" for name, value in _filters(filters).items() if value) or "all articles"
        with TerminalProgress() as progress:
            count = write(_chain(first, records), fmt, output, store=archive.store, with_text=with_text,
                          description=f"Taipei Times articles archived by newsarchive ({chosen}), as captured",
                          progress=progress, say=lambda line: click.echo(line, err=True))
    click.echo(f"exported {count} records to {output}", err=True)
    return Exit.OK


def _chain(first: Any, rest: Any) -> Any:
    if first is not None:
        yield first
    yield from rest


# -- show ------------------------------------------------------------------------
@click.command(epilog=help_text())
@click.argument("article_id", metavar="ID")
@store_option
def show(article_id: str, store: str | None) -> Exit:
    """One article as text, where its capture lies in the WARC files, and where it replays.

    The replay URL points at the `newsarchive replay` running for the store,
    else at $NEWSARCHIVE_REPLAY_URL, else at http://127.0.0.1:8080.
    """
    from newsarchive.archive.replay import replay_url
    from newsarchive.replay.server import replay_base

    with _archive(store) as archive:
        record = archive.get(article_id)
        replay = replay_url(record, replay_base(archive.store))
    click.echo(render(record, replay))
    return Exit.OK


def render(record: dict[str, Any], replay: str | None = None) -> str:
    lines = [record.get("headline") or "(no headline)"]
    deck = " ".join(x for x in (record.get("kicker") and f"{record['kicker']}:", record.get("deck")) if x)
    if deck:
        lines.append(deck)
    lines.append("")
    meta = [("Date", record.get("published")), ("Section", record.get("section")), ("Page", record.get("print_page")),
            ("Byline", record.get("byline")), ("Translator", record.get("translator")), ("URL", record.get("url")),
            ("ID", record.get("id"))]
    lines += [f"{name + ':':<11} {value}" for name, value in meta if value not in (None, "")]
    lines.append("")
    for paragraph in record.get("body") or ():
        lines += [paragraph, ""]
    for image in record.get("images") or ():
        lines.append(f"[image] {image.get('url')} {image.get('caption') or ''} {image.get('credit') or ''}".rstrip())
    capture = record.get("capture")
    if isinstance(capture, dict):
        lines += ["", "Capture:",
                  f"  WARC file   {capture.get('warc')}",
                  f"  offset      {capture.get('offset')}   length {capture.get('length')}",
                  f"  record id   {capture.get('record_id')}",
                  f"  payload     {capture.get('payload_digest')}",
                  f"  fetched     {record.get('fetched_at')} from {record.get('fetched_url')}"]
        if replay:
            lines.append(f"  replay      {replay}")
    else:
        lines += ["", "Capture: none recorded (this record was not made by a crawl)"]
    return "\n".join(lines).rstrip()


# -- index -----------------------------------------------------------------------
@click.command(epilog=help_text())
@store_option
@click.option("--rebuild", is_flag=True, help="Index every record again from scratch.")
def index(store: str | None, rebuild: bool) -> Exit:
    """Bring the search index in line with the store's records now.

    Searches do this by themselves when they notice the store changed; run
    it after writing records by hand, or with --rebuild after anything odd.
    """
    with _archive(store) as archive:
        stats = archive.update(rebuild=rebuild)
        where = archive.index.dir
    click.echo(f"{stats.records} records: {stats.added} added, {stats.replaced} replaced, {stats.removed} removed, "
               f"{stats.skipped} not records, in {stats.seconds:.1f} s; index at {where}")
    return Exit.OK
