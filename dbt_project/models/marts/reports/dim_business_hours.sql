-- One row per team and local day it is open (seed business_hours, less the days of seed
-- team_holidays): the opening window as UTC instants, from the local opening and closing
-- times in the team's time zone (daylight saving included). Covers the days from var
-- business_calendar_start to business_calendar_end. Speed-to-lead counts business minutes
-- against these windows (macros/business_hours.sql).
with days as (

    {{ dbt.date_spine('day',
                      "cast('" ~ var('business_calendar_start') ~ "' as date)",
                      "cast('" ~ var('business_calendar_end') ~ "' as date)") | indent(4) }}

),

local_days as (

    select
        cast(date_day as date)                                      as local_date,
        {{ iso_weekday('cast(date_day as date)') }}                 as weekday
    from days

),

open_days as (

    select
        hours.team,
        local_days.local_date,
        local_days.weekday,
        hours.timezone,
        cast({{ dbt.concat(["cast(local_days.local_date as " ~ dbt.type_string() ~ ")",
                            "' '", "hours.opens_at", "':00'"]) }}
             as {{ dbt.type_timestamp() }})                         as local_opens_at,
        cast({{ dbt.concat(["cast(local_days.local_date as " ~ dbt.type_string() ~ ")",
                            "' '", "hours.closes_at", "':00'"]) }}
             as {{ dbt.type_timestamp() }})                         as local_closes_at
    from local_days
    inner join {{ ref('business_hours') }} as hours
        on hours.weekday = local_days.weekday
    left join {{ ref('team_holidays') }} as holidays
        on  holidays.team = hours.team
        and holidays.holiday_date = local_days.local_date
    where holidays.team is null

)

select
    {{ dbt.concat(["team", "'|'", "cast(local_date as " ~ dbt.type_string() ~ ")"]) }} as business_day_id,
    team,
    local_date,
    weekday,
    timezone,
    {{ local_to_utc('local_opens_at', 'timezone') }}                as opens_at,
    {{ local_to_utc('local_closes_at', 'timezone') }}               as closes_at
from open_days
