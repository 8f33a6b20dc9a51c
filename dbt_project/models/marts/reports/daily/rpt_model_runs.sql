-- The daily report's model section: one row per trained model, its metrics beside the
-- rule score's, the gate decision and the evaluation (JSON: calibration, tiers, lift),
-- as stg_ml__model_runs holds them (its YAML lists the columns).
select * from {{ ref('stg_ml__model_runs') }}
