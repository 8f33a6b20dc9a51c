-- One row per lead cohort (created month, UTC) and original channel, plus the cohort over
-- all channels (channel '(all)'): leads, MQLs and customers and the any-stage rates of
-- rpt_funnel_conversion, with what a reader needs to trust them: the sample (leads), the
-- days the cohort has had to convert by the data's last complete day, whether the month
-- is complete (rpt_report_periods; the first month with data and the as-of month are not)
-- and is_small_sample (fewer leads than report_parameters.min_sample_size).
with funnel as (

    select *
    from {{ ref('rpt_funnel_conversion') }}
    where grouping_level in ('month', 'month_channel')

),

months as (

    select period_start, period_end, is_complete, last_complete_day
    from {{ ref('rpt_report_periods') }}
    where period_grain = 'month'

),

params as (

    select max(cast(value as integer)) filter (where parameter = 'min_sample_size') as min_sample_size
    from {{ ref('report_parameters') }}

)

select
    funnel.cohort_month,
    funnel.original_channel                                         as channel,
    coalesce(channels.channel_name, 'All channels')                 as channel_label,
    funnel.leads,
    funnel.mqls,
    funnel.customers,
    funnel.any_lead_to_mql_rate,
    funnel.any_lead_to_customer_rate,
    coalesce(months.is_complete, false)                             as is_complete_month,
    greatest({{ leadflow.date_diff('day', 'funnel.cohort_month', 'months.last_complete_day') }} + 1, 0)
                                                                    as days_observed,
    funnel.leads < params.min_sample_size                           as is_small_sample
from funnel
cross join params
left join months
    on funnel.cohort_month = months.period_start
left join {{ ref('channels') }} as channels
    on funnel.original_channel = channels.channel
