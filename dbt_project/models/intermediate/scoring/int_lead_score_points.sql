-- One row per rule of seed scoring_rules that a person's attribute or engagement event
-- matched: the points it earns (raw_points = points x quantity) and, for groups whose
-- is_decayed is true, those points already decayed to the person's newest scored event
-- (decay_reference_at):
--   points_at_reference = raw_points x 0.5 ^ (days from the event to decay_reference_at
--                                             / engagement_half_life_days)
-- Fit rules and groups that keep full points (unsubscribe, bounce) have factor 1.
-- Decaying to a moment of the person's own, not to the moving as-of moment, keeps a
-- person's rows unchanged until the person does something: fct_lead_rule_score_contributions
-- decays the sums the rest of the way to int_lead_score_as_of (the exponent adds up).
-- Events after a fixed as-of date (seed scoring_parameters) are left out.
-- The formula: macros/scoring.sql. Lead refresh (macros/lead_refresh.sql).
with as_of as (

    select * from {{ ref('int_lead_score_as_of') }}

),

events as (

    select events.*
    from {{ ref('int_scoring_events') }} as events
    where events.occurred_at <= (select as_of_at from as_of)

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
        rules.is_decayed,
        attributes.lead_id,
        cast(null as {{ leadflow.type_text() }})                                       as scoring_event_id,
        cast(null as {{ leadflow.type_timestamptz() }})                                   as occurred_at,
        1                                                           as quantity,
        rules.points                                                as raw_points
    from {{ ref('int_lead_fit_attributes') }} as attributes
    inner join rules
        on {{ fit_rule_matches('attributes', 'rules') }}

),

engagement as (

    select
        rules.rule_id,
        rules.score_type,
        rules.rule_group,
        rules.is_decayed,
        events.lead_id,
        events.scoring_event_id,
        events.occurred_at,
        events.quantity,
        events.quantity * rules.points                              as raw_points
    from events
    inner join rules
        on {{ engagement_rule_matches('events', 'rules') }}

),

unioned as (

    select * from fit
    union all
    select * from engagement

),

referenced as (

    select
        *,
        max(occurred_at) over (partition by lead_id)                as decay_reference_at
    from unioned

)

select
    {{ surrogate_key(['rule_id', 'lead_id', 'scoring_event_id']) }} as score_point_id,
    lead_id,
    score_type,
    rule_group,
    rule_id,
    scoring_event_id,
    occurred_at,
    quantity,
    raw_points,
    is_decayed,
    decay_reference_at,
    {{ decayed_points('raw_points', 'is_decayed',
                      leadflow.seconds_between('occurred_at', 'decay_reference_at') ~ ' / 86400.0',
                      '(select half_life_days from as_of)') }}        as points_at_reference
from referenced
