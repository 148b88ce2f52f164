"""`newsarchive index`: bring the search index in line with the store now."""

from __future__ import annotations

import click

from newsarchive.cli.corpus import open_archive
from newsarchive.cli.options import store_options
from newsarchive.exitcodes import Exit, help_text


@click.command(epilog=help_text())
@store_options
@click.option("--rebuild", is_flag=True, help="Index every record again from scratch.")
def index(store: str | None, s3_endpoint_url: str | None, rebuild: bool) -> Exit:
    """Bring the search index in line with the store's records now.

    Searches do this by themselves when they notice the store changed; run
    it after writing records by hand, or with --rebuild after anything odd.
    """
    from newsarchive.cli.progressbar import TerminalProgress

    with open_archive(store, s3_endpoint_url) as archive, TerminalProgress() as progress:
        stats = archive.update(rebuild=rebuild, progress=progress)
        where = archive.index.dir
    click.echo(f"{stats.records} records: {stats.added} added, {stats.replaced} replaced, {stats.removed} removed, "
               f"{stats.skipped} not records, {stats.regrouped} regrouped as duplicates, in {stats.seconds:.1f} s; "
               f"index at {where}")
    return Exit.OK
