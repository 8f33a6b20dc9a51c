-- One row per KPI, period grain and period of rpt_report_periods: the KPI over the events
-- dated in the period, and the sample it rests on. Each KPI counts events by their own
-- date, so a period's figures are the flow of that period, not of a cohort:
--   leads, mqls, customers   people entering the stage in the period (fct_lead_stages)
--   win_rate                 deals won / deals closed in the period; sample: deals closed
--   won_revenue_usd          amount_usd of the deals won in the period
--   avg_won_deal_usd         its mean over the deals won; sample: deals won
--   avg_sales_cycle_days     mean days created -> closed of the deals won; sample: won
--   marketing_spend_usd      spend of the period's days in USD (fx_rates planning rates)
--   blended_cac_usd          spend / deals won in the period; sample: deals won
--   median_response_minutes  median handoff -> first touch of the leads handed to sales
--                            in the period and touched; sample: those leads
--   share_within_hour        share of the leads handed in the period first touched
--                            within report_parameters.within_hour_minutes; sample: handed
--   sla_breach_rate          share of them breaching the SLA; sample: handed
-- higher_is_better says which way a change is good (NULL: neither, e.g. spend).
-- sample_size is NULL for totals (counts and sums); is_small_sample: a sample below
-- report_parameters.min_sample_size, a figure too noisy to read a change into.
with periods as (

    select * from {{ ref('rpt_report_periods') }}

),

params as (

    select max(cast(value as integer)) filter (where parameter = 'min_sample_size') as min_sample_size
    from {{ ref('report_parameters') }}

),

stages as (

    select cast(entered_at as date) as event_date, stage
    from {{ ref('fct_lead_stages') }}
    where stage in ('lead', 'mql', 'customer')

),

deals as (

    select
        cast(closed_at as date)                                     as event_date,
        is_won,
        amount_usd,
        {{ leadflow.date_diff('second', 'created_at', 'closed_at') }} / 86400.0        as cycle_days
    from {{ ref('fct_deals') }}
    where is_closed

),

spend as (

    select costs.spend_date as event_date, costs.cost * rates.usd_per_unit as spend_usd
    from {{ ref('stg_spend__costs') }} as costs
    inner join {{ ref('fx_rates') }} as rates
        on costs.currency = rates.currency

),

handoffs as (

    select cast(handed_at as date) as event_date, response_minutes, is_within_hour, is_sla_breach
    from {{ ref('fct_speed_to_lead') }}

),

stage_counts as (

    select
        periods.period_grain,
        periods.period_start,
        count(*) filter (where stages.stage = 'lead')               as leads,
        count(*) filter (where stages.stage = 'mql')                as mqls,
        count(*) filter (where stages.stage = 'customer')           as customers
    from periods
    inner join stages
        on stages.event_date between periods.period_start and periods.period_end
    group by periods.period_grain, periods.period_start

),

deal_figures as (

    select
        periods.period_grain,
        periods.period_start,
        count(*)                                                    as deals_closed,
        count(*) filter (where deals.is_won)                        as deals_won,
        sum(deals.amount_usd) filter (where deals.is_won)           as won_revenue_usd,
        avg(deals.amount_usd) filter (where deals.is_won)           as avg_won_deal_usd,
        avg(deals.cycle_days) filter (where deals.is_won)           as avg_sales_cycle_days
    from periods
    inner join deals
        on deals.event_date between periods.period_start and periods.period_end
    group by periods.period_grain, periods.period_start

),

spend_figures as (

    select periods.period_grain, periods.period_start, sum(spend.spend_usd) as spend_usd
    from periods
    inner join spend
        on spend.event_date between periods.period_start and periods.period_end
    group by periods.period_grain, periods.period_start

),

speed_figures as (

    select
        periods.period_grain,
        periods.period_start,
        count(*)                                                    as leads_handed,
        count(handoffs.response_minutes)                            as leads_touched,
        median(handoffs.response_minutes)                           as median_response_minutes,
        avg(cast(handoffs.is_within_hour as integer))               as share_within_hour,
        avg(cast(handoffs.is_sla_breach as integer))                as sla_breach_rate
    from periods
    inner join handoffs
        on handoffs.event_date between periods.period_start and periods.period_end
    group by periods.period_grain, periods.period_start

),

