-- The daily report's tier summary: per scoring day and tier, the leads scored, their
-- mean probability and their lowest and highest score, and the model that scored them.
select
    score_date,
    tier,
    any_value(model_version)                                        as model_version,
    count(*)                                                        as leads,
    avg(probability)                                                as mean_probability,
    min(score)                                                      as min_score,
    max(score)                                                      as max_score
from {{ ref('stg_ml__lead_scores') }}
group by score_date, tier
