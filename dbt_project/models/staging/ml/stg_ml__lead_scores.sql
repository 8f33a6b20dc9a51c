-- ml.lead_scores as the scoring asset writes it: one row per lead and scoring day.
select
    score_date,
    lead_id,
    model_version,
    probability,
    score,
    tier,
    priority_rank,
    reason_1,
    reason_1_effect,
    reason_2,
    reason_2_effect,
    reason_3,
    reason_3_effect,
    as_of_at,
    scored_at
from {{ python_source('ml', 'lead_scores') }}
