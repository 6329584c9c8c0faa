# SPDX-License-Identifier: MIT
"""Line charts as inline SVG, drawn on the server: no script, no plotting library.

Values are integers (block heights, base units) and so are the ticks: a tick step is 1, 2
or 5 times a power of ten of the unit, found with integer arithmetic, so every tick label
is an exact number (``tokens`` writes amounts). Only the pixel positions are floats.
A series longer than ``MAX_POINTS`` is thinned to every k-th point (its last one kept):
the caption says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Most points a polyline gets (a browser draws a few thousand without effort).
MAX_POINTS = 2000

_WIDTH, _HEIGHT = 960, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 130, 24, 34, 52  # margins around the plot area
_MARKERS = 80  # series up to this many points get a dot per point


@dataclass(frozen=True)
class Axis:
    """A value range [low, high] and its ticks (integers, evenly spaced)."""

    low: int
    high: int
    ticks: tuple[int, ...]

    def fraction(self, value: int) -> float:
        """Where ``value`` lies between low (0.0) and high (1.0)."""
        return (value - self.low) / (self.high - self.low)


def nice_axis(low: int, high: int, most: int = 6, unit: int = 1) -> Axis:
    """An axis covering [low, high] with at most ``most`` + 1 ticks at multiples of a step
    of 1, 2 or 5 × 10^k × ``unit`` (k ≥ 0) — or, for ranges under one unit, of
    10^k base units. The axis runs from the tick at or below ``low`` to the one at or
    above ``high``; an empty range is widened to one step."""
    if high < low:
        low, high = high, low
    span = max(high - low, 1)
    step = _nice_step(span, most, unit if span >= unit else 1)
    first = (low // step) * step
    last = -(-high // step) * step
    if last == first:
        last = first + step
    return Axis(first, last, tuple(range(first, last + 1, step)))


def _nice_step(span: int, most: int, unit: int) -> int:
    """The smallest step of 1, 2 or 5 × 10^k × unit with span / step ≤ most."""
    power = unit
    while True:
        for m in (1, 2, 5):
            if span <= most * m * power:
                return m * power
        power *= 10


def _thin(points: Sequence[tuple[int, int]]) -> tuple[Sequence[tuple[int, int]], int]:
    """(the points to draw, k): every k-th point, the last one included."""
    if len(points) <= MAX_POINTS:
        return points, 1
    k = -(-len(points) // MAX_POINTS)
    kept = list(points[k - 1::k])
    if kept[-1] != points[-1]:
        kept.append(points[-1])
    return kept, k


def line_chart(points: Sequence[tuple[int, int]], *, title: str, y_label: str,
               css_class: str, y_format: Callable[[int], str], y_unit: int = 1,
               from_zero: bool = False, x_label: str = "block height") -> Markup:
    """An SVG line chart of ``points`` ((x, y) integers, x increasing): axes with ticks
    and labels (``y_format`` writes a y tick, in steps of multiples of ``y_unit``), a
    light grid, the polyline (class ``series css_class``) and, for short series, a dot
    per point. ``from_zero``: the y axis starts at 0. Empty ``points``: an empty
    string."""
    if not points:
        return Markup("")
    shown, k = _thin(points)
    xs = [x for x, _ in shown]
    ys = [y for _, y in shown]
    x_axis = nice_axis(xs[0], xs[-1], 10)
    y_axis = nice_axis(0 if from_zero else min(ys), max(ys), 5, y_unit)
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def px(x: int) -> float:
        return _LEFT + x_axis.fraction(x) * plot_w

    def py(y: int) -> float:
        return _TOP + (1.0 - y_axis.fraction(y)) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" '
             f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<text class="chart-title" x="{_LEFT}" y="20">{escape(title)}</text>']
    bottom, right = _TOP + plot_h, _LEFT + plot_w
    for tick in y_axis.ticks:
        y = py(tick)
        parts.append(f'<line class="grid" x1="{_LEFT}" y1="{y:.2f}" x2="{right}" '
                     f'y2="{y:.2f}"/>')
        parts.append(f'<text class="tick y-tick" x="{_LEFT - 8}" y="{y + 4:.2f}" '
                     f'text-anchor="end">{escape(y_format(tick))}</text>')
    for tick in x_axis.ticks:
        x = px(tick)
        parts.append(f'<line class="tick-mark" x1="{x:.2f}" y1="{bottom}" x2="{x:.2f}" '
                     f'y2="{bottom + 5}"/>')
        parts.append(f'<text class="tick x-tick" x="{x:.2f}" y="{bottom + 19}" '
                     f'text-anchor="middle">{tick}</text>')
    parts.append(f'<line class="axis" x1="{_LEFT}" y1="{bottom}" x2="{right}" '
                 f'y2="{bottom}"/>')
    parts.append(f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" '
                 f'y2="{bottom}"/>')
    parts.append(f'<text class="axis-label" x="{_LEFT + plot_w / 2:.2f}" '
                 f'y="{_HEIGHT - 10}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text class="axis-label" transform="translate(16 {_TOP + plot_h / 2:.2f}) '
                 f'rotate(-90)" text-anchor="middle">{escape(y_label)}</text>')
    coords = " ".join(f"{px(x):.2f},{py(y):.2f}" for x, y in shown)
    parts.append(f'<polyline class="series {escape(css_class)}" fill="none" '
                 f'points="{coords}"/>')
    if len(shown) <= _MARKERS:
        parts.extend(f'<circle class="dot {escape(css_class)}" cx="{px(x):.2f}" '
                     f'cy="{py(y):.2f}" r="3"><title>{x}: {escape(y_format(y))}</title>'
                     "</circle>" for x, y in shown)
    if k > 1:
        parts.append(f'<text class="tick" x="{right}" y="20" text-anchor="end">one point per '
                     f"{k} blocks</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
