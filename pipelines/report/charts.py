"""Charts as inline SVG, written by hand: no JavaScript, no fonts or libraries to fetch.

Every mark that stands for a data point (a bar, a point, a cell) carries ``data-value``
and a ``<title>`` tooltip, and every chart is a ``<figure class="chart">`` with
``data-points``, so a reader hovers for exact figures and a test can tell an empty chart
from a full one. Every chart titles both axes. A rate can carry its sample size (shown in
its label and tooltip) and a small-sample flag (drawn grey: too few events to read).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pipelines.report.fmt import fmt, is_missing, is_true, short

PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0891b2", "#db2777",
           "#65a30d", "#78716c", "#f97316")
SMALL_COLOR = "#d1d5db"  # a figure over a small sample
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 56
TITLE_ROOM = 18  # below the tick labels, for the x axis title
CLIPPED = ' data-clipped="1"'


@dataclass(frozen=True)
class Series:
    """Values of one series; optionally the sample each value rests on (``samples``) and
    which values rest on a small sample (``small``: drawn grey)."""

    name: str
    values: Sequence[float | None]
    color: str | None = None
    samples: Sequence[float | None] | None = None
    small: Sequence[bool] | None = None


def _n(series: Series, i: int) -> str:
    """' (n = 123)' when the series knows the value's sample, else ''."""
    if series.samples is None or is_missing(series.samples[i]):
        return ""
    return f" (n = {fmt(series.samples[i])})"


def _is_small(series: Series, i: int) -> bool:
    return bool(series.small is not None and series.small[i])


def _mark_color(series: Series, j: int, i: int) -> str:
    return SMALL_COLOR if _is_small(series, i) else _color(series, j)


def _small_attr(series: Series, i: int) -> str:
    return ' data-small="1"' if _is_small(series, i) else ""


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
        ticks.append(round(t, 12) + 0.0)  # + 0.0: no "-0" tick
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


def _axis_titles(x_title: str, y_title: str, height: float, x_mid: float,
                 y_mid: float) -> str:
    """The two axis titles: x centred under the tick labels, y rotated at the left edge."""
    return (f'<text class="axis-title" data-axis="x" x="{x_mid:.0f}" y="{height - 5:.0f}" '
            f'text-anchor="middle">{escape(x_title)}</text>'
            f'<text class="axis-title" data-axis="y" transform="translate(12,{y_mid:.0f}) '
            f'rotate(-90)" text-anchor="middle">{escape(y_title)}</text>')


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


def _x_label(x: float, label: str, rotate: bool, plot_bottom: float,
             anchor: str = "middle") -> str:
    keep = 20 if rotate else 26
    text = escape(label if len(label) <= keep else label[:keep - 1] + "…")
    if rotate:
        return (f'<text class="tick" transform="translate({x:.1f},{plot_bottom + 14:.1f}) '
                f'rotate(-35)" text-anchor="end">{text}</text>')
    return (f'<text class="tick" x="{x:.1f}" y="{plot_bottom + 18:.1f}" '
            f'text-anchor="{anchor}">{text}</text>')


def bar_chart(name: str, title: str, labels: Sequence[str], series: Sequence[Series],
              unit: str = "count", stacked: bool = False, value_labels: bool = False,
              note: str = "", height: int = HEIGHT, *, x_title: str, y_title: str) -> str:
    """Vertical bars per label: one series, several side by side, or stacked.
    Negative values hang below the zero line; a value label shows its sample size."""
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
    parts = [_svg_open(title, height + TITLE_ROOM), _y_axis(ticks, y, unit, plot_right),
             _axis_titles(x_title, y_title, height + TITLE_ROOM, (LEFT + plot_right) / 2,
                          (TOP + plot_bottom) / 2)]
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
            tip = (f"{label} · {s.name}: {fmt(v, unit)}" if k > 1 else
                   f"{label}: {fmt(v, unit)}") + _n(s, i)
            if _is_small(s, i):
                tip += ", a small sample"
            parts.append(
                f'<rect class="mark" x="{x:.1f}" y="{y_top:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{_mark_color(s, j, i)}" '
                f'data-value="{v:g}" data-label="{escape(label)}"{_small_attr(s, i)}>'
                f"<title>{escape(tip)}</title></rect>")
            if value_labels and not stacked:
                ty = y_top - 4 if v >= 0 else y_bottom + 12
                n_text = _n(s, i).replace(" (n = ", " n=").rstrip(")")
                parts.append(f'<text class="value{" small" if _is_small(s, i) else ""}" '
                             f'x="{x + bar_w / 2:.1f}" y="{ty:.1f}" text-anchor="middle">'
                             f"{escape(short(v, unit))}"
                             + (f'<tspan class="n">{escape(n_text)}</tspan>' if n_text else "")
                             + "</text>")
        if value_labels and stacked and up > 0:
            parts.append(f'<text class="value" x="{x0 + inner / 2:.1f}" y="{y(up) - 4:.1f}" '
                         f'text-anchor="middle">{escape(short(up, unit))}</text>')
        parts.append(_x_label(LEFT + i * band + band / 2, label, rotate, plot_bottom))
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), series, note)


