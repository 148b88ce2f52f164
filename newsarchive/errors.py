"""Errors a user can cause, each carrying the exit code the CLI turns it into.

The CLI catches `UserError` and prints its message as one line on stderr; any
other exception is a bug (Exit.INTERNAL).
"""

from __future__ import annotations

from newsarchive.exitcodes import Exit


class UserError(Exception):
    """A problem the user can fix; `str(e)` is the one line shown to them."""

    exit_code: Exit = Exit.USAGE

    def __init__(self, message: str, exit_code: Exit | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class NotAnArticle(UserError):
    """The page is not a Taipei Times article the parser knows (empty, binary, other page, unknown layout)."""

    exit_code = Exit.BAD_INPUT


class StoreError(UserError):
    """Base of every storage failure."""

    exit_code = Exit.STORE_UNREACHABLE


class StoreUnreachable(StoreError):
    exit_code = Exit.STORE_UNREACHABLE


class StoreDenied(StoreError):
    exit_code = Exit.STORE_DENIED


class StoreWriteFailed(StoreError):
    exit_code = Exit.STORE_WRITE_FAILED


class KeyNotFound(StoreError, KeyError):
    exit_code = Exit.BAD_INPUT

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "key not found"


class LockHeld(UserError):
    exit_code = Exit.LOCKED
