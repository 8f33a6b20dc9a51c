"""The three jobs the Dagster assets and the command line share: train (and gate), evaluate
a registered model, score the open leads; and the ``ml`` tables they write.

Functions take an open DuckDB connection; the caller holds the warehouse's writer lock
when it writes. Nothing here prints or schedules.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from models_ml import drift
from models_ml.evaluate import (
    baseline_probability,
    by_tier,
    calibration_table,
    metrics,
    quartile_tiers,
)
from models_ml.evaluation_text import evaluation_lines
from models_ml.features import (
    AT_CREATION,
    BASELINE,
    LABEL,
    META_COLUMNS,
    FeatureError,
    detect_spec,
    load_features,
)
from models_ml.registry import (
    DEFAULT_GATE,
    GateConfig,
    GateDecision,
    Registry,
    RegistryError,
    gate,
    make_version,
)
from models_ml.score import score_leads
from models_ml.train import TrainConfig, time_split, train

log = logging.getLogger(__name__)

DDL = """
CREATE SCHEMA IF NOT EXISTS ml;
CREATE TABLE IF NOT EXISTS ml.model_runs (
    model_version VARCHAR PRIMARY KEY, trained_at TIMESTAMPTZ, model_kind VARCHAR,
    training_from TIMESTAMPTZ, calibration_from TIMESTAMPTZ, validation_from TIMESTAMPTZ,
    validation_to TIMESTAMPTZ, training_rows BIGINT, validation_rows BIGINT,
    roc_auc DOUBLE, pr_auc DOUBLE, brier DOUBLE, top_decile_precision DOUBLE,
    top_decile_lift DOUBLE, rule_roc_auc DOUBLE, rule_pr_auc DOUBLE, rule_brier DOUBLE,
    rule_top_decile_precision DOUBLE, rule_top_decile_lift DOUBLE, base_rate DOUBLE,
    candidate_roc_auc JSON, is_accepted BOOLEAN, gate_reason VARCHAR,
    replaced_version VARCHAR, evaluation JSON, served_roc_auc DOUBLE, status VARCHAR,
    status_changed_at TIMESTAMPTZ, status_note VARCHAR);
CREATE TABLE IF NOT EXISTS ml.lead_scores (
    score_date DATE, lead_id VARCHAR, model_version VARCHAR, probability DOUBLE,
    score SMALLINT, tier VARCHAR, priority_rank BIGINT, reason_1 VARCHAR,
    reason_1_effect DOUBLE, reason_2 VARCHAR, reason_2_effect DOUBLE, reason_3 VARCHAR,
    reason_3_effect DOUBLE, as_of_at TIMESTAMPTZ, scored_at TIMESTAMPTZ,
    PRIMARY KEY (score_date, lead_id));
CREATE TABLE IF NOT EXISTS ml.score_drift (
    score_date DATE, model_version VARCHAR, column_name VARCHAR, psi DOUBLE,
    is_drifted BOOLEAN, PRIMARY KEY (score_date, column_name));