measures as (

    select
        periods.*,
        coalesce(stage_counts.leads, 0)                             as leads,
        coalesce(stage_counts.mqls, 0)                              as mqls,
        coalesce(stage_counts.customers, 0)                         as customers,
        coalesce(deal_figures.deals_closed, 0)                      as deals_closed,
        coalesce(deal_figures.deals_won, 0)                         as deals_won,
        coalesce(deal_figures.won_revenue_usd, 0)                   as won_revenue_usd,
        deal_figures.avg_won_deal_usd,
        deal_figures.avg_sales_cycle_days,
        coalesce(spend_figures.spend_usd, 0)                        as spend_usd,
        coalesce(speed_figures.leads_handed, 0)                     as leads_handed,
        coalesce(speed_figures.leads_touched, 0)                    as leads_touched,
        speed_figures.median_response_minutes,
        speed_figures.share_within_hour,
        speed_figures.sla_breach_rate
    from periods
    left join stage_counts using (period_grain, period_start)
    left join deal_figures using (period_grain, period_start)
    left join spend_figures using (period_grain, period_start)
    left join speed_figures using (period_grain, period_start)

),

kpis (display_order, kpi, kpi_label, unit, higher_is_better) as (

    values
        (1,  'leads',                   'New leads',                      'count', true),
        (2,  'mqls',                    'New MQLs',                       'count', true),
        (3,  'customers',               'New customers',                  'count', true),
        (4,  'win_rate',                'Win rate of deals closed',       'rate', true),
        (5,  'won_revenue_usd',         'Revenue won',                    'usd', true),
        (6,  'avg_won_deal_usd',        'Average won deal',               'usd', true),
        (7,  'avg_sales_cycle_days',    'Average sales cycle',            'days', false),
        (8,  'marketing_spend_usd',     'Marketing spend',                'usd', null),
        (9,  'blended_cac_usd',         'Blended CAC (spend / deals won)', 'usd', false),
        (10, 'median_response_minutes', 'Speed to lead, median',          'minutes', false),
        (11, 'share_within_hour',       'Answered within the hour',       'rate', true),
        (12, 'sla_breach_rate',         'SLA breach rate',                'rate', false)

),

long as (

    select
        kpis.kpi,
        kpis.kpi_label,
        kpis.unit,
        kpis.display_order,
        kpis.higher_is_better,
        measures.period_grain,
        measures.period_start,
        measures.period_end,
        measures.days,
        measures.is_complete,
        measures.periods_back,
        case kpis.kpi
            when 'leads' then measures.leads
            when 'mqls' then measures.mqls
            when 'customers' then measures.customers
            when 'win_rate' then measures.deals_won / nullif(measures.deals_closed, 0)
            when 'won_revenue_usd' then measures.won_revenue_usd
            when 'avg_won_deal_usd' then measures.avg_won_deal_usd
            when 'avg_sales_cycle_days' then measures.avg_sales_cycle_days
            when 'marketing_spend_usd' then measures.spend_usd
            when 'blended_cac_usd' then measures.spend_usd / nullif(measures.deals_won, 0)
            when 'median_response_minutes' then measures.median_response_minutes
            when 'share_within_hour' then measures.share_within_hour
            when 'sla_breach_rate' then measures.sla_breach_rate
        end                                                         as value,
        case kpis.kpi
            when 'win_rate' then measures.deals_closed
            when 'avg_won_deal_usd' then measures.deals_won
            when 'avg_sales_cycle_days' then measures.deals_won
            when 'blended_cac_usd' then measures.deals_won
            when 'median_response_minutes' then measures.leads_touched
            when 'share_within_hour' then measures.leads_handed
            when 'sla_breach_rate' then measures.leads_handed
        end                                                         as sample_size
    from measures
    cross join kpis

)

select
    long.kpi,
    long.kpi_label,
    long.unit,
    long.display_order,
    long.higher_is_better,
    long.period_grain,
    long.period_start,
    long.period_end,
    long.days,
    long.is_complete,
    long.periods_back,
    cast(round(long.value, 4) as double)                            as value,
    long.sample_size,
    coalesce(long.sample_size < params.min_sample_size, false)      as is_small_sample
from long
cross join params
