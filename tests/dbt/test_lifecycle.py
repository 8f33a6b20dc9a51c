"""Lifecycle stages and deals on the hand-made two-day drop (data/sample/dbt, story in its
README.md). Rules: seed lifecycle_rules (MQL: a high-intent form, or 20 points of human
engagement within 30 days; SQL: a meeting or demo by sales, or a deal created).

Worked out by hand from the fixture files:
- Ann becomes a lead with her demo request f1 (Mar 2 10:05 UTC), which also makes her an
  MQL (high-intent form). Her call ac1 is not sales acceptance (only meetings and demos
  are); deal d1, created Mar 15 10:00, makes her SQL and opportunity. On day 1 d1 is open
  (appointmentscheduled); on day 2 it is won, closed Mar 20 16:00: customer.
- Dora's contact-sales form f7 (Mar 8 15:00+01:00 = 14:00 UTC) makes her lead and MQL at
  once; the rep's e-mail ac2 does not make her an SQL.
- Bob (webinar and newsletter forms, two sessions, one human click: 4 points) and Erin
  (e-mail only) stay leads.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.dbt.workspace import rows

STAGES = """
    SELECT stage, strftime(entered_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'), entered_via, deal_id
    FROM marts.fct_lead_stages JOIN marts.dim_leads USING (lead_id)
    WHERE email = ? ORDER BY stage_order"""


@pytest.fixture(scope="module")
def lifecycle(warehouses) -> dict[str, Path]:
    return {"day1": warehouses["day1"], "day2": warehouses["incremental"]}


def stages(path: Path, email: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(STAGES, [email]).fetchall()


def test_ann_moves_from_demo_request_to_customer(lifecycle):
    opened = [
        ("lead", "2026-03-02 10:05", "first_identified", None),
        ("mql", "2026-03-02 10:05", "high_intent_form", None),
        ("sql", "2026-03-15 10:00", "deal_created", None),
        ("opportunity", "2026-03-15 10:00", "first_deal_created", "d1"),
    ]
    assert stages(lifecycle["day1"], "ann.lee@acme.com") == opened
    assert stages(lifecycle["day2"], "ann.lee@acme.com") == [
        *opened, ("customer", "2026-03-20 16:00", "first_deal_won", "d1")]


def test_others_stop_where_the_story_leaves_them(lifecycle):
    assert stages(lifecycle["day2"], "dora@northwind.de") == [
        ("lead", "2026-03-08 14:00", "first_identified", None),
        ("mql", "2026-03-08 14:00", "high_intent_form", None),
    ]
    with duckdb.connect(str(lifecycle["day2"]), read_only=True) as con:
        funnel = rows(con, """
            SELECT email, current_stage, funnel_position, is_customer,
                   strftime(customer_entered_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
                   days_lead_to_customer
            FROM marts.fct_lead_funnel JOIN marts.dim_leads USING (lead_id) ORDER BY email""")
    assert funnel == [
        ("ann.lee@acme.com", "customer", "customer", True, "2026-03-20", 18),
        ("bob@gmail.com", "lead", "TOFU", False, None, None),
        ("dora@northwind.de", "mql", "MOFU", False, None, None),
        ("erin@outlook.com", "lead", "TOFU", False, None, None),
    ]
    with duckdb.connect(str(lifecycle["day1"]), read_only=True) as con:
        ann = rows(con, "SELECT current_stage, funnel_position FROM marts.fct_lead_funnel "
                        "JOIN marts.dim_leads USING (lead_id) WHERE email = 'ann.lee@acme.com'")
    assert ann == [("opportunity", "BOFU")]


def test_deal_takes_its_latest_state(lifecycle):
    with duckdb.connect(str(lifecycle["day2"]), read_only=True) as con:
        deals = rows(con, """
            SELECT deal_id, lead_id = md5('ann.lee@acme.com'), stage, status, amount, currency,
                   amount_usd, owner, product, is_won, is_closed, days_to_close, state_count
            FROM marts.fct_deals""")
    assert deals == [("d1", True, "closedwon", "won", 11500, "USD", 11500, "ana.silva",
                      "Analytics Cloud", True, True, 5, 2)]
