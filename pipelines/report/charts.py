"""Charts as inline SVG, written by hand: no JavaScript, no fonts or libraries to fetch.

Every mark that stands for a data point (a bar, a point) carries ``data-value`` and a
``<title>`` tooltip, and every chart is a ``<figure class="chart">`` with ``data-points``,
so a reader hovers for exact figures and a test can tell an empty chart from a full one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pipelines.report.fmt import fmt, is_missing, short

PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0891b2", "#db2777",
           "#65a30d", "#78716c", "#f97316")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 56


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str | None = None


def _color(series: Series, j: int) -> str:
    return series.color or PALETTE[j % len(PALETTE)]


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering [low, high] (low <= 0 <= high for bars)."""
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, t = [], start
    while t < high + step * 0.999:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _points(series: Sequence[Series]) -> int:
    return sum(1 for s in series for v in s.values if not is_missing(v))


def _figure(name: str, title: str, svg: str, series: Sequence[Series], note: str = "") -> str:
    """The chart in its figure, or, with nothing to draw, a sentence saying so."""
    if not _points(series):
        return (f'<p class="empty" data-chart="{escape(name)}">No data to show: '
                f"{escape(title)}: no values yet.</p>")
    legend = ""
    if len(series) > 1:
        legend = '<ul class="legend">' + "".join(
            f'<li><span class="swatch" style="background:{_color(s, i)}"></span>'
            f"{escape(s.name)}</li>" for i, s in enumerate(series)) + "</ul>"
    caption = f"<figcaption>{escape(title)}</figcaption>"
    foot = f'<p class="chart-note">{escape(note)}</p>' if note else ""
    return (f'<figure class="chart" data-chart="{escape(name)}" '
            f'data-points="{_points(series)}">{caption}{svg}{legend}{foot}</figure>')


def _svg_open(title: str, height: int = HEIGHT) -> str:
    return (f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
            f'preserveAspectRatio="xMidYMid meet">')


def _y_axis(ticks: list[float], y, unit: str, plot_right: float) -> str:
    out = []
    for t in ticks:
        yy = y(t)
        cls = "axis-zero" if t == 0 else "grid"
        out.append(f'<line class="{cls}" x1="{LEFT}" x2="{plot_right}" y1="{yy:.1f}" '
                   f'y2="{yy:.1f}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{yy + 4:.1f}" '
                   f'text-anchor="end">{escape(short(t, unit))}</text>')
    return "".join(out)


def _x_label(x: float, label: str, rotate: bool, plot_bottom: float) -> str:
    keep = 18 if rotate else 26
    text = escape(label if len(label) <= keep else label[:keep - 1] + "…")
    if rotate:
        return (f'<text class="tick" transform="translate({x:.1f},{plot_bottom + 14:.1f}) '
                f'rotate(-35)" text-anchor="end">{text}</text>')
    return (f'<text class="tick" x="{x:.1f}" y="{plot_bottom + 18:.1f}" '
            f'text-anchor="middle">{text}</text>')


