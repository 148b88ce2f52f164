"""`newsarchive verify`: is the archive whole? Problems one per line on stdout, a summary on stderr.

Exit 0 when sound, 9 (VERIFY_FAILED) when not: a cron job needs only the code,
an archivist the lines (stable `kind: where: detail`, easy to grep).
"""

from __future__ import annotations

import json

import click

from newsarchive.cli.options import open_existing, store_options
from newsarchive.errors import NoRecords
from newsarchive.exitcodes import Exit, help_text


@click.command(epilog=help_text())
@store_options
@click.option("--quick", is_flag=True, help="Only follow record pointers (ranged reads) and check that archived "
              "articles have records; do not read whole WARC files. Cheap on S3.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one problem a line; json: one object with counts and problems.")
def verify(store: str | None, s3_endpoint_url: str | None, quick: bool, fmt: str) -> Exit:
    """Check that every WARC reads with correct digests, every record's capture pointer leads to its response,
    and every archived article response has a record.

    \b
    Problems (stdout, one a line):  KIND: WHERE: DETAIL
      warc-damaged   a stretch of a WARC file is not whole gzip members
      digest         a record's block or payload digest is wrong
      no-index/index a WARC's CDXJ index is missing or points nowhere
      record         a JSON record is unreadable or under the wrong key
      pointer        a record's capture pointer does not lead to its response
      missing-record an article page was archived but has no record
    An article page that failed to parse (the run report says so) is noted in
    the summary, not a problem: `newsarchive reparse` retries it.

    \b
      newsarchive verify --store ./archive
      newsarchive verify --store s3://archive/taipeitimes --quick
    """
    from newsarchive.cli.progressbar import TerminalProgress
    from newsarchive.tools.verify import verify as run_verify

    with open_existing(store, s3_endpoint_url) as st:
        with TerminalProgress() as progress:
            report = run_verify(st, quick=quick, progress=progress)
    if not report.warcs and not report.records:
        raise NoRecords(f"store {st.uri}: nothing to verify (no WARC files, no records)")
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=1))
    else:
        for problem in report.problems:
            click.echo(str(problem))
    click.echo(report.summary(), err=True)
    return Exit.OK if report.sound else Exit.VERIFY_FAILED
