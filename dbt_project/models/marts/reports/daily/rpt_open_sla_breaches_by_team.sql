-- The daily report's open-breach chart: one row per team of the open SLA breaches
-- (sla_breaches), untouched and touched late apart.
select
    coalesce(team, 'unassigned')                                    as team,
    count(*)                                                        as breaches,
    count(*) filter (where is_untouched)                            as untouched,
    count(*) filter (where not is_untouched)                        as touched_late
from {{ ref('sla_breaches') }}
group by all
