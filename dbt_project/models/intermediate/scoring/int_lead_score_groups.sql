-- One row per person and rule group of seed scoring_groups (every group, zero when
-- nothing matched): the sums of int_lead_score_points that do not move with time
-- (matched rules, raw points, points decayed to the person's decay_reference_at) and the
-- group's cap. fct_lead_rule_score_contributions decays them to the as-of moment and caps them.
-- Lead refresh (macros/lead_refresh.sql).
with people as (

    select lead_id from {{ ref('int_people_merged') }}

),

groups as (

    select * from {{ ref('scoring_groups') }}

),

points as (

    select
        lead_id,
        score_type,
        rule_group,
        count(*)                                                    as matched_count,
        sum(raw_points)                                             as raw_points,
        sum(points_at_reference)                                    as points_at_reference,
        any_value(decay_reference_at)                               as decay_reference_at,
        {{ leadflow.string_agg('rule_id', "','", 'rule_id', distinct=true) }} as matched_rule_ids,
        max(occurred_at)                                            as last_event_at
    from {{ ref('int_lead_score_points') }}
    group by all

)

select
    {{ surrogate_key(['people.lead_id', 'groups.score_type', 'groups.rule_group']) }} as score_contribution_id,
    people.lead_id,
    groups.score_type,
    groups.rule_group,
    coalesce(points.matched_count, 0)                               as matched_count,
    points.matched_rule_ids,
    points.last_event_at,
    cast(coalesce(points.raw_points, 0) as decimal(18, 4))          as raw_points,
    coalesce(points.points_at_reference, 0)                         as points_at_reference,
    points.decay_reference_at,
    groups.is_decayed,
    groups.min_points,
    groups.max_points
from people
cross join groups
left join points
    on points.lead_id = people.lead_id
    and points.score_type = groups.score_type
    and points.rule_group = groups.rule_group
