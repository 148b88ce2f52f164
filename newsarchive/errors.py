"""Errors newsarchive raises on purpose: each one a problem a person can fix, told in one line.

Library code (store, parser, search, crawl, tools) raises these and knows
nothing of exit codes; the command line turns them into exit codes in one
place (`newsarchive.exitcodes.exit_code_for`). Any other exception is a bug.
Errors about what the user typed also derive from ValueError, so callers of
the Python API may catch either.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; `str(e)` is the one line shown to them."""


class InvalidArgument(UserError, ValueError):
    """A bad option or argument: a date, section, id, query, URI, path or value that cannot be used."""


class NoRecords(UserError):
    """The store holds nothing to work on (no records, nothing to verify)."""


class ArticleNotFound(UserError, LookupError):
    """An article id that is well formed but not in the archive."""


class CaptureDamaged(UserError):
    """An article's archived capture cannot be read back as the response its record points to."""


class NotAnArticle(UserError):
    """The page is not a Taipei Times article the parser knows (empty, binary, other page, unknown layout)."""


class StoreError(UserError):
    """Base of every storage failure."""


class StoreUnreachable(StoreError):
    """The store (an S3 endpoint, a bucket) cannot be reached."""


class StoreDenied(StoreError):
    """The store refused the credentials or the permissions."""


class StoreWriteFailed(StoreError):
    """A write failed: disk full, read-only file system, unwritable path."""


class StoreNotFound(StoreError):
    """A store that must already exist (for reading) does not."""


class KeyNotFound(StoreError, KeyError):
    """No object under that key."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "key not found"


class LockHeld(UserError):
    """Another crawl holds the store's lock."""


class CacheNotWritable(UserError):
    """The local cache (the search index) cannot be written."""


class FrontierUnreachable(UserError):
    """The shared Redis frontier cannot be reached."""


class ReplayFailed(UserError):
    """Replay could not be set up or started: the port is taken, its environment cannot be installed, pywb failed."""
