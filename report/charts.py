"""Small line charts as inline SVG, drawn here rather than by a chart library: the site must open
from the file system with no network and no script, and a few hundred charts of a dozen points
each are quicker to write as SVG text than to render through a plotting engine.

What a chart shows and a reader must not miss:
- a line joins two points only when they are consecutive years of one segment (one crop series,
  one kind of aggregate) and both have a value: a missing year, a withheld value or a series
  break leaves a gap;
- the marker says the observation status (normal, estimate, provisional, suppressed by the
  source, withheld by the warehouse), and the band the bounds;
- a chart resting on the illustrative IATI sample is hatched and labelled ILLUSTRATIVE.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Hashable

from markupsafe import Markup

from .formats import number

STATUS_WORDS = {"A": "normal", "E": "estimate", "P": "provisional", "Q": "suppressed by the source (a range)",
                "O": "withheld by the warehouse", "I": "illustrative"}


@dataclass
class Point:
    year: int
    value: float | None
    status: str = "A"
    lower: float | None = None
    upper: float | None = None
    illustrative: bool = False
    # Points of different segments are never joined (a crop series, a published total against a sum).
    segment: Hashable = None


def runs(points: list[Point]) -> list[list[Point]]:
    """The stretches a line may join: consecutive years, one segment, a value in each."""
    out: list[list[Point]] = []
    current: list[Point] = []
    for p in sorted((p for p in points if p.value is not None), key=lambda p: (p.year, str(p.segment))):
        if current and p.year == current[-1].year + 1 and p.segment == current[-1].segment:
            current.append(p)
        else:
            if current:
                out.append(current)
            current = [p]
    if current:
        out.append(current)
    return out


def _ticks(lo: float, hi: float, count: int = 3) -> list[float]:
    """Round ticks from below `lo` to above `hi`."""
    if hi <= lo:
        return [lo]
    step = (hi - lo) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(step))
    for nice in (1, 2, 2.5, 5, 10):
        if nice * magnitude >= step:
            step = nice * magnitude
            break
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def line_chart(points: list[Point], *, label: str, unit: str = "", width: int = 560, height: int = 180,
               years: tuple[int, int] | None = None, chart_id: str = "c", label_segments: bool = False) -> Markup:
    """One series as an SVG line chart; `label` becomes its accessible name."""
    small = width < 300
    left, right, top, bottom = (38 if small else 62), 10, (8 if small else 20), (18 if small else 24)
    plot_w, plot_h = width - left - right, height - top - bottom
    illustrative = any(p.illustrative for p in points)
    known = [v for p in points for v in (p.value, p.lower, p.upper) if v is not None]
    if years is None:
        ys = [p.year for p in points] or [0]
        years = (min(ys), max(ys))
    y0, y1 = years
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    lo = min(lo, 0.0) if lo >= 0 else lo
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    ticks = _ticks(lo, hi, 2 if small else 3) if known else []
    if ticks:
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])

    def x(year: float) -> float:
        return left + (year - y0) / (y1 - y0) * plot_w

    def y(value: float) -> float:
        return top + (hi - value) / (hi - lo) * plot_h

    parts = [f'<svg class="chart{" small" if small else ""}{" illustrative" if illustrative else ""}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-labelledby="{chart_id}-t" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(label)}</title>']
    if illustrative:
        parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="url(#hatch)"/>')
    for t in ticks:
        ty = y(t)
        parts.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 4}" y="{ty + 3:.1f}" text-anchor="end">'
                     f'{escape(number(t, compact=True))}</text>')
    year_ticks = sorted({y0, y1} | ({(y0 + y1) // 2} if (y1 - y0) >= 4 and not small else set()))
    for yr in year_ticks:
        parts.append(f'<text class="tick" x="{x(yr):.1f}" y="{height - 4}" text-anchor="middle">{yr}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    # Two segments (crop series b and c, a published total and a sum) take two colours, so that
    # runs that meet in one year still read as two series.
    segments = sorted({str(p.segment) for p in points if p.segment is not None})
    for run in runs(points):
        seg = f" s{segments.index(str(run[0].segment)) % 3}" if len(segments) > 1 and run[0].segment is not None else ""
        # The bounds band, per run, where every point has both bounds.
        banded = [p for p in run if p.lower is not None and p.upper is not None]
        if len(banded) == len(run) and len(run) > 1:
            upper = " ".join(f"{x(p.year):.1f},{y(p.upper):.1f}" for p in run)
            lower = " ".join(f"{x(p.year):.1f},{y(p.lower):.1f}" for p in reversed(run))
            parts.append(f'<polygon class="band" points="{upper} {lower}"/>')
        if len(run) > 1:
            path = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in run)
            parts.append(f'<polyline class="line{seg}{" dashed" if illustrative else ""}" points="{path}"/>')
        if label_segments and seg:
            parts.append(f'<text class="seg{seg}" x="{x(run[0].year) + 3:.1f}" y="{y(run[0].value) - 5:.1f}">'
                         f'{escape(str(run[0].segment))}</text>')
    for p in points:
        parts.append(_marker(p, x(p.year), y, top + plot_h))
    if illustrative and not small:
        parts.append(f'<text class="illus" x="{left + plot_w - 4}" y="{top + 11}" text-anchor="end">ILLUSTRATIVE</text>')
    if unit and not small:
        parts.append(f'<text class="unit" x="{left}" y="{top - 7}">{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(p: Point, px: float, y, baseline: float) -> str:
    title = f"<title>{p.year}: {escape(point_text(p))}</title>"
    if p.value is None and p.lower is not None and p.upper is not None:
        # Suppressed by the source: only a range is known.
        return (f'<g class="m q"><line x1="{px:.1f}" x2="{px:.1f}" y1="{y(p.lower):.1f}" y2="{y(p.upper):.1f}"/>'
                f"{title}</g>")
    if p.value is None:
        # Withheld (or otherwise without value): a cross on the axis, never a point on the line.
        return (f'<g class="m o"><path d="M{px - 3:.1f},{baseline - 3:.1f}l6,6m0,-6l-6,6"/>{title}</g>')
    py = y(p.value)
    if p.status == "E":
        shape = f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.2"/>'
    elif p.status == "P":
        shape = f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6"/>'
    else:
        shape = f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6"/>'
    return f'<g class="m {p.status.lower()}{" i" if p.illustrative else ""}">{shape}{title}</g>'


def point_text(p: Point, unit: str = "") -> str:
    if p.value is None and p.lower is not None:
        text = f"between {number(p.lower)} and {number(p.upper)}"
    elif p.value is None:
        text = "no value"
    else:
        text = number(p.value) + (f" {unit}" if unit else "")
        if p.lower is not None and p.upper is not None:
            text += f" ({number(p.lower)} to {number(p.upper)})"
    status = STATUS_WORDS.get(p.status, p.status)
    text += f", {status}" if p.status != "A" else ""
    return text + (", illustrative" if p.illustrative else "")


HATCH = Markup('<svg width="0" height="0" aria-hidden="true" focusable="false" style="position:absolute">'
               '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
               'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff6e5"/>'
               '<line x1="0" y1="0" x2="0" y2="6" stroke="#f0b35a" stroke-width="2"/></pattern></defs></svg>')
