"""Report marts (models/marts/reports) on the hand-made two-day drop (data/sample/dbt,
story in its README.md), both days loaded and built.

Worked out by hand from the fixture files. Routing never ran on this warehouse: no lead has
an assignment (assigned_at NULL) nor a tier, so the SLA is seed sla_policies' 'unscored'
row, 24 business hours of the first touch's team (seeds business_hours, team_holidays).
- Two people are handed to sales (enter MQL): Ann with her demo request f1 (Mar 2 10:05
  UTC) and Dora with her contact-sales form f7 (Mar 8 15:00+01:00 = 14:00 UTC).
- Ann's first sales activity after that is call ac1 by ana.silva (team na) at 10:40: 35
  minutes, within the hour, no breach; 05:05-05:40 in New York, before the na team opens
  (09:00): 0 business minutes. Dora's is e-mail ac2 by hannah.schmidt (emea) on Mon Mar 9
  09:00 UTC: 19 hours = 1140 minutes, no breach of 24 hours either way; handed on a Sunday,
  so only Monday 09:00-10:00 Berlin (08:00-09:00 UTC) counts: 60 business minutes.
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
               assigned_at IS NULL, tier, sla_hours, calendar_team,
               strftime(first_touch_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'),
               first_touch_activity_id, owner, team, response_minutes,
               response_business_minutes, is_within_hour, is_sla_breach,
               is_sla_breach_calendar, is_judged_in_business_hours
        FROM marts.fct_speed_to_lead JOIN marts.dim_leads USING (lead_id)
        ORDER BY email""") == [
        ("ann.lee@acme.com", "2026-03-02 10:05", True, "unscored", 24.0, "na",
         "2026-03-02 10:40", "ac1", "ana.silva", "na", 35.0, 0.0, True, False, False, True),
        ("dora@northwind.de", "2026-03-08 14:00", True, "unscored", 24.0, "emea",
         "2026-03-09 09:00", "ac2", "hannah.schmidt", "emea", 1140.0, 60.0, False, False,
         False, True),
    ]


def test_speed_to_lead_report(warehouse):
    assert query(warehouse, """
        SELECT grouping_level, team, owner, leads, leads_touched, median_response_minutes,
               p95_response_minutes, share_within_hour, sla_breaches
        FROM marts.rpt_speed_to_lead
        WHERE grouping_level IN ('all', 'team') ORDER BY grouping_level, team""") == [
        ("all", "(all)", "(all)", 2, 2, 587.5, 1084.8, 0.5, 0),
        ("team", "emea", "(all)", 1, 1, 1140.0, 1140.0, 0.0, 0),
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
        "share_within_hour": 0.5, "sla_breaches": 0.0,
    }


# The report's comparisons (models/marts/reports/comparisons). The data's last day is Mar 20
# (d1 won at 16:00): that day is partial, so the last complete day is Mar 19. The first day
# with data is Mar 1 (spend), so March is the only month and it is partial: no month is
# compared. The 7-day windows Mar 13-19 and Mar 6-12 are complete; Feb 27 - Mar 5 starts
# before the data, and so does every 30-day window.


def test_report_periods_leave_partial_periods_out(warehouse):
    assert query(warehouse, """
        SELECT period_grain, strftime(period_start, '%m-%d'), strftime(period_end, '%m-%d'),
               is_complete, periods_back
        FROM marts.rpt_report_periods
        WHERE period_end >= DATE '2026-03-01'
        ORDER BY period_grain, period_start""") == [
        ("30d", "02-18", "03-19", False, None),
        ("7d", "02-27", "03-05", False, None),
        ("7d", "03-06", "03-12", True, 1),
        ("7d", "03-13", "03-19", True, 0),
        ("month", "03-01", "03-31", False, None),
    ]
    assert query(warehouse, "SELECT DISTINCT as_of_date::VARCHAR, last_complete_day::VARCHAR "
                            "FROM marts.rpt_report_periods") == [("2026-03-20", "2026-03-19")]


