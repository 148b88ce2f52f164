"""The suite runs on a pinned "today" (issue 10): no test reads the wall clock, so it passes on any date.

Dates come from the local site's reference day (tests/site/corpus.py REFERENCE_DAY)
or are written into the test; the `newsarchive` processes the tests start take
that day as today through $NEWSARCHIVE_TODAY (tests/conftest.py). A test that
read the clock instead would pass on the day it was written and fail on another.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from newsarchive.dates import TODAY_ENV, today_taipei
from tests.site.corpus import REFERENCE_DAY

TESTS = Path(__file__).resolve().parent
#: (attribute called, what it is called on) that read the wall clock's date or time
CLOCK_READS = {("today", "date"), ("today", "datetime"), ("now", "datetime"), ("utcnow", "datetime"),
               ("time", "time"), ("localtime", "time"), ("gmtime", "time"), ("ctime", "time")}


def clock_reads(path: Path) -> list[int]:
    """Lines of a Python file that call `date.today()`, `dt.datetime.now(...)`, `time.time()` and the like."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (node.func.attr, owner_name) in CLOCK_READS:
                lines.append(node.lineno)
    return sorted(lines)


def test_the_suite_runs_on_the_sites_reference_day() -> None:
    assert os.environ[TODAY_ENV] == REFERENCE_DAY.isoformat()
    assert today_taipei() == REFERENCE_DAY


def test_no_test_reads_the_wall_clock() -> None:
    """Inject dates (REFERENCE_DAY, a literal) or set the clock newsarchive reads (the `set_clock` fixture)."""
    offenders = [f"{path.relative_to(TESTS.parent)}:{line}" for path in sorted(TESTS.rglob("*.py"))
                 for line in clock_reads(path)]
    assert offenders == []


def test_the_check_sees_clock_reads(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt, time\nfrom datetime import date, datetime\n"
                      "a = dt.date.today()\nb = dt.datetime.now(dt.UTC)\nc = date.today()\nd = time.time()\n"
                      "e = datetime.utcnow()\nf = time.monotonic()\ng = dt.date(2024, 10, 16)\nh = today_taipei()\n")
    assert clock_reads(sample) == [3, 4, 5, 6, 7]
