-- A daily build's data tests read the rows of the leads it refreshed (macros/test_scope.sql).
-- One row per person and rule group of seed scoring_groups (every group, zero when nothing
-- matched): what the group adds to the fit or engagement score, and why. raw_points is the
-- undecayed sum of the matched rules (points x quantity), decayed_points the sum after the
-- time decay to the as-of moment (int_lead_score_as_of), contribution_points that sum held
-- between the group's min_points and max_points (the cap; negative floors for students,
-- free-mail, unsubscribes, bounces).
-- A view: the stored sums (int_lead_score_groups) are decayed to the current as-of moment
-- when read, so a daily run does not rewrite a row per person and group.
with groups as (

    select * from {{ ref('int_lead_score_groups') }}

),

as_of as (

    select * from {{ ref('int_lead_score_as_of') }}

),

decayed as (

    select
        groups.*,
        cast(round(
            {{ decayed_points('groups.points_at_reference', 'groups.is_decayed',
                              leadflow.seconds_between('groups.decay_reference_at', 'as_of.as_of_at') ~ ' / 86400.0',
                              'as_of.half_life_days') }}, 4) as decimal(18, 4)) as decayed_points
    from groups
    cross join as_of

)

select
    score_contribution_id,
    lead_id,
    score_type,
    rule_group,
    matched_count,
    matched_rule_ids,
    last_event_at,
    raw_points,
    decayed_points,
    cast({{ capped_points('decayed_points', 'min_points', 'max_points') }} as decimal(18, 4))
                                                                    as contribution_points,
    min_points,
    max_points,
    decayed_points > max_points or decayed_points < min_points      as is_capped
from decayed
