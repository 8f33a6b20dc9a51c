"""The report's first screen: the checks that need attention, then one tile per KPI with
the latest complete month against the month before (delta, both samples, a sparkline of
the complete months) and the same for the last 30 and 7 complete days; the month being
filled shows as "to date", never in a comparison. Every figure comes from
marts.rpt_kpi_comparison and rpt_kpi_periods; here they are only laid out."""

from __future__ import annotations

from html import escape

import pandas as pd

from pipelines.report import charts as ch
from pipelines.report.fmt import fmt, is_missing, is_true
from pipelines.report.queries import ReportData

GRAINS = (("30d", "Last 30 days"), ("7d", "Last 7 days"))
ATTENTION = ("failed", "warning")


def _delta(row) -> str:
    """The change in the KPI's unit: +60 (+30%), -3.2 pp, +$1,200 (+8%)."""
    if is_missing(row.delta):
        return "no previous figure"
    d = float(row.delta)
    sign = "+" if d > 0 else ("−" if d < 0 else "±")
    if row.unit == "rate":
        return f"{sign}{abs(d) * 100:.1f} pp"
    text = sign + fmt(abs(d), row.unit)
    if not is_missing(row.delta_relative):
        text += f" ({'+' if row.delta_relative > 0 else '−' if row.delta_relative < 0 else '±'}"
        text += f"{abs(float(row.delta_relative)):.0%})"
    return text


def _tone(row) -> str:
    """good / bad / flat for the delta's colour; muted when not comparable."""
    if (not row.is_comparable or is_missing(row.delta) or float(row.delta) == 0
            or is_missing(row.higher_is_better)):
        return "muted"
    up = float(row.delta) > 0
    return "good" if up == bool(row.higher_is_better) else "bad"


def _num(value) -> str:
    return "" if is_missing(value) else f"{float(value):g}"


def _n(sample) -> str:
    return "" if is_missing(sample) else f"n = {fmt(sample)}"


def _period(start, end, grain: str) -> str:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if grain == "month":
        return f"{start:%b %Y}"
    return f"{start:%b %d}–{end:%b %d}"


def _tile(kpi: str, rows: pd.DataFrame, trend: pd.DataFrame) -> str:
    """One KPI: the month in large (or, before a month is complete, the longest window),
    the other grains below it."""
    main = next((g for g in ("month", "30d", "7d") if (rows["period_grain"] == g).any()), None)
    if main is None:
        return ""
    m = next(rows[rows["period_grain"] == main].itertuples())
    small = " small" if is_true(m.is_small_sample) else ""
    when = escape(_period(m.period_start, m.period_end, main))
    parts = [f'<div class="kpi" data-kpi="{escape(kpi)}">',
             f"<dt>{escape(m.kpi_label)}</dt>",
             f'<dd class="value{small}" title="{when}">{escape(fmt(m.value, m.unit))}</dd>',
             f'<dd class="vs"><span class="delta {_tone(m)}" data-delta="{_num(m.delta)}">'
             f"{escape(_delta(m))}</span> {when}"
             + (f" vs {escape(_period(m.previous_period_start, m.previous_period_end, main))}"
                if not is_missing(m.previous_value) else "") + "</dd>"]
    samples = [_n(m.sample_size), _n(m.previous_sample_size)]
    if samples[0]:
        parts.append(f'<dd class="sample{small}" data-sample="{_num(m.sample_size)}">{samples[0]}'
                     + (f" (before: {samples[1].removeprefix('n = ')})" if samples[1] else "")
                     + (" · small sample" if is_true(m.is_small_sample)
                        or is_true(m.previous_is_small_sample) else "") + "</dd>")
    own = trend[trend["kpi"] == kpi]
    spark = ch.sparkline(list(own["value"]), list(own["is_small_sample"]),
                         f"{m.kpi_label}, last {len(own)} complete months")
    if spark:
        parts.append(f'<dd class="spark">{spark}<span>{len(own)} complete months</span></dd>')
    for grain, label in GRAINS:
        w = rows[rows["period_grain"] == grain]
        if w.empty or grain == main:
            continue
        r = next(w.itertuples())
        n = _n(r.sample_size)
        parts.append(f'<dd class="window{" small" if is_true(r.is_small_sample) else ""}" '
                     f'data-grain="{grain}">{label}: <b>{escape(fmt(r.value, r.unit))}</b> '
                     f'<span class="delta {_tone(r)}" data-delta="{_num(r.delta)}">'
                     f"{escape(_delta(r))}</span>" + (f" · {n}" if n else "") + "</dd>")
    if not is_missing(m.partial_period_start):
        n = _n(m.partial_sample_size)
        parts.append(f'<dd class="partial">{pd.Timestamp(m.partial_period_start):%b} to date '
                     f"(partial, not compared): {escape(fmt(m.partial_value, m.unit))}"
                     + (f" · {n}" if n else "") + "</dd>")
    parts.append("</div>")
    return "".join(parts)


def kpi_tiles(data: ReportData) -> str:
    """The tiles, or '' when the warehouse has no complete period yet."""
    comparison = data.kpi_comparison
    if comparison.empty:
        return ""
    order = comparison.sort_values("display_order")["kpi"].drop_duplicates()
    tiles = "".join(_tile(k, comparison[comparison["kpi"] == k], data.kpi_trend)
                    for k in order)
    return f'<dl class="kpis compare">{tiles}</dl>' if tiles else ""


def checks_summary(data: ReportData) -> str:
    """A banner of the run's failed and warning checks, linking to their table."""
    checks = data.checks
    if checks.empty:
        return ""
    run = data.run_id[:8] if data.run_id else "the latest run"
    bad = checks[checks["outcome"].isin(ATTENTION)]
    if bad.empty:
        return (f'<aside class="checks-ok" id="check-summary">All {len(checks):,} checks of '
                f'run {escape(run)} passed. <a href="#quality">Data quality</a></aside>')
    failed = int((bad["outcome"] == "failed").sum())
    warned = len(bad) - failed
    head = " and ".join(p for p in (f"{failed} failed" if failed else "",
                                    f"{warned} warned" if warned else "") if p)
    items = "".join(f'<li class="{escape(r.outcome)}"><b>{escape(r.outcome)}</b> '
                    f"{escape(r.check)} on {escape(r.asset)}</li>"
                    for r in bad.head(8).itertuples())
    more = f"<li>… and {len(bad) - 8} more</li>" if len(bad) > 8 else ""
    cls = "checks-failed" if failed else "checks-warning"
    return (f'<aside class="{cls}" id="check-summary" role="alert"><b>Checks of run '
            f"{escape(run)}: {head} of {len(checks):,}.</b><ul>{items}{more}</ul>"
            f'<a href="#table-checks_attention">See them in Data quality</a></aside>')
