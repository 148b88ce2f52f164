"""The attention chart, drawn on the server as SVG: hits per day, month or year, stacked by section.

No JavaScript anywhere: the page embeds the SVG as a document of its own
(`<object>`), where each bar's `<title>` is its tooltip, and a reader without
images still has the numbers (the table and /api/counts). Only geometry is
computed here; the counts come from `Archive.counts` through the corpus.

Colours are the Okabe-Ito palette: eight colours that stay apart for readers
with any common colour-vision deficiency, one per section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from newsarchive.site.urls import SECTIONS

WIDTH, HEIGHT = 960, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 44
#: Okabe & Ito (2008), in an order that keeps neighbours in a stack distinct
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SECTION_COLOURS = dict(zip(SECTIONS, PALETTE, strict=True))
ALL = "#0072B2"
MAX_BAR = 56
CHAR_WIDTH = 6.6  # of the 11 px labels, to keep x labels apart


@dataclass
class Series:
    name: str  # a section slug, or "" for all
    label: str
    values: list[float]

    @property
    def colour(self) -> str:
        return SECTION_COLOURS.get(self.name, ALL)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)
    caption: str = ""
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)


def nice_step(top: float, ticks: int = 4) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts 0..top into about `ticks` parts."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _format(value: float, share: bool) -> str:
    if share:
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + " %"
    return f"{value:,.0f}"


def draw(keys: list[str], series: list[Series], *, share: bool, caption: str = "") -> Chart:
    """Stacked bars: one column per key (bucket), one segment per series in order from the bottom."""
    chart = Chart(WIDTH, HEIGHT, caption=caption)
    x0, y0, x1, y1 = chart.plot
    totals = [sum(s.values[i] for s in series) for i in range(len(keys))]
    top = max(totals, default=0.0)
    step = nice_step(top if top > 0 else (0.01 if share else 1))
    if not share:
        step = max(step, 1.0)
    ceiling = step * max(1, math.ceil(top / step - 1e-6)) if top > 0 else step * 4  # shares may sum to 1.0000001
    scale = (y1 - y0) / ceiling
    chart.y_ticks = [Tick(y1 - v * scale, _format(v, share))
                     for v in (i * step for i in range(int(round(ceiling / step)) + 1))]
    n = max(1, len(keys))
    band = (x1 - x0) / n
    gap = max(band * 0.18, band - MAX_BAR) if band >= 4 else 0.0  # few buckets: bars keep a bar's width
    for i, key in enumerate(keys):
        base = y1
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = value * scale
            what = f"{s.label}: " if s.name else ""
            chart.bars.append(Bar(x0 + i * band + gap / 2, base - h, max(band - gap, 0.5), h, s.colour,
                                  f"{key} — {what}{_format(value, share)}"))
            base -= h
    longest = max((len(k) for k in keys), default=1) * CHAR_WIDTH + 10
    every = max(1, math.ceil(longest / band))
    chart.x_ticks = [Tick(x0 + (i + 0.5) * band, key) for i, key in enumerate(keys) if i % every == 0]
    if len(series) > 1 or (series and series[0].name):
        chart.legend = [(s.colour, s.label) for s in series]
    return chart
