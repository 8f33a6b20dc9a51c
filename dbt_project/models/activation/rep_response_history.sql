-- The speed-to-lead each sales rep, and each team, has shown so far: one row per team and
-- owner (grouping_level 'rep') and per team (grouping_level 'team', owner '(all)'), over
-- the touched leads of fct_speed_to_lead (a touch without an owner counts for its team
-- only): median minutes from the handoff to the first sales touch and the share touched
-- within the SLA (fct_speed_to_lead.is_sla_breach: the tier's SLA in business hours). `leadflow routing simulate` reads it to estimate the response a
-- replayed rule set would give (the team's row for a rep without history).
with touched as (

    select team, owner, response_minutes, is_sla_breach
    from {{ ref('fct_speed_to_lead') }}
    where is_touched

)

select
    'rep'                                                           as grouping_level,
    team,
    owner,
    count(*)                                                        as touched_leads,
    median(response_minutes)                                        as median_response_minutes,
    avg(case when is_sla_breach then 0.0 else 1.0 end)             as within_sla_share
from touched
where owner is not null  -- a touch logged without an owner counts for the team only
group by team, owner

union all

select
    'team'                                                          as grouping_level,
    team,
    '(all)'                                                         as owner,
    count(*)                                                        as touched_leads,
    median(response_minutes)                                        as median_response_minutes,
    avg(case when is_sla_breach then 0.0 else 1.0 end)             as within_sla_share
from touched
group by team
