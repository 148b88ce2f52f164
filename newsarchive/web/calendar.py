"""Coverage as a calendar: one row per section, one column per print day, each cell what the archive holds.

The figures are `newsarchive coverage`'s own (newsarchive.tools.coverage):
this module only lays them out and names each cell's state, so the page, the
API and the command can never disagree. A window is bounded: coverage reads
every list captured in it, and a page of more than a quarter's columns is
no longer readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsarchive.errors import InvalidArgument
from newsarchive.site.urls import section_name
from newsarchive.site.window import parse_sections
from newsarchive.store import Store
from newsarchive.tools.coverage import Cell, Coverage, coverage

MAX_DAYS = 92
DEFAULT_DAYS = 14

#: state -> what the legend says
STATES = {
    "complete": "every listed article archived",
    "gap": "listed articles missing",
    "uncaptured": "the day's list was never captured",
    "empty": "the list named no article",
}


def window(since: dt.date | None, until: dt.date | None, fallback: tuple[dt.date, dt.date] | None,
           today: dt.date) -> tuple[dt.date, dt.date]:
    """The days asked for; else the latest run's (its last DEFAULT_DAYS); else the DEFAULT_DAYS up to today."""
    if since is None and until is None:
        since, until = fallback or (today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
        since = max(since, until - dt.timedelta(days=DEFAULT_DAYS - 1))
    since = since or until
    until = until or since
    assert since is not None and until is not None
    if until < since:
        raise InvalidArgument(f"until {until} is before since {since}")
    if (until - since).days >= MAX_DAYS:
        raise InvalidArgument(f"at most {MAX_DAYS} days at a time ({since} .. {until} is {(until - since).days + 1})")
    return since, until


def coverage_of(store: Store, since: dt.date, until: dt.date, sections: Iterable[str] = ()) -> Coverage:
    since, until = window(since, until, None, until)
    return coverage(store, since, until, list(parse_sections(list(sections) or None)))


@dataclass
class Missing:
    id: str
    url: str
    reason: str | None


@dataclass
class CellView:
    day: dt.date
    section: str
    state: str
    listed: int
    archived: int
    missing: list[Missing] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"gap-{self.day}-{self.section}"

    @property
    def title(self) -> str:
        """The cell's tooltip: everything it stands for, in words."""
        where = f"{self.day:%a %d %b %Y}, {section_name(self.section) or self.section}"
        if self.state == "uncaptured":
            return f"{where}: the day's list was never captured; {self.archived} of {self.listed} listed elsewhere archived"
        if self.state == "empty":
            return f"{where}: the list named no article"
        text = f"{where}: {self.archived} of {self.listed} listed articles archived"
        return text + (f"; {len(self.missing)} missing" if self.missing else "")


@dataclass
class Calendar:
    coverage: Coverage
    days: list[dt.date]
    rows: list[tuple[str, list[CellView]]]

    @property
    def gaps(self) -> list[CellView]:
        return [cell for _, cells in self.rows for cell in cells if cell.state in ("gap", "uncaptured")]


def _state(cell: Cell) -> str:
    if not cell.list_captured:
        return "uncaptured"
    if cell.missing:
        return "gap"
    return "complete" if cell.listed else "empty"


def calendar(result: Coverage) -> Calendar:
    by_key = {(c.day, c.section): c for c in result.cells}
    days = sorted({c.day for c in result.cells})
    rows = []
    for section in result.sections:
        cells = []
        for day in days:
            cell = by_key[(day, section)]
            missing = [Missing(i, cell.listed[i], result.reasons.get(i)) for i in cell.missing]
            cells.append(CellView(day, section, _state(cell), len(cell.listed), len(cell.archived & set(cell.listed)),
                                  missing))
        rows.append((section, cells))
    return Calendar(result, days, rows)
