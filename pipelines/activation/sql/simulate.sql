-- Load per rep of a replayed routing (temp table `replayed`, the output of routing.sql over
-- past leads with no prior assignments) and the speed-to-lead to expect from it: each
-- rep's historical median response (minutes from the handoff to sales to the first sales
-- activity, marts.fct_speed_to_lead) and share of touched leads answered within the SLA,
-- the team's when the rep has no history yet.
with history as (

    select
        owner,
        team,
        count(*)                                                    as touched_leads,
        median(response_minutes)                                    as median_response_minutes,
        avg(case when response_minutes <= sla_hours * 60 then 1.0 else 0.0 end) as within_sla_share
    from marts.fct_speed_to_lead
    where is_touched
    group by all

),

team_history as (

    select
        team,
        median(response_minutes)                                    as median_response_minutes,
        avg(case when response_minutes <= sla_hours * 60 then 1.0 else 0.0 end) as within_sla_share
    from marts.fct_speed_to_lead
    where is_touched
    group by all

),

load as (

    select team, owner, count(*) as leads, count(*) filter (where tier = 'A') as tier_a_leads
    from replayed
    group by all

),

reps as (

    select team, owner, capacity_weight, is_available from sales_reps
    union all
    -- leads a team could not place (no available rep)
    select distinct team, owner, null, null from replayed
    where owner is null or owner not in (select owner from sales_reps)

)

select
    coalesce(reps.team, '-')                                        as team,
    coalesce(reps.owner, '(unassigned)')                            as owner,
    reps.capacity_weight,
    reps.is_available,
    coalesce(load.leads, 0)                                         as leads,
    coalesce(load.tier_a_leads, 0)                                  as tier_a_leads,
    coalesce(load.leads, 0) / nullif(sum(coalesce(load.leads, 0)) over (), 0) as share,
    coalesce(history.median_response_minutes, team_history.median_response_minutes)
                                                                    as expected_response_minutes,
    coalesce(history.within_sla_share, team_history.within_sla_share) as expected_within_sla,
    history.touched_leads is null                                   as is_team_estimate
from reps
left join load
    on load.owner is not distinct from reps.owner and load.team is not distinct from reps.team
left join history
    on history.owner = reps.owner
left join team_history
    on team_history.team = reps.team
order by team, owner
