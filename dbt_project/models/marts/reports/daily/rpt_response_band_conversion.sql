-- Conversion by response-time band, per tier: one row per tier (the tier fct_speed_to_lead
-- judges the SLA by; 'unscored' without one, and 'all') and response band of the leads
-- handed to sales (calendar time from the handoff to the first sales touch, the bands of
-- the one-hour rule; untouched leads in their own band), every band present: leads, how
-- many became sales-qualified and customers (fct_lead_funnel, as of the build) and the
-- rates. A later band has had less time to convert only if its leads are younger: the
-- rates compare leads of the same history.
with bands (band_order, response_band, upper_minutes) as (

    values (1, '< 1 h', 60), (2, '1-4 h', 240), (3, '4-24 h', 1440), (4, '> 24 h', null),
           (5, 'not yet touched', null)

),

tiers as (

    select tier from {{ ref('sla_policies') }}
    union all
    select 'all'

),

handed as (

    select
        speed.tier,
        case
            when not speed.is_touched then 5
            when speed.response_minutes < 60 then 1
            when speed.response_minutes < 240 then 2
            when speed.response_minutes < 1440 then 3
            else 4
        end                                                         as band_order,
        speed.response_business_minutes,
        speed.is_sla_breach,
        coalesce(funnel.is_sql, false)                              as is_sql,
        coalesce(funnel.is_customer, false)                         as is_customer
    from {{ ref('fct_speed_to_lead') }} as speed
    left join {{ ref('fct_lead_funnel') }} as funnel using (lead_id)

),

both_levels as (

    select * from handed
    union all
    select 'all' as tier, band_order, response_business_minutes, is_sla_breach, is_sql,
           is_customer
    from handed

),

params as (

    select max(cast(value as integer)) as min_sample_size
    from {{ ref('report_parameters') }}
    where parameter = 'min_sample_size'

),

grid as (

    select
        tiers.tier,
        bands.band_order,
        bands.response_band,
        count(both_levels.band_order)                               as leads,
        count(case when both_levels.is_sql then 1 end)              as sales_qualified,
        count(case when both_levels.is_customer then 1 end)         as customers,
        count(case when both_levels.is_sla_breach then 1 end)       as sla_breaches,
        median(both_levels.response_business_minutes)               as median_business_minutes
    from tiers
    cross join bands
    left join both_levels
        on  both_levels.tier = tiers.tier
        and both_levels.band_order = bands.band_order
    group by tiers.tier, bands.band_order, bands.response_band

)

select
    {{ dbt.concat(["grid.tier", "'|'", "cast(grid.band_order as " ~ dbt.type_string() ~ ")"]) }}
                                                                    as tier_band_id,
    grid.tier,
    grid.band_order,
    grid.response_band,
    grid.leads,
    grid.sales_qualified,
    grid.customers,
    grid.sla_breaches,
    grid.median_business_minutes,
    grid.sales_qualified / nullif(cast(grid.leads as double), 0)   as sql_rate,
    grid.customers / nullif(cast(grid.leads as double), 0)         as customer_rate,
    grid.leads < params.min_sample_size                             as is_small_sample
from grid
cross join params
