{#- The replay of `leadflow handoff simulate` (pipelines/handoff/simulate.py): the leads a
    rule set hands to sales in a past window, dealt to reps by the routing rules, and what
    their owners' measured response lets one expect. It runs on the throwaway copy of the
    warehouse in which both MQL rule sets were built with dbt (pipelines/handoff/rebuild.py),
    once per rule set ("side"), with these relations bound by the caller:
      handoff_stages, handoff_rule_scores   the side's fct_lead_stages / fct_lead_rule_scores
      routing_rules, sales_reps, sla_policies, rep_availability   the side's routing files
      handoff_dealt                         the handed leads as routing deals them
                                            (pipelines/activation/routing.py deal: weighted
                                            round-robin, caps of open leads, absences)
    Parameters: $start and $end (the window, by hand-off moment), $horizon_days.
    Queries, in order: the handed leads; their first matching rule (the routing macro of
    routing_matches and routing_replay); the warehouse's hand-offs by response band
    (response_history); the expectation per lead; then, over both sides (tables
    expected_current and expected_candidate), the figures per week and per rep; last the
    measured conversion by response band. -#}

-- handoff_leads: leads entering MQL in the window (the hand-off, fct_speed_to_lead's
-- handed_at), with the first predictive tier given on or after that day and the side's
-- rule score. created_at is the moment routing deals the lead (the name routing_match and
-- the dealing read): here the hand-off; closed_at when it stopped counting towards its
-- rep's open leads (customer or disqualified under the side's stages)
select
    leads.lead_id,
    handed.entered_at                                               as created_at,
    leads.country_code,
    leads.region,
    leads.product_interest,
    (select arg_min(scores.tier, scores.score_date)
     from {{ ref('stg_ml__lead_scores') }} as scores
     where scores.lead_id = leads.lead_id
       and scores.score_date >= cast(handed.entered_at as date))    as tier,
    rule_scores.fit_grade,
    rule_scores.engagement_band,
    (select min(closed.entered_at) from handoff_stages as closed
     where closed.lead_id = handed.lead_id
       and closed.stage in ('customer', 'disqualified'))            as closed_at
from handoff_stages as handed
inner join {{ ref('dim_leads') }} as leads using (lead_id)
left join handoff_rule_scores as rule_scores using (lead_id)
where handed.stage = 'mql'
  and handed.entered_at >= $start and handed.entered_at < $end;

-- handoff_matches: the first matching rule of each handed lead (as routing_matches)
{{ routing_match('handoff_leads', 'routing_rules', 'sales_reps', 'sla_policies') }};

-- response_history: the warehouse's hand-offs (fct_speed_to_lead) by response band, and
-- whether each became a customer within $horizon_days (fct_lead_stages); is_mature once
-- that horizon closed by the newest hand-off or stage entry
with as_of as (

    select greatest(
        (select max(handed_at) from {{ ref('fct_speed_to_lead') }}),
        (select max(entered_at) from {{ ref('fct_lead_stages') }})
    )                                                               as as_of_at

)

select
    speed.lead_id,
    speed.team,
    speed.owner,
    case
        when not speed.is_touched then 'not touched'
        when speed.response_minutes < 60 then '< 1 h'
        when speed.response_minutes < 240 then '1-4 h'
        when speed.response_minutes < 1440 then '4-24 h'
        else '> 24 h'
    end                                                             as response_band,
    speed.handed_at + to_days(cast($horizon_days as integer)) <= as_of.as_of_at as is_mature,
    coalesce(customer.entered_at
             <= speed.handed_at + to_days(cast($horizon_days as integer)), false) as is_converted
from {{ ref('fct_speed_to_lead') }} as speed
cross join as_of
left join {{ ref('fct_lead_stages') }} as customer
    on customer.lead_id = speed.lead_id and customer.stage = 'customer';

-- expected per lead: its owner's measured response (rep_response_history: the median
-- minutes to the first touch and the share within the SLA; the team's figures for a rep
-- without history or a lead left in the team queue), the chance of an SLA breach
-- (1 - that share) and the conversions lost to slow response: the conversion within
-- the horizon measured per response band (response_history): for each band of the owner's
-- history, how much less it converts than answering within the hour (no loss where it
-- converts as well)
with history as (

    select * from response_history

),

band_conversion as (

    select
        response_band,
        avg(cast(is_converted as double)) filter (where is_mature)  as conversion_rate
    from history
    group by response_band

),

within_hour as (

    select conversion_rate from band_conversion where response_band = '< 1 h'

),

-- over the owner's touched hand-offs, each band's shortfall against the first hour
touched_history as (

    select
        history.team,
        history.owner,
        greatest(within_hour.conversion_rate - band_conversion.conversion_rate, 0) as loss
    from history
    inner join band_conversion using (response_band)
    cross join within_hour
    where history.response_band <> 'not touched' and band_conversion.conversion_rate is not null

),

rep_loss as (

    select team, owner, avg(loss) as expected_conversion_loss
    from touched_history where owner is not null group by all

),

team_loss as (

    select team, avg(loss) as expected_conversion_loss from touched_history group by all

),

rep_history as (

    select * from {{ ref('rep_response_history') }} where grouping_level = 'rep'

),

team_history as (

    select * from {{ ref('rep_response_history') }} where grouping_level = 'team'

)

