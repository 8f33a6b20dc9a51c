"""The scoring assets against a temp DuckDB: train with the blocking quality gate, then
score the open leads."""

from __future__ import annotations

import dagster as dg

from models_ml.registry import Registry
from pipelines.assets.scoring import MODEL, SCORES, SCORING_ASSETS
from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource, open_duckdb
from tests.ml.conftest import lead_frame
from tests.ml.test_registry_gate import warehouse_with


def test_scoring_assets_sit_downstream_of_the_feature_model(lf_paths):
    graph = build_definitions().resolve_asset_graph()
    assert dg.AssetKey(["marts", "fct_lead_features"]) in graph.get(MODEL).parent_keys
    assert MODEL in graph.get(SCORES).parent_keys
    gate = next(c for c in graph.asset_check_keys if c.asset_key == MODEL)
    assert gate.name == "quality_gate"


def test_train_then_score(lf_paths):
    warehouse_with(lf_paths.warehouse, lead_frame(3000, seed=21),
                   lead_frame(250, seed=22, kind="scoring")).close()
    resources = {"warehouse": WarehouseResource(path=str(lf_paths.warehouse))}
    result = dg.materialize(SCORING_ASSETS, resources=resources)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["quality_gate"].passed
    # today's open leads are older than the training snapshots: their age drifts
    drift = checks["score_drift"]
    assert not drift.passed and "lead_age_days" in drift.metadata["drifted_columns"].value
    meta = result.asset_materializations_for_node("ml__model_runs")[0].metadata
    assert meta["roc_auc"].value > meta["rule_roc_auc"].value - 0.1
    assert Registry(lf_paths.models).current() == meta["version"].value
    with open_duckdb(lf_paths.warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ml.lead_scores").fetchone()[0] == 250
        assert con.execute("SELECT count(*) FROM ml.model_runs").fetchone()[0] == 1


def test_no_labelled_leads_trains_nothing_and_scores_nothing(lf_paths):
    warehouse_with(lf_paths.warehouse, lead_frame(50, seed=23).head(0)).close()
    resources = {"warehouse": WarehouseResource(path=str(lf_paths.warehouse))}
    result = dg.materialize(SCORING_ASSETS, resources=resources)
    assert result.success
    meta = result.asset_materializations_for_node("ml__model_runs")[0].metadata
    assert meta["trained"].value is False
    assert Registry(lf_paths.models).current() is None


def test_a_refused_retrain_keeps_the_day_running_with_the_served_model(lf_paths):
    """The gate refuses today's model (a gate no model can pass): the run still succeeds,
    the day's open leads are scored with the served model, routing and segments run on
    those scores, and the refusal is recorded."""
    from pipelines.assets import activation
    from pipelines.assets.dbt import dbt_resource, leadflow_dbt_activation, leadflow_dbt_scored
    from tests.activation import fixtures as fx

    scoring = lead_frame(40, seed=32, kind="scoring")
    con = warehouse_with(lf_paths.warehouse, lead_frame(3000, seed=31), scoring)
    fx.create(con)
    for i, lead_id in enumerate(scoring["lead_id"]):
        fx.add_lead(con, lead_id, minutes=i)
    con.close()
    resources = {"warehouse": WarehouseResource(path=str(lf_paths.warehouse))}
    first = dg.materialize(SCORING_ASSETS, resources=resources)
    served = Registry(lf_paths.models).current()
    assert first.success and served is not None

    # the next day: more labelled leads (a new candidate version), the open leads a day older
    with open_duckdb(lf_paths.warehouse) as con:
        con.register("more", lead_frame(500, seed=33))
        con.execute("INSERT INTO marts.fct_lead_features SELECT * FROM more")
        con.execute("UPDATE marts.fct_lead_features SET as_of_at = as_of_at + INTERVAL 1 DAY "
                    "WHERE snapshot_kind = 'scoring'")
    resources["dbt"] = dbt_resource()
    result = dg.materialize(
        [*SCORING_ASSETS, leadflow_dbt_scored, *activation.ACTIVATION_ASSETS,
         leadflow_dbt_activation], resources=resources,
        # as tests/activation/fixtures.py builds: speed-to-lead is the fixture's own table
        selection=dg.AssetSelection.all() - dg.AssetSelection.assets(
            *(dg.AssetKey(["marts", model]) for model in fx.NOT_BUILT)),
        run_config={"ops": {"ml__model_runs": {"config": {"rule_margin": 1.0}}}})
    assert result.success
    gate = next(c for c in result.get_asset_check_evaluations()
                if c.check_name == "quality_gate")
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.WARN
    assert "refused" in gate.metadata["reason"].value
    meta = result.asset_materializations_for_node("ml__model_runs")[0].metadata
    candidate = meta["version"].value
    assert candidate != served and meta["served_version"].value == served
    assert Registry(lf_paths.models).current() == served
    with open_duckdb(lf_paths.warehouse, read_only=True) as con:
        days = con.execute("SELECT score_date, model_version, count(*) FROM ml.lead_scores "
                           "GROUP BY ALL ORDER BY score_date").fetchall()
        assert [(v, n) for _, v, n in days] == [(served, 40), (served, 40)]
        assert days[1][0] > days[0][0]  # today's scores, from the served model
        assert con.execute("SELECT count(*) FROM ops.lead_assignments").fetchone()[0] == 40
        statuses = dict(con.execute(
            "SELECT model_version, status FROM ml.model_runs").fetchall())
        assert statuses == {served: "served", candidate: "refused"}
    segments = result.asset_materializations_for_node("activation__segment_members")
    assert segments and segments[0].metadata["members_nurture_tracks"].value >= 0
    assert (lf_paths.exports / "segments" / "hot_leads").is_dir()
