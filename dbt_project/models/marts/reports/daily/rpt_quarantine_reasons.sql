-- The daily report's quarantine reasons: one row per source and reason (the reason's
-- text before its first ':'; 'whole file: ' in front when a whole file was refused), with
-- the rows held for it.
select
    source,
    case when row_number is null then 'whole file: ' else '' end
        || split_part(reason, ':', 1)                               as reason,
    count(*)                                                        as rows
from {{ source('raw', '_quarantine') }}
group by all
