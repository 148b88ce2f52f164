"""The attention chart's geometry: bars in proportion, stacks that add up, axes a reader can trust."""

from __future__ import annotations

import pytest

from newsarchive.web.chart import HEIGHT, MAX_BAR, SECTION_COLOURS, Series, draw, nice_step


@pytest.mark.parametrize(("top", "step"), [(1, 0.5), (7, 2), (10, 5), (38, 10), (120, 50), (0.37, 0.1), (0.05, 0.02)])
def test_nice_steps(top: float, step: float) -> None:
    assert nice_step(top) == pytest.approx(step)


def test_bars_are_in_proportion_and_the_axis_covers_the_tallest() -> None:
    chart = draw(["2024-01", "2024-02", "2024-03"], [Series("", "all", [10.0, 0.0, 25.0])], share=False)
    assert len(chart.bars) == 2  # an empty bucket draws nothing
    ten, twenty_five = chart.bars
    assert twenty_five.height == pytest.approx(ten.height * 2.5)
    assert ten.y + ten.height == pytest.approx(HEIGHT - 44)  # both stand on the axis
    assert [t.label for t in chart.y_ticks] == ["0", "10", "20", "30"]
    assert chart.y_ticks[-1].at <= twenty_five.y  # the top tick is above the tallest bar
    assert [t.label for t in chart.x_ticks] == ["2024-01", "2024-02", "2024-03"]
    assert ten.title == "2024-01 — 10" and chart.legend == []


def test_stacks_add_up_by_section() -> None:
    series = [Series("taiwan", "Taiwan News", [3.0, 1.0]), Series("biz", "Business", [1.0, 1.0])]
    chart = draw(["2024", "2025"], series, share=False)
    first = [b for b in chart.bars if b.title.startswith("2024")]
    assert [b.colour for b in first] == [SECTION_COLOURS["taiwan"], SECTION_COLOURS["biz"]]
    assert first[1].y + first[1].height == pytest.approx(first[0].y)  # stacked, no gap
    assert first[0].height == pytest.approx(3 * first[1].height)
    assert chart.legend == [(SECTION_COLOURS["taiwan"], "Taiwan News"), (SECTION_COLOURS["biz"], "Business")]


def test_shares_are_percent_and_a_full_stack_stays_on_the_axis() -> None:
    chart = draw(["d1"], [Series("a", "A", [0.4]), Series("b", "B", [0.6000001])], share=True)
    assert chart.y_ticks[-1].label == "100 %"
    assert chart.bars[0].title.endswith("40 %")


def test_many_buckets_thin_labels_and_few_buckets_keep_a_bar_width() -> None:
    days = [f"2024-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    chart = draw(days, [Series("", "all", [1.0] * len(days))], share=False)
    assert 3 < len(chart.x_ticks) < 20
    one = draw(["2024-10"], [Series("", "all", [150.0])], share=False)
    assert one.bars[0].width <= MAX_BAR
