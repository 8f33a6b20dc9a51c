-- The daily report's open-breach roll-up: one row per team, owner and tier of the open
-- SLA breaches (activation.sla_breaches), untouched and touched late apart.
select
    coalesce(team, 'unassigned')                                    as team,
    coalesce(owner, 'unassigned')                                   as owner,
    coalesce(tier, 'unscored')                                      as tier,
    any_value(sla_hours)                                            as sla_hours,
    count(*)                                                        as breaches,
    count(*) filter (where is_untouched)                            as untouched,
    count(*) filter (where not is_untouched)                        as touched_late,
    median(hours_over_sla)                                          as median_hours_over_sla,
    max(hours_over_sla)                                             as max_hours_over_sla
from {{ ref('sla_breaches') }}
group by all
