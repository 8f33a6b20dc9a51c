-- Speed-to-lead by team, owner and source channel, with roll-ups (grouping sets):
-- grouping_level says which columns the row is broken down by; a column it is not broken
-- down by reads '(all)'. Leads never touched have owner and team 'unassigned'; a rep
-- missing from seed report_sales_teams has team 'unmapped'. Medians and p95 are over
-- touched leads only (response_minutes); share_within_hour and sla_breaches count every
-- lead handed (an untouched lead is not within the hour).
with leads as (

    select
        coalesce(team, case when owner is null then 'unassigned' else 'unmapped' end) as team,
        coalesce(owner, 'unassigned')                               as owner,
        coalesce(source_channel, 'unknown')                         as source_channel,
        response_minutes,
        is_touched,
        is_within_hour,
        is_sla_breach
    from {{ ref('fct_speed_to_lead') }}

),

grouped as (

    select
        case
            when grouping_id(team, owner, source_channel) = 0 then 'team_owner_channel'
            when grouping_id(team, owner, source_channel) = 1 then 'team_owner'
            when grouping_id(team, owner, source_channel) = 3 then 'team'
            when grouping_id(team, owner, source_channel) = 6 then 'channel'
            else 'all'
        end                                                         as grouping_level,
        case when grouping(team) = 0 then team else '(all)' end     as team,
        case when grouping(owner) = 0 then owner else '(all)' end   as owner,
        case when grouping(source_channel) = 0 then source_channel else '(all)' end as source_channel,
        count(*)                                                    as leads,
        count(*) filter (where is_touched)                          as leads_touched,
        {{ leadflow.quantile_cont('response_minutes', '0.5') }}                        as median_response_minutes,
        {{ leadflow.quantile_cont('response_minutes', '0.95') }}                       as p95_response_minutes,
        count(*) filter (where is_within_hour)                      as leads_within_hour,
        count(*) filter (where is_within_hour) / nullif(count(*), 0)  as share_within_hour,
        count(*) filter (where is_sla_breach)                       as sla_breaches,
        count(*) filter (where is_sla_breach) / nullif(count(*), 0)   as sla_breach_rate
    from leads
    group by grouping sets (
        (team, owner, source_channel),
        (team, owner),
        (team),
        (source_channel),
        ()
    )

)

select
    grouping_level,
    team,
    owner,
    source_channel,
    leads,
    leads_touched,
    round(median_response_minutes, 1)                               as median_response_minutes,
    round(p95_response_minutes, 1)                                  as p95_response_minutes,
    leads_within_hour,
    round(share_within_hour, 4)                                     as share_within_hour,
    sla_breaches,
    round(sla_breach_rate, 4)                                       as sla_breach_rate
from grouped
