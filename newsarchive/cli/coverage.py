"""`newsarchive coverage`: what the site listed against what is archived, per print day and section.

A table for people (rich, on the terminal), `--format json` for scripts. Exit 0
when every listed article is archived and every day's list was captured, 12
(GAPS_FOUND) otherwise. Offline: only the store is read.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from newsarchive.cli.options import date_window, open_existing, store_options
from newsarchive.exitcodes import Exit, help_text

if TYPE_CHECKING:
    from newsarchive.tools.coverage import Coverage

MAX_IDS_SHOWN = 6


@click.command(epilog=help_text())
@store_options
@click.option("--since", metavar="YYYY-MM-DD", required=True, help="First print day.")
@click.option("--until", metavar="YYYY-MM-DD", required=True, help="Last print day.")
@click.option("--sections", metavar="SLUG,...", help="Only these sections (default: all eight).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def coverage(store: str | None, s3_endpoint_url: str | None, since: str, until: str, sections: str | None,
             fmt: str) -> Exit:
    """For each print day and section: articles the site listed, articles archived, and the gaps.

    \b
    "Listed" is read from the list pages, feeds and JSON lists the crawls
    captured (offline, by the crawl's own discovery rules); "archived" means a
    record exists. A day whose section list was never captured is a gap too, and
    so is an archived article whose photos could not all be captured.

    \b
      newsarchive coverage --since 2024-10-01 --until 2024-10-31
      newsarchive coverage --since 2024-10-01 --until 2024-10-01 --sections front --format json
    """
    from newsarchive.site.window import parse_sections
    from newsarchive.tools.coverage import coverage as run_coverage

    window = date_window(since, until, required=True)
    assert window is not None
    chosen = parse_sections(sections)
    with open_existing(store, s3_endpoint_url) as st:
        result = run_coverage(st, window[0], window[1], list(chosen))
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=1, ensure_ascii=False))
    else:
        _table(result)
    return Exit.OK if result.complete else Exit.GAPS_FOUND


def _shown(ids: list[str]) -> str:
    return " ".join(ids[:MAX_IDS_SHOWN]) + (f" +{len(ids) - MAX_IDS_SHOWN}" if len(ids) > MAX_IDS_SHOWN else "")


def _table(result: Coverage) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Coverage {result.since} .. {result.until}")
    for name, justify in (("day", "left"), ("section", "left"), ("list", "left"), ("listed", "right"),
                          ("archived", "right"), ("missing", "right"), ("missing ids", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for cell in result.cells:
        missing = cell.missing
        style = "red" if cell.has_gap else None
        table.add_row(str(cell.day), cell.section, "captured" if cell.list_captured else "NOT CAPTURED",
                      str(len(cell.listed)), str(len(cell.archived)), str(len(missing)), _shown(missing), style=style)
    console = Console()
    console.print(table)
    verdict = "complete" if result.complete else (
        f"{result.gaps} listed article(s) not archived, {result.uncaptured} day list(s) not captured, "
        f"{result.articles_missing_photos} archived article(s) with photos missing")
    console.print(f"coverage: {verdict}")
    for cell in result.cells:
        for article_id, urls in sorted(cell.photos_missing.items()):
            for url in urls:
                reason = result.photo_reasons.get(url)
                console.print(f"photo missing: {cell.day} {cell.section} {article_id}: {url}"
                              + (f" ({reason})" if reason else ""), soft_wrap=True)
    for note in result.unreadable:
        console.print(f"unreadable list capture: {note}")