def hbar_chart(name: str, title: str, labels: Sequence[str], values: Sequence[float | None],
               unit: str = "count", threshold: float | None = None,
               threshold_label: str = "", highlight: Sequence[bool] | None = None,
               note: str = "", *, x_title: str, y_title: str,
               samples: Sequence[float | None] | None = None,
               small: Sequence[bool] | None = None, clip: float | None = None) -> str:
    """Horizontal bars, one per label (long labels such as channels or feature names);
    an optional dashed threshold line; highlighted bars in red; samples shown beside the
    value, small samples grey. With ``clip``, the scale stops there: a longer bar ends in
    a break mark at the edge and its label gives the true value, so one outlier does not
    flatten every other bar."""
    n = len(labels)
    row = 26
    left = 190
    height = TOP + max(n, 5) * row + 30 + TITLE_ROOM
    vals = [0.0 if is_missing(v) else float(v) for v in values]
    drawn = [min(v, clip) if clip is not None else v for v in vals]
    ticks = _nice_ticks(min(drawn + [0]), max(drawn + [threshold or 0, 0]))
    lo, hi = ticks[0], ticks[-1]
    plot_right = WIDTH - RIGHT - (110 if samples is not None else 50)  # room for the labels

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (plot_right - left)

    axis_y = TOP + max(n, 5) * row
    parts = [_svg_open(title, height),
             _axis_titles(x_title, y_title, height, (left + plot_right) / 2,
                          (TOP + axis_y) / 2)]
    one = Series(title, values, samples=samples, small=small)
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
        clipped = clip is not None and v > clip
        x1, x2 = sorted((x(0 if lo <= 0 else lo), x(min(v, clip) if clipped else v)))
        color = PALETTE[3] if highlight is not None and highlight[i] else PALETTE[0]
        color = SMALL_COLOR if _is_small(one, i) else color
        tip = f"{label}: {fmt(v, unit)}{_n(one, i)}" + (
            ", a small sample" if _is_small(one, i) else "")
        parts.append(
            f'<rect class="mark" x="{x1:.1f}" y="{yy}" width="{max(x2 - x1, 0.5):.1f}" '
            f'height="{row - 8}" fill="{color}" data-value="{v:g}" data-label="{escape(label)}"'
            f'{_small_attr(one, i)}{CLIPPED if clipped else ""}>'
            f"<title>{escape(tip)}</title></rect>")
        if clipped:  # a break: two white slashes near the end of the bar
            parts.append(f'<path class="break" d="M{x2 - 14:.1f},{yy + row - 6} '
                         f"L{x2 - 8:.1f},{yy - 2} M{x2 - 8:.1f},{yy + row - 6} "
                         f'L{x2 - 2:.1f},{yy - 2}"/>')
        n_text = _n(one, i).replace(" (n = ", " · n=").rstrip(")")
        parts.append(f'<text class="value{" small" if _is_small(one, i) else ""}" '
                     f'x="{max(x1, x2) + 4:.1f}" y="{yy + 12}">'
                     f"{escape(short(v, unit))}"
                     + (f'<tspan class="n">{escape(n_text)}</tspan>' if n_text else "")
                     + "</text>")
    if threshold is not None:
        tx = x(threshold)
        parts.append(f'<line class="threshold" x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP - 6}" '
                     f'y2="{axis_y}"/><text class="threshold-label" x="{tx + 4:.1f}" '
                     f'y="{TOP + 2}">{escape(threshold_label)}</text>')
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), [Series(title, values)], note)


