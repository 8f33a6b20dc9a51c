-- One row per person: the rule-based fit score (who they are) and engagement score (what
-- they did, decayed by half-life to the as-of moment) kept apart, as HubSpot and Pardot do;
-- fit_grade A-D and engagement_band 1-4 by the cut-offs of seed scoring_grades (the
-- highest label whose min_score the score reaches; the label with a blank min_score takes
-- the rest), and the matrix label (A1 = best fit, most engaged). The score is the sum of
-- the capped group contributions of fct_lead_rule_score_contributions. A full rebuild every
-- run: the decay moves every engagement score with the as-of moment.
with contributions as (

    select * from {{ ref('fct_lead_rule_score_contributions') }}

),

scores as (

    select
        lead_id,
        sum(contribution_points) filter (where score_type = 'fit')  as fit_score,
        round(sum(contribution_points) filter (where score_type = 'engagement'), 2) as engagement_score,
        max(last_event_at) filter (where score_type = 'engagement') as last_engagement_at
    from contributions
    group by lead_id

),

grades as (

    select * from {{ ref('scoring_grades') }}

),

labelled as (

    select
        scores.*,
        (select {{ leadflow.arg_max('label', 'coalesce(min_score, -1e9)') }} from grades
         where score_type = 'fit' and coalesce(min_score, -1e9) <= scores.fit_score) as fit_grade,
        (select {{ leadflow.arg_max('label', 'coalesce(min_score, -1e9)') }} from grades
         where score_type = 'engagement' and coalesce(min_score, -1e9) <= scores.engagement_score) as engagement_band
    from scores

),

as_of as (

    select as_of_at from {{ ref('int_lead_score_as_of') }}

)

select
    labelled.lead_id,
    cast(coalesce(labelled.fit_score, 0) as decimal(18, 2))         as fit_score,
    labelled.fit_grade,
    cast(coalesce(labelled.engagement_score, 0) as decimal(18, 2)) as engagement_score,
    cast(labelled.engagement_band as integer)                       as engagement_band,
    labelled.fit_grade || labelled.engagement_band                  as score_label,
    labelled.last_engagement_at,
    as_of.as_of_at                                                  as scored_as_of_at
from labelled
cross join as_of
