"""What the corpus commands (search, kwic, export, show, index) share on the command line.

The store must exist (a mistyped --store is exit 2, as for `verify`), and it
opens before the index is touched. Filters may be repeated or comma lists
(they OR together). A query may start with `-word`: the commands that take
one let unknown dashed words through as the query, so `search -- -word` is
never needed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from newsarchive.cli.options import open_existing, store_options

if TYPE_CHECKING:
    from newsarchive.search import Archive

FILTERS = ("section", "since", "until", "author", "agency")


_QUERY_MARK = "\x00"


class QueryCommand(click.Command):
    """A command whose QUERY may begin with '-' (`search '-china taiwan'`, `search -china taiwan`).

    Click would read `-china` as the short options -c -h -i...: -h is help.
    So an argument that starts with '-' and is not one of the command's own
    options (nor an option's value) is marked as an argument before Click
    parses; `query_argument` takes the mark off again."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        marked: list[str] = []
        value_next = False
        for i, arg in enumerate(args):
            if arg == "--":
                marked += args[i:]
                break
            name = arg.split("=", 1)[0]
            if not value_next and arg.startswith("-") and not arg.startswith("--") and len(arg) > 1 \
                    and name not in takes_value:  # (--typo stays an option: Click says there is no such option)
                marked.append(_QUERY_MARK + arg)
                value_next = False
                continue
            marked.append(arg)
            value_next = not value_next and takes_value.get(name, False) and "=" not in arg
        return super().parse_args(ctx, marked)


def query_argument(fn: Callable) -> Callable:
    def unmark(ctx: click.Context, param: click.Parameter, value: str) -> str:
        return value.removeprefix(_QUERY_MARK)

    return click.argument("query", callback=unmark)(fn)


def filter_options(fn: Callable) -> Callable:
    """--section/--author/--agency (repeatable, comma lists; values OR), --since/--until (day, month or year)."""
    for decorator in reversed([
        click.option("--section", multiple=True, metavar="SLUG[,SLUG]",
                     help="Only these sections (front, taiwan, biz, editorials, sport, world, feat, lang); "
                          "repeat or list with commas."),
        click.option("--since", metavar="DATE", help="Printed on or after: YYYY-MM-DD, or YYYY-MM / YYYY "
                                                    "(from the first day)."),
        click.option("--until", metavar="DATE", help="Printed on or before: YYYY-MM-DD, or YYYY-MM / YYYY "
                                                    "(to the last day)."),
        click.option("--author", multiple=True, metavar="NAME", help="A person in the byline (case, spacing and "
                                                                    "hyphens ignored); repeat or list with commas."),
        click.option("--agency", multiple=True, metavar="NAME", help="An agency credited (AFP, CNA, ...); repeat or "
                                                                    "list with commas."),
    ]):
        fn = decorator(fn)
    return store_options(fn)


def dedupe_option(fn: Callable) -> Callable:
    return click.option("--dedupe", is_flag=True, help="One record per duplicate group (a wire story printed "
                                                       "twice counts once).")(fn)


def filters(opts: dict[str, Any]) -> dict[str, Any]:
    """The filter options as Archive keyword arguments (an option not given is None)."""
    return {name: (opts[name] or None) for name in FILTERS}


def open_archive(store: str | None, s3_endpoint_url: str | None) -> Archive:
    """The Archive of an existing store (StoreNotFound, exit 2, if it is not there)."""
    from newsarchive.search import Archive  # tantivy only loads for these commands

    return Archive(open_existing(store, s3_endpoint_url))


def total_line(shown: int, total: int, what: str = "articles") -> str:
    return f"{shown:,} of {total:,} {what}" if shown != total else f"{total:,} {what}"


def terminal() -> bool:
    return sys.stdout.isatty()
