"""The registry (explicit versions, the current pointer, statuses, promote and rollback)
and the quality gate (beat the rule score, do not fall behind the served model)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from models_ml import runs
from models_ml.features import LABEL, META_COLUMNS, detect_spec
from models_ml.registry import GateConfig, Registry, RegistryError, gate
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


def figures(auc: float, brier: float) -> dict:
    return {"roc_auc": auc, "brier": brier}


def test_gate_rule():
    rule = figures(0.70, 0.10)
    first = gate(figures(0.80, 0.09), rule, None, None)
    assert first.accepted and "the first" in first.reason
    assert gate(figures(0.80, 0.09), rule, 0.80, "v1").accepted
    # within the default tolerance (0.01) of the served model, beyond it refused
    assert gate(figures(0.795, 0.09), rule, 0.80, "v1").accepted
    refused = gate(figures(0.78, 0.09), rule, 0.80, "v1")
    assert not refused.accepted and "worse" in refused.reason and "v1" in refused.reason
    assert gate(figures(0.78, 0.09), rule, 0.80, "v1", GateConfig(tolerance=0.03)).accepted
    # the first model too must beat the rule score, on ranking and on probabilities
    no_rank = gate(figures(0.69, 0.09), rule, None, None)
    assert not no_rank.accepted and "does not beat the rule score's 0.7000" in no_rank.reason
    no_brier = gate(figures(0.80, 0.11), rule, None, None)
    assert not no_brier.accepted and "Brier 0.1100" in no_brier.reason
    assert not gate(figures(0.80, 0.09), rule, None, None, GateConfig(rule_margin=0.2)).accepted
    assert not gate(figures(0.80, 0.09), None, None, None).accepted


def test_a_worse_model_does_not_replace_the_current_one(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(4000, seed=1))
    registry = Registry(tmp_path / "models")
    good = runs.train_and_gate(con, registry, TrainConfig(seed=1, threads=1))
    runs.write_run(con, good, registry)
    assert good.decision.accepted and registry.current() == good.version

    # one boosting round, one family: clearly worse on the same validation rows
    weak = runs.train_and_gate(con, registry, TrainConfig(
        seed=1, threads=1, kinds=("gradient_boosting",), max_iter=1))
    runs.write_run(con, weak, registry)
    assert weak.version != good.version
    assert not weak.decision.accepted
    assert weak.decision.current_auc == pytest.approx(good.evaluation["model"]["roc_auc"])
    assert registry.current() == good.version  # still in service
    assert weak.version in registry.versions()  # kept for inspection, not promoted
    rows = con.execute("SELECT model_version, is_accepted, gate_reason FROM ml.model_runs "
                       "ORDER BY trained_at").fetchall()
    assert [r[:2] for r in rows] == [(good.version, True), (weak.version, False)]
    assert "worse" in rows[1][2]
    statuses = dict(con.execute("SELECT model_version, status FROM ml.model_runs").fetchall())
    assert statuses == {good.version: "served", weak.version: "refused"}

    # the same training again is the same version, and equal is not worse
    again = runs.train_and_gate(con, registry, TrainConfig(seed=1, threads=1),
                                gate_config=GateConfig(rule_margin=1.0))
    assert again.version == good.version and again.decision.accepted
    assert "already in service" in again.decision.reason


def test_training_writes_window_features_metrics_and_report(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(3000, seed=2))
    registry = Registry(tmp_path / "models")
    outcome = runs.train_and_gate(con, registry, TrainConfig(seed=2, threads=1, max_iter=50))
    runs.write_run(con, outcome, registry)
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


def test_the_first_model_must_beat_the_rule_score(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(3000, seed=3))
    registry = Registry(tmp_path / "models")
    outcome = runs.train_and_gate(con, registry, TrainConfig(seed=3, threads=1, max_iter=40),
                                  gate_config=GateConfig(rule_margin=1.0))
    runs.write_run(con, outcome, registry)
    assert not outcome.decision.accepted and "rule score" in outcome.decision.reason
    assert registry.current() is None and registry.status(outcome.version) == "refused"
    assert outcome.decision.rule_auc == pytest.approx(outcome.evaluation["rule"]["roc_auc"])
    with pytest.raises(RegistryError, match="refused by the quality gate"):
        runs.promote(con, registry, outcome.version)
    runs.promote(con, registry, outcome.version, force=True)
    assert registry.current() == outcome.version


def test_promote_and_rollback_switch_the_served_model(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(3000, seed=5))
    registry = Registry(tmp_path / "models")
    cfg = TrainConfig(seed=5, threads=1, max_iter=40)
    first = runs.train_and_gate(con, registry, cfg)
    runs.write_run(con, first, registry)
    # the next day's data: more labelled leads, a new version that the gate accepts
    con.register("more", lead_frame(600, seed=6))
    con.execute("INSERT INTO marts.fct_lead_features SELECT * FROM more")
    second = runs.train_and_gate(con, registry, cfg, gate_config=GateConfig(tolerance=0.5))
    runs.write_run(con, second, registry)
    assert second.decision.accepted and registry.current() == second.version

    def statuses():
        return dict(con.execute("SELECT model_version, status FROM ml.model_runs").fetchall())

    assert statuses() == {first.version: "retired", second.version: "served"}
    listed = runs.model_list(con, registry)
    assert listed["version"].tolist() == [second.version, first.version]
    assert listed["status"].tolist() == ["served", "retired"]
    assert listed["roc_auc"].notna().all() and listed["rule_brier"].notna().all()

    assert runs.rollback(con, registry)[:2] == (second.version, first.version)
    assert registry.current() == first.version
    assert statuses() == {first.version: "served", second.version: "retired"}
    note = con.execute("SELECT status_note FROM ml.model_runs WHERE model_version = ?",
                       [first.version]).fetchone()[0]
    assert note == f"rolled back from {second.version} to {first.version}"
    with pytest.raises(RegistryError, match="no earlier served model"):
        runs.rollback(con, registry)

    runs.promote(con, registry, second.version)
    assert registry.current() == second.version
    assert statuses() == {first.version: "retired", second.version: "served"}
    with pytest.raises(RegistryError, match="already in service"):
        runs.promote(con, registry, second.version)
    assert [e["event"] for e in registry.serving_log()] == [
        "promoted", "promoted", "rolled_back", "promoted_by_hand"]
    # two models back and forth: a rollback now returns to the first model again
    assert runs.rollback(con, registry)[1] == first.version


def test_not_promoting_keeps_an_accepted_model_a_candidate(tmp_path):
    con = warehouse_with(tmp_path / "w.duckdb", lead_frame(3000, seed=8))
    registry = Registry(tmp_path / "models")
    outcome = runs.train_and_gate(con, registry, TrainConfig(seed=8, threads=1, max_iter=40),
                                  promote=False)
    runs.write_run(con, outcome, registry)
    assert outcome.decision.accepted and registry.current() is None
    assert registry.status(outcome.version) == "candidate"
    assert con.execute("SELECT status FROM ml.model_runs").fetchone()[0] == "candidate"


def test_the_same_rows_read_by_either_engine_give_the_same_version():
    """DuckDB and Spark's Parquet hand the same feature rows over in different pandas
    types (int32 or int64, bool or nullable boolean, naive or UTC instants, str or object
    text): the version, which says "the same data and settings give the same model", must
    not tell them apart, and must still see a changed value. Seen in the Spark daily run:
    retraining on the same data there made a new version, which the gate then refused."""
    import pandas as pd

    from models_ml.registry import make_version

    stamps = ["2026-01-01 10:00:00", "2026-01-02 00:00:00", None]
    duck = pd.DataFrame({
        "visits": pd.array([1, 2, None], dtype="Int64"),
        "is_free_email": pd.Series([True, None, False], dtype=object),
        "created_at": pd.to_datetime(stamps).tz_localize("UTC"),
        "channel": pd.Series(["paid", None, "organic"], dtype=object),
        "rule_score": [1.5, np.nan, 2.0]})
    spark = pd.DataFrame({
        "visits": pd.array([1, 2, None], dtype="Int32"),
        "is_free_email": pd.array([True, None, False], dtype="boolean"),
        "created_at": pd.to_datetime(stamps),
        "channel": pd.Series(["paid", None, "organic"], dtype="string"),
        "rule_score": [1.5, np.nan, 2.0]})
    y = np.array([0, 1, 0])
    assert make_version("2026-01-02", spark, y, {}) == make_version("2026-01-02", duck, y, {})
    changed = spark.assign(visits=pd.array([1, 3, None], dtype="Int32"))
    assert make_version("2026-01-02", changed, y, {}) != make_version("2026-01-02", duck, y, {})
    missing = duck.assign(channel=pd.Series(["paid", "", "organic"], dtype=object))
    assert make_version("2026-01-02", missing, y, {}) != make_version("2026-01-02", duck, y, {})
