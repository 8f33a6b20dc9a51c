"""Number formatting for the report: one place for how a count, a rate or money reads."""

from __future__ import annotations

import math


def is_true(value) -> bool:
    """A flag that may be missing (pandas' NA for a boolean with nulls): missing is not set."""
    return not is_missing(value) and bool(value)


def is_missing(value) -> bool:
    if value is None:
        return True
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing int, time
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def fmt(value, unit: str = "count") -> str:
    """A value in its unit for tables and labels: 1,234 / 12.3% / $1,234 / 3.5 h."""
    if is_missing(value):
        return "–"
    if unit == "text":
        return str(value)
    v = float(value)
    if unit == "count":
        return f"{v:,.0f}" if v.is_integer() or abs(v) >= 100 else f"{v:,.2f}"
    if unit == "rate":
        return f"{v:.1%}"
    if unit == "usd":
        return f"-${-v:,.0f}" if v < 0 else f"${v:,.0f}"
    if unit == "days":
        return f"{v:.1f} days"
    if unit == "minutes":
        if v >= 48 * 60:
            return f"{v / 1440:.1f} d"
        return f"{v / 60:.1f} h" if v >= 120 else f"{v:.0f} min"
    if unit == "hours":
        return f"{v / 24:.1f} d" if v >= 48 else f"{v:.1f} h"
    if unit == "ratio":
        return f"{v:.2f}×"
    if unit == "score":
        return f"{v:.3f}"
    return f"{v:,}"


def short(value, unit: str = "count") -> str:
    """A compact form for chart axes and bar labels: 1.2k, $3.4M, 45%."""
    if is_missing(value):
        return "–"
    v = float(value)
    if unit == "rate":
        return f"{v:.0%}" if abs(v) >= 0.1 or v == 0 else f"{v:.1%}"
    if unit in ("usd", "count"):
        sign, a = ("-" if v < 0 else ""), abs(v)
        cur = "$" if unit == "usd" else ""
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                text = f"{a / div:.1f}".rstrip("0").rstrip(".")
                return f"{sign}{cur}{text}{suffix}"
        return f"{sign}{cur}{a:,.0f}" if a >= 10 or a.is_integer() else f"{sign}{cur}{a:.2g}"
    return fmt(v, unit)
