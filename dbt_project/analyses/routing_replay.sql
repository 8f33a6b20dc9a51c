{#- The replay of `leadflow routing simulate` (pipelines/activation/replay.py), three
    queries run in order on a read-only connection. The rules replayed may be candidate
    CSV files that are not seeds, so the replay binds them as temp tables named
    routing_rules, sales_reps, rep_availability and sla_policies; the queries read those
    names, the temp tables of the earlier steps (replay_leads, replay_matches), `replayed`,
    the leads as routing's round-robin deals them with capacity (the stateful step,
    pipelines/activation/routing.py, capacity.py), and `replay_peaks` (owner, peak_open:
    the most open leads a rep held during the replay), with the window as the parameters
    $start and $end. -#}

-- replay_leads: leads created in the window, whatever became of them, with the first
-- predictive tier they were given on or after their creation day (what routing saw)
select
    leads.lead_id,
    leads.created_at,
    leads.country_code,
    leads.region,
    leads.product_interest,
    (select arg_min(scores.tier, scores.score_date)
     from {{ ref('stg_ml__lead_scores') }} as scores
     where scores.lead_id = leads.lead_id
       and scores.score_date >= cast(leads.created_at as date))     as tier,
    -- the rule score is kept as of the latest build only: today's grade and band
    rule_scores.fit_grade,
    rule_scores.engagement_band,
    -- when the lead stopped counting towards its rep's open leads: it became a customer
    -- or was disqualified (and stays so)
    closed.entered_at                                               as closed_at
from {{ ref('dim_leads') }} as leads
left join {{ ref('fct_lead_rule_scores') }} as rule_scores using (lead_id)
left join {{ ref('fct_lead_stages') }} as closed
    on  closed.lead_id = leads.lead_id
    and closed.is_current_stage
    and closed.stage in ('customer', 'disqualified')
where leads.created_at >= $start and leads.created_at < $end;

-- replay_matches: the first matching rule of each replayed lead (as routing_matches)
{{ routing_match('replay_leads', 'routing_rules', 'sales_reps', 'sla_policies') }};

-- load per rep of the replayed leads and the response to expect: the rep's history, the
-- team's when the rep has none (rep_response_history); the capacity effect: leads the rep
-- could not take (passed on: away or at the cap) and leads it took for another
with load as (

    select
        team,
        owner,
        count(*)                                                    as leads,
        count(*) filter (where tier = 'A')                          as tier_a_leads,
        count(*) filter (where routing_note is not null)            as fallback_leads
    from replayed
    group by all

),

passed_on as (

    select intended_owner as owner, count(*) as passed_on_leads
    from replayed
    where routing_note in ('owner_away', 'owner_at_capacity', 'team_at_capacity', 'team_away')
      and owner is distinct from intended_owner
    group by all

),

away as (

    select
        owner,
        cast(sum(greatest(0, date_diff('day', greatest(away_from, cast($start as date)),
                                       least(away_to, cast($end as date) - 1)) + 1))
             as integer)                                            as away_days
    from rep_availability
    group by all

),

reps as (

    select team, owner, capacity_weight, is_available, max_open_leads from sales_reps
    union all
    -- leads a team could not place (no available rep, or all away or at capacity)
    select distinct team, owner, null, null, null from replayed
    where owner is null or owner not in (select owner from sales_reps)

),

rep_history as (

    select * from {{ ref('rep_response_history') }} where grouping_level = 'rep'

),

team_history as (

    select * from {{ ref('rep_response_history') }} where grouping_level = 'team'

)

select
    coalesce(reps.team, '-')                                        as team,
    coalesce(reps.owner, '(unassigned)')                            as owner,
    reps.capacity_weight,
    reps.is_available,
    reps.max_open_leads,
    coalesce(away.away_days, 0)                                     as away_days,
    coalesce(load.leads, 0)                                         as leads,
    coalesce(replay_peaks.peak_open, 0)                             as peak_open_leads,
    coalesce(load.fallback_leads, 0)                                as fallback_leads,
    coalesce(passed_on.passed_on_leads, 0)                          as passed_on_leads,
    coalesce(load.tier_a_leads, 0)                                  as tier_a_leads,
    coalesce(load.leads, 0) / nullif(sum(coalesce(load.leads, 0)) over (), 0) as share,
    coalesce(rep_history.median_response_minutes, team_history.median_response_minutes)
                                                                    as expected_response_minutes,
    coalesce(rep_history.within_sla_share, team_history.within_sla_share)
                                                                    as expected_within_sla,
    rep_history.touched_leads is null                               as is_team_estimate
from reps
left join load
    on load.owner is not distinct from reps.owner and load.team is not distinct from reps.team
left join away
    on away.owner = reps.owner
left join passed_on
    on passed_on.owner = reps.owner
left join replay_peaks
    on replay_peaks.owner = reps.owner
left join rep_history
    on rep_history.owner = reps.owner
left join team_history
    on team_history.team = reps.team
order by team, owner
