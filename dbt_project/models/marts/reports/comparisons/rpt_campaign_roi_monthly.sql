-- One row per attribution model, channel, campaign and calendar month (UTC) with spend or
-- attributed revenue: the campaign's spend of the month in USD (spend_date; fx_rates
-- planning rates), the revenue each model credits to the campaign's touches for deals won
-- that month (fct_attribution, revenue conversions by converted_at), the fractional wins,
-- the won deals it touched (wins_touched, its sample size) and ROI = (attributed revenue -
-- spend) / spend (NULL without spend). Untagged spend and touches read '(untagged)'.
-- Revenue is credited in the month a deal is won, spend in the month it is paid, so a
-- campaign's payback shows in later months. is_complete_month: the month is over by the
-- data's last complete day (rpt_report_periods); is_small_sample: fewer won deals touched
-- than report_parameters.min_sample_size.
with spend as (

    select
        costs.channel,
        coalesce(costs.campaign, '(untagged)')                      as campaign,
        cast(date_trunc('month', costs.spend_date) as date)         as month,
        {{ exact_sum('costs.cost * rates.usd_per_unit') }}          as spend_usd
    from {{ ref('stg_spend__costs') }} as costs
    inner join {{ ref('fx_rates') }} as rates
        on costs.currency = rates.currency
    group by all

),

credited as (

    select
        model,
        channel,
        coalesce(campaign, '(untagged)')                            as campaign,
        cast(date_trunc('month', converted_at) as date)             as month,
        conversion_id,
        {{ exact_sum('attributed_revenue_usd') }}                   as attributed_revenue_usd,
        {{ exact_sum('credit') }}                                   as credit
    from {{ ref('fct_attribution') }}
    where conversion_type = 'revenue'
    group by all

),

revenue as (

    select
        model,
        channel,
        campaign,
        month,
        {{ exact_sum('attributed_revenue_usd') }}                   as attributed_revenue_usd,
        {{ exact_sum('credit') }}                                   as attributed_wins,
        count(*) filter (where credit > 0)                          as wins_touched
    from credited
    group by all

),

models as (

    select distinct model from {{ ref('attribution_models') }}

),

spine as (

    select models.model, spend.channel, spend.campaign, spend.month
    from models
    cross join spend
    union
    select model, channel, campaign, month
    from revenue

),

params as (

    select max(cast(value as integer)) filter (where parameter = 'min_sample_size') as min_sample_size
    from {{ ref('report_parameters') }}

),

months as (

    select period_start as month, is_complete
    from {{ ref('rpt_report_periods') }}
    where period_grain = 'month'

)

select
    spine.model,
    spine.channel,
    spine.campaign,
    spine.month,
    coalesce(months.is_complete, false)                             as is_complete_month,
    cast(round(coalesce(spend.spend_usd, 0), 2) as double)          as spend_usd,
    cast(round(coalesce(revenue.attributed_revenue_usd, 0), 2) as double) as attributed_revenue_usd,
    cast(round(coalesce(revenue.attributed_wins, 0), 4) as double)  as attributed_wins,
    coalesce(revenue.wins_touched, 0)                               as wins_touched,
    cast(round((coalesce(revenue.attributed_revenue_usd, 0) - spend.spend_usd)
               / nullif(spend.spend_usd, 0), 4) as double)          as roi,
    coalesce(revenue.wins_touched, 0) < params.min_sample_size      as is_small_sample
from spine
cross join params
left join spend
    on spine.channel = spend.channel
    and spine.campaign = spend.campaign
    and spine.month = spend.month
left join revenue
    on spine.model = revenue.model
    and spine.channel = revenue.channel
    and spine.campaign = revenue.campaign
    and spine.month = revenue.month
left join months
    on spine.month = months.month
