-- ml.score_drift as the scoring asset writes it: one row per scoring day and column.
select
    score_date,
    model_version,
    column_name,
    psi,
    is_drifted
from {{ python_source('ml', 'score_drift') }}
