-- One row per rule of seed scoring_rules that a person's attribute or engagement event
-- matched: the points it earns, and for engagement the exponential time decay
--   decay_factor = 0.5 ^ (days from the event to the as-of moment / half-life)
-- (seed scoring_parameters: engagement_half_life_days; groups whose is_decayed is false,
-- such as unsubscribe and bounce, keep full points). The as-of moment is the newest
-- engagement event in the data (as_of = latest_event; the newest lead's creation when the
-- data has no engagement at all, e.g. a CRM-only import), not the wall clock, so a rebuild
-- gives the same scores; or the end (UTC) of a given date, later events left out.
-- A full rebuild every run: changing a rule re-scores all history.
with parameters as (

    select
        cast(max(value) filter (where parameter = 'engagement_half_life_days') as double)
                                                                    as half_life_days,
        coalesce(max(value) filter (where parameter = 'as_of'), 'latest_event') as as_of_rule
    from {{ ref('scoring_parameters') }}

),

events as (

    select * from {{ ref('int_scoring_events') }}

),

as_of as (

    select
        case
            when parameters.as_of_rule = 'latest_event'
                then coalesce(
                    (select max(occurred_at) from events),
                    (select max(created_at) from {{ ref('int_people_merged') }})
                )
            else timezone('UTC', cast(parameters.as_of_rule as date) + interval 1 day)
        end                                                         as as_of_at,
        parameters.half_life_days
    from parameters

),

rules as (

    select rules.*, groups.is_decayed
    from {{ ref('scoring_rules') }} as rules
    inner join {{ ref('scoring_groups') }} as groups using (score_type, rule_group)

),

fit as (

    select
        rules.rule_id,
        rules.score_type,
        rules.rule_group,
        attributes.lead_id,
        cast(null as varchar)                                       as scoring_event_id,
        cast(null as timestamptz)                                   as occurred_at,
        1                                                           as quantity,
        rules.points                                                as raw_points,
        1.0                                                         as decay_factor
    from {{ ref('int_lead_fit_attributes') }} as attributes
    inner join rules
        on rules.score_type = 'fit'
        and attributes.attribute = rules.attribute
        and attributes.attribute_value = lower(rules.attribute_value)

),

engagement as (

    select
        rules.rule_id,
        rules.score_type,
        rules.rule_group,
        events.lead_id,
        events.scoring_event_id,
        events.occurred_at,
        events.quantity,
        events.quantity * rules.points                              as raw_points,
        case
            when rules.is_decayed
                then pow(0.5, epoch(as_of.as_of_at - events.occurred_at) / 86400.0 / as_of.half_life_days)
            else 1.0
        end                                                         as decay_factor
    from events
    inner join rules
        on rules.score_type = 'engagement'
        and events.behaviour = rules.behaviour
    cross join as_of
    where events.occurred_at <= as_of.as_of_at

),

unioned as (

    select * from fit
    union all
    select * from engagement

)

select
    {{ surrogate_key(['unioned.rule_id', 'unioned.lead_id', 'unioned.scoring_event_id']) }} as score_point_id,
    unioned.lead_id,
    unioned.score_type,
    unioned.rule_group,
    unioned.rule_id,
    unioned.scoring_event_id,
    unioned.occurred_at,
    unioned.quantity,
    unioned.raw_points,
    round(unioned.decay_factor, 6)                                  as decay_factor,
    cast(round(unioned.raw_points * unioned.decay_factor, 4) as decimal(18, 4)) as decayed_points,
    as_of.as_of_at
from unioned
cross join as_of
