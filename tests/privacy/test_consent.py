"""The consent log: SendGrid's deferred and group events are accepted at ingestion;
fct_consent_events holds one row per consent change, dim_consent_states the state in force
per person and subscription group, and segment_base reads it."""

from __future__ import annotations

from pipelines.ingest import ingest_source
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES
from tests.dbt.workspace import FIXTURE, dbt, ingest
from tests.inbox_files import write_rows
from tests.privacy.person import BUILD, KEY, LEAD_ID, python_rows

EVENTS = [  # (event, minute, asm_group_id)
    ("delivered", 0, None), ("deferred", 1, None), ("group_unsubscribe", 2, "42"),
    ("group_resubscribe", 3, "42"), ("group_unsubscribe", 4, "7"), ("spamreport", 5, None),
]


def test_consent_log(lf_paths, tmp_path):
    ingest(lf_paths.warehouse, FIXTURE / "day1", lf_paths.inbox)
    write_rows(lf_paths.inbox / "forms" / "consent.csv", [
        {"submission_id": "c1", "submitted_at": "2026-03-04T09:00:00Z", "email": KEY,
         "form_id": "newsletter", "consent_marketing": "yes", "consent_legal_basis": "Consent"},
    ], "csv")
    write_rows(lf_paths.inbox / "email" / "consent.jsonl", [
        {"event_id": f"ce{i}", "occurred_at": f"2026-03-05T10:0{minute}:00Z", "email": KEY,
         "event": event, "campaign_id": "newsletter_2026_03_10",
         **({"asm_group_id": group} if group else {})}
        for i, (event, minute, group) in enumerate(EVENTS)], "jsonl")
    con = open_duckdb(lf_paths.warehouse)
    try:
        for name in ("forms", "email"):
            result = ingest_source(con, SOURCES[name], lf_paths.inbox)
            assert result.rows_quarantined == 0, con.execute(
                "SELECT reason FROM raw._quarantine").fetchall()
    finally:
        con.close()
    python_rows(lf_paths.warehouse)
    dbt(tmp_path / "dbt", lf_paths.warehouse, *BUILD)

    con = open_duckdb(lf_paths.warehouse, read_only=True)
    try:
        log = con.execute(
            "SELECT consent_event_type, subscription_group, has_consent, legal_basis "
            "FROM marts.fct_consent_events WHERE lead_id = ? ORDER BY occurred_at",
            [LEAD_ID]).fetchall()
        assert log == [
            ("form_opt_in", "all", True, "consent"),
            ("group_unsubscribe", "42", False, None),
            ("group_resubscribe", "42", True, None),
            ("group_unsubscribe", "7", False, None),
            ("spam_report", "all", False, None),
        ]
        states = con.execute(
            "SELECT subscription_group, has_consent, last_consent_event_type, "
            "opt_in_legal_basis FROM marts.dim_consent_states WHERE lead_id = ? ORDER BY 1",
            [LEAD_ID]).fetchall()
        assert states == [("42", True, "group_resubscribe", None),
                          ("7", False, "group_unsubscribe", None),
                          ("all", False, "spam_report", "consent")]
        # segment exports read the state of 'all' (the fixture's own leads included)
        mismatches = con.execute(
            "SELECT count(*) FROM activation.segment_base b LEFT JOIN marts.dim_consent_states s "
            "ON s.lead_id = b.lead_id AND s.subscription_group = 'all' "
            "WHERE b.has_marketing_consent <> coalesce(s.has_consent, false)").fetchone()[0]
        assert mismatches == 0
    finally:
        con.close()
