"""The dbt project on a hand-made two-day drop (data/sample/dbt, story in its README.md).

Day 1 is loaded and built from scratch, day 2 is loaded and built incrementally, and a
copy of the same warehouse is rebuilt with --full-refresh: every model must agree. The
numbers asserted below are worked out by hand from the fixture files.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.dbt.workspace import LAYERS, rows


@pytest.fixture(scope="module")
def con(warehouses):
    connection = duckdb.connect(str(warehouses["incremental"]), read_only=True)
    yield connection
    connection.close()


def test_incremental_build_equals_full_refresh(warehouses):
    con = duckdb.connect(str(warehouses["full"]), read_only=True)
    con.execute(f"ATTACH '{warehouses['incremental']}' AS inc (READ_ONLY)")
    tables = rows(con, "SELECT table_schema, table_name FROM information_schema.tables "
                       f"WHERE table_catalog = 'full_refresh' AND table_schema IN {LAYERS}")
    assert len(tables) >= 16
    for schema, table in tables:
        for a, b in ((f"full_refresh.{schema}.{table}", f"inc.{schema}.{table}"),
                     (f"inc.{schema}.{table}", f"full_refresh.{schema}.{table}")):
            extra = rows(con, f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})")[0][0]
            assert extra == 0, f"{a} has {extra} rows that {b} lacks"
    con.close()


def test_people_after_dedup(con):
    people = rows(con, "SELECT email, identified_via FROM marts.dim_leads ORDER BY email")
    assert people == [("ann.lee@acme.com", "forms"), ("bob@gmail.com", "forms"),
                      ("dora@northwind.de", "forms"), ("erin@outlook.com", "email_events")]
    lead_id = rows(con, "SELECT lead_id FROM marts.dim_leads WHERE email = 'ann.lee@acme.com'")
    assert lead_id == rows(con, "SELECT md5('ann.lee@acme.com')")


def test_every_record_is_explained(con):
    decisions = rows(con, """
        SELECT record_source, record_id, merge_rule, email FROM marts.fct_merge_decisions
        WHERE record_source IN ('forms', 'crm_deals', 'web_visitors')
        ORDER BY record_source, record_id""")
    assert decisions == [
        ("crm_deals", "ANN.LEE@ACME.COM", "email_case_or_whitespace", "ann.lee@acme.com"),
        ("crm_deals", "ann.lee@acme.com", "exact_email", "ann.lee@acme.com"),
        ("forms", "f1", "email_case_or_whitespace", "ann.lee@acme.com"),
        ("forms", "f2", "exact_email", "ann.lee@acme.com"),
        ("forms", "f3", "email_case_or_whitespace", "ann.lee@acme.com"),
        ("forms", "f4", "email_plus_tag", "bob@gmail.com"),
        ("forms", "f5", "exact_email", "bob@gmail.com"),
        ("forms", "f6", "rejected_invalid_email", None),
        ("forms", "f7", "exact_email", "dora@northwind.de"),
        ("web_visitors", "a1-ann-desktop", "stitched_web_identify", "ann.lee@acme.com"),
        ("web_visitors", "a2-ann-phone", "stitched_web_event", "ann.lee@acme.com"),
        ("web_visitors", "b1-bob-laptop", "stitched_form_submission", "bob@gmail.com"),
        ("web_visitors", "d1-dora", "stitched_form_submission", "dora@northwind.de"),
        ("web_visitors", "e1-bob-phone", "stitched_email_click", "bob@gmail.com"),
    ]
    assert rows(con, "SELECT count(*) FROM marts.fct_merge_decisions") == [(21,)]
    origins = rows(con, "SELECT record_id FROM marts.fct_merge_decisions "
                        "WHERE is_person_origin AND record_source = 'forms' ORDER BY 1")
    assert origins == [("f1",), ("f4",), ("f7",)]


def test_golden_record_survivorship(con):
    ann = rows(con, """
        SELECT first_name, last_name, company_name, job_title, seniority, department,
               country_code, region, has_marketing_consent, form_submission_count,
               form_conversion_count, first_conversion_form_id, latest_conversion_form_id
        FROM marts.dim_leads WHERE email = 'ann.lee@acme.com'""")
    assert ann == [("Ann", "Lee", "Acme", "CMO", "c_level", "marketing", "US", "na", False,
                    3, 2, "demo-request", "ebook-lead-scoring-guide")]
    bob = rows(con, """
        SELECT first_name, company_domain, is_free_email, seniority, country_code,
               has_marketing_consent, marketing_consent_source, has_unsubscribed
        FROM marts.dim_leads WHERE email = 'bob@gmail.com'""")
    assert bob == [("Bob", None, True, "student", "DE", False, "email_unsubscribe", True)]
    dora = rows(con, """
        SELECT company_domain, seniority, department, country_code, country_source
        FROM marts.dim_leads WHERE email = 'dora@northwind.de'""")
    assert dora == [("northwind.de", "director", "data", "DE", "email_domain_tld")]


def test_anonymous_history_belongs_to_the_person(con, warehouses):
    ann = rows(con, """
        SELECT web_visitor_count, web_session_count, web_sessions_before_creation,
               web_page_view_count, pricing_page_views, original_channel,
               original_touch_at, latest_channel
        FROM marts.dim_leads WHERE email = 'ann.lee@acme.com'""")
    # desktop: Feb 20 (blog, pricing, late docs, demo: one session) and Mar 2 (demo);
    # phone: Mar 12 (pricing, pricing/enterprise)
    assert len(ann) == 1
    visitors, sessions, before, views, pricing, original, original_at, latest = ann[0]
    assert (visitors, sessions, before, views, pricing) == (2, 3, 2, 7, 3)
    assert (original, latest) == ("organic_search", "direct")
    assert original_at.isoformat().startswith("2026-02-20T10:00:00")

    bob = rows(con, "SELECT web_visitor_count, original_channel, latest_channel "
                    "FROM marts.dim_leads WHERE email = 'bob@gmail.com'")
    assert bob == [(2, "events", "email")]

    with duckdb.connect(str(warehouses["day1"]), read_only=True) as day1:
        # before day 2 the phone was anonymous and the desktop's Feb 20 visits were two sessions
        assert rows(day1, "SELECT is_identified FROM intermediate.int_identities_stitched "
                          "WHERE anonymous_id = 'e1-bob-phone'") == [(False,)]
        assert rows(day1, "SELECT count(*) FROM intermediate.int_web_sessions "
                          "WHERE anonymous_id = 'a1-ann-desktop'") == [(3,)]


def test_machine_opens_and_scanner_clicks_are_not_engagement(con, warehouses):
    counts = rows(con, """
        SELECT email, email_opens_raw, email_opens_human, email_clicks_raw, email_clicks_human
        FROM marts.dim_leads ORDER BY email""")
    assert counts == [("ann.lee@acme.com", 2, 1, 2, 1), ("bob@gmail.com", 1, 0, 1, 1),
                      ("dora@northwind.de", 1, 0, 1, 0), ("erin@outlook.com", 0, 0, 0, 0)]
    rules = rows(con, "SELECT event_id, machine_rule FROM intermediate.int_email_events_classified "
                      "WHERE machine_rule IS NOT NULL ORDER BY event_id")
    assert rules == [
        ("m1c1", "scanner_user_agent:barracuda"),
        ("m1o1", "opened_within_15s_of_delivery"),
        ("m2o", "proxy_user_agent:apple_mail_privacy_protection"),
        ("m3c", "scanner_user_agent:proofpoint"),
        ("m3o", "opened_within_15s_of_delivery"),
    ]
    with duckdb.connect(str(warehouses["day1"]), read_only=True) as day1:
        # Dora's open had no delivery on day 1: it counted as human until day 2 timed it
        assert rows(day1, "SELECT email_opens_human FROM marts.dim_leads "
                          "WHERE email = 'dora@northwind.de'") == [(1,)]


def test_staging_keeps_first_copy_and_latest_restatement(con):
    assert rows(con, "SELECT page_path FROM staging.stg_web__events WHERE event_id = 'w01'") == [
        ("/blog/lead-scoring-101",)]
    assert rows(con, "SELECT deal_stage FROM staging.stg_crm__deal_states ORDER BY state_at") == [
        ("appointmentscheduled",), ("closedwon",)]
    assert rows(con, "SELECT cost FROM staging.stg_spend__costs WHERE channel = 'paid_search'") == [
        (120,)]