def line_chart(name: str, title: str, labels: Sequence[str], series: Sequence[Series],
               unit: str = "rate", note: str = "", *, x_title: str, y_title: str) -> str:
    """Lines with a point per label (months, bands); a point over a small sample is a
    hollow grey circle."""
    n = len(labels)
    vals = [float(v) for s in series for v in s.values if not is_missing(v)]
    ticks = _nice_ticks(min(vals + [0]), max(vals + [0]))
    lo, hi = ticks[0], ticks[-1]
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * (plot_bottom - TOP)

    def x(i: int) -> float:
        return LEFT + 12 + (i / max(n - 1, 1)) * (plot_right - LEFT - 24)

    parts = [_svg_open(title, HEIGHT + TITLE_ROOM), _y_axis(ticks, y, unit, plot_right),
             _axis_titles(x_title, y_title, HEIGHT + TITLE_ROOM, (LEFT + plot_right) / 2,
                          (TOP + plot_bottom) / 2)]
    rotate = n > 10
    step = max(1, math.ceil(n / 14))
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:  # the outer labels end at the plot's edges
            anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
            parts.append(_x_label(x(i) + {"start": -12, "end": 12}.get(anchor, 0), label,
                                  rotate, plot_bottom, anchor))
    for j, s in enumerate(series):
        color = _color(s, j)
        pts = [(x(i), y(float(v)), float(v), labels[i], i) for i, v in enumerate(s.values)
               if not is_missing(v)]
        if len(pts) > 1:
            path = " ".join(f"{'M' if m == 0 else 'L'}{px:.1f},{py:.1f}"
                            for m, (px, py, _, _, _) in enumerate(pts))
            parts.append(f'<path class="line" d="{path}" stroke="{color}"/>')
        for px, py, v, label, i in pts:
            tip = f"{label} · {s.name}: {fmt(v, unit)}{_n(s, i)}" + (
                ", a small sample" if _is_small(s, i) else "")
            fill = f'fill="#fff" stroke="{SMALL_COLOR}"' if _is_small(s, i) else f'fill="{color}"'
            parts.append(f'<circle class="mark" cx="{px:.1f}" cy="{py:.1f}" r="3.5" '
                         f'{fill} data-value="{v:g}" data-label="{escape(label)}"'
                         f"{_small_attr(s, i)}><title>{escape(tip)}</title></circle>")
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), series, note)


def xy_chart(name: str, title: str, series: Sequence[tuple[str, Sequence[float],
                                                             Sequence[float]]],
             unit: str = "rate", note: str = "", *, x_title: str, y_title: str) -> str:
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
    parts.append(_axis_titles(x_title, y_title, HEIGHT - 9, (LEFT + plot_right) / 2,
                              (TOP + plot_bottom) / 2))
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


