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