def bar_chart(name: str, title: str, labels: Sequence[str], series: Sequence[Series],
              unit: str = "count", stacked: bool = False, value_labels: bool = False,
              note: str = "", height: int = HEIGHT) -> str:
    """Vertical bars per label: one series, several side by side, or stacked.
    Negative values hang below the zero line."""
    n, k = len(labels), len(series)
    vals = [[0.0 if is_missing(v) else float(v) for v in s.values] for s in series]
    if stacked:
        highs = [sum(max(v[i], 0) for v in vals) for i in range(n)]
        lows = [sum(min(v[i], 0) for v in vals) for i in range(n)]
    else:
        highs = [max([v[i] for v in vals] + [0]) for i in range(n)]
        lows = [min([v[i] for v in vals] + [0]) for i in range(n)]
    ticks = _nice_ticks(min(lows + [0]), max(highs + [0]))
    lo, hi = ticks[0], ticks[-1]
    band = (WIDTH - RIGHT - LEFT) / max(n, 1)
    rotate = n > 8 or max((len(lbl) for lbl in labels), default=0) * 6 > band
    plot_right, plot_bottom = WIDTH - RIGHT, height - (BOTTOM + 30 if rotate else BOTTOM)

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * (plot_bottom - TOP)

    inner = band * 0.72
    bar_w = inner if stacked else inner / max(k, 1)
    parts = [_svg_open(title, height), _y_axis(ticks, y, unit, plot_right)]
    for i, label in enumerate(labels):
        x0 = LEFT + i * band + (band - inner) / 2
        up = down = 0.0
        for j, s in enumerate(series):
            raw = s.values[i]
            if is_missing(raw):
                continue
            v = float(raw)
            if stacked:
                base = up if v >= 0 else down
                top_v, bottom_v = (base + v, base) if v >= 0 else (base, base + v)
                up, down = (up + v, down) if v >= 0 else (up, down + v)
                x = x0
            else:
                top_v, bottom_v = max(v, 0), min(v, 0)
                x = x0 + j * bar_w
            y_top, y_bottom = y(top_v), y(bottom_v)
            tip = f"{label} · {s.name}: {fmt(v, unit)}" if k > 1 else f"{label}: {fmt(v, unit)}"
            parts.append(
                f'<rect class="mark" x="{x:.1f}" y="{y_top:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{_color(s, j)}" '
                f'data-value="{v:g}" data-label="{escape(label)}"><title>{escape(tip)}</title>'
                f"</rect>")
            if value_labels and not stacked:
                ty = y_top - 4 if v >= 0 else y_bottom + 12
                parts.append(f'<text class="value" x="{x + bar_w / 2:.1f}" y="{ty:.1f}" '
                             f'text-anchor="middle">{escape(short(v, unit))}</text>')
        if value_labels and stacked and up > 0:
            parts.append(f'<text class="value" x="{x0 + inner / 2:.1f}" y="{y(up) - 4:.1f}" '
                         f'text-anchor="middle">{escape(short(up, unit))}</text>')
        parts.append(_x_label(LEFT + i * band + band / 2, label, rotate, plot_bottom))
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), series, note)


def hbar_chart(name: str, title: str, labels: Sequence[str], values: Sequence[float | None],
               unit: str = "count", threshold: float | None = None,
               threshold_label: str = "", highlight: Sequence[bool] | None = None,
               note: str = "") -> str:
    """Horizontal bars, one per label (long labels such as channels or feature names);
    an optional dashed threshold line; highlighted bars in red."""
    n = len(labels)
    row = 26
    left = 190
    height = TOP + max(n, 5) * row + 30
    vals = [0.0 if is_missing(v) else float(v) for v in values]
    ticks = _nice_ticks(min(vals + [0]), max(vals + [threshold or 0, 0]))
    lo, hi = ticks[0], ticks[-1]
    plot_right = WIDTH - RIGHT - 50

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (plot_right - left)

    parts = [_svg_open(title, height)]
    axis_y = TOP + max(n, 5) * row
    for t in ticks:
        parts.append(f'<line class="{"axis-zero" if t == 0 else "grid"}" x1="{x(t):.1f}" '
                     f'x2="{x(t):.1f}" y1="{TOP}" y2="{axis_y}"/>')
        parts.append(f'<text class="tick" x="{x(t):.1f}" y="{axis_y + 16}" '
                     f'text-anchor="middle">{escape(short(t, unit))}</text>')
    for i, (label, raw) in enumerate(zip(labels, values, strict=True)):
        yy = TOP + i * row + 4
        text = escape(label if len(label) <= 28 else label[:27] + "…")
        parts.append(f'<text class="tick" x="{left - 8}" y="{yy + 12}" text-anchor="end">'
                     f"{text}</text>")
        if is_missing(raw):
            continue
        v = float(raw)
        x1, x2 = sorted((x(0 if lo <= 0 else lo), x(v)))
        color = PALETTE[3] if highlight is not None and highlight[i] else PALETTE[0]
        parts.append(
            f'<rect class="mark" x="{x1:.1f}" y="{yy}" width="{max(x2 - x1, 0.5):.1f}" '
            f'height="{row - 8}" fill="{color}" data-value="{v:g}" data-label="{escape(label)}">'
            f"<title>{escape(label)}: {escape(fmt(v, unit))}</title></rect>")
        parts.append(f'<text class="value" x="{max(x1, x2) + 4:.1f}" y="{yy + 12}">'
                     f"{escape(short(v, unit))}</text>")
    if threshold is not None:
        tx = x(threshold)
        parts.append(f'<line class="threshold" x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP - 6}" '
                     f'y2="{axis_y}"/><text class="threshold-label" x="{tx + 4:.1f}" '
                     f'y="{TOP + 2}">{escape(threshold_label)}</text>')
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), [Series(title, values)], note)


