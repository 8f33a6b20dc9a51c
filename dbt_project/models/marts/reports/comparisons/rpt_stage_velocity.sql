-- One row per step of the lifecycle (lead -> MQL -> SQL -> opportunity -> customer, and
-- the whole way lead -> customer): how many days people took from entering one stage to
-- entering the next (fct_lead_stages.entered_at, fractional days). Only people who entered
-- both stages count (sample_size); stages move forward only, so a step skipped by the
-- data (e.g. an opportunity opened before the MQL) takes 0 days. median, p25 and p75 are
-- linear-interpolated quantiles; is_small_sample: fewer than
-- report_parameters.min_sample_size people.
with entered as (

    select
        lead_id,
        min(entered_at) filter (where stage = 'lead')               as lead_at,
        min(entered_at) filter (where stage = 'mql')                as mql_at,
        min(entered_at) filter (where stage = 'sql')                as sql_at,
        min(entered_at) filter (where stage = 'opportunity')        as opportunity_at,
        min(entered_at) filter (where stage = 'customer')           as customer_at
    from {{ ref('fct_lead_stages') }}
    group by lead_id

),

steps (step_order, from_stage, to_stage) as (

    values
        (1, 'lead', 'mql'),
        (2, 'mql', 'sql'),
        (3, 'sql', 'opportunity'),
        (4, 'opportunity', 'customer'),
        (5, 'lead', 'customer')

),

durations as (

    select
        steps.step_order,
        {%- set from_at -%}
            case steps.from_stage
                when 'lead' then entered.lead_at
                when 'mql' then entered.mql_at
                when 'sql' then entered.sql_at
                when 'opportunity' then entered.opportunity_at
            end
        {%- endset %}
        {%- set to_at -%}
            case steps.to_stage
                when 'mql' then entered.mql_at
                when 'sql' then entered.sql_at
                when 'opportunity' then entered.opportunity_at
                when 'customer' then entered.customer_at
            end
        {%- endset %}
        {{ leadflow.date_diff('second', from_at, to_at) }} / 86400.0 as days
    from entered
    cross join steps

),

params as (

    select max(cast(value as integer)) filter (where parameter = 'min_sample_size') as min_sample_size
    from {{ ref('report_parameters') }}

),

figures as (

    select
        step_order,
        count(days)                                                 as sample_size,
        {{ leadflow.quantile_cont('days', '0.5') }}                                    as median_days,
        {{ leadflow.quantile_cont('days', '0.25') }}                                   as p25_days,
        {{ leadflow.quantile_cont('days', '0.75') }}                                   as p75_days,
        avg(days)                                                   as mean_days
    from durations
    group by step_order

)

select
    steps.step_order,
    steps.from_stage,
    steps.to_stage,
    coalesce(figures.sample_size, 0)                                as sample_size,
    cast(round(figures.median_days, 2) as double)                   as median_days,
    cast(round(figures.p25_days, 2) as double)                      as p25_days,
    cast(round(figures.p75_days, 2) as double)                      as p75_days,
    cast(round(figures.mean_days, 2) as double)                     as mean_days,
    coalesce(figures.sample_size, 0) < params.min_sample_size       as is_small_sample
from steps
cross join params
left join figures using (step_order)
