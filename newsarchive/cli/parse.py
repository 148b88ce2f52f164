"""`newsarchive parse`: saved article pages -> JSON records, one per line.

Made for archivists checking a page by hand and for shell pipelines, so a bad
file never stops the batch: it gets one line on stderr and the command carries
on, exiting BAD_INPUT at the end. Problems with the command line itself (a
missing file, a malformed --url) stop before anything is printed (USAGE).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from newsarchive.article import dumps
from newsarchive.errors import NotAnArticle
from newsarchive.exitcodes import Exit
from newsarchive.site.urls import match_article


def _article_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and match_article(value) is None:
        raise click.BadParameter(f"not a Taipei Times article URL: {value!r}")
    return value


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--url", callback=_article_url, metavar="URL",
              help="Where the pages came from; used only when a page does not name its own URL (og:url, JSON-LD).")
def parse(files: tuple[Path, ...], url: str | None) -> Exit:
    """Parse saved article pages (FILE ...) and print one JSON record per line, in argument order.

    A file that is not a Taipei Times article gets one line on stderr; the others
    are still parsed, and the command exits 3.
    """
    from newsarchive.parser import parse_article  # after option checks: --help stays instant

    out: BinaryIO = sys.stdout.buffer
    code = Exit.OK
    for path in files:
        try:
            record = parse_article(path.read_bytes(), url=url).to_record()
        except NotAnArticle as exc:
            click.echo(f"newsarchive: {path}: {exc}", err=True)
            code = Exit.BAD_INPUT
            continue
        except OSError as exc:  # vanished or unreadable since the command line was checked
            click.echo(f"newsarchive: {path}: cannot read: {exc.strerror or exc}", err=True)
            code = Exit.BAD_INPUT
            continue
        try:
            out.write((dumps(record) + "\n").encode("utf-8"))
            out.flush()
        except BrokenPipeError:  # `| head`: the reader has all it wants
            sys.stderr.close()
            return code
    return code