select
    dealt.lead_id,
    dealt.assigned_at                                               as handed_at,
    cast(date_trunc('week', dealt.assigned_at) as date)             as week,
    coalesce(dealt.team, '-')                                       as team,
    coalesce(dealt.owner, '(team queue)')                           as owner,
    dealt.tier,
    dealt.rule_id,
    dealt.routing_note,
    dealt.intended_owner,
    coalesce(rep_history.median_response_minutes, team_history.median_response_minutes)
                                                                    as expected_response_minutes,
    1 - coalesce(rep_history.within_sla_share, team_history.within_sla_share)
                                                                    as breach_probability,
    coalesce(rep_loss.expected_conversion_loss, team_loss.expected_conversion_loss)
                                                                    as expected_conversion_loss,
    rep_history.touched_leads is null                               as is_team_estimate
from handoff_dealt as dealt
left join rep_history
    on rep_history.owner = dealt.owner
left join team_history
    on team_history.team = dealt.team
left join rep_loss
    on rep_loss.owner = dealt.owner
left join team_loss
    on team_loss.team = dealt.team;

-- per week of hand-off, current beside candidate
with sides as (

    select 'current' as side, * from expected_current
    union all
    select 'candidate', * from expected_candidate

),

weeks as (

    select
        side,
        week,
        count(*)                                                    as handed,
        sum(expected_response_minutes) / nullif(count(expected_response_minutes), 0)
                                                                    as expected_response_minutes,
        sum(breach_probability)                                     as expected_sla_breaches,
        sum(expected_conversion_loss)                               as expected_conversions_lost
    from sides
    group by grouping sets ((side, week), (side))

)

select
    all_weeks.week,
    coalesce(cur.handed, 0)                                         as handed_current,
    coalesce(cand.handed, 0)                                        as handed_candidate,
    cur.expected_response_minutes                                   as expected_response_minutes_current,
    cand.expected_response_minutes                                  as expected_response_minutes_candidate,
    coalesce(cur.expected_sla_breaches, 0)                          as expected_sla_breaches_current,
    coalesce(cand.expected_sla_breaches, 0)                         as expected_sla_breaches_candidate,
    coalesce(cur.expected_conversions_lost, 0)                      as expected_conversions_lost_current,
    coalesce(cand.expected_conversions_lost, 0)                     as expected_conversions_lost_candidate
from (select distinct week from weeks) as all_weeks
left join weeks as cur
    on cur.side = 'current' and cur.week is not distinct from all_weeks.week
left join weeks as cand
    on cand.side = 'candidate' and cand.week is not distinct from all_weeks.week
order by all_weeks.week nulls last;

-- per rep (the reps of either side's sales_reps, and the team queues), current beside
-- candidate: leads, the rep's measured response, expected SLA breaches and conversions lost
with sides as (

    select 'current' as side, * from expected_current
    union all
    select 'candidate', * from expected_candidate

),

load as (

    select
        team,
        owner,
        count(*) filter (where side = 'current')                    as leads_current,
        count(*) filter (where side = 'candidate')                  as leads_candidate,
        any_value(expected_response_minutes)                        as expected_response_minutes,
        1 - any_value(breach_probability)                           as expected_within_sla,
        bool_or(is_team_estimate)                                   as is_team_estimate,
        coalesce(sum(breach_probability) filter (where side = 'current'), 0)
                                                                    as expected_sla_breaches_current,
        coalesce(sum(breach_probability) filter (where side = 'candidate'), 0)
                                                                    as expected_sla_breaches_candidate,
        coalesce(sum(expected_conversion_loss) filter (where side = 'current'), 0)
                                                                    as expected_conversions_lost_current,
        coalesce(sum(expected_conversion_loss) filter (where side = 'candidate'), 0)
                                                                    as expected_conversions_lost_candidate
    from sides
    group by all

),

reps as (

    select team, owner from candidate_reps
    union
    select team, owner from current_reps
    union
    select team, owner from load

),

-- leads whose turn or rule pointed at a rep who could not take them (away, at capacity)
passed_on as (

    select
        intended_owner                                              as owner,
        count(*) filter (where side = 'current')                    as passed_on_current,
        count(*) filter (where side = 'candidate')                  as passed_on_candidate
    from sides
    where intended_owner is not null and owner is distinct from intended_owner
    group by all

)

select
    reps.team,
    reps.owner,
    candidate_reps.is_available                                     as is_available_candidate,
    candidate_reps.max_open_leads                                   as max_open_leads_candidate,
    (select count(*) from candidate_away where candidate_away.owner = reps.owner)
                                                                    as away_days_candidate,
    coalesce(load.leads_current, 0)                                 as leads_current,
    coalesce(load.leads_candidate, 0)                               as leads_candidate,
    load.expected_response_minutes,
    load.expected_within_sla,
    coalesce(load.is_team_estimate, false)                          as is_team_estimate,
    coalesce(passed_on.passed_on_current, 0)                        as passed_on_current,
    coalesce(passed_on.passed_on_candidate, 0)                      as passed_on_candidate,
    coalesce(load.expected_sla_breaches_current, 0)                 as expected_sla_breaches_current,
    coalesce(load.expected_sla_breaches_candidate, 0)               as expected_sla_breaches_candidate,
    coalesce(load.expected_conversions_lost_current, 0)             as expected_conversions_lost_current,
    coalesce(load.expected_conversions_lost_candidate, 0)           as expected_conversions_lost_candidate
from reps
left join load
    on load.team = reps.team and load.owner = reps.owner
left join candidate_reps
    on candidate_reps.owner = reps.owner
left join passed_on
    on passed_on.owner = reps.owner
order by reps.team, reps.owner;

-- the measured conversion by response band that the losses come from
select
    response_band,
    count(*)                                                        as handed_leads,
    count(*) filter (where is_mature)                               as mature_leads,
    avg(cast(is_converted as double)) filter (where is_mature)      as conversion_rate
from response_history
group by response_band
order by case response_band when '< 1 h' then 1 when '1-4 h' then 2 when '4-24 h' then 3
                            when '> 24 h' then 4 else 5 end