def line_chart(name: str, title: str, labels: Sequence[str], series: Sequence[Series],
               unit: str = "rate", note: str = "") -> str:
    """Lines with a point per label (months, bands)."""
    n = len(labels)
    vals = [float(v) for s in series for v in s.values if not is_missing(v)]
    ticks = _nice_ticks(min(vals + [0]), max(vals + [0]))
    lo, hi = ticks[0], ticks[-1]
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * (plot_bottom - TOP)

    def x(i: int) -> float:
        return LEFT + 12 + (i / max(n - 1, 1)) * (plot_right - LEFT - 24)

    parts = [_svg_open(title), _y_axis(ticks, y, unit, plot_right)]
    rotate = n > 10
    step = max(1, math.ceil(n / 14))
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            parts.append(_x_label(x(i), label, rotate, plot_bottom))
    for j, s in enumerate(series):
        color = _color(s, j)
        pts = [(x(i), y(float(v)), float(v), labels[i]) for i, v in enumerate(s.values)
               if not is_missing(v)]
        if len(pts) > 1:
            path = " ".join(f"{'M' if m == 0 else 'L'}{px:.1f},{py:.1f}"
                            for m, (px, py, _, _) in enumerate(pts))
            parts.append(f'<path class="line" d="{path}" stroke="{color}"/>')
        for px, py, v, label in pts:
            tip = f"{label} · {s.name}: {fmt(v, unit)}"
            parts.append(f'<circle class="mark" cx="{px:.1f}" cy="{py:.1f}" r="3.5" '
                         f'fill="{color}" data-value="{v:g}" data-label="{escape(label)}">'
                         f"<title>{escape(tip)}</title></circle>")
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), series, note)


def xy_chart(name: str, title: str, series: Sequence[tuple[str, Sequence[float],
                                                             Sequence[float]]],
             unit: str = "rate", x_title: str = "", y_title: str = "", note: str = "") -> str:
    """Points joined by lines on two numeric axes from 0, with the x = y diagonal dashed
    (calibration: predicted against observed)."""
    xs = [float(v) for _, xv, _ in series for v in xv if not is_missing(v)]
    ys = [float(v) for _, _, yv in series for v in yv if not is_missing(v)]
    ticks = _nice_ticks(0, max(xs + ys + [0.01]))
    hi = ticks[-1]
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(v: float) -> float:
        return LEFT + v / hi * (plot_right - LEFT)

    def y(v: float) -> float:
        return TOP + (hi - v) / hi * (plot_bottom - TOP)

    parts = [_svg_open(title), _y_axis(ticks, y, unit, plot_right)]
    for t in ticks:
        parts.append(f'<text class="tick" x="{x(t):.1f}" y="{plot_bottom + 16}" '
                     f'text-anchor="middle">{escape(short(t, unit))}</text>')
    parts.append(f'<path class="reference" d="M{x(0):.1f},{y(0):.1f} L{x(hi):.1f},{y(hi):.1f}">'
                 f"<title>perfect calibration</title></path>")
    parts.append(f'<text class="axis-title" x="{(LEFT + plot_right) / 2:.0f}" '
                 f'y="{HEIGHT - 14}" text-anchor="middle">{escape(x_title)}</text>')
    parts.append(f'<text class="axis-title" transform="translate(14,{(TOP + plot_bottom) / 2:.0f})'
                 f' rotate(-90)" text-anchor="middle">{escape(y_title)}</text>')
    flat = []
    for j, (label, xv, yv) in enumerate(series):
        color = PALETTE[j % len(PALETTE)]
        pts = [(float(a), float(b)) for a, b in zip(xv, yv, strict=True)
               if not (is_missing(a) or is_missing(b))]
        flat.append(Series(label, [b for _, b in pts]))
        if len(pts) > 1:
            path = " ".join(f"{'M' if m == 0 else 'L'}{x(a):.1f},{y(b):.1f}"
                            for m, (a, b) in enumerate(pts))
            parts.append(f'<path class="line" d="{path}" stroke="{color}"/>')
        for a, b in pts:
            tip = f"{label}: predicted {fmt(a, unit)}, observed {fmt(b, unit)}"
            parts.append(f'<circle class="mark" cx="{x(a):.1f}" cy="{y(b):.1f}" r="3.5" '
                         f'fill="{color}" data-value="{b:g}" data-x="{a:g}">'
                         f"<title>{escape(tip)}</title></circle>")
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), flat, note)
