"""Touchpoints and attribution on the hand-made two-day drop (data/sample/dbt, story in its
README.md). Rules: dbt_project/models/marts/attribution/_attribution__models.yml (weights in
seed attribution_models, 90-day lookback and 7-day half-life in attribution_parameters).

Worked out by hand from the fixture files, Ann's touches in order:
  1 Feb 20 10:00  web_session      desktop, anonymous, from Google search   organic_search
  2 Mar  2 10:00  web_session      desktop, Google ad, brand_search           paid_search
  3 Mar  2 10:05  form_submission  f1 demo request (creates the lead)         paid_search
  4 Mar  2 10:40  sales_activity   ac1 call                                   direct
  5 Mar 10 09:00  form_submission  f2 ebook (f3, 8 s later, is a double submit: no touch)
  6 Mar 10 16:01  email_click      m1c2 human click (m1c1, Barracuda, is a scanner)  email
  7 Mar 12 08:00  web_session      phone, pricing (last before deal d1)       direct
Deal d1 (11,500 USD) is created Mar 15 10:00 (pipeline) and won Mar 20 16:00 (revenue); no
touch lies between, so both conversions share the same seven touches and credits.
First touch: all to touch 1. W-shaped: 30% each to touch 1 (first), 3 (lead creation), 7
(opportunity creation); 10% shared by touches 2, 4, 5, 6 (2.5% each). U-shaped: 40% to 1
and 3, 20% to 2 (the only touch between them), none to 4-7. Linear: 1/7 each.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.dbt.workspace import rows

ANN = "md5('ann.lee@acme.com')"


@pytest.fixture(scope="module")
def con(warehouses):
    connection = duckdb.connect(str(warehouses["incremental"]), read_only=True)
    yield connection
    connection.close()


def test_ann_touchpoints_across_channels(con):
    touches = rows(
        con,
        f"""
        SELECT strftime(touched_at AT TIME ZONE 'UTC', '%m-%d %H:%M'), touch_type,
               CASE WHEN touch_type = 'web_session' THEN touch_detail ELSE source_record_id END,
               channel, campaign, is_lead_creation_touch, is_opportunity_creation_touch
        FROM marts.fct_touchpoints WHERE lead_id = {ANN} ORDER BY touch_number""",
    )
    assert touches == [
        (
            "02-20 10:00",
            "web_session",
            "/blog/lead-scoring-101",
            "organic_search",
            None,
            False,
            False,
        ),
        ("03-02 10:00", "web_session", "/demo", "paid_search", "brand_search", False, False),
        ("03-02 10:05", "form_submission", "f1", "paid_search", "brand_search", True, False),
        ("03-02 10:40", "sales_activity", "ac1", "sales", None, False, False),
        ("03-10 09:00", "form_submission", "f2", "direct", None, False, False),
        ("03-10 16:01", "email_click", "m1c2", "email", "newsletter_2026_03_10", False, False),
        ("03-12 08:00", "web_session", "/pricing", "direct", None, False, True),
    ]


def test_every_lead_has_one_lead_creation_touch(con):
    assert rows(
        con,
        """
        SELECT count(DISTINCT lead_id), count(*) FILTER (WHERE is_lead_creation_touch)
        FROM marts.fct_touchpoints""",
    ) == [(3, 3)]  # Erin never clicked: no touch
    # Dora: her session, her contact-sales form and the rep's e-mail ac2
    assert rows(
        con,
        """
        SELECT touch_type, count(*) FROM marts.fct_touchpoints
        JOIN marts.dim_leads USING (lead_id) WHERE email = 'dora@northwind.de'
        GROUP BY ALL ORDER BY 1""",
    ) == [("form_submission", 1), ("sales_activity", 1), ("web_session", 1)]


def test_ann_credits_by_hand(con):
    credits = rows(
        con,
        f"""
        SELECT model, list(credit ORDER BY touch_number)
        FROM marts.fct_attribution JOIN marts.fct_touchpoints USING (touchpoint_id)
        WHERE fct_attribution.lead_id = {ANN} AND conversion_type = 'revenue'
        GROUP BY model ORDER BY model""",
    )
    seventh = round(1 / 7, 6)
    assert dict(credits) | {"time_decay": None} == {
        "first_touch": [1, 0, 0, 0, 0, 0, 0],
        "last_touch": [0, 0, 0, 0, 0, 0, 1],
        "linear": [seventh] * 7,
        "u_shaped": [0.4, 0.2, 0.4, 0, 0, 0, 0],
        "w_shaped": [0.3, 0.025, 0.3, 0.025, 0.025, 0.025, 0.3],
        "time_decay": None,
    }
    # pipeline (Mar 15) and revenue (Mar 20) see the same touches: same credits
    assert rows(
        con,
        f"""
        SELECT count(*) FROM (
            SELECT model, touchpoint_id, credit FROM marts.fct_attribution
            WHERE lead_id = {ANN} AND conversion_type = 'pipeline'
            EXCEPT
            SELECT model, touchpoint_id, credit FROM marts.fct_attribution
            WHERE lead_id = {ANN} AND conversion_type = 'revenue')""",
    ) == [(0,)]


def test_ann_time_decay_halves_every_seven_days(con):
    # days before the pipeline conversion (Mar 15 10:00), worked out from the timestamps
    days = [
        23,
        13,
        13 - 5 / 1440,
        13 - 40 / 1440,
        5 + 1 / 24,
        4 + (17 * 60 + 59) / 1440,
        3 + 2 / 24,
    ]
    raw = rows(
        con,
        f"""
        SELECT raw_weight, credit
        FROM marts.fct_attribution JOIN marts.fct_touchpoints USING (touchpoint_id)
        WHERE fct_attribution.lead_id = {ANN} AND conversion_type = 'pipeline'
          AND model = 'time_decay'
        ORDER BY touch_number""",
    )
    expected = [0.5 ** (d / 7) for d in days]
    assert [r[0] for r in raw] == pytest.approx(expected)
    assert [r[1] for r in raw] == pytest.approx([w / sum(expected) for w in expected], abs=1e-6)


def test_revenue_by_channel_first_touch_vs_w_shaped(con):
    report = rows(
        con,
        """
        SELECT model, channel, sum(attributed_revenue_usd), sum(wins_touched)
        FROM marts.rpt_attribution_by_channel
        WHERE model IN ('first_touch', 'w_shaped')
        GROUP BY ALL HAVING sum(attributed_revenue_usd) > 0 ORDER BY model, channel""",
    )
    assert report == [
        ("first_touch", "organic_search", 11500, 1),
        ("w_shaped", "direct", 3737.5, 1),  # f2 2.5%, phone session 30%
        ("w_shaped", "email", 287.5, 1),  # m1c2 2.5%
        ("w_shaped", "organic_search", 3450, 1),  # first touch 30%
        ("w_shaped", "paid_search", 3737.5, 1),  # f1 30% + the Mar 2 session 2.5%
        ("w_shaped", "sales", 287.5, 1),  # ac1 2.5%
    ]
