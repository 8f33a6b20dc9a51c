"""The activation assets materialise in order on a warehouse, write the segment files and
report their counts; they sit after scoring and the dbt marts in the daily job."""

from __future__ import annotations

import dagster as dg

from pipelines.assets import activation
from pipelines.resources import WarehouseResource, open_duckdb
from tests.activation import fixtures as fx


def test_assets_route_watch_nurture_and_export(lf_paths):
    con = open_duckdb(lf_paths.warehouse)
    fx.create(con)
    for i in range(6):
        fx.add_lead(con, f"l{i}", minutes=i)
        fx.score(con, f"l{i}", "A" if i < 3 else "C", 80 - i)
    fx.add_lead(con, "gone", stage="customer", minutes=9)
    con.close()
    result = dg.materialize(activation.ACTIVATION_ASSETS,
                            resources={"warehouse": WarehouseResource(
                                path=str(lf_paths.warehouse))})
    assert result.success
    meta = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta[mat.asset_key] = {k: v.value for k, v in mat.metadata.items()}
    assert meta[activation.ASSIGNMENTS]["new"] == 6
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"every_open_lead_owned": True}
    assert meta[activation.NURTURE]["rows"] == 6
    assert meta[activation.SEGMENTS]["members_hot_leads"] == 3
    files = sorted(p.relative_to(lf_paths.exports).parts[:2]
                   for p in lf_paths.exports.rglob("*.csv"))
    assert files == [("segments", "hot_leads"), ("segments", "mofu_nurture"),
                     ("segments", "nurture_tracks"), ("segments", "recycled_reengage")]
    assert meta[activation.SEGMENTS]["members_nurture_tracks"] == 6
    hot = next((lf_paths.exports / "segments" / "hot_leads").glob("*.csv")).read_text()
    assert hot.count("\n") == 4  # header and three tier-A leads


def test_activation_runs_after_scoring_and_the_marts_in_the_daily_job():
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    daily = defs.resolve_job_def("daily").asset_layer.asset_graph.get_all_asset_keys()
    assert {activation.ASSIGNMENTS, activation.SEGMENTS} <= set(daily)
    deps = {key: graph.get(key).parent_keys for key in (
        activation.ASSIGNMENTS, activation.SLA_BREACHES, activation.SEGMENTS)}
    assert dg.AssetKey(["ml", "lead_scores"]) in deps[activation.ASSIGNMENTS]
    assert activation.dbt_key("routing_rules") in deps[activation.ASSIGNMENTS]
    assert activation.dbt_key("fct_speed_to_lead") in deps[activation.SLA_BREACHES]
    assert activation.NURTURE in deps[activation.SEGMENTS]
