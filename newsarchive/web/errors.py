"""Errors as HTTP statuses: the web app's counterpart of newsarchive.exitcodes.

Library code raises the classes of newsarchive.errors and knows nothing of
HTTP; the app turns them into a status here and only here, the way the
command line turns them into exit codes. Anything else is a bug: a 500 whose
message names no internals.
"""

from __future__ import annotations

from newsarchive import errors

#: error class -> HTTP status; an error takes the status of the nearest class in its MRO
STATUS: dict[type[BaseException], int] = {
    errors.UserError: 400,
    errors.InvalidArgument: 400,
    errors.ArticleNotFound: 404,
    errors.KeyNotFound: 404,
    errors.NoRecords: 404,
    errors.StoreError: 503,
    errors.StoreUnreachable: 503,
    errors.StoreDenied: 503,
    errors.CacheNotWritable: 503,
    errors.CaptureDamaged: 500,  # the archive's own bytes are wrong: say so, with the message
}


def status_for(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def message_for(exc: BaseException) -> str:
    """The one line a reader sees: the user error's own, never a bug's internals."""
    if isinstance(exc, errors.UserError):
        return str(exc)
    return "internal error: the server's log has the details"
