"""Exit codes: a contract with cron jobs and archivists' scripts, and the one place errors become codes.

Each code means one thing so a wrapper script can react without parsing
stderr. Never renumber; add new codes at the end.
"""

from __future__ import annotations

from enum import IntEnum

from newsarchive import errors


class Exit(IntEnum):
    OK = 0  #: everything asked for was done
    INTERNAL = 1  #: a bug: unexpected error (details in the log, never a bare traceback)
    USAGE = 2  #: bad option, bad date, bad URI, missing file: nothing was done
    BAD_INPUT = 3  #: some inputs were not usable (a file that is not an article, a store with no records)
    PARTIAL = 4  #: the crawl ran, but some articles failed (listed in the run report)
    STORE_UNREACHABLE = 5  #: the store cannot be reached (host down, bucket missing)
    STORE_DENIED = 6  #: the store refused our credentials or permissions
    LOCKED = 7  #: another crawl holds the store's lock
    LAYOUT_CHANGED = 8  #: parse failures passed the threshold: the site may have changed its layout
    VERIFY_FAILED = 9  #: `verify` found problems in the store
    STORE_WRITE_FAILED = 10  #: a write failed (disk full, unwritable path); nothing half-written left
    SPOOLED = 11  #: the crawl ran, but captures wait in the local spool for the store to come back
    GAPS_FOUND = 12  #: `coverage` found articles the site lists that the archive lacks
    SITE_UNREACHABLE = 13  #: not one response came back: the site or the network is down

    @classmethod
    def table(cls) -> str:
        """The codes as a text table, for --help and the README."""
        return "\n".join(f"{c.value:>3}  {c.name}" for c in cls)


DESCRIPTIONS: dict[Exit, str] = {
    Exit.OK: "success",
    Exit.INTERNAL: "internal error (a bug; see the log)",
    Exit.USAGE: "usage or configuration error",
    Exit.BAD_INPUT: "some inputs were not usable",
    Exit.PARTIAL: "some articles failed (see the run report)",
    Exit.STORE_UNREACHABLE: "store unreachable",
    Exit.STORE_DENIED: "store refused the credentials",
    Exit.LOCKED: "another crawl holds the lock",
    Exit.LAYOUT_CHANGED: "layout change suspected",
    Exit.VERIFY_FAILED: "verify found problems",
    Exit.STORE_WRITE_FAILED: "a write to the store failed",
    Exit.SPOOLED: "captures spooled locally, store not reached",
    Exit.GAPS_FOUND: "coverage found gaps",
    Exit.SITE_UNREACHABLE: "the site did not answer at all (site or network down)",
}

#: error class -> exit code; an error takes the code of the nearest class in its MRO
ERROR_CODES: dict[type[BaseException], Exit] = {
    errors.UserError: Exit.USAGE,
    errors.InvalidArgument: Exit.USAGE,
    errors.NoRecords: Exit.BAD_INPUT,
    errors.ArticleNotFound: Exit.BAD_INPUT,
    errors.NotAnArticle: Exit.BAD_INPUT,
    errors.CaptureDamaged: Exit.BAD_INPUT,
    errors.StoreError: Exit.STORE_UNREACHABLE,
    errors.StoreUnreachable: Exit.STORE_UNREACHABLE,
    errors.StoreDenied: Exit.STORE_DENIED,
    errors.StoreWriteFailed: Exit.STORE_WRITE_FAILED,
    errors.StoreNotFound: Exit.USAGE,
    errors.KeyNotFound: Exit.BAD_INPUT,
    errors.LockHeld: Exit.LOCKED,
    errors.CacheNotWritable: Exit.STORE_WRITE_FAILED,
    errors.FrontierUnreachable: Exit.STORE_UNREACHABLE,
    errors.ReplayFailed: Exit.USAGE,
}


def exit_code_for(exc: BaseException) -> Exit:
    """The exit code of an error: that of its nearest class in ERROR_CODES, INTERNAL for anything else (a bug)."""
    for cls in type(exc).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    return Exit.INTERNAL


def help_text() -> str:
    """Exit codes as printed in `--help` epilogs."""
    return "Exit codes: " + "; ".join(f"{c.value} {DESCRIPTIONS[c]}" for c in Exit) + "."
