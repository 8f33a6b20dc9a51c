"""Nothing lost on the way (issue 13): the marts, activation and ops tables of two fixture
builds, and the daily report's tables, must hold the rows they held before the warehouse's
logic moved into dbt. The counts and hashes below were taken from the code as it stood
before that move (commit 9226c62); tests/pinned/tables.py says how a hash is made.

The builds: the hand-made fixture (data/sample/dbt, day 1 then day 2 incremental) and
800 generated leads (seed 11, 150 days to 2026-06-30) built in full; then, at a fixed
moment, deterministic lead scores (a hash of the lead id) for every open lead, routing,
SLA breaches, nurture tracks and segments, and the report of the day scored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from tests.dbt.workspace import FIXTURE, dbt, ingest
from tests.pinned.activation import activate, write_report
from tests.pinned.tables import csv_hash, schema_tables, table_hash

FIXTURE_RUN = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)
GENERATED_RUN = dt.datetime(2026, 6, 30, 6, 0, tzinfo=dt.UTC)
GENERATE = ["--leads", "800", "--days", "150", "--seed", "11", "--end-date", "2026-06-30"]
SCHEMAS = ("marts", "activation", "ops")

# pinned name -> where the table is now
MOVED_TABLES: dict[str, str] = {
    "marts.fct_lead_scores": "marts.fct_lead_rule_scores",
    "marts.fct_lead_score_contributions": "marts.fct_lead_rule_score_contributions",
    "ops.sla_breaches": "activation.sla_breaches",
}
# table (pinned name) -> {column now: pinned column}
RENAMED_COLUMNS: dict[str, dict[str, str]] = {}
# columns added since the pin (issue 18: routing_note, why a rep could not take the lead):
# left out of the hash, and NULL on every row of these builds (no cap, no absence on the
# run dates), which test_added_columns_hold_nothing_here checks
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "ops.lead_assignments": ("routing_note",),
    "ops.lead_assignment_events": ("routing_note",),
}

PINNED = {
    "fixture": {
        "activation.nurture_tracks": (3, "18de5457aa67ec55d2a6fd2e41df651d"),
        "activation.segment_members": (2, "d6119b0be4d087194ea35c667f7666b9"),
        "activation.segments": (4, "c8e84b82584700bb0a81cc47bc0072ac"),
        "marts.dim_leads": (4, "7f81f1882fda0dcda22177a60dff1279"),
        "marts.fct_attribution": (84, "75e8ae9e4fb2dc15910d5ae6a57cdc08"),
        "marts.fct_deals": (1, "30735d31b007ea9de3df0034ca017180"),
        # re-pinned (issue 15): rule_score on training rows applies the fit rules to the profile
        # fields known at the snapshot (not to ones from later forms); new feature columns
        # rule_fit_points, rule_engagement_points and <behaviour>s_decayed
        "marts.fct_lead_features": (3, "be27b5b9120261423309a22e79dd4942"),
        "marts.fct_lead_funnel": (4, "95d2a77de2e9c0fe3b4cf8168ebde433"),
        "marts.fct_lead_score_contributions": (48, "5e50d92771150766a338334e187687c8"),
        "marts.fct_lead_scores": (4, "739f95a40cfbf57af561ab3d335513a2"),
        "marts.fct_lead_stages": (9, "fc10f7aebab9c6c2e9643f4c91fda853"),
        "marts.fct_merge_decisions": (21, "47e731b51fe8a017d27f933e7aede5f7"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.fct_speed_to_lead": (2, "ccd214bd0d484bda19f9364f4808acaa"),
        "marts.fct_touchpoints": (15, "b47bc125c5b2436bc6cdd61ddd49baeb"),
        "marts.rpt_attribution_by_channel": (30, "cab3a214a6a50669b139a37957752622"),
        "marts.rpt_channel_roi": (66, "7cb04c567921614097221db960930e67"),
        "marts.rpt_deals_by_attribute": (2, "487666d8b64153c68b11e8d176afa927"),
        "marts.rpt_funnel_conversion": (10, "bb6cea00e8a23085ad4448332532c363"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.rpt_headline_kpis": (17, "a30be7ff8ce040287551b3f8a1834621"),
        "marts.rpt_sales_kpis": (1, "7ff6ebf986fddc916986d004cf404c8a"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.rpt_speed_to_lead": (9, "4747436fce30306f6cd1aec9d9da50d5"),
        "ops.lead_assignment_events": (3, "e5781bcff3871f23652c15e299f06ca0"),
        "ops.lead_assignments": (3, "f0641d855e09b469874a896fc7ee4105"),
        "ops.sla_breaches": (0, "d41d8cd98f00b204e9800998ecf8427e"),
    },
    "generated": {
        "activation.nurture_tracks": (738, "5c0270800847cf28469136a124e2847f"),
        "activation.segment_members": (1061, "2831e0cc0a317ffea1d0cfdcb27d23a1"),
        "activation.segments": (4, "a8730b367f2b4e99c74b37a54216c473"),
        "marts.dim_leads": (800, "2182c751858f178d9caefa2c0f013723"),
        "marts.fct_attribution": (10878, "8591debf7961b32b95632caab54382f5"),
        "marts.fct_deals": (121, "4f90b2b18085a26244ab3835e502cd8b"),
        # re-pinned (issue 15): rule_score on training rows applies the fit rules to the profile
        # fields known at the snapshot (not to ones from later forms); new feature columns
        # rule_fit_points, rule_engagement_points and <behaviour>s_decayed
        "marts.fct_lead_features": (1681, "d4c3a808daf913546cb5cbc1efd8d31f"),
        "marts.fct_lead_funnel": (800, "000eab3bfa35603a372194c6646984af"),
        "marts.fct_lead_score_contributions": (9600, "72351bc48c03c3852476ad43519a2a2e"),
        "marts.fct_lead_scores": (800, "1f3347676a5f73aafe1d4378f8a5f57b"),
        "marts.fct_lead_stages": (1347, "e16beacb7a351a120bdec16f303a24be"),
        # re-pinned (issue 16): SendGrid `deferred` events are accepted now, so a spelling's
        # first e-mail record may be one; the same 3646 decisions (the old hash with
        # `deferred` quarantined again was checked equal)
        "marts.fct_merge_decisions": (3646, "c0466356a1a66c81a3d372f39b3722f7"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.fct_speed_to_lead": (230, "aff010678d489fed26104b1b2f5eddac"),
        "marts.fct_touchpoints": (5353, "9985d6878edac5f18de9644de37174d5"),
        "marts.rpt_attribution_by_channel": (180, "0606f639483c4d15ca81d4f8733cbed1"),
        "marts.rpt_channel_roi": (66, "09bea28365be024c08403a335773cea6"),
        "marts.rpt_deals_by_attribute": (32, "1c99084f62d4184fc3a1769ca690e7ff"),
        "marts.rpt_funnel_conversion": (54, "aaad302ff0ec268616321e4624cf0ba5"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.rpt_headline_kpis": (17, "4e3f097ff2c7dfc0c940bcc822fbe79c"),
        "marts.rpt_sales_kpis": (4, "05f6158c7326e8a113013d35ac34ed68"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.rpt_speed_to_lead": (102, "5c78a5e471e610a6b8660192b4261237"),
        "ops.lead_assignment_events": (738, "47d8d48c4978e9d3554e62d2b931e4fd"),
        "ops.lead_assignments": (738, "f9441e7e38f449b7b2d1e1c993ab2067"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        # (23 of the 102 calendar-hour breaches are within business hours)
        "ops.sla_breaches": (79, "b0df65e16a20882ebb83d213b9b613af"),
    },
}

# the funnel's rates now come from rpt_funnel_conversion, rounded to 4 decimals half away
# from zero (the report computed them itself before): compared to 3 decimals
REPORT_DECIMALS = {"funnel.csv": 3}

PINNED_REPORT = {
    "channel_roi.csv": (66, "4b7d57541fd8e99c2bb7199431949028"),
    "cohort_conversion.csv": (45, "8391f24d9f55570c31a92a2c42532df7"),
    # re-pinned (issue 16): the generated e-mail files' `deferred` events are loaded now, not
    # quarantined as unknown, so e-mail's quarantined rows drop and that reason leaves the
    # top 20 (the other rows equal)
    "data_quality_sources.csv": (6, "f50cd34ca0c21acd79c1051781517437"),
    "funnel.csv": (5, "450ceda263f422aef48a6f921eaa80e0"),
    # re-pinned (issue 18): SLA per tier in business hours of the team calendar
    "headline_kpis.csv": (17, "a4e7743f0722b645452dcbc0297c1b7b"),
    # re-pinned (issue 18): SLA per tier in business hours of the team calendar
    "open_sla_breaches.csv": (36, "cfcb35d0c0be13f24548cf2dcd2886cc"),
    "quarantine_reasons.csv": (20, "4bf5c6cf666d77a3c87c24bfeda1207b"),
    "sales_kpis.csv": (4, "4b7362f64104eb2b53b8c9e011530d9b"),
    # re-pinned (issue 18): SLA per tier in business hours of the team calendar
    "speed_to_lead_by_channel.csv": (8, "b9360e8e865e275cc33f88159256a3c7"),
    # re-pinned (issue 18): SLA per tier in business hours of the team calendar
    "speed_to_lead_by_team.csv": (4, "96ab8bcfd37b0854fbc1baba2825b20a"),
    # re-pinned (issue 18): SLA per tier in business hours of the team calendar
    "speed_to_lead_distribution.csv": (8, "ea0ad973c9879ff85961d38bb8a42091"),
}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    from pipelines.cli import main

    work = tmp_path_factory.mktemp("pinned")
    fixture, inbox = work / "fixture.duckdb", work / "inbox"
    ingest(fixture, FIXTURE / "day1", inbox)
    dbt(work, fixture, "build")
    ingest(fixture, FIXTURE / "day2", inbox)
    dbt(work, fixture, "build")
    activate(work, fixture, FIXTURE_RUN)

    generated, drop = work / "generated.duckdb", work / "generated"
    assert main(["generate", *GENERATE, "--inbox", str(drop / "inbox"),
                 "--truth", str(drop / "truth.parquet")]) == 0
    ingest(generated, drop / "inbox", work / "inbox2")
    dbt(work, generated, "build")
    activate(work, generated, GENERATED_RUN)
    report = write_report(generated, work / "reports", GENERATED_RUN.date() - dt.timedelta(days=1))
    return {"fixture": fixture, "generated": generated, "report": report}


def current(con: duckdb.DuckDBPyConnection, pinned: dict) -> dict[str, tuple[int, str]]:
    found = set(schema_tables(con, ("marts", "activation", "ops", "intermediate")))
    out = {}
    for table in pinned:
        where = MOVED_TABLES.get(table, table)
        if where in found:
            out[table] = table_hash(con, where, RENAMED_COLUMNS.get(table),
                                    ADDED_COLUMNS.get(table, ()))
    return out


@pytest.mark.parametrize("build", ["fixture", "generated"])
def test_every_pinned_table_holds_the_same_rows(builds, build):
    with duckdb.connect(str(builds[build]), read_only=True) as con:
        assert current(con, PINNED[build]) == PINNED[build]


@pytest.mark.parametrize("build", ["fixture", "generated"])
def test_added_columns_hold_nothing_here(builds, build):
    with duckdb.connect(str(builds[build]), read_only=True) as con:
        for table, columns in ADDED_COLUMNS.items():
            for column in columns:
                assert con.execute(f"SELECT count({column}) FROM {table}").fetchone()[0] == 0


def test_the_report_tables_hold_the_same_rows(builds):
    found = {path.name: csv_hash(path, REPORT_DECIMALS.get(path.name, 6))
             for path in sorted(builds["report"].glob("*.csv"))}
    assert {name: found.get(name) for name in PINNED_REPORT} == PINNED_REPORT
