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
        speed_bins=speed_bins, speed_teams=teams, speed_channels=channels, sla_hours=24.0,
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
    )


@pytest.fixture
def report_data() -> ReportData:
    return make_report_data()
