"""The registry (explicit versions, the current pointer) and the blocking quality gate."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from models_ml import runs
from models_ml.features import LABEL, META_COLUMNS, detect_spec
from models_ml.registry import Registry, RegistryError, gate
from models_ml.train import TrainConfig, train
from tests.ml.conftest import lead_frame, phrases, score_tiers


def warehouse_with(path, training, scoring=None):
    """A temp warehouse holding only what the ML jobs read."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA seeds")
    con.register("training", training)
    con.execute("CREATE TABLE marts.fct_lead_features AS SELECT * FROM training")
    if scoring is not None:
        con.register("scoring", scoring)
        con.execute("INSERT INTO marts.fct_lead_features SELECT * FROM scoring")
    con.register("phrases", phrases())
    con.execute("CREATE TABLE seeds.ml_reason_phrases AS SELECT * FROM phrases")
    con.register("tiers", score_tiers())
    con.execute("CREATE TABLE seeds.score_tiers AS SELECT * FROM tiers")
    return con


def test_round_trip_by_explicit_version(tmp_path, frame, fast_config):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    model = train(frame, y, spec, fast_config).model
    registry = Registry(tmp_path / "models")
    registry.save(model, {"version": "20260101-abc", "metrics": {"roc_auc": 0.8}})
    assert registry.versions() == ["20260101-abc"]
    assert registry.current() is None  # saving does not put a model in service
    loaded, metadata = registry.load("20260101-abc")
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
    assert metadata["features"] == spec.to_dict()
    assert metadata["libraries"]["scikit-learn"]
    registry.promote("20260101-abc")
    assert registry.current() == "20260101-abc"
    with pytest.raises(RegistryError, match="no model 'nope'"):
        registry.load("nope")
    with pytest.raises(RegistryError, match="not a model version"):
        registry.load("../etc")


def test_gate_rule():
    assert gate(0.80, None, None).accepted
    assert gate(0.80, 0.80, "v1").accepted
    refused = gate(0.79, 0.80, "v1")
    assert not refused.accepted and "worse" in refused.reason and "v1" in refused.reason
    assert gate(0.79, 0.80, "v1", tolerance=0.02).accepted


def test_a_worse_model_does_not_replace_the_current_one(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(4000, seed=1))
    registry = Registry(tmp_path / "models")
    good = runs.train_and_gate(con, registry, TrainConfig(seed=1, threads=1))
    runs.write_run(con, good)
    assert good.decision.accepted and registry.current() == good.version

    # one boosting round, one family: clearly worse on the same validation rows
    weak = runs.train_and_gate(con, registry, TrainConfig(
        seed=1, threads=1, kinds=("gradient_boosting",), max_iter=1))
    runs.write_run(con, weak)
    assert weak.version != good.version
    assert not weak.decision.accepted
    assert weak.decision.current_auc == pytest.approx(good.evaluation["model"]["roc_auc"])
    assert registry.current() == good.version  # still in service
    assert weak.version in registry.versions()  # kept for inspection, not promoted
    rows = con.execute("SELECT model_version, is_accepted, gate_reason FROM ml.model_runs "
                       "ORDER BY trained_at").fetchall()
    assert [r[:2] for r in rows] == [(good.version, True), (weak.version, False)]
    assert "worse" in rows[1][2]

    # the same training again is the same version, and equal is not worse
    again = runs.train_and_gate(con, registry, TrainConfig(seed=1, threads=1))
    assert again.version == good.version and again.decision.accepted


def test_training_writes_window_features_metrics_and_report(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(3000, seed=2))
    registry = Registry(tmp_path / "models")
    outcome = runs.train_and_gate(con, registry, TrainConfig(seed=2, threads=1, max_iter=50))
    runs.write_run(con, outcome)
    folder = registry.folder(outcome.version)
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["training_window"]["validation_rows"] > 0
    assert "pricing_page_views_7d" in metadata["features"]["numeric"]
    assert set(metadata["metrics"]["model"]) >= {"roc_auc", "pr_auc", "brier",
                                                 "top_decile_precision", "top_decile_lift"}
    assert metadata["metrics"]["rule"]["roc_auc"] > 0.5
    assert "rule score" in (folder / "evaluation.md").read_text()
    row = con.execute("SELECT roc_auc, rule_roc_auc, brier, rule_brier, model_kind, "
                      "evaluation FROM ml.model_runs").fetchone()
    assert row[0] > row[1] - 0.2 and row[4] in ("logistic_regression", "gradient_boosting")
    assert json.loads(row[5])["calibration"]
