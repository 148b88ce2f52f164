"""`newsarchive reparse`: records rebuilt from the stored WARCs with the current parser, offline.

Safe to run any time and again: only records whose result changed are written.
Exit 0 when every capture parsed; 3 (BAD_INPUT) when some could not be read or
parsed (listed on stderr; their records, if any, are left as they were).
"""

from __future__ import annotations

import json

import click

from newsarchive.cli.options import date_window, open_existing, store_options
from newsarchive.exitcodes import Exit, help_text


@click.command(epilog=help_text())
@store_options
@click.option("--since", metavar="YYYY-MM-DD", help="Only records printed on or after this day (default: all).")
@click.option("--until", metavar="YYYY-MM-DD", help="Only records printed on or before this day.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the counts and failures as one object on stdout.")
def reparse(store: str | None, s3_endpoint_url: str | None, since: str | None, until: str | None, fmt: str) -> Exit:
    """Rebuild records from the archived captures with the current parser (no network).

    \b
    Each record's capture is read back (a ranged read), parsed again and the
    record rewritten only if the result differs; provenance (fetched_url,
    fetched_at, capture) is kept and `parser` names the parser now used. A
    change of content keeps the old version under history/. Archived article
    pages without a record (the parser refused them then) get one if the
    current parser reads them. A second run writes nothing.

    \b
      newsarchive reparse --store ./archive
      newsarchive reparse --since 2024-10-01 --until 2024-10-31
    """
    from newsarchive.cli.progressbar import TerminalProgress
    from newsarchive.tools.reparse import reparse as run_reparse

    window = date_window(since, until, required=False)
    with open_existing(store, s3_endpoint_url) as st:
        st.check()  # reparse writes: fail now on a read-only store, not after the first record
        with TerminalProgress() as progress:
            outcome = run_reparse(st, window, progress)
        st.flush()
    if fmt == "json":
        click.echo(json.dumps(outcome.as_dict(), indent=1))
    click.echo(outcome.summary(), err=True)
    return Exit.BAD_INPUT if outcome.failures else Exit.OK
