"""Predictive lead scoring as assets: train (with the quality gate as a check) and score the
open leads every day. The machine learning lives in models_ml; these assets read the dbt
feature table, hold the warehouse writer lock and report metadata.

A retrain the gate refuses is saved and recorded (ml.model_runs, status refused) but not
served: the check warns, and scoring, routing, SLA, segments and the report go on with the
model in service."""


from contextlib import contextmanager

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from models_ml import runs
from models_ml.features import FeatureError
from models_ml.registry import GateConfig, Registry
from models_ml.train import TrainConfig
from pipelines.assets.dbt import leadflow_dbt_models
from pipelines.engine import on_spark
from pipelines.project import paths
from pipelines.resources import WarehouseResource

GROUP = "ml"
FEATURES = get_asset_key_for_model([leadflow_dbt_models], "fct_lead_features")
MODEL = dg.AssetKey(["ml", "model_runs"])
SCORES = dg.AssetKey(["ml", "lead_scores"])
HEADLINE = ("roc_auc", "pr_auc", "brier", "top_decile_precision", "top_decile_lift")


# the ml tables kept in the working copy of the Spark warehouse (pipelines/spark_warehouse.py);
# ml.lead_scores is Spark's own, partitioned by day (models_ml/spark_scoring.py)
ON_SPARK = ("ml.model_runs", "ml.score_drift")


@contextmanager
def _ml_tables(warehouse: WarehouseResource):
    """The warehouse with the ml tables made (empty) where missing: the dbt models that read
    the ``ml`` source need them before anything is scored."""
    with warehouse.built(owns=ON_SPARK, prepare=runs.ensure_tables) as con:
        if on_spark():
            from models_ml.spark_scoring import ensure_table
            from pipelines.spark_session import spark_session

            ensure_table(spark_session())
        yield con


def registry() -> Registry:
    return Registry(paths().models)


class ModelGateConfig(dg.Config):
    """The quality gate's strictness (ROC AUC points), as run config of ml/model_runs."""

    tolerance: float = GateConfig.tolerance
    rule_margin: float = GateConfig.rule_margin


@dg.asset(
    key=MODEL, deps=[FEATURES], group_name=GROUP, kinds={"scikitlearn", "duckdb"},
    check_specs=[dg.AssetCheckSpec(
        "quality_gate", asset=MODEL,
        description="A new model is served only if it beats the rule score (ROC AUC and "
                    "Brier) and does not trail the served model beyond the tolerance on the "
                    "same validation rows; a refused one warns and the served model keeps "
                    "scoring.")],
    description="Train the lead model on leads whose outcome window has closed, evaluate it "
                "against the rule score, save it under data/models/<version>/ and record "
                "the run in ml.model_runs; promote it only past the quality gate.",
)
def lead_score_model(context: dg.AssetExecutionContext, config: ModelGateConfig,
                     warehouse: WarehouseResource):
    gate_config = GateConfig(tolerance=config.tolerance, rule_margin=config.rule_margin)
    with _ml_tables(warehouse) as con:
        try:
            outcome = runs.train_and_gate(con, registry(), TrainConfig(),
                                          gate_config=gate_config)
        except FeatureError as exc:
            context.log.warning("no model trained: %s", exc)
            yield dg.MaterializeResult(metadata={"trained": False, "reason": str(exc)})
            yield dg.AssetCheckResult(check_name="quality_gate", passed=True,
                                      metadata={"reason": f"nothing trained: {exc}"})
            return
        runs.write_run(con, outcome, registry())
    model, rule = outcome.evaluation["model"], outcome.evaluation.get("rule", {})
    served = registry().current()
    if outcome.decision.accepted:
        context.log.info("model %s: %s", outcome.version, outcome.decision.reason)
    else:
        context.log.warning("model %s not served, %s keeps scoring: %s", outcome.version,
                            served or "no model", outcome.decision.reason)
    yield dg.MaterializeResult(metadata={
        "version": outcome.version,
        "kind": outcome.metadata["kind"],
        "validation_rows": model["rows"],
        **{k: dg.FloatMetadataValue(model[k]) for k in HEADLINE},
        **{f"rule_{k}": dg.FloatMetadataValue(rule[k]) for k in HEADLINE if k in rule},
        "gate": outcome.decision.reason,
        "served_version": served or "none",
        "path": dg.MetadataValue.path(str(registry().folder(outcome.version))),
    })
    yield dg.AssetCheckResult(
        check_name="quality_gate", passed=outcome.decision.accepted,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reason": outcome.decision.reason, "candidate_version": outcome.version,
                  "served_version": served or "none",
                  "candidate_roc_auc": outcome.decision.candidate_auc,
                  "current_roc_auc": outcome.decision.current_auc or float("nan")})


@dg.asset(
    key=SCORES, deps=[MODEL], group_name=GROUP, kinds={"scikitlearn", "duckdb"},
    check_specs=[dg.AssetCheckSpec(
        "score_drift", asset=SCORES,
        description="Population stability (PSI) of today's probability and features "
                    "against the model's validation data stays under the threshold.")],
    description="Score every open lead with the model in service: probability, 1-99 "
                "score, tier A-D (its band), priority rank and three reasons, kept per day in "
                "ml.lead_scores; drift per column in ml.score_drift.",
)
def lead_scores(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    version = registry().current()
    if version is None:
        with _ml_tables(warehouse):
            pass  # the dbt models that read ml.lead_scores find it empty
        context.log.warning("no model in service yet: nothing scored")
        yield dg.MaterializeResult(metadata={"rows": 0, "reason": "no model in service"})
        yield dg.AssetCheckResult(check_name="score_drift", passed=True,
                                  metadata={"reason": "nothing scored"})
        return
    if on_spark():  # the scores on Spark, drift here (models_ml/spark_scoring.py)
        from models_ml import spark_scoring
        from pipelines.spark_session import spark_session

        with _ml_tables(warehouse) as con:
            outcome = spark_scoring.score_day(spark_session(), con, registry(), version)
            if outcome.score_date is not None:
                runs.write_drift(con, outcome)
    else:
        with warehouse.connect() as con:
            outcome = runs.score_open_leads(con, registry(), version)
            runs.write_scores(con, outcome)
    tiers = outcome.scores["tier"].value_counts().to_dict()
    drifted = outcome.drift.loc[outcome.drift["is_drifted"], "column"].tolist()
    yield dg.MaterializeResult(metadata={
        "rows": len(outcome.scores), "model_version": version,
        "score_date": str(outcome.score_date),
        **{f"tier_{t}": int(tiers.get(t, 0)) for t in "ABCD"},
    })
    yield dg.AssetCheckResult(
        check_name="score_drift", passed=not drifted, severity=dg.AssetCheckSeverity.WARN,
        metadata={"drifted_columns": ", ".join(drifted) or "none",
                  "probability_psi": float(outcome.drift["psi"].iloc[0])
                  if len(outcome.drift) else 0.0})


SCORING_ASSETS = [lead_score_model, lead_scores]
