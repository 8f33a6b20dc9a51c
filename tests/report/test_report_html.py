"""The report page and its files, from hand-made data: self-contained, every chart with
data, a CSV per table, an explicit reason where a part has no data, atomic rewrite."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from pipelines.report import charts
from pipelines.report.build import render, write
from pipelines.report.fmt import fmt, short
from pipelines.report.queries import ReportError, resolve_date
from pipelines.report.sections import build_sections

FIGURE = re.compile(r'<figure class="chart" data-chart="([^"]+)" data-points="(\d+)">(.*?)'
                    r"</figure>", re.S)


def _figures(page: str) -> dict[str, tuple[int, int]]:
    """chart name -> (declared points, marks carrying data-value)."""
    return {name: (int(points), body.count("data-value="))
            for name, points, body in FIGURE.findall(page)}


def test_page_is_self_contained_and_every_chart_has_data(report_data):
    page, sections = render(report_data)
    assert not re.search(r"https?://", page)
    assert "<script" not in page and "<link" not in page and "<img" not in page
    figures = _figures(page)
    assert len(figures) >= 15
    for name, (points, marks) in figures.items():
        assert points > 0 and marks == points, name
    assert 'class="empty"' not in page
    for key in ("funnel", "cohorts", "attribution", "speed", "scores", "drift", "quality"):
        assert f'<section id="{key}"' in page
    assert {"calibration", "lift", "conversion_by_tier", "score_distribution", "drift_psi",
            "checks", "channel_roi", "channel_cac", "speed_distribution"} <= set(figures)
    # headline figures formatted in their unit
    assert "31.0%" in page and "$1,200,000" in page and "3,000" in page
    assert all(not s.empty for s in sections)


def test_write_makes_a_csv_per_table_and_replaces_atomically(report_data, tmp_path):
    built = write(report_data, tmp_path)
    assert built.folder == tmp_path / "2026-03-31" and built.index.exists()
    assert "headline_kpis" in built.tables and "channel_roi" in built.tables
    for name in built.tables:
        frame = pd.read_csv(built.folder / f"{name}.csv")
        assert len(frame) > 0, name
    roi = pd.read_csv(built.folder / "channel_roi.csv")
    assert len(roi) == len(report_data.roi) and "cac_usd" in roi.columns
    (built.folder / "stale.csv").write_text("old")
    again = write(report_data, tmp_path)
    assert not (again.folder / "stale.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-03-31"]  # no temp left
    assert built.headline == {"leads": 3000.0, "win_rate": 0.31, "arr_usd": 1.2e6}


def test_missing_model_says_why_instead_of_a_blank_chart(report_data):
    report_data.model_run = None
    report_data.drift = report_data.drift.iloc[0:0]
    report_data.missing["scores"] = "no lead was scored on 2026-03-31: no model in service"
    page, sections = render(report_data)
    empty = {s.key: s.empty for s in sections if s.empty}
    assert set(empty) == {"scores", "drift"}
    assert page.count('<p class="empty">No data to show: no lead was scored') == 2
    assert all(points > 0 for points, _ in _figures(page).values())


def test_a_model_with_no_open_lead_to_score_still_shows_its_quality(report_data):
    # an export whose every outcome window has closed (Olist): a model, nothing to score
    report_data.drift = report_data.drift.iloc[0:0]
    report_data.missing["scores"] = "no lead was scored on 2026-03-31, though model x is in service"
    report_data.model_run["evaluation"]["at_creation"] = {
        "model": {"roc_auc": 0.68, "pr_auc": 0.2, "top_decile_lift": 2.6},
        "rule": {"roc_auc": 0.5, "pr_auc": 0.08, "top_decile_lift": 1.0}}
    page, sections = render(report_data)
    by_key = {s.key: s for s in sections}
    assert by_key["scores"].empty is None and by_key["drift"].empty
    assert "though model x is in service" in by_key["scores"].lead
    tables = {t.name: t for t in by_key["scores"].tables}
    assert "score_distribution" not in tables and "conversion_by_tier" in tables
    quality = tables["model_quality"].frame.set_index("metric")
    assert quality.loc["ROC AUC, at creation", "model"] == 0.68
    assert quality.loc["ROC AUC, at creation", "rule_score"] == 0.5
    assert all(points > 0 for points, _ in _figures(page).values())


def test_no_checks_recorded_is_stated(report_data):
    report_data.checks = report_data.checks.iloc[0:0]
    report_data.run_id = None
    page, _ = render(report_data)
    assert "No checks to show: no run of the daily job is recorded." in page


def test_bar_chart_draws_negative_values_below_zero():
    svg = charts.bar_chart("roi", "ROI", ["a", "b"], [charts.Series("roi", [0.5, -0.25])],
                           unit="rate", x_title="channel", y_title="ROI")
    heights = [float(h) for h in re.findall(r'<rect class="mark"[^>]*height="([\d.]+)"', svg)]
    ys = [float(y) for y in re.findall(r'<rect class="mark"[^>]*?y="([\d.]+)"', svg)]
    zero = float(re.search(r'class="axis-zero"[^>]*y1="([\d.]+)"', svg).group(1))
    assert heights[0] > heights[1] > 0
    assert ys[0] + heights[0] == pytest.approx(zero, abs=0.2)  # positive bar ends at zero
    assert ys[1] == pytest.approx(zero, abs=0.2)  # negative bar starts at zero
    assert 'data-points="2"' in svg


def test_a_chart_without_values_is_a_sentence_not_a_blank_figure():
    out = charts.hbar_chart("cac", "CAC per paid channel", ["a", "b"], [None, None],
                            x_title="CAC", y_title="channel")
    assert out == ('<p class="empty" data-chart="cac">No data to show: CAC per paid channel: '
                   "no values yet.</p>")


def test_missing_values_draw_no_mark():
    svg = charts.line_chart("l", "L", ["m1", "m2", "m3"], [charts.Series("s", [0.1, None, 0.3])],
                            x_title="month", y_title="rate")
    assert svg.count("<circle") == 2 and 'data-points="2"' in svg
    hbar = charts.hbar_chart("h", "H", ["x", "y"], [None, 3.0], x_title="v", y_title="k")
    assert hbar.count('class="mark"') == 1


def test_formats():
    assert fmt(1234567, "count") == "1,234,567"
    assert fmt(0.1234, "rate") == "12.3%"
    assert fmt(-1500, "usd") == "-$1,500"
    assert fmt(45, "minutes") == "45 min" and fmt(300, "minutes") == "5.0 h"
    assert fmt(5, "hours") == "5.0 h" and fmt(72, "hours") == "3.0 d"
    assert fmt(None, "usd") == "–" and fmt(float("nan"), "rate") == "–"
    assert fmt(pd.NA, "count") == "–" and fmt(pd.NaT, "text") == "–"  # nullable columns
    assert short(2_500_000, "usd") == "$2.5M" and short(1200) == "1.2k"


def test_sections_follow_the_issue_order(report_data):
    keys = [s.key for s in build_sections(report_data)]
    assert keys == ["funnel", "cohorts", "attribution", "sales", "speed", "scores", "drift",
                    "quality"]


def _warehouse(con, score_days):
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.rpt_headline_kpis (kpi VARCHAR)")
    con.execute("CREATE TABLE marts.rpt_report_context AS SELECT DATE '2026-01-05' "
                "AS first_lead_date")
    con.execute("CREATE TABLE marts.rpt_lead_score_tiers AS SELECT "
                "unnest(?::DATE[]) AS score_date", [score_days])


def test_resolve_date(con):
    with pytest.raises(ReportError, match="no report tables yet"):
        resolve_date(con, None)
    _warehouse(con, ["2026-03-30", "2026-03-31"])
    assert resolve_date(con, None) == dt.date(2026, 3, 31)
    assert resolve_date(con, dt.date(2026, 3, 30)) == dt.date(2026, 3, 30)
    with pytest.raises(ReportError, match="no lead scores for 2026-04-01: scoring days run "
                                          "from 2026-03-30 to 2026-03-31"):
        resolve_date(con, dt.date(2026, 4, 1))


def test_resolve_date_before_any_model(con):
    _warehouse(con, [])
    assert resolve_date(con, dt.date(2026, 2, 1)) == dt.date(2026, 2, 1)
    with pytest.raises(ReportError, match="the first lead is from 2026-01-05"):
        resolve_date(con, dt.date(2025, 12, 31))


def test_open_sla_breaches_from_routing(report_data):
    report_data.open_breaches = pd.DataFrame({
        "team": ["emea", "emea", "na"], "owner": ["ivan.petrov", "farid.haddad", "grace.obi"],
        "tier": ["A", "B", "A"], "sla_hours": [1, 4, 1],
        "breaches": [3, 2, 4], "untouched": [1, 0, 4], "touched_late": [2, 2, 0],
        "median_hours_over_sla": [2.5, 1.0, 7.25], "max_hours_over_sla": [9.0, 1.5, 30.0]})
    report_data.open_breach_teams = pd.DataFrame({
        "team": ["emea", "na"], "breaches": [5, 4], "untouched": [1, 4], "touched_late": [4, 0]})
    page, sections = render(report_data)
    assert _figures(page)["open_sla_breaches"] == (4, 4)  # 2 teams x (untouched, late)
    speed = next(s for s in sections if s.key == "speed")
    table = next(t for t in speed.tables if t.name == "open_sla_breaches")
    assert [c[0] for c in table.columns[:3]] == ["team", "owner", "tier"]  # by team and owner
    report_data.open_breaches = report_data.open_breaches.iloc[0:0]
    page, _ = render(report_data)
    assert "No open SLA breaches: every open assigned lead was touched" in page


def test_conversion_by_response_band_per_tier(report_data):
    page, sections = render(report_data)
    # 5 bands of the tier 'all', the untouched one with a rate too
    assert _figures(page)["sql_rate_by_response_band"] == (5, 5)
    speed = next(s for s in sections if s.key == "speed")
    table = next(t for t in speed.tables if t.name == "conversion_by_response_band")
    assert list(table.frame["tier"].unique()) == ["all", "A", "B"]
    assert [c[0] for c in table.columns[:4]] == ["tier", "response_band", "leads",
                                                 "sales_qualified"]
    # tier A's bands hold 60, 50, 40, 20, 10 leads: the last three are greyed (< 30)
    a_rows = [small for small, tier in zip(table.small_rows, table.frame["tier"], strict=True)
              if tier == "A"]
    assert a_rows == [False, False, False, True, True]
    assert "business hours of the team&#x27;s calendar" in page
    report_data.response_bands = report_data.response_bands.iloc[0:0]
    page, _ = render(report_data)
    assert "sql_rate_by_response_band" not in page


AXIS_TITLE = re.compile(r'<text class="axis-title" data-axis="([xy])"[^>]*>([^<]+)</text>')


def test_every_chart_titles_both_axes(report_data):
    page, _ = render(report_data)
    figures = FIGURE.findall(page)
    assert len(figures) >= 20
    for name, _, body in figures:
        axes = dict(AXIS_TITLE.findall(body))
        assert set(axes) == {"x", "y"} and all(t.strip() for t in axes.values()), name


def _tile(page: str, kpi: str) -> str:
    return re.search(rf'<div class="kpi" data-kpi="{kpi}">(.*?)</div>', page, re.S).group(1)


def test_tiles_compare_the_last_complete_period_with_the_one_before(report_data):
    page, _ = render(report_data)
    head = page[page.index('<section id="headline"'):page.index('<section id="funnel"')]
    leads = _tile(head, "leads")
    # month: 1,000 against 800 (rpt_kpi_comparison), a good change; both windows beside it
    assert '<dd class="value" title="Mar 2026">1,000</dd>' in leads
    assert '<span class="delta good" data-delta="200">+200 (+25%)</span> Mar 2026 vs Feb 2026' \
        in leads
    assert "Last 30 days: <b>980</b>" in leads and "−20 (−8%)" in leads
    assert "<svg class=\"spark\"" in leads and "3 complete months" in leads
    # the month being filled is shown apart, never compared
    assert "Apr to date (partial, not compared): 140" in leads
    rate = _tile(head, "win_rate")
    assert "+2.0 pp" in rate and "−3.0 pp" in rate


def test_before_a_month_is_complete_the_tiles_compare_windows(report_data):
    comparison = report_data.kpi_comparison
    report_data.kpi_comparison = comparison[comparison["period_grain"] != "month"]
    report_data.kpi_trend = report_data.kpi_trend.iloc[0:0]
    page, _ = render(report_data)
    leads = _tile(page, "leads")
    assert '<dd class="value" title="Mar 01–Mar 30">980</dd>' in leads
    assert 'data-grain="7d"' in leads and 'data-grain="30d"' not in leads
    assert "to date" not in leads and '<svg class="spark"' not in leads


def test_rates_show_their_sample_and_small_samples_are_grey(report_data):
    page, _ = render(report_data)
    rate = _tile(page, "win_rate")
    assert '<dd class="sample" data-sample="40">n = 40 (before: 35)</dd>' in rate
    # the 7-day win rate rests on 12 deals: grey, its change muted (not read as a fall)
    week = re.search(r'<dd class="window small" data-grain="7d">(.*?)</dd>', rate).group(1)
    assert "n = 12" in week and 'class="delta muted"' in week
    assert 'class="delta bad"' in rate  # the 30-day fall rests on 38 deals: it counts
    # charts: the sample in each label, small ones drawn grey with data-small
    figures = {name: body for name, _, body in FIGURE.findall(page)}
    velocity = figures["stage_velocity"]
    assert velocity.count('data-small="1"') == 2  # opportunity -> customer, lead -> customer
    assert "n=1,000" in velocity and f'fill="{charts.SMALL_COLOR}"' in velocity
    assert "(n = 40)" in figures["sales_win_rate"] or "n=" in figures["sales_win_rate"]
    assert "n=" in figures["funnel_conversion"] and "n=" in figures["channel_roi"]
    assert 'data-small="1"' in figures["cohort_mql_rate"] or "n=" in figures["cohort_mql_rate"]
    # tables: the rows over a small sample are grey
    assert re.search(r'<table data-table="stage_velocity">.*?<tr class="small"', page, re.S)


def test_failing_and_warning_checks_are_summarised_at_the_top(report_data):
    report_data.checks = pd.DataFrame({
        "asset": ["raw/forms", "marts/dim_leads", "raw/web_events"],
        "check": ["gx_contract", "gx_mart_suite", "quarantine_share"],
        "passed": [True, False, False], "severity": ["ERROR", "ERROR", "WARN"],
        "outcome": ["passed", "failed", "warning"]})
    page, _ = render(report_data)
    summary = page.index('id="check-summary"')
    assert summary < page.index('<section id="headline"')
    banner = page[summary:page.index("</aside>", summary)]
    assert "1 failed and 1 warned of 3" in banner
    assert "gx_mart_suite on marts/dim_leads" in banner and "gx_contract" not in banner
    assert 'href="#table-checks_attention"' in banner
    assert '<details id="table-checks_attention" open>' in page  # the link's target is open
    report_data.checks = report_data.checks.assign(passed=True, outcome="passed")
    page, _ = render(report_data)
    assert "All 3 checks of run 01234567 passed." in page and "checks_attention" not in page


def test_roi_is_sorted_and_an_outlier_does_not_flatten_the_rest(report_data):
    # as rpt_channel_roi joined to rpt_channels, best first: one channel at 2,243%
    report_data.roi_sorted = pd.DataFrame({
        "model": "linear", "channel": ["paid_search", "events", "paid_social"],
        "channel_label": ["Paid search", "Events", "Paid social"], "roi": [22.43, 0.9, -0.4],
        "attributed_wins": [40.0, 35.0, 3.0], "cac_usd": [900.0, 1500.0, 9000.0],
        "wins_touched": [60, 50, 4], "roi_rank": [1, 2, 3], "cac_rank": [1, 2, 3],
        "is_small_sample": [False, False, True]})
    page, _ = render(report_data)
    body = {name: b for name, _, b in FIGURE.findall(page)}["channel_roi"]
    labels = re.findall(r'data-label="([^"]+)"', body)
    assert labels == ["Paid search", "Events", "Paid social"]  # best first, as queried
    assert body.count('data-clipped="1"') == 1 and "2243.0%" in body  # tooltip: true value
    widths = [float(w) for w in re.findall(r'<rect class="mark"[^>]*width="([\d.]+)"', body)]
    assert widths[1] > widths[0] / 3  # the second bar is still readable
    assert body.count('data-small="1"') == 1  # 3 attributed wins: a small sample


def test_the_sales_channel_is_named_and_explained(report_data):
    page, sections = render(report_data)
    attribution = next(s for s in sections if s.key == "attribution")
    assert "Sales-sourced touches: Not a marketing channel" in attribution.lead


def test_campaign_by_month_roi_and_partial_months_are_marked(report_data):
    page, _ = render(report_data)
    figures = {name: body for name, _, body in FIGURE.findall(page)}
    grid = figures["campaign_roi_monthly"]
    assert grid.count('class="mark"') == 6  # 2 campaigns x 3 months
    assert grid.count(">partial</text>") == 1  # the month being filled
    assert figures["cohort_customer_rate"].count(">partial</text>") == 1
    assert 'data-label="2026-03 (partial)"' in figures["sales_win_rate"]
    assert 'data-label="2026-02"' in figures["sales_win_rate"]


def test_a_kpi_without_a_previous_period_renders(report_data):
    """A warehouse younger than two months has no previous period: its flags come from
    DuckDB as pandas' nullable booleans holding NA, which have no truth value. Seen on a
    90-day inbox, where the report step failed instead of showing the tiles."""
    comparison = report_data.kpi_comparison.copy()
    for column in ("is_small_sample", "previous_is_small_sample"):
        comparison[column] = comparison[column].astype("boolean")
    comparison.loc[comparison["period_grain"] == "month", "previous_is_small_sample"] = pd.NA
    comparison.loc[comparison["period_grain"] == "7d", "is_small_sample"] = pd.NA
    trend = report_data.kpi_trend.copy()
    trend["is_small_sample"] = trend["is_small_sample"].astype("boolean")
    trend.loc[0, "is_small_sample"] = pd.NA
    data = dataclasses.replace(report_data, kpi_comparison=comparison, kpi_trend=trend)
    page, _ = render(data)
    assert "New leads" in page and "Win rate of deals closed" in page
