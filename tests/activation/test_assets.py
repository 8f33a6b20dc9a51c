"""The activation assets and the dbt selections around them materialise in order on a
warehouse, write the segment files and report their counts; they sit after scoring and
the dbt marts in the daily job."""

from __future__ import annotations

import dagster as dg

from pipelines.assets import activation
from pipelines.assets.dbt import dbt_key, dbt_resource, leadflow_dbt_activation, leadflow_dbt_scored
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
    # the models over fct_speed_to_lead need marts this warehouse does not hold
    not_built = dg.AssetSelection.assets(*(dbt_key(name) for name in fx.NOT_BUILT))
    result = dg.materialize(
        [leadflow_dbt_scored, *activation.ACTIVATION_ASSETS, leadflow_dbt_activation],
        selection=dg.AssetSelection.all() - not_built,
        resources={"warehouse": WarehouseResource(path=str(lf_paths.warehouse)),
                   "dbt": dbt_resource()})
    assert result.success
    meta = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta[mat.asset_key] = {k: v.value for k, v in mat.metadata.items()}
    assert meta[activation.ASSIGNMENTS]["new"] == 6
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()
              if c.asset_key == activation.ASSIGNMENTS}
    assert checks == {"every_open_lead_owned": True}
    assert all(c.passed for c in result.get_asset_check_evaluations())  # the dbt tests
    assert dbt_key("nurture_tracks") in meta
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
    def parents(key):
        return graph.get(key).parent_keys

    # inbox -> marts -> scoring -> ml source -> routing matches -> routing -> ops source
    # -> SLA breaches, nurture tracks, segment base -> segments and the report
    assert dg.AssetKey(["ml", "lead_scores"]) in parents(dbt_key("stg_ml__lead_scores"))
    assert dbt_key("current_lead_scores") in parents(dbt_key("routing_matches"))
    assert dbt_key("routing_matches") in parents(activation.ASSIGNMENTS)
    assert activation.ASSIGNMENTS in parents(dbt_key("stg_ops__lead_assignments"))
    assert dbt_key("stg_ops__lead_assignments") in parents(dbt_key("sla_breaches"))
    assert dbt_key("fct_speed_to_lead") in parents(dbt_key("sla_breaches"))
    assert dbt_key("segment_base") in parents(activation.SEGMENTS)
    assert dbt_key("rpt_open_sla_breaches") in parents(dg.AssetKey(["reports", "daily_report"]))


def test_each_dbt_selection_is_one_step_of_the_daily_job_in_order():
    """No cycle in the asset graph: Dagster would otherwise split the selections (seeds in
    a step of their own, reloaded every day)."""
    from dagster._core.execution.api import create_execution_plan

    from pipelines.definitions import build_definitions

    plan = create_execution_plan(build_definitions().resolve_job_def("daily"))
    steps = [s.key for s in plan.get_steps_to_execute_in_topo_order()]
    dbt_steps = [s for s in steps if s.startswith("leadflow_dbt")]
    assert dbt_steps == ["leadflow_dbt_models", "leadflow_dbt_scored", "leadflow_dbt_activation"]
    order = {s: i for i, s in enumerate(steps)}
    assert (order["leadflow_dbt_models"] < order["ml__lead_scores"] < order["leadflow_dbt_scored"]
            < order["ops__lead_assignments"] < order["leadflow_dbt_activation"]
            < order["activation__segment_members"] < order["reports__daily_report"])
