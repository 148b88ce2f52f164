"""Progress hooks for the long offline tools (verify, reparse).

The tools call these hooks; the command line passes a terminal bar
(newsarchive.cli.progressbar), tests and scripts the default, which shows nothing.
"""

from __future__ import annotations


class Progress:
    """Hooks for a progress display; the default shows nothing (cron, tests)."""

    def start(self, what: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...
