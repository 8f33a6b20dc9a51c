"""A small, fully filled ReportData (every section has data), made by hand so the
rendering and browser tests need no warehouse build."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.report.queries import ReportData

CHANNELS = ("paid_search", "organic_search", "paid_social", "email")
MONTHS = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])


def _funnel_row(level, month, channel, leads):
    mqls, sqls, opps, cust = leads // 3, leads // 6, leads // 10, leads // 25
    return {"grouping_level": level, "cohort_month": month, "original_channel": channel,
            "leads": leads, "mqls": mqls, "sqls": sqls, "opportunities": opps,
            "customers": cust, "strict_mqls": mqls, "strict_sqls": sqls - 1,
            "strict_opportunities": opps - 2, "strict_customers": cust - 1,
            "any_lead_to_mql_rate": mqls / leads, "any_lead_to_sql_rate": sqls / leads,
            "any_lead_to_opportunity_rate": opps / leads,
            "any_lead_to_customer_rate": cust / leads,
            "strict_lead_to_mql_rate": mqls / leads,
            "strict_mql_to_sql_rate": (sqls - 1) / mqls,
            "strict_sql_to_opportunity_rate": (opps - 2) / (sqls - 1),
            "strict_opportunity_to_customer_rate": (cust - 1) / (opps - 2)}


def _comparison() -> pd.DataFrame:
    """Leads and win rate, each for the month, 30 and 7 days (as rpt_kpi_comparison): the
    7-day win rate rests on 12 deals, a small sample."""
    rows = []
    for order, kpi, label, unit, better, figures in (
            (1, "leads", "New leads", "count", True,
             {"month": (1000, 800, None, None, 140), "30d": (980, 900, None, None, None),
              "7d": (230, 250, None, None, None)}),
            (4, "win_rate", "Win rate of deals closed", "rate", True,
             {"month": (0.43, 0.41, 40, 35, 0.5), "30d": (0.42, 0.45, 38, 36, None),
              "7d": (0.25, 0.5, 12, 10, None)})):
        for grain, (value, before, n, n_before, partial) in figures.items():
            start = {"month": "2026-03-01", "30d": "2026-03-01", "7d": "2026-03-24"}[grain]
            end = "2026-03-30"
            small = n is not None and n < 30
            small_before = n_before is not None and n_before < 30
            rows.append({
                "kpi": kpi, "kpi_label": label, "unit": unit, "display_order": order,
                "higher_is_better": better, "period_grain": grain,
                "period_start": pd.Timestamp(start), "period_end": pd.Timestamp(end),
                "value": value, "sample_size": n, "is_small_sample": small,
                "previous_period_start": pd.Timestamp("2026-02-01"),
                "previous_period_end": pd.Timestamp("2026-02-28"), "previous_value": before,
                "previous_sample_size": n_before, "previous_is_small_sample": small_before,
                "delta": value - before, "delta_relative": (value - before) / before,
                "is_comparable": not (small or small_before),
                "partial_period_start": pd.Timestamp("2026-04-01") if partial else None,
                "partial_value": partial, "partial_sample_size": 4 if unit == "rate" else None})
    return pd.DataFrame(rows)


def _trend() -> pd.DataFrame:
    return pd.DataFrame({"kpi": ["leads"] * 3 + ["win_rate"] * 3,
                         "period_start": list(MONTHS) * 2,
                         "value": [700, 800, 1000, 0.38, 0.41, 0.43],
                         "sample_size": [None] * 3 + [20, 35, 40],
                         "is_small_sample": [False] * 3 + [True, False, False]})


def _cohort_grid(funnel: pd.DataFrame) -> pd.DataFrame:
    grid = funnel[funnel["grouping_level"].isin(["month", "month_channel"])].copy()
    grid["channel"] = grid["original_channel"]
    grid["channel_label"] = grid["channel"].map(
        lambda c: "All channels" if c == "(all)" else c.replace("_", " ").capitalize())
    grid["is_complete_month"] = grid["cohort_month"] != MONTHS[-1]
    grid["is_small_sample"] = grid["leads"] < 30
    grid["days_observed"] = 30
    return grid


def _campaigns() -> pd.DataFrame:
    return pd.DataFrame([
        {"model": "linear", "channel": c, "campaign": f"{c}_spring", "month": m,
         "is_complete_month": m != MONTHS[-1], "spend_usd": 30_000.0,
         "attributed_revenue_usd": 9000.0 * w, "attributed_wins": w, "wins_touched": w + 1,
         "roi": (9000.0 * w - 30_000) / 30_000, "is_small_sample": True}
        for c, w0 in (("paid_search", 3), ("paid_social", 1)) for i, m in enumerate(MONTHS)
        for w in [w0 + i]])


def _ranked(roi: pd.DataFrame) -> pd.DataFrame:
    """As rpt_channel_roi_ranked: the paid channels, best ROI first, with their sample."""
    paid = roi[roi["spend_usd"] > 0].sort_values(["model", "roi"], ascending=[True, False])
    return paid.assign(
        channel_label=paid["channel"].str.replace("_", " ").str.capitalize(),
        wins_touched=(paid["attributed_wins"] * 5).astype(int),
        roi_rank=paid.groupby("model").cumcount() + 1,
        cac_rank=paid.groupby("model")["cac_usd"].rank(method="first").astype(int),
        is_small_sample=paid["attributed_wins"] * 5 < 30)


def make_report_data() -> ReportData:
    funnel = [_funnel_row("all", None, "(all)", 3000)]
    funnel += [_funnel_row("month", m, "(all)", 1000) for m in MONTHS]
    funnel += [_funnel_row("month_channel", m, c, 250 + 10 * i)
               for m in MONTHS for i, c in enumerate(CHANNELS)]
    funnel += [_funnel_row("channel", None, c, 750) for c in CHANNELS]
    frame = pd.DataFrame(funnel)
    roi = pd.DataFrame([
        {"model": m, "channel": c, "spend_usd": s, "leads": 750, "customers": 30,
         "cost_per_lead_usd": s / 750, "attributed_wins": w,
         "attributed_revenue_usd": w * 9000.0, "cac_usd": s / w if s else None,
         "roi": (w * 9000.0 - s) / s if s else None}
        for m in ("linear", "first_touch")
        for c, s, w in zip(CHANNELS, (90_000, 0, 60_000, 0), (8, 12, 4, 6), strict=True)])
    bins = ["< 5 min", "5-15 min", "15-60 min", "1-4 h", "4-24 h", "1-3 days", "> 3 days",
            "not yet touched"]
    speed_bins = pd.DataFrame({"bin_order": range(1, 9), "response_time": bins,
                               "leads": [40, 80, 120, 90, 60, 30, 10, 15],
                               "sla_breaches": [0, 0, 0, 0, 20, 30, 10, 15]})
    teams = pd.DataFrame({"grouping_level": "team", "team": ["East", "West"],
                          "owner": "(all)", "source_channel": "(all)", "leads": [250, 195],
                          "leads_touched": [240, 190], "median_response_minutes": [42.0, 95.0],
                          "p95_response_minutes": [900.0, 2000.0],
                          "share_within_hour": [0.55, 0.4], "sla_breaches": [30, 45],
                          "sla_breach_rate": [0.12, 0.23]})
    response_bands = pd.DataFrame([
        {"tier": tier, "band_order": b, "response_band": label, "leads": n,
         "sales_qualified": q, "customers": c, "sla_breaches": breaches,
         "median_business_minutes": minutes, "sql_rate": q / n if n else None,
         "customer_rate": c / n if n else None, "is_small_sample": n < 30}
        for tier, scale in (("all", 4), ("A", 1), ("B", 1))
        for b, label, n, q, c, breaches, minutes in (
            (1, "< 1 h", 60 * scale, 24 * scale, 9 * scale, 0, 20.0),
            (2, "1-4 h", 50 * scale, 12 * scale, 4 * scale, 10 * scale, 110.0),
            (3, "4-24 h", 40 * scale, 6 * scale, 2 * scale, 30 * scale, 400.0),
            (4, "> 24 h", 20 * scale, 2 * scale, 0, 20 * scale, 900.0),
            (5, "not yet touched", 10 * scale, 0, 0, 10 * scale, None))])
    channels = teams.assign(grouping_level="channel", team="(all)",
                            source_channel=["paid_search", "email"])
    score_bins = pd.DataFrame({"score_from": [1, *range(10, 100, 10)],
                               "score_to": range(9, 100, 10)})
    for t, shift in zip("abcd", (8, 5, 2, 0), strict=True):
        score_bins[f"tier_{t}"] = [max(0, 30 - 6 * abs(i - shift)) for i in range(10)]
    score_bins["leads"] = score_bins[[f"tier_{t}" for t in "abcd"]].sum(axis=1)
    calibration = [{"band": b, "rows": 100, "predicted": b / 40, "observed": b / 42}
                   for b in range(1, 11)]
    rule_cal = [{"band": b, "rows": 100, "predicted": b / 45, "observed": b / 50}
                for b in range(1, 11)]
    tiers = [{"tier": t, "rows": 250, "conversions": c, "conversion_rate": c / 250}
             for t, c in zip("ABCD", (60, 25, 10, 3), strict=True)]
    rule_tiers = [{"tier": t, "rows": 250, "conversions": c, "conversion_rate": c / 250}
                  for t, c in zip("ABCD", (40, 30, 20, 8), strict=True)]
    run = {"model_version": "2026-03-30-abc123", "model_kind": "logistic", "base_rate": 0.12,
           "roc_auc": 0.81, "pr_auc": 0.42, "brier": 0.09, "top_decile_precision": 0.4,
           "top_decile_lift": 3.3, "rule_roc_auc": 0.7, "rule_pr_auc": 0.3, "rule_brier": 0.1,
           "rule_top_decile_precision": 0.3, "rule_top_decile_lift": 2.5,
           "evaluation": {"calibration": calibration, "rule_calibration": rule_cal,
                          "tiers": tiers, "rule_tiers": rule_tiers}}
    return ReportData(
        report_date=dt.date(2026, 3, 31), as_of=dt.datetime(2026, 3, 31, 18, 0),
        kpis=pd.DataFrame({"display_order": [1, 2, 3], "kpi": ["leads", "win_rate", "arr_usd"],
                           "kpi_label": ["Leads", "Win rate", "ARR"],
                           "unit": ["count", "rate", "usd"], "value": [3000, 0.31, 1.2e6]}),
        funnel=frame[frame["grouping_level"] == "all"],
        cohorts=frame[frame["grouping_level"].isin(["month", "month_channel"])],
        channels=frame[frame["grouping_level"] == "channel"], roi=roi,
        sales=pd.DataFrame({"closed_month": MONTHS, "deals_won": [5, 7, 9],
                            "deals_lost": [9, 10, 12], "win_rate": [0.36, 0.41, 0.43],
                            "avg_won_deal_usd": [9000.0, 9500, 8700],
                            "avg_sales_cycle_days": [30.5, 28.1, 33.0],
                            "new_mrr_usd": [3750.0, 5500, 6500],
                            "arr_usd": [45000.0, 111000, 189000],
                            "arr_growth": [None, 1.47, 0.7]}),
        speed_bins=speed_bins, speed_teams=teams, speed_channels=channels,
        response_bands=response_bands,
        score_bins=score_bins,
        tiers=pd.DataFrame({"tier": list("ABCD"), "leads": [60, 70, 80, 90],
                            "mean_probability": [0.4, 0.2, 0.1, 0.03],
                            "min_score": [75, 50, 25, 1], "max_score": [99, 74, 49, 24]}),
        model_run=run,
        drift=pd.DataFrame({"column_name": ["probability", "sessions_30d", "country"],
                            "psi": [0.05, 0.31, 0.02], "is_drifted": [False, True, False]}),
        sources=pd.DataFrame({"source": ["forms", "web"], "files": [3, 4],
                              "files_quarantined": [1, 0], "rows_loaded": [3100, 41000],
                              "rows_quarantined": [40, 12],
                              "quarantine_share": [40 / 3140, 12 / 41012]}),
        quarantine=pd.DataFrame({"source": ["forms", "web"],
                                 "reason": ["invalid email in email", "bad timestamp"],
                                 "rows": [40, 12]}),
        checks=pd.DataFrame({"asset": ["raw/forms", "raw/web_events", "marts/dim_leads"],
                             "check": ["gx_contract", "quarantine_share", "gx_mart_suite"],
                             "passed": [True, False, True],
                             "severity": ["ERROR", "WARN", "ERROR"],
                             "outcome": ["passed", "warning", "passed"]}),
        run_id="0123456789abcdef", missing={},
        kpi_comparison=_comparison(), kpi_trend=_trend(),
        velocity=pd.DataFrame({
            "step_order": [1, 2, 3, 4, 5],
            "from_stage": ["lead", "mql", "sql", "opportunity", "lead"],
            "to_stage": ["mql", "sql", "opportunity", "customer", "customer"],
            "sample_size": [1000, 500, 300, 12, 12],
            "median_days": [1.5, 5.2, 1.3, 25.0, 36.0], "p25_days": [0.0, 2.8, 0.6, 21.0, 28.0],
            "p75_days": [3.0, 8.1, 2.1, 35.6, 46.9], "mean_days": [2.2, 6.1, 1.4, 28.5, 38.0],
            "is_small_sample": [False, False, False, True, True]}),
        cohort_grid=_cohort_grid(frame),
        channel_labels={c: c.replace("_", " ").capitalize() for c in CHANNELS}
        | {"sales": "Sales-sourced touches"},
        channel_notes={"Sales-sourced touches": "Not a marketing channel: the calls, e-mails, "
                       "meetings and demos reps log in the CRM"},
        roi_sorted=_ranked(roi),
        campaign_roi=_campaigns(), min_sample_size=30, partial_months={"2026-03"},
    )


@pytest.fixture
def report_data() -> ReportData:
    return make_report_data()