"""
REASON_PHRASES = "seeds.ml_reason_phrases"
SCORE_TIERS = "seeds.score_tiers"


# columns added to ml.model_runs after its first release (older warehouses gain them)
ADDED_RUN_COLUMNS = {"served_roc_auc": "DOUBLE", "status": "VARCHAR",
                     "status_changed_at": "TIMESTAMPTZ", "status_note": "VARCHAR"}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
    for name, sql_type in ADDED_RUN_COLUMNS.items():
        con.execute(f"ALTER TABLE ml.model_runs ADD COLUMN IF NOT EXISTS {name} {sql_type}")


# ---------------------------------------------------------------- training


@dataclass
class TrainOutcome:
    version: str
    metadata: dict
    decision: GateDecision
    evaluation: dict


def evaluate_on(model, frame: pd.DataFrame, y: np.ndarray, split) -> dict:
    """The figures of one model on the validation rows of ``split``, beside the rule score
    (turned into a probability on the calibration rows) as the baseline."""
    valid = frame[split.validation]
    y_valid = y[split.validation]
    matrix = model.transform(valid)
    margin = model.margin(matrix)
    probability = model.calibrate(margin)
    evaluation = {"model": metrics(y_valid, probability, margin)}
    evaluation["calibration"] = calibration_table(y_valid, probability).to_dict("records")
    evaluation["tiers"] = by_tier(y_valid, model.tiers(margin)).to_dict("records")
    if BASELINE in frame.columns:
        rule = valid[BASELINE].to_numpy(dtype=np.float64)
        rule_probability = baseline_probability(
            frame.loc[split.calibration, BASELINE].to_numpy(dtype=np.float64),
            y[split.calibration], rule)
        evaluation["rule"] = metrics(y_valid, rule_probability, rule)
        evaluation["rule_calibration"] = calibration_table(y_valid, rule_probability).to_dict(
            "records")
        evaluation["rule_tiers"] = by_tier(y_valid, quartile_tiers(rule)).to_dict("records")
    at_creation = (valid["snapshot_name"] == AT_CREATION).to_numpy() \
        if "snapshot_name" in valid.columns else np.zeros(len(valid), dtype=bool)
    if at_creation.any():
        # the same rows as of the moment each lead was created: the later snapshots of a
        # lead that has not converted yet are easy to rank low by their age alone
        section = {"model": metrics(y_valid[at_creation], probability[at_creation],
                                    margin[at_creation]),
                   "tiers": by_tier(y_valid[at_creation],
                                    model.tiers(margin[at_creation])).to_dict("records")}
        if BASELINE in frame.columns:
            section["rule"] = metrics(y_valid[at_creation], rule_probability[at_creation],
                                      rule[at_creation])
        evaluation["at_creation"] = section
    evaluation["_probability"] = probability
    return evaluation


def train_and_gate(con: duckdb.DuckDBPyConnection, registry: Registry, cfg: TrainConfig,
                   trained_at: dt.datetime | None = None,
                   gate_config: GateConfig = DEFAULT_GATE, promote: bool = True
                   ) -> TrainOutcome:
    """Train on the labelled snapshots of fct_lead_features, evaluate, save under the
    registry, and serve it (``current``) only when the quality gate accepts it (and
    ``promote``; otherwise it stays a candidate). A refused model changes nothing in
    service: the served model keeps scoring."""
    trained_at = trained_at or dt.datetime.now(dt.UTC)
    frame = load_features(con, "training")
    if frame.empty:
        raise FeatureError("no labelled leads yet: no lead's outcome window has closed")
    y = frame[LABEL].to_numpy(dtype=np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    split = time_split(frame["created_at"], cfg.calibration_share, cfg.validation_share)
    result = train(frame, y, spec, cfg, split)
    model = result.model
    evaluation = evaluate_on(model, frame, y, split)
    probability = evaluation.pop("_probability")

    data_as_of = frame["as_of_at"].max().date().isoformat()
    version = make_version(data_as_of, frame[[*spec.columns, "lead_id", "created_at"]], y,
                           {"config": {k: v for k, v in cfg.__dict__.items() if k != "threads"},
                            "spec": spec.to_dict()})
    current = registry.current()
    current_auc = _current_auc(registry, current, frame, y, split) if current != version \
        else evaluation["model"]["roc_auc"]
    decision = gate(evaluation["model"], evaluation.get("rule"), current_auc, current,
                    gate_config)
    if current == version:  # the same data and settings: the served model itself
        decision = replace(decision, accepted=True, reason=(
            f"already in service: the same data and settings give the same model ({version})"))
    created = frame["created_at"]
    metadata = {
        "version": version, "kind": model.kind, "trained_at": trained_at.isoformat(),
        "config": cfg.__dict__,
        "training_window": {
            "training_from": created[split.train].min().isoformat(),
            "calibration_from": split.calibration_from.isoformat(),
            "validation_from": split.validation_from.isoformat(),
            "validation_to": created[split.validation].max().isoformat(),
            "latest_snapshot": data_as_of,
            "training_rows": int(split.train.sum()),
            "calibration_rows": int(split.calibration.sum()),
            "validation_rows": int(split.validation.sum()),
        },
        "candidate_roc_auc": result.candidate_auc, "metrics": evaluation,
        "gate": {**decision.to_dict(), "config": gate_config.__dict__},
        "replaced_version": current if decision.accepted and promote and current != version
        else None,
        "drift_profile": _drift_profile(frame[split.validation], spec.columns, probability),
    }
    folder = registry.save(model, metadata)
    title = f"model {version} ({model.kind}) on {int(split.validation.sum()):,} validation rows"
    lines = evaluation_lines(evaluation, title) + ["", f"gate: {decision.reason}", ""]
    (folder / "evaluation.md").write_text("\n".join(lines))
    if decision.accepted and promote and current != version:
        registry.promote(version, "promoted", "accepted by the quality gate", trained_at)
    log.info("model %s (%s): %s", version, model.kind, decision.reason)
    return TrainOutcome(version, metadata, decision, evaluation)


def _drift_profile(valid: pd.DataFrame, columns: list[str], probability: np.ndarray) -> dict:
    """Reference distributions from the validation rows taken at random ages (the fixed
    ages, such as the day of creation, would stand out against any day's open leads)."""
    at_random = valid["snapshot_name"].str.startswith("random_").to_numpy()
    if at_random.sum() >= 100:
        valid, probability = valid[at_random], probability[at_random]
    return drift.profiles(valid, columns, probability)


def _current_auc(registry: Registry, current: str | None, frame: pd.DataFrame, y: np.ndarray,
                 split) -> float | None:
    """The current model's ROC AUC on the new validation rows (None: nothing to beat)."""
    if current is None:
        return None
    try:
        model, _ = registry.load(current)
        valid = frame[split.validation]
        return metrics(y[split.validation], model.predict_proba(valid),
                       model.margin(model.transform(valid)))["roc_auc"]
    except (RegistryError, FeatureError) as exc:
        log.warning("current model %s cannot score today's features (%s): not compared",
                    current, exc)
        return None


def write_run(con: duckdb.DuckDBPyConnection, outcome: TrainOutcome, registry: Registry
              ) -> None:
    """Replace the model's row in ml.model_runs and bring every model's status up to date
    (``record_statuses``): the new one served, refused or a candidate, the one it replaced
    retired."""
    ensure_tables(con)
    meta, window = outcome.metadata, outcome.metadata["training_window"]
    model, rule = outcome.evaluation["model"], outcome.evaluation.get("rule", {})
    row = {
        "model_version": outcome.version, "trained_at": meta["trained_at"],
        "model_kind": meta["kind"],
        "training_from": window["training_from"], "calibration_from": window["calibration_from"],
        "validation_from": window["validation_from"], "validation_to": window["validation_to"],
        "training_rows": window["training_rows"], "validation_rows": window["validation_rows"],
        **{k: model[k] for k in ("roc_auc", "pr_auc", "brier", "top_decile_precision",
                                 "top_decile_lift")},
        **{f"rule_{k}": rule.get(k) for k in ("roc_auc", "pr_auc", "brier",
                                              "top_decile_precision", "top_decile_lift")},
        "base_rate": model["base_rate"],
        "candidate_roc_auc": json.dumps(meta["candidate_roc_auc"]),
        "is_accepted": outcome.decision.accepted, "gate_reason": outcome.decision.reason,
        "replaced_version": meta["replaced_version"],
        "evaluation": json.dumps(outcome.evaluation, default=float),
        "served_roc_auc": outcome.decision.current_auc,
        "status": registry.status(outcome.version),
        "status_changed_at": meta["trained_at"], "status_note": outcome.decision.reason,
    }
    frame = pd.DataFrame([row])
    con.execute("DELETE FROM ml.model_runs WHERE model_version = ?", [outcome.version])
    con.register("new_run", frame)
    try:
        con.execute("INSERT INTO ml.model_runs BY NAME SELECT * FROM new_run")
    finally:
        con.unregister("new_run")
    record_statuses(con, registry, f"replaced by {outcome.version} (quality gate)",
                    dt.datetime.fromisoformat(meta["trained_at"]))


def record_statuses(con: duckdb.DuckDBPyConnection, registry: Registry, note: str,
                    at: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Set each ml.model_runs row's status to the registry's (served, retired, refused,
    candidate); a row whose status changes gets ``note`` and ``at``. Returns the changes
    as (version, old status, new status)."""
    ensure_tables(con)
    at = at or dt.datetime.now(dt.UTC)
    changes = []
    for version, old in con.execute("SELECT model_version, status FROM ml.model_runs "
                                    "ORDER BY trained_at").fetchall():
        try:
            new = registry.status(version)
        except RegistryError:
            continue  # a run whose folder was removed keeps its last status
        if new != old:
            changes.append((version, old, new))
            con.execute("UPDATE ml.model_runs SET status = ?, status_changed_at = ?, "
                        "status_note = ? WHERE model_version = ?", [new, at, note, version])
    return changes


# ---------------------------------------------------------------- evaluation of a version


def evaluate_version(con: duckdb.DuckDBPyConnection, registry: Registry, version: str,
                     cfg: TrainConfig) -> dict:
    """A registered model's figures on today's validation rows (the newest labelled leads,
    split as at training)."""
    model, _ = registry.load(version)
    frame = load_features(con, "training")
    if frame.empty:
        raise FeatureError("no labelled leads yet: no lead's outcome window has closed")
    y = frame[LABEL].to_numpy(dtype=np.int8)
    split = time_split(frame["created_at"], cfg.calibration_share, cfg.validation_share)
    evaluation = evaluate_on(model, frame, y, split)
    evaluation.pop("_probability")
    return evaluation


# ---------------------------------------------------------------- daily scoring


@dataclass
class ScoreOutcome:
    version: str
    score_date: dt.date | None
    scores: pd.DataFrame
    drift: pd.DataFrame


def score_open_leads(con: duckdb.DuckDBPyConnection, registry: Registry, version: str,
                     scored_at: dt.datetime | None = None) -> ScoreOutcome:
    """Scores, reasons and drift of every open lead (the scoring snapshot) with ``version``."""
    model, metadata = registry.load(version)
    frame = load_features(con, "scoring")
    phrases = con.execute(f"SELECT * FROM {REASON_PHRASES}").df()
    tiers = con.execute(f"SELECT * FROM {SCORE_TIERS}").df()
    scores = score_leads(model, frame, phrases, tiers, version, scored_at)
    day = scores["score_date"].iloc[0] if len(scores) else None
    table = drift_of(metadata, frame, scores["probability"].to_numpy())
    return ScoreOutcome(version, day, scores, table)


def write_scores(con: duckdb.DuckDBPyConnection, outcome: ScoreOutcome) -> None:
    """Replace the day's rows of ml.lead_scores and ml.score_drift (history stays)."""
    ensure_tables(con)
    if outcome.score_date is None:
        return
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM ml.lead_scores WHERE score_date = ?", [outcome.score_date])
        con.register("new_scores", outcome.scores)
        con.execute("INSERT INTO ml.lead_scores BY NAME SELECT * FROM new_scores")
        con.unregister("new_scores")
        write_drift(con, outcome)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def write_drift(con: duckdb.DuckDBPyConnection, outcome: ScoreOutcome) -> None:
    """Replace the day's rows of ml.score_drift (on Spark, the scores go apart:
    models_ml/spark_scoring.py)."""
    con.execute("DELETE FROM ml.score_drift WHERE score_date = ?", [outcome.score_date])
    drift_rows = outcome.drift.rename(columns={"column": "column_name"}).assign(
        score_date=outcome.score_date, model_version=outcome.version)
    con.register("new_drift", drift_rows)
    con.execute("INSERT INTO ml.score_drift BY NAME SELECT * FROM new_drift")
    con.unregister("new_drift")


def drift_of(metadata: dict, frame: pd.DataFrame, probability: np.ndarray) -> pd.DataFrame:
    """The day's drift table against the model's reference profile (empty without one)."""
    if len(probability) and "drift_profile" in metadata:
        return drift.drift_table(metadata["drift_profile"], frame, probability)
    return pd.DataFrame(columns=["column", "psi", "is_drifted"])


# ---------------------------------------------------------------- serving by hand


def promote(con: duckdb.DuckDBPyConnection, registry: Registry, version: str,
            force: bool = False, at: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Serve ``version`` (a model the gate refused only with ``force``), recorded in
    ml.model_runs; the caller holds the writer lock."""
    status = registry.status(version)
    if status == "served":
        raise RegistryError(f"model {version} is already in service")
    if status == "refused" and not force:
        reason = registry.metadata(version).get("gate", {}).get("reason", "")
        raise RegistryError(f"model {version} was refused by the quality gate ({reason}); "
                            "pass --force to serve it anyway")
    registry.load(version)  # loadable with today's libraries
    previous = registry.current()
    note = f"{version} promoted by hand" + (f" over {previous}" if previous else "")
    registry.promote(version, "promoted_by_hand", note + (" (forced past the gate)"
                                                           if status == "refused" else ""), at)
    return record_statuses(con, registry, note, at)


def rollback(con: duckdb.DuckDBPyConnection, registry: Registry, at: dt.datetime | None = None
             ) -> tuple[str, str, list[tuple[str, str, str]]]:
    """Serve again the model that served before the current one, recorded in
    ml.model_runs: (from, to, status changes)."""
    current, previous = registry.rollback(at=at)
    changes = record_statuses(con, registry, f"rolled back from {current} to {previous}", at)
    return current, previous, changes


def model_list(con: duckdb.DuckDBPyConnection | None, registry: Registry) -> pd.DataFrame:
    """Every registered version, newest first: kind, training time, validation metrics of
    the model and of the rule score, status and the gate's reason."""
    rows = []
    for version in registry.versions():
        meta = registry.metadata(version)
        model = meta.get("metrics", {}).get("model", {})
        rule = meta.get("metrics", {}).get("rule", {})
        rows.append({"version": version, "status": registry.status(version),
                     "kind": meta.get("kind"), "trained_at": meta.get("trained_at"),
                     "roc_auc": model.get("roc_auc"), "brier": model.get("brier"),
                     "rule_roc_auc": rule.get("roc_auc"), "rule_brier": rule.get("brier"),
                     "validation_rows": model.get("rows"),
                     "gate": (meta.get("gate") or {}).get("reason", "")})
    frame = pd.DataFrame(rows, columns=["version", "status", "kind", "trained_at", "roc_auc",
                                        "brier", "rule_roc_auc", "rule_brier",
                                        "validation_rows", "gate"])
    if con is not None and len(frame):
        try:
            notes = con.execute("SELECT model_version AS version, status_note, "
                                "status_changed_at FROM ml.model_runs").df()
        except duckdb.Error:  # a warehouse from before these columns: no notes yet
            notes = pd.DataFrame(columns=["version", "status_note", "status_changed_at"])
        frame = frame.merge(notes, on="version", how="left")
    return frame.sort_values("trained_at", ascending=False, na_position="last",
                             ignore_index=True)
