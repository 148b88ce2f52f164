"""Tables for people at 80 columns: hits, bars, concordance lines (rendered as when piped)."""

from __future__ import annotations

import pytest

from newsarchive.cli.render import bar, counts_table, hits_table, kwic_table, kwic_width
from newsarchive.search import Archive


@pytest.fixture
def archive(search_archive: Archive) -> Archive:
    return search_archive


@pytest.fixture(autouse=True)
def eighty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def test_bars_are_proportional_to_an_eighth() -> None:
    assert bar(10, 10, 8) == "████████"
    assert bar(5, 10, 8) == "████"
    assert bar(1, 80, 8) == "▏"
    assert bar(0, 10, 8) == "" and bar(3, 0, 8) == ""


def test_hits_table_fits_and_names_the_field_of_each_snippet(archive: Archive, capsys: pytest.CaptureFixture) -> None:
    hits_table(archive.search('"trade war" OR typhoon', limit=30))
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("30 of ")
    assert max(map(len, out.splitlines())) <= 80
    assert "kicker: **TRADE WAR**" in out
    assert "https://" not in out and "2006849007" in out


def test_counts_table_draws_a_bar_per_bucket(archive: Archive, capsys: pytest.CaptureFixture) -> None:
    counts = archive.counts("government", by="day", normalize=True)
    counts_table(counts)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{counts.total} articles · government · share of articles by day")
    rows = [line for line in lines if line.startswith("2024-")]
    assert len(rows) == 3 and all("█" in row for row in rows) and max(map(len, lines)) <= 80


def test_kwic_lines_align_their_matches(archive: Archive, capsys: pytest.CaptureFixture) -> None:
    width = kwic_width(None)
    kwic_table(archive.kwic("typhoon", width=width, limit=10), width)
    lines = [line for line in capsys.readouterr().out.splitlines() if "**" in line]
    assert lines and {line.index("**") for line in lines} == {2 + width + 1}
    assert max(map(len, lines)) <= 80
