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
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dbt.workspace import dbt, ingest
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
        # re-pinned (issue 18): history the first routing run backfills is assigned as of each
        # lead's creation, not the run's moment
        "marts.fct_speed_to_lead": (2, "4cf9f1b7eca8b95bbc676686ef579dfc"),
        "marts.fct_touchpoints": (15, "b47bc125c5b2436bc6cdd61ddd49baeb"),
        # re-pinned at 3 decimals (TABLE_DECIMALS / REPORT_DECIMALS)
        "marts.rpt_attribution_by_channel": (30, "7d24565468db43e69f0cfbecbfd13807"),
        # re-pinned at 3 decimals (TABLE_DECIMALS / REPORT_DECIMALS)
        "marts.rpt_channel_roi": (66, "55414f01729c679898878f245be70c89"),
        "marts.rpt_deals_by_attribute": (2, "487666d8b64153c68b11e8d176afa927"),
        "marts.rpt_funnel_conversion": (10, "bb6cea00e8a23085ad4448332532c363"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.rpt_headline_kpis": (17, "a30be7ff8ce040287551b3f8a1834621"),
        "marts.rpt_sales_kpis": (1, "7ff6ebf986fddc916986d004cf404c8a"),
        # re-pinned (issue 18): the SLA is seed sla_policies' hours of the lead's tier in business
        # hours of the team calendar, assigned_at is routing's (ops.lead_assignments)
        "marts.rpt_speed_to_lead": (9, "4747436fce30306f6cd1aec9d9da50d5"),
        # re-pinned (issue 18): history the first routing run backfills is assigned as of each
        # lead's creation, not the run's moment
        "ops.lead_assignment_events": (3, "fbc725223588feb8617d0cfb1f9c79ae"),
        # re-pinned (issue 18): history the first routing run backfills is assigned as of each
        # lead's creation, not the run's moment
        "ops.lead_assignments": (3, "6e5fa99e952988eccbaafe0681032469"),
        "ops.sla_breaches": (0, "d41d8cd98f00b204e9800998ecf8427e"),
    },
    # re-pinned (issue 18): the generator carries the one-hour effect (a lead's conversion
    # depends on how fast sales answered it), so the generated inbox is not the one pinned;
    # the fixture build above shows the code changes alone
    "generated": {
        "activation.nurture_tracks": (741, "d228df116ae2fe136583401fa96b2777"),
        "activation.segment_members": (1074, "ceda69a6aea6df431cd483951b0a773a"),
        "activation.segments": (4, "59e6fbb60ad759201500cd1a46f37c9e"),
        "marts.dim_leads": (800, "d37bca07a9691b0b33266a8d6352c478"),
        "marts.fct_attribution": (9966, "20a829ac28bef0c0daf0879449f72165"),
        "marts.fct_deals": (107, "03818d1c1065812072fe9033e50f3e2b"),
        "marts.fct_lead_features": (1670, "745da29201c67e0bd2dada9d4d5f5afc"),
        "marts.fct_lead_funnel": (800, "be0c962bd6d10e4a24f76c07e1362cf9"),
        "marts.fct_lead_score_contributions": (9600, "72351bc48c03c3852476ad43519a2a2e"),
        "marts.fct_lead_scores": (800, "1f3347676a5f73aafe1d4378f8a5f57b"),
        "marts.fct_lead_stages": (1306, "85e0d9cf7e80764fd02d50f52f7415e0"),
        "marts.fct_merge_decisions": (3607, "0f9342250a938c0dda1b414a8912bd15"),
        "marts.fct_speed_to_lead": (230, "374e23c08b0b778f2b877ceae37f647e"),
        "marts.fct_touchpoints": (5260, "dc8e9fb5788c52eaa55111c3323f7733"),
        # re-pinned at 3 decimals (TABLE_DECIMALS / REPORT_DECIMALS)
        "marts.rpt_attribution_by_channel": (168, "96d1e88a552befa4b9071137d5deadba"),
        # re-pinned at 3 decimals (TABLE_DECIMALS / REPORT_DECIMALS)
        "marts.rpt_channel_roi": (66, "68242300d18c04616a95772b721ff8cd"),
        "marts.rpt_deals_by_attribute": (31, "a3b441edeae674b4b3667c1b9bf22cf7"),
        "marts.rpt_funnel_conversion": (54, "9736181a482d570c676327806d166922"),
        "marts.rpt_headline_kpis": (17, "bc31b4bebf44d46ba4ada90773255ab9"),
        "marts.rpt_sales_kpis": (4, "6c5555e94e0968534400f60ad5d8b561"),
        "marts.rpt_speed_to_lead": (97, "9beccb878e08331e2791015f6cfbfbe9"),
        "ops.lead_assignment_events": (741, "63dae4f6badffec8ff089aa6e585472f"),
        "ops.lead_assignments": (741, "2414171d076d0afbe0f029e91d0228c7"),
        "ops.sla_breaches": (92, "16e0dc1061876e38c1d5b606dfd11e92"),
    },
}

