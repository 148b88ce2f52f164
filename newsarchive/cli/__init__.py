"""The `newsarchive` command.

Each subcommand lives in its own module under newsarchive/cli/ and is imported
only when used, so `newsarchive parse` does not pay for Scrapy or pyarrow.
Errors a user can cause (newsarchive.errors) become one line on stderr and the
exit code newsarchive.exitcodes gives them, here and only here; anything else
is a bug, reported in one line as such.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import tempfile
import traceback
from typing import Any, NoReturn

import click

from newsarchive import __version__
from newsarchive.errors import UserError
from newsarchive.exitcodes import Exit, exit_code_for, help_text

#: command name -> "module:attribute"
COMMANDS: dict[str, str] = {
    "parse": "newsarchive.cli.parse:parse",
    "crawl": "newsarchive.cli.crawl:crawl",
    "verify": "newsarchive.cli.verify:verify",
    "reparse": "newsarchive.cli.reparse:reparse",
    "coverage": "newsarchive.cli.coverage:coverage",
    "search": "newsarchive.cli.search:search",
    "kwic": "newsarchive.cli.kwic:kwic",
    "export": "newsarchive.cli.export:export",
    "show": "newsarchive.cli.show:show",
    "index": "newsarchive.cli.index:index",
    "replay": "newsarchive.cli.replay:replay",
    "serve": "newsarchive.cli.serve:serve",
}


class LazyGroup(click.Group):
    """Commands are imported when used; a command listed in COMMANDS whose module is missing is a bug,
    reported as one (ImportError), never hidden from --help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


def fail(message: str, code: Exit) -> NoReturn:
    """One line on stderr, then exit with the code."""
    click.echo(f"newsarchive: {message}", err=True)
    sys.exit(int(code))


@click.group(cls=LazyGroup, epilog=help_text(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsarchive")
@click.option("-v", "--verbose", count=True, help="More log detail (-vv for debug).")
def cli(verbose: int) -> None:
    """The archive of record for the Taipei Times.

    \b
    Start here:
      newsarchive crawl                     archive the last two print days into ./archive
      newsarchive crawl --since 2024-10-01 --until 2024-10-31   backfill a month
      newsarchive parse page.html           one saved article page -> a JSON record
      newsarchive search 'typhoon'          search what is archived
      newsarchive search 'typhoon' --count-by month   how often, over time
      newsarchive kwic 'typhoon'            every occurrence in context
      newsarchive verify                    prove the archive is whole

    The store is ./archive unless --store or $NEWSARCHIVE_STORE names another
    (a path, file:///path, or s3://bucket/prefix with $AWS_ENDPOINT_URL).
    Run `newsarchive COMMAND --help` for each command.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: commands return an Exit code; every error maps to one, never a traceback."""
    try:
        rv = cli.main(args=argv, prog_name="newsarchive", standalone_mode=False)
        sys.exit(int(rv) if isinstance(rv, int) else 0)  # a command returns its Exit code
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        fail("aborted", Exit.INTERNAL)
    except click.UsageError as exc:
        hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx else ""
        fail(f"{exc.format_message()}{hint}", Exit.USAGE)
    except click.ClickException as exc:
        fail(exc.format_message(), Exit.USAGE)
    except UserError as exc:
        fail(str(exc), exit_code_for(exc))
    except KeyboardInterrupt:
        fail("interrupted", Exit.INTERNAL)
    except SystemExit:
        raise
    except BaseException as exc:  # a bug: keep the details, show one line
        fd, path = tempfile.mkstemp(prefix="newsarchive-crash-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            traceback.print_exc(file=fh)
        fail(f"internal error: {type(exc).__name__}: {exc} (details in {path})", Exit.INTERNAL)


if __name__ == "__main__":  # python -m newsarchive.cli
    main()
