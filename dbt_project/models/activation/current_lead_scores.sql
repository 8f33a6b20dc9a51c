-- One row per lead the predictive model has scored: its latest score (the newest
-- score_date), tier and reasons. What routing, nurture tracks and segments read.
select
    lead_id,
    score,
    tier,
    reason_1,
    reason_2,
    reason_3,
    score_date
from {{ ref('stg_ml__lead_scores') }}
qualify row_number() over (partition by lead_id order by score_date desc) = 1
