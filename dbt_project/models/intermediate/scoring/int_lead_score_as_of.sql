-- One row: the moment the rule scores are decayed to (as_of_at) and the half-life.
-- as_of_at is the newest engagement event in the data (seed scoring_parameters as_of =
-- latest_event; the newest lead's creation when the data has no engagement at all, e.g.
-- a CRM-only import), not the wall clock, so a rebuild gives the same scores; or the end
-- (UTC) of a given date, later events left out. Rebuilt every run: it moves with the data.
with parameters as (

    select
        cast(max(value) filter (where parameter = 'engagement_half_life_days') as double)
                                                                    as half_life_days,
        coalesce(max(value) filter (where parameter = 'as_of'), 'latest_event') as as_of_rule
    from {{ ref('scoring_parameters') }}

)

select
    case
        when parameters.as_of_rule = 'latest_event'
            then coalesce(
                (select max(occurred_at) from {{ ref('int_scoring_events') }}),
                (select max(created_at) from {{ ref('int_people_merged') }})
            )
        else {{ leadflow.utc_instant('cast(parameters.as_of_rule as date) + interval 1 day') }}
    end                                                             as as_of_at,
    parameters.as_of_rule,
    parameters.half_life_days
from parameters
