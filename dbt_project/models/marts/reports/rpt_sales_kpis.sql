-- One row per calendar month (UTC) of deal closes, from the first to the last month with a
-- closed deal (months with none are kept, with zeros, so growth is month over month).
--   win_rate              won / (won + lost) closed that month
--   avg_won_deal_usd      mean amount_usd of the deals won (deals without a USD amount
--                         are left out of the mean)
--   avg_sales_cycle_days  mean days from created_at to closed_at of the deals won
--                         (fractional days)
--   new_mrr_usd           won amount_usd / seed report_parameters.contract_months (12):
--                         contracts are ASSUMED annual, the CRM has no contract term
--   new_mrr_growth        new_mrr_usd / previous month's - 1 (NULL when that was 0)
--   mrr_usd               contracted MRR at the month's end: the new MRR of every deal won
--                         in this month or the contract_months - 1 before it (a contract
--                         runs contract_months from its close; the CRM records no renewals
--                         or churn, so a contract is ASSUMED to end with its term)
--   arr_usd               mrr_usd x 12
--   arr_growth            arr_usd / previous month's - 1 (NULL when that was 0)
with params as (

    select max(cast(value as double)) filter (where parameter = 'contract_months') as contract_months
    from {{ ref('report_parameters') }}

),

closed as (

    select
        cast(date_trunc('month', closed_at) as date)                as closed_month,
        is_won,
        amount_usd,
        {{ leadflow.date_diff('second', 'created_at', 'closed_at') }} / 86400.0        as cycle_days
    from {{ ref('fct_deals') }}
    where is_closed

),

months as (

    select cast(month as date) as closed_month
    from {{ leadflow.series(
        '(select min(closed_month) from closed)',
        '(select max(closed_month) from closed) + interval 1 month',
        'interval 1 month', 'spine', 'month') }}

),

monthly as (

    select
        months.closed_month,
        count(closed.is_won) filter (where closed.is_won)           as deals_won,
        count(closed.is_won) filter (where not closed.is_won)       as deals_lost,
        avg(closed.amount_usd) filter (where closed.is_won)         as avg_won_deal_usd,
        avg(closed.cycle_days) filter (where closed.is_won)         as avg_sales_cycle_days,
        coalesce(sum(closed.amount_usd) filter (where closed.is_won), 0) as won_amount_usd
    from months
    left join closed using (closed_month)
    group by months.closed_month

),

kpis as (

    select
        monthly.*,
        round(monthly.won_amount_usd / params.contract_months, 2)   as new_mrr_usd
    from monthly
    cross join params

),

-- every month sums the new MRR of the contracts still running in it
recurring as (

    select
        kpis.closed_month,
        sum(running.won_amount_usd / params.contract_months)        as mrr_usd
    from kpis
    cross join params
    inner join monthly as running
        on running.closed_month <= kpis.closed_month
        and running.closed_month > kpis.closed_month - {{ leadflow.duration('cast(params.contract_months as integer)', 'month') }}
    group by kpis.closed_month

)

select
    closed_month,
    deals_won,
    deals_lost,
    deals_won + deals_lost                                          as deals_closed,
    round(deals_won / nullif(deals_won + deals_lost, 0), 4)         as win_rate,
    round(avg_won_deal_usd, 2)                                      as avg_won_deal_usd,
    round(avg_sales_cycle_days, 1)                                  as avg_sales_cycle_days,
    won_amount_usd,
    new_mrr_usd,
    round(new_mrr_usd / nullif(lag(new_mrr_usd) over (order by closed_month), 0) - 1, 4) as new_mrr_growth,
    round(recurring.mrr_usd, 2)                                     as mrr_usd,
    round(recurring.mrr_usd * 12, 2)                                as arr_usd,
    round(recurring.mrr_usd / nullif(lag(recurring.mrr_usd) over (order by closed_month), 0) - 1, 4) as arr_growth
from kpis
inner join recurring using (closed_month)
order by closed_month