# sums of many fractional attribution weights: DuckDB's parallel sum added them in a varying
# order, and with the generated build's data a value sat on the 6th decimal's rounding
# boundary (a fresh-clone CI run differed from a local one there): compared to 3 decimals.
# Later a revenue of 942.975 came out 942.97 in one CI run, rounded so by the model itself:
# the attribution and ROI models now sum exactly (macro exact_sum), the same at every build
TABLE_DECIMALS = {"marts.rpt_attribution_by_channel": 3, "marts.rpt_channel_roi": 3}

# the funnel's rates now come from rpt_funnel_conversion, rounded to 4 decimals half away
# from zero (the report computed them itself before): compared to 3 decimals
REPORT_DECIMALS = {"funnel.csv": 3, "channel_roi.csv": 3}

# re-pinned (issue 18) with the generated build: the generator's one-hour effect
PINNED_REPORT = {
    # re-pinned at 3 decimals (TABLE_DECIMALS / REPORT_DECIMALS)
    "channel_roi.csv": (66, "fc2ea5abc796174e75edc5e22b3d38e1"),
    "cohort_conversion.csv": (45, "3f59d99c2a78615d57a85f024b60c15d"),
    "data_quality_sources.csv": (6, "1c9aba798f53007de8164d9bcf4e5400"),
    "funnel.csv": (5, "deba1e27d37d6aac7cf38857f3f5f55a"),
    "headline_kpis.csv": (17, "a8f1295e5077ecc0be11b48e10275b24"),
    "open_sla_breaches.csv": (37, "9e5ec47d415cd9147271886957e3cef7"),
    "quarantine_reasons.csv": (20, "4bf5c6cf666d77a3c87c24bfeda1207b"),
    "sales_kpis.csv": (4, "dd05bb3786f190caaa2140ff30cfbf4c"),
    "speed_to_lead_by_channel.csv": (8, "71c1438f959cd5237a82fc3d228ea99a"),
    "speed_to_lead_by_team.csv": (4, "8d1d20d2db6ae2d3adbc436ac64d97e1"),
    "speed_to_lead_distribution.csv": (8, "2a1a898405edfbf2a4eeda3a509abb75"),
}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, warehouses) -> dict[str, Path]:
    from pipelines.cli import main

    work = tmp_path_factory.mktemp("pinned")
    # each named warehouse.duckdb as a real one is: dbt's parse is then re-stamped for
    # it (pipelines/dbt_target.py), where another file name (dbt's database) parses again
    fixture = work / "fixture" / "warehouse.duckdb"  # day 1, then day 2 incrementally
    fixture.parent.mkdir()
    shutil.copy(warehouses["incremental"], fixture)
    activate(work, fixture, FIXTURE_RUN)

    generated, drop = work / "generated" / "warehouse.duckdb", work / "generated"
    assert main(["generate", *GENERATE, "--inbox", str(drop / "inbox"),
                 "--truth", str(drop / "truth.parquet")]) == 0
    ingest(generated, drop / "inbox", work / "inbox2")
    # the unit tests ran in the fixture's build (conftest.py): they read no data
    dbt(work, generated, "build", "--exclude-resource-type", "unit_test")
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
                                    ADDED_COLUMNS.get(table, ()), TABLE_DECIMALS.get(table, 6))
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
