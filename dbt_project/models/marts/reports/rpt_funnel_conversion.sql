-- Funnel conversion by created-month cohort (dim_leads.created_at, UTC month) and original
-- channel, with roll-ups (grouping_level; a column not broken down by reads '(all)', the
-- month as NULL). Stages from fct_lead_funnel (forward only, never back-filled).
--   <stage>s             any-stage counts: people of the cohort who reached the stage,
--                        whatever they skipped (an SQL without an MQL counts as an SQL)
--   strict_<stage>s      people who reached the stage and every stage before it in order
--                        lead -> mql -> sql -> opportunity -> customer
--   strict_<a>_to_<b>_rate   strict_<b>s / strict_<a>s (NULL when no one is in <a>)
--   any_lead_to_<stage>_rate <stage>s / leads: reached the stage regardless of skipping
with funnel as (

    select
        cast(date_trunc('month', leads.created_at) as date)         as cohort_month,
        coalesce(leads.original_channel, 'unknown')                 as original_channel,
        funnel.is_mql,
        funnel.is_sql,
        funnel.is_opportunity,
        funnel.is_customer,
        funnel.is_mql                                               as strict_mql,
        funnel.is_mql and funnel.is_sql                             as strict_sql,
        funnel.is_mql and funnel.is_sql and funnel.is_opportunity   as strict_opportunity,
        funnel.is_mql and funnel.is_sql and funnel.is_opportunity and funnel.is_customer as strict_customer
    from {{ ref('fct_lead_funnel') }} as funnel
    inner join {{ ref('dim_leads') }} as leads using (lead_id)

),

counted as (

    select
        case
            when grouping_id(cohort_month, original_channel) = 0 then 'month_channel'
            when grouping_id(cohort_month, original_channel) = 1 then 'month'
            when grouping_id(cohort_month, original_channel) = 2 then 'channel'
            else 'all'
        end                                                         as grouping_level,
        case when grouping(cohort_month) = 0 then cohort_month end  as cohort_month,
        case when grouping(original_channel) = 0 then original_channel else '(all)' end as original_channel,
        count(*)                                                    as leads,
        count(*) filter (where is_mql)                              as mqls,
        count(*) filter (where is_sql)                              as sqls,
        count(*) filter (where is_opportunity)                      as opportunities,
        count(*) filter (where is_customer)                         as customers,
        count(*) filter (where strict_mql)                          as strict_mqls,
        count(*) filter (where strict_sql)                          as strict_sqls,
        count(*) filter (where strict_opportunity)                  as strict_opportunities,
        count(*) filter (where strict_customer)                     as strict_customers
    from funnel
    group by grouping sets ((cohort_month, original_channel), (cohort_month), (original_channel), ())

)

select
    *,
    round(strict_mqls / nullif(leads, 0), 4)                        as strict_lead_to_mql_rate,
    round(strict_sqls / nullif(strict_mqls, 0), 4)                  as strict_mql_to_sql_rate,
    round(strict_opportunities / nullif(strict_sqls, 0), 4)         as strict_sql_to_opportunity_rate,
    round(strict_customers / nullif(strict_opportunities, 0), 4)    as strict_opportunity_to_customer_rate,
    round(strict_customers / nullif(leads, 0), 4)                   as strict_lead_to_customer_rate,
    round(mqls / nullif(leads, 0), 4)                               as any_lead_to_mql_rate,
    round(sqls / nullif(leads, 0), 4)                               as any_lead_to_sql_rate,
    round(opportunities / nullif(leads, 0), 4)                      as any_lead_to_opportunity_rate,
    round(customers / nullif(leads, 0), 4)                          as any_lead_to_customer_rate
from counted
