"""`newsarchive show`: one article as text, its citation, its captured page, or its WARC record."""

from __future__ import annotations

import sys
from typing import Any

import click

from newsarchive.cli.corpus import open_archive
from newsarchive.cli.options import store_options
from newsarchive.exitcodes import Exit, help_text


@click.command(epilog=help_text())
@click.argument("article_id", metavar="ID")
@store_options
@click.option("--cite", type=click.Choice(["apa", "chicago", "bibtex"]), help="Print a citation naming the archived "
                                                                            "capture (its date, record id and digest).")
@click.option("--html", "as_html", is_flag=True, help="Print the captured page, decoded.")
@click.option("--warc", "as_warc", is_flag=True, help="Write the WARC response record exactly as stored (gzip: a "
                                                      "one-record .warc.gz) to standard output.")
def show(article_id: str, store: str | None, s3_endpoint_url: str | None, cite: str | None, as_html: bool,
         as_warc: bool) -> Exit:
    """One article as text, where its capture lies in the WARC files, and where it replays.

    The replay URL points at the `newsarchive replay` running for the store,
    else at $NEWSARCHIVE_REPLAY_URL, else at http://127.0.0.1:8080.

    \b
      newsarchive show 2003825372
      newsarchive show 2003825372 --cite apa
      newsarchive show 2003825372 --html > page.html
      newsarchive show 2003825372 --warc > 2003825372.warc.gz
    """
    if sum(map(bool, (cite, as_html, as_warc))) > 1:
        raise click.UsageError("--cite, --html and --warc: choose one")
    if as_warc and sys.stdout.isatty():
        raise click.UsageError("--warc writes gzip bytes: redirect them to a file (> ID.warc.gz) or a pipe (| zcat)")
    from newsarchive.archive.replay import replay_url
    from newsarchive.replay.server import replay_base

    with open_archive(store, s3_endpoint_url) as archive:
        record = archive.get(article_id)
        replay = replay_url(record, replay_base(archive.store))
        if as_warc:
            data = archive.warc_record(record)
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return Exit.OK
        if as_html:
            click.echo(archive.page(record), nl=False)
            return Exit.OK
    if cite:
        from newsarchive.search.cite import cite as citation

        click.echo(citation(record, cite))
    else:
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
