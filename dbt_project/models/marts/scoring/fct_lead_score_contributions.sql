-- One row per person and rule group of seed scoring_groups (every group, zero when nothing
-- matched): what the group adds to the fit or engagement score, and why. raw_points is the
-- undecayed sum of the matched rules (points x quantity), decayed_points the sum after the
-- time decay, contribution_points that sum held between the group's min_points and
-- max_points (the cap; negative floors for students, free-mail, unsubscribes, bounces).
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
        sum(decayed_points)                                         as decayed_points,
        string_agg(distinct rule_id, ',' order by rule_id)          as matched_rule_ids,
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
    cast(coalesce(points.decayed_points, 0) as decimal(18, 4))      as decayed_points,
    cast(greatest(groups.min_points, least(groups.max_points, coalesce(points.decayed_points, 0)))
        as decimal(18, 4))                                          as contribution_points,
    groups.min_points,
    groups.max_points,
    coalesce(points.decayed_points, 0) > groups.max_points
        or coalesce(points.decayed_points, 0) < groups.min_points   as is_capped
from people
cross join groups
left join points
    on points.lead_id = people.lead_id
    and points.score_type = groups.score_type
    and points.rule_group = groups.rule_group
