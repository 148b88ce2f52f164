"""The clock newsarchive reads, set by a test: `set_clock(moment)`.

Library code reads the time only through `newsarchive.dates.utc_now`; modules
import it by name, so the fixture replaces it in `newsarchive.dates` and in
every loaded newsarchive module that imported it. Unit tests of what is named
or stamped by the clock (WARC files, run ids, heartbeats, "today") then know
the answer in advance, on any day, without reading the wall clock.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

import pytest

from newsarchive import dates

SetClock = Callable[[dt.datetime], None]


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> SetClock:
    clocks = {dates.utc_now}  # the real one, then each one set here (a test may set the clock again)

    def set_to(moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("set the clock to an aware datetime")
        frozen = moment.astimezone(dt.UTC)

        def utc_now() -> dt.datetime:
            return frozen

        for name, module in list(sys.modules.items()):
            if (name == "newsarchive" or name.startswith("newsarchive.")) and getattr(module, "utc_now", None) in clocks:
                monkeypatch.setattr(module, "utc_now", utc_now)
        clocks.add(utc_now)

    return set_to
