"""The coverage calendar: which days it shows, and what each cell says."""

from __future__ import annotations

import datetime as dt

import pytest

from newsarchive.errors import InvalidArgument
from newsarchive.tools.coverage import Cell, Coverage
from newsarchive.web.calendar import DEFAULT_DAYS, MAX_DAYS, calendar, window

D = dt.date(2024, 10, 16)


def test_window_rules() -> None:
    assert window(dt.date(2024, 10, 1), dt.date(2024, 10, 3), None, D) == (dt.date(2024, 10, 1), dt.date(2024, 10, 3))
    assert window(dt.date(2024, 10, 1), None, None, D) == (dt.date(2024, 10, 1), dt.date(2024, 10, 1))
    latest_run = (dt.date(2024, 9, 1), dt.date(2024, 10, 10))
    assert window(None, None, latest_run, D) == (dt.date(2024, 10, 10) - dt.timedelta(days=DEFAULT_DAYS - 1),
                                                 dt.date(2024, 10, 10))
    assert window(None, None, None, D) == (D - dt.timedelta(days=DEFAULT_DAYS - 1), D)
    with pytest.raises(InvalidArgument, match="before"):
        window(dt.date(2024, 10, 3), dt.date(2024, 10, 1), None, D)
    with pytest.raises(InvalidArgument, match=f"at most {MAX_DAYS}"):
        window(dt.date(2024, 1, 1), dt.date(2024, 12, 31), None, D)


def test_cells_say_what_they_are() -> None:
    d1, d2 = dt.date(2024, 10, 1), dt.date(2024, 10, 2)
    cells = [
        Cell(d1, "front", True, {"2006849001": "u1", "2006849002": "u2"}, {"2006849001", "2006849002"}),
        Cell(d2, "front", True, {"2006849003": "u3", "2006849004": "u4"}, {"2006849003"}),
        Cell(d1, "lang", True, {}, set()),
        Cell(d2, "lang", False, {}, set()),
    ]
    result = Coverage(d1, d2, ["front", "lang"], cells, {"2006849004": "HTTP 500"})
    view = calendar(result)
    assert view.days == [d1, d2]
    states = {(c.day, c.section): c for _, row in view.rows for c in row}
    assert states[(d1, "front")].state == "complete" and states[(d1, "front")].archived == 2
    gap = states[(d2, "front")]
    assert gap.state == "gap" and [(m.id, m.reason) for m in gap.missing] == [("2006849004", "HTTP 500")]
    assert "1 of 2 listed articles archived; 1 missing" in gap.title
    assert states[(d1, "lang")].state == "empty"
    assert states[(d2, "lang")].state == "uncaptured" and "never captured" in states[(d2, "lang")].title
    assert [c.anchor for c in view.gaps] == ["gap-2024-10-02-front", "gap-2024-10-02-lang"]