def test_kpi_comparison_is_the_last_complete_week_against_the_one_before(warehouse):
    # Mar 6-12: Dora enters MQL (Mar 8) and is handed to sales; her first touch after 19 h
    # (1 business hour) is within the unscored tier's 24 business hours: a breach rate of
    # 0.0 over a sample of 1, a small sample.
    # Mar 13-19: no MQL, nobody handed. Ann's win on Mar 20 falls on the partial day.
    got = query(warehouse, """
        SELECT kpi, value, sample_size, is_small_sample, previous_value, previous_sample_size,
               previous_is_small_sample, delta, is_comparable
        FROM marts.rpt_kpi_comparison
        WHERE kpi IN ('mqls', 'sla_breach_rate', 'customers') ORDER BY kpi""")
    assert got == [
        ("customers", 0.0, None, False, 0.0, None, False, 0.0, True),
        ("mqls", 0.0, None, False, 1.0, None, False, -1.0, True),
        ("sla_breach_rate", None, 0, True, 0.0, 1, True, None, False),
    ]
    # no complete month, so no month is compared; the win shows in March, partial
    assert query(warehouse, "SELECT count(*) FROM marts.rpt_kpi_comparison "
                            "WHERE period_grain = 'month'") == [(0,)]
    assert query(warehouse, """
        SELECT value, is_complete FROM marts.rpt_kpi_periods
        WHERE kpi = 'customers' AND period_grain = 'month'""") == [(1.0, False)]
    assert query(warehouse, """
        SELECT sum(value) FROM marts.rpt_kpi_periods
        WHERE kpi = 'customers' AND is_complete""") == [(0.0,)]


def test_stage_velocity(warehouse):
    # Ann: lead Mar 2 10:05 -> customer Mar 20 16:00 = 18 d 5 h 55 min; the only customer
    assert query(warehouse, """
        SELECT from_stage, to_stage, sample_size, median_days, is_small_sample
        FROM marts.rpt_stage_velocity WHERE to_stage = 'customer' ORDER BY step_order""") == [
        ("opportunity", "customer", 1, 5.25, True),
        ("lead", "customer", 1, 18.25, True),
    ]


def test_channel_roi_ranked_and_the_sales_channel_named(warehouse):
    assert query(warehouse, """
        SELECT channel, roi, roi_rank, wins_touched, is_small_sample
        FROM marts.rpt_channel_roi_ranked WHERE model = 'w_shaped' ORDER BY roi_rank""") == [
        ("paid_search", 30.1458, 1, 1, True),
        ("paid_social", -1.0, 2, 0, True),
    ]
    assert query(warehouse, "SELECT channel_label, is_marketing FROM marts.rpt_channels "
                            "WHERE channel = 'sales'") == [("Sales-sourced touches", False)]


def test_campaign_roi_per_month(warehouse):
    # paid_social's li_abm_enterprise spent 50 in March and touched no won deal
    assert query(warehouse, """
        SELECT strftime(month, '%Y-%m'), spend_usd, attributed_revenue_usd, wins_touched, roi,
               is_complete_month
        FROM marts.rpt_campaign_roi_monthly
        WHERE model = 'w_shaped' AND campaign = 'li_abm_enterprise'""") == [
        ("2026-03", 50.0, 0.0, 0, -1.0, False),
    ]


def test_conversion_by_response_band_per_tier(warehouse):
    # Ann (< 1 h, became SQL and customer) and Dora (4-24 h, MQL only), both unscored
    got = query(warehouse, """
        SELECT tier, response_band, leads, sales_qualified, customers, sql_rate,
               median_business_minutes, is_small_sample
        FROM marts.rpt_response_band_conversion
        WHERE tier IN ('unscored', 'all') AND leads > 0 ORDER BY tier, band_order""")
    assert got == [
        ("all", "< 1 h", 1, 1, 1, 1.0, 0.0, True),
        ("all", "4-24 h", 1, 0, 0, 0.0, 60.0, True),
        ("unscored", "< 1 h", 1, 1, 1, 1.0, 0.0, True),
        ("unscored", "4-24 h", 1, 0, 0, 0.0, 60.0, True),
    ]
    # every tier of sla_policies and 'all', every band
    assert query(warehouse, "SELECT count(*), count(DISTINCT tier) "
                            "FROM marts.rpt_response_band_conversion") == [(30, 6)]


def test_business_calendar_follows_time_zones_weekends_and_holidays(warehouse):
    got = dict(query(warehouse, """
        SELECT business_day_id, strftime(opens_at AT TIME ZONE 'UTC', '%H:%M') || '-'
               || strftime(closes_at AT TIME ZONE 'UTC', '%H:%M')
        FROM marts.dim_business_hours
        WHERE local_date IN ('2026-03-02', '2026-03-07', '2026-03-09', '2026-11-26',
                             '2026-11-27') AND team IN ('na', 'emea')"""))
    assert got == {
        # New York switches to daylight time on Mar 8 2026, Berlin on Mar 29
        "na|2026-03-02": "14:00-22:00", "na|2026-03-09": "13:00-21:00",
        "emea|2026-03-02": "08:00-16:30", "emea|2026-03-09": "08:00-16:30",
        # Mar 7 is a Saturday; Nov 26 is Thanksgiving for na only (seed team_holidays);
        # emea closes at 16:00 on Fridays
        "emea|2026-11-26": "08:00-16:30", "na|2026-11-27": "14:00-22:00",
        "emea|2026-11-27": "08:00-15:00",
    }
