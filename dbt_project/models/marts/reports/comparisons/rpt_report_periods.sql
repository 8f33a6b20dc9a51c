-- One row per period grain and period the report compares: calendar months (UTC) from the
-- first data month to the as-of month, and rolling 7- and 30-day windows that end on the
-- last complete day, counted back report_parameters.comparison_periods windows.
--   as_of_date         the latest day with data: a lead created, a deal created or
--                      closed, or a day of spend
--   last_complete_day  as_of_date - 1: the as-of day is still being filled, so it is
--                      partial and no window or month ending on it counts as complete
--   is_complete        the period ends on or before last_complete_day and starts on or
--                      after the first day with data; a partial period is kept (marked)
--                      so the report can say "month to date", never compared
--   periods_back       0 = the latest complete period of its grain, 1 = the one before,
--                      ...; NULL for a partial period
with bounds as (

    select
        least(
            (select min(cast(created_at as date)) from {{ ref('dim_leads') }}),
            (select min(cast(created_at as date)) from {{ ref('fct_deals') }}),
            (select min(spend_date) from {{ ref('stg_spend__costs') }})
        )                                                           as first_date,
        greatest(
            (select max(cast(created_at as date)) from {{ ref('dim_leads') }}),
            (select max(cast(coalesce(closed_at, created_at) as date)) from {{ ref('fct_deals') }}),
            (select max(spend_date) from {{ ref('stg_spend__costs') }})
        )                                                           as as_of_date

),

params as (

    select
        max(cast(value as integer)) filter (where parameter = 'comparison_periods') as comparison_periods
    from {{ ref('report_parameters') }}

),

months as (

    select
        'month'                                                     as period_grain,
        cast(month_start as date)                                   as period_start,
        cast(month_start + interval 1 month - interval 1 day as date) as period_end
    from bounds
    cross join {{ leadflow.series(
        "cast(date_trunc('month', bounds.first_date) as timestamp)",
        "cast(date_trunc('month', bounds.as_of_date) as timestamp) + interval 1 month",
        'interval 1 month', 'spine', 'month_start', lateral=true) }}

),

windows as (

    select
        grains.period_grain,
        bounds.as_of_date - cast((steps.k + 1) * grains.days as integer) as period_start,
        bounds.as_of_date - cast(1 + steps.k * grains.days as integer)   as period_end
    from bounds
    cross join params
    cross join (values ('7d', 7), ('30d', 30)) as grains(period_grain, days)
    cross join {{ leadflow.series(0, 24, 1, 'steps', 'k') }}
    where steps.k < params.comparison_periods

),

periods as (

    select * from months
    union all
    select * from windows

),

flagged as (

    select
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        bounds.as_of_date,
        cast(bounds.as_of_date - 1 as date)                         as last_complete_day,
        periods.period_end <= bounds.as_of_date - 1
            and periods.period_start >= bounds.first_date           as is_complete
    from periods
    cross join bounds
    where bounds.as_of_date is not null

)

select
    period_grain,
    period_start,
    period_end,
    {{ leadflow.date_diff('day', 'period_start', 'period_end') }} + 1                  as days,
    is_complete,
    case when is_complete then
        row_number() over (partition by period_grain, is_complete order by period_start desc) - 1
    end                                                             as periods_back,
    as_of_date,
    last_complete_day
from flagged