def _cell_color(share: float, rgb: tuple[int, int, int] = (37, 99, 235)) -> str:
    """White to ``rgb`` (the accent blue), by ``share`` of the scale (0..1)."""
    share = min(max(share, 0.0), 1.0)
    r, g, b = (round(255 + (c - 255) * share) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def _shade(v: float, lo: float, hi: float, diverging: bool) -> tuple[str, bool]:
    """A cell's fill and whether its text should be white. Sequential: white to blue
    from the lowest to the highest value; diverging: red below zero, green above, by
    the value's size against the largest on its side."""
    if diverging:
        side = hi if v >= 0 else -lo
        share = abs(v) / side if side > 0 else 0.0
        return _cell_color(share, (5, 150, 105) if v >= 0 else (220, 38, 38)), share > 0.6
    share = (v - lo) / (hi - lo) if hi > lo else 1.0
    return _cell_color(share), share > 0.55


def heatmap(name: str, title: str, rows: Sequence[str], columns: Sequence[str],
            values: Sequence[Sequence[float | None]], unit: str = "rate", *,
            x_title: str, y_title: str, samples: Sequence[Sequence[float | None]] | None = None,
            small: Sequence[Sequence[bool]] | None = None,
            column_notes: Sequence[str] | None = None, note: str = "",
            diverging: bool = False) -> str:
    """A grid of cells (rows x columns), each shaded by its value (from the lowest to the
    highest; ``diverging``: red below zero, green above) and labelled with the value and
    its sample; a small sample is a grey cell; a column note (e.g. "partial") is written
    under its label."""
    n_rows, n_cols = len(rows), len(columns)
    left, top, cell_h = 230, 40, 30
    cell_w = max(min((WIDTH - left - RIGHT) / max(n_cols, 1), 130), 44)
    height = top + n_rows * cell_h + 26 + TITLE_ROOM
    flat = [float(v) for row in values for v in row if not is_missing(v)]
    lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
    parts = [_svg_open(title, height),
             _axis_titles(x_title, y_title, height, left + n_cols * cell_w / 2,
                          top + n_rows * cell_h / 2)]
    for c, label in enumerate(columns):
        cx = left + c * cell_w + cell_w / 2
        parts.append(f'<text class="tick" x="{cx:.1f}" y="{top - 18}" text-anchor="middle">'
                     f"{escape(label)}</text>")
        if column_notes and column_notes[c]:
            parts.append(f'<text class="tick note" x="{cx:.1f}" y="{top - 6}" '
                         f'text-anchor="middle">{escape(column_notes[c])}</text>')
    points = []
    for r, label in enumerate(rows):
        y0 = top + r * cell_h
        text = escape(label if len(label) <= 36 else label[:35] + "…")
        parts.append(f'<text class="tick" x="{left - 8}" y="{y0 + cell_h / 2 + 4:.1f}" '
                     f'text-anchor="end">{text}</text>')
        series = Series(label, values[r], samples=samples[r] if samples else None,
                        small=small[r] if small else None)
        for c, raw in enumerate(values[r]):
            x0 = left + c * cell_w
            if is_missing(raw):
                parts.append(f'<rect class="cell-empty" x="{x0 + 1:.1f}" y="{y0 + 1}" '
                             f'width="{cell_w - 2:.1f}" height="{cell_h - 2}"/>')
                continue
            v = float(raw)
            points.append(v)
            is_small = _is_small(series, c)
            fill, dark = _shade(v, lo, hi, diverging)
            fill, dark = ("#f3f4f6", False) if is_small else (fill, dark)
            tip = f"{label} · {columns[c]}: {fmt(v, unit)}{_n(series, c)}" + (
                ", a small sample" if is_small else "")
            parts.append(f'<rect class="mark" x="{x0 + 1:.1f}" y="{y0 + 1}" '
                         f'width="{cell_w - 2:.1f}" height="{cell_h - 2}" fill="{fill}" '
                         f'data-value="{v:g}" data-label="{escape(label)} {escape(columns[c])}"'
                         f"{_small_attr(series, c)}><title>{escape(tip)}</title></rect>")
            n_text = _n(series, c).replace(" (n = ", "n=").rstrip(")")
            cls = "cell small" if is_small else ("cell dark" if dark else "cell")
            parts.append(f'<text class="{cls}" x="{x0 + cell_w / 2:.1f}" y="{y0 + 13}" '
                         f'text-anchor="middle">{escape(short(v, unit))}</text>')
            if n_text and cell_w >= 56:
                parts.append(f'<text class="{cls} n" x="{x0 + cell_w / 2:.1f}" '
                             f'y="{y0 + 25}" text-anchor="middle">{escape(n_text)}</text>')
    parts.append("</svg>")
    return _figure(name, title, "".join(parts), [Series(title, points)], note)


def sparkline(values: Sequence[float | None], small: Sequence[bool] | None = None,
              label: str = "") -> str:
    """A tiny line of a KPI's recent periods (oldest first), no axes: the trend behind a
    tile's figure. The last point is marked; small-sample points are hollow."""
    pts = [(i, float(v)) for i, v in enumerate(values) if not is_missing(v)]
    if len(pts) < 2:
        return ""
    w, h, pad = 120, 30, 3
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    span = hi - lo or 1.0
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i / n * (w - 2 * pad), pad + (hi - v) / span * (h - 2 * pad)

    path = " ".join(f"{'M' if m == 0 else 'L'}{x:.1f},{y:.1f}"
                    for m, (x, y) in enumerate(xy(i, v) for i, v in pts))
    dots = []
    for i, v in pts:
        x, y = xy(i, v)
        hollow = small is not None and is_true(small[i])
        last = i == pts[-1][0]
        if hollow or last:
            fill = "#fff" if hollow else "var(--accent)"
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{2.5 if last else 2}" '
                        f'fill="{fill}" stroke="var(--accent)"/>')
    return (f'<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            f'aria-label="{escape(label)}"><path d="{path}" fill="none" '
            f'stroke="var(--accent)" stroke-width="1.5"/>{"".join(dots)}</svg>')
