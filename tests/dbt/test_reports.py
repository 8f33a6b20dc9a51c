"""Report marts (models/marts/reports) on the hand-made two-day drop (data/sample/dbt,
story in its README.md), both days loaded and built.

Worked out by hand from the fixture files (seed report_parameters: SLA 4 hours):
- Two people are handed to sales (enter MQL): Ann with her demo request f1 (Mar 2 10:05
  UTC) and Dora with her contact-sales form f7 (Mar 8 15:00+01:00 = 14:00 UTC).
- Ann's first sales activity after that is call ac1 by ana.silva (team na) at 10:40: 35
  minutes, within the hour, no breach. Dora's is e-mail ac2 by hannah.schmidt (emea) on
  Mar 9 09:00: 19 hours = 1140 minutes, an SLA breach.
- Overall: median of 35 and 1140 = 587.5; p95 (linear) = 35 + 0.95 x 1105 = 1084.75.
- Funnel: 4 people (Ann, Bob, Dora, Erin); MQL Ann and Dora, SQL/opportunity/customer Ann
  only: strict lead->mql 2/4, mql->sql 1/2, sql->opp 1/1, opp->customer 1/1.
- Sales KPIs: deal d1 won Mar 20 16:00 for 11,500 USD, created Mar 15 10:00: 5.25 days,
  new MRR 11500 / 12 = 958.33 (annual contracts assumed), no month before: growth NULL;
  the only running contract: MRR 958.33, ARR 11,500.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.dbt.workspace import rows


@pytest.fixture(scope="module")
def warehouse(warehouses) -> Path:
    return warehouses["incremental"]


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return rows(con, sql)


def test_speed_to_lead_per_lead(warehouse):
    assert query(warehouse, """
        SELECT email,
               strftime(handed_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'),
               assigned_at = handed_at,
               strftime(first_touch_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'),
               first_touch_activity_id, owner, team, response_minutes,
               is_within_hour, is_sla_breach
        FROM marts.fct_speed_to_lead JOIN marts.dim_leads USING (lead_id)
        ORDER BY email""") == [
        ("ann.lee@acme.com", "2026-03-02 10:05", True, "2026-03-02 10:40", "ac1",
         "ana.silva", "na", 35.0, True, False),
        ("dora@northwind.de", "2026-03-08 14:00", True, "2026-03-09 09:00", "ac2",
         "hannah.schmidt", "emea", 1140.0, False, True),
    ]


def test_speed_to_lead_report(warehouse):
    assert query(warehouse, """
        SELECT grouping_level, team, owner, leads, leads_touched, median_response_minutes,
               p95_response_minutes, share_within_hour, sla_breaches
        FROM marts.rpt_speed_to_lead
        WHERE grouping_level IN ('all', 'team') ORDER BY grouping_level, team""") == [
        ("all", "(all)", "(all)", 2, 2, 587.5, 1084.8, 0.5, 1),
        ("team", "emea", "(all)", 1, 1, 1140.0, 1140.0, 0.0, 1),
        ("team", "na", "(all)", 1, 1, 35.0, 35.0, 1.0, 0),
    ]


def test_funnel_conversion(warehouse):
    assert query(warehouse, """
        SELECT leads, mqls, sqls, opportunities, customers,
               strict_lead_to_mql_rate, strict_mql_to_sql_rate,
               strict_sql_to_opportunity_rate, strict_opportunity_to_customer_rate,
               any_lead_to_sql_rate, any_lead_to_customer_rate
        FROM marts.rpt_funnel_conversion WHERE grouping_level = 'all'""") == [
        (4, 2, 1, 1, 1, 0.5, 0.5, 1.0, 1.0, 0.25, 0.25),
    ]


def test_sales_kpis(warehouse):
    assert query(warehouse, """
        SELECT strftime(closed_month, '%Y-%m'), deals_won, deals_lost, win_rate,
               avg_won_deal_usd, avg_sales_cycle_days, new_mrr_usd, new_mrr_growth,
               mrr_usd, arr_usd, arr_growth
        FROM marts.rpt_sales_kpis""") == [
        ("2026-03", 1, 0, 1.0, 11500.0, 5.3, 958.33, None, 958.33, 11500.0, None),
    ]


def test_channel_roi_joins_spend_to_attributed_revenue(warehouse):
    # spend: paid_search brand_search Mar 1 was 100 on day 1 and restated to 120 on day 2
    # (the restatement replaces it); paid_social 50. W-shaped credits paid_search with
    # 30% (f1, the lead-creation touch) + 2.5% (the Mar 2 session) of Ann's 11,500 win.
    got = query(
        warehouse,
        """SELECT channel, spend_usd, attributed_revenue_usd, attributed_wins, cac_usd, roi
        FROM marts.rpt_channel_roi WHERE model = 'w_shaped'
          AND channel IN ('paid_search', 'paid_social') ORDER BY channel""",
    )
    assert got == [
        ("paid_search", 120.0, 3737.5, 0.325, 369.23, 30.1458),  # 120/0.325; 3617.5/120
        ("paid_social", 50.0, 0.0, 0.0, None, -1.0),
    ]


def test_headline_kpis(warehouse):
    # every figure from the story above: 4 people, 2 MQLs, Ann the one customer; d1 the one
    # closed deal; spend 120 + 50 = 170 USD: CAC 170 / 1 win, ROI (11,500 - 170) / 170
    got = dict(query(warehouse, "SELECT kpi, round(value, 4) FROM marts.rpt_headline_kpis"))
    assert got == {
        "leads": 4.0, "mqls": 2.0, "customers": 1.0,
        "lead_to_mql_rate": 0.5, "lead_to_customer_rate": 0.25,
        "win_rate": 1.0, "avg_won_deal_usd": 11500.0, "avg_sales_cycle_days": 5.25,
        "arr_usd": 11500.0, "arr_growth": None,
        "marketing_spend_usd": 170.0, "blended_cac_usd": 170.0, "marketing_roi": 66.6471,
        "median_response_minutes": 587.5, "p95_response_minutes": 1084.8,  # report rounds to 0.1
        "share_within_hour": 0.5, "sla_breaches": 1.0,
    }
