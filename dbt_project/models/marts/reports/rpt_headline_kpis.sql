-- One row per headline KPI of the whole warehouse: the figures `leadflow status` and
-- `make demo` print, and the daily report's first screen. Each figure is read from the
-- mart or report that defines it, so there is one definition per KPI.
with funnel as (

    select * from {{ ref('rpt_funnel_conversion') }} where grouping_level = 'all'

),

deals as (

    select
        count(*) filter (where is_won)                              as deals_won,
        count(*) filter (where is_closed)                           as deals_closed,
        avg(amount_usd) filter (where is_won)                       as avg_won_deal_usd,
        avg({{ leadflow.date_diff('second', 'created_at', 'closed_at') }} / 86400.0) filter (where is_won)
                                                                    as avg_sales_cycle_days,
        sum(amount_usd) filter (where is_won)                       as won_revenue_usd
    from {{ ref('fct_deals') }}

),

latest_month as (

    select arr_usd, arr_growth
    from {{ ref('rpt_sales_kpis') }}
    order by closed_month desc
    limit 1

),

-- spend_usd repeats for every attribution model: take it once per channel
spend as (

    select sum(spend_usd) as spend_usd
    from (
        select channel, any_value(spend_usd) as spend_usd
        from {{ ref('rpt_channel_roi') }}
        group by channel
    )

),

speed as (

    select * from {{ ref('rpt_speed_to_lead') }} where grouping_level = 'all'

),

-- one select per KPI (each figure a scalar subquery: NULL when its source is empty), not a
-- VALUES list: Spark takes no subquery inside VALUES
kpis as (

    select 1 as display_order, 'leads' as kpi, 'Leads' as kpi_label, 'count' as unit,
           (select leads from funnel) as value
    union all select 2,  'mqls',                    'Marketing-qualified leads',                 'count',   (select mqls from funnel)
    union all select 3,  'customers',               'Customers',                                 'count',   (select customers from funnel)
    union all select 4,  'lead_to_mql_rate',        'Lead to MQL (any stage)',                   'rate',    (select any_lead_to_mql_rate from funnel)
    union all select 5,  'lead_to_customer_rate',   'Lead to customer (any stage)',              'rate',    (select any_lead_to_customer_rate from funnel)
    union all select 6,  'win_rate',                'Win rate of closed deals',                  'rate',    (select deals_won / nullif(deals_closed, 0) from deals)
    union all select 7,  'avg_won_deal_usd',        'Average won deal',                          'usd',     (select avg_won_deal_usd from deals)
    union all select 8,  'avg_sales_cycle_days',    'Average sales cycle',                       'days',    (select avg_sales_cycle_days from deals)
    union all select 9,  'arr_usd',                 'ARR (latest month)',                        'usd',     (select arr_usd from latest_month)
    union all select 10, 'arr_growth',              'ARR growth (latest month)',                 'rate',    (select arr_growth from latest_month)
    union all select 11, 'marketing_spend_usd',     'Marketing spend',                           'usd',     (select spend_usd from spend)
    union all select 12, 'blended_cac_usd',         'Blended CAC (spend / deals won)',           'usd',     (select spend.spend_usd / nullif(deals.deals_won, 0) from spend, deals)
    union all select 13, 'marketing_roi',           'Marketing ROI ((revenue - spend) / spend)', 'rate',    (select (deals.won_revenue_usd - spend.spend_usd) / nullif(spend.spend_usd, 0) from spend, deals)
    union all select 14, 'median_response_minutes', 'Speed to lead, median',                     'minutes', (select median_response_minutes from speed)
    union all select 15, 'p95_response_minutes',    'Speed to lead, p95',                        'minutes', (select p95_response_minutes from speed)
    union all select 16, 'share_within_hour',       'Answered within the hour',                  'rate',    (select share_within_hour from speed)
    union all select 17, 'sla_breaches',            'SLA breaches',                              'count',   (select sla_breaches from speed)

)

select
    kpi,
    kpi_label,
    unit,
    cast(value as double)                                           as value,
    display_order
from kpis
order by display_order
