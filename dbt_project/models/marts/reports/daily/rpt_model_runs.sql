-- The daily report's model section: one row per trained model, its metrics beside the
-- rule score's, the gate decision and the evaluation (JSON: calibration, tiers, lift).
select
    model_version,
    trained_at,
    model_kind,
    training_from,
    calibration_from,
    validation_from,
    validation_to,
    training_rows,
    validation_rows,
    roc_auc,
    pr_auc,
    brier,
    top_decile_precision,
    top_decile_lift,
    rule_roc_auc,
    rule_pr_auc,
    rule_brier,
    rule_top_decile_precision,
    rule_top_decile_lift,
    base_rate,
    candidate_roc_auc,
    is_accepted,
    gate_reason,
    replaced_version,
    evaluation
from {{ ref('stg_ml__model_runs') }}
