-- The daily report's drift section: per scoring day and column, the population stability
-- index; display_order puts the probability first, then the largest shifts.
select
    score_date,
    column_name,
    psi,
    is_drifted,
    row_number() over (
        partition by score_date
        order by column_name = 'probability' desc, psi desc, column_name
    )                                                               as display_order
from {{ ref('stg_ml__score_drift') }}
