-- One row per KPI and period grain (month, 30d, 7d): the latest complete period against
-- the one before it (rpt_kpi_periods, periods_back 0 and 1), the change in the KPI's unit
-- (for a rate: percentage points as a fraction) and relative to the previous value, and,
-- for months, the partial month to date beside them. A change is only is_comparable when
-- both values exist and neither rests on a small sample.
with periods as (

    select * from {{ ref('rpt_kpi_periods') }}

),

latest as (

    select * from periods where periods_back = 0

),

previous as (

    select * from periods where periods_back = 1

),

partial as (

    -- the month being filled: the latest month, when it is not complete (the first month
    -- with data may be partial too; it is not "to date")
    select kpi, period_grain, period_start, value, sample_size
    from periods
    where period_grain = 'month'
    qualify row_number() over (partition by kpi order by period_start desc) = 1
        and not is_complete

)

select
    latest.kpi,
    latest.kpi_label,
    latest.unit,
    latest.display_order,
    latest.higher_is_better,
    latest.period_grain,
    latest.period_start,
    latest.period_end,
    latest.value,
    latest.sample_size,
    latest.is_small_sample,
    previous.period_start                                           as previous_period_start,
    previous.period_end                                             as previous_period_end,
    previous.value                                                  as previous_value,
    previous.sample_size                                            as previous_sample_size,
    previous.is_small_sample                                        as previous_is_small_sample,
    cast(round(latest.value - previous.value, 4) as double)         as delta,
    cast(round((latest.value - previous.value) / nullif(abs(previous.value), 0), 4) as double)
                                                                    as delta_relative,
    coalesce(latest.value is not null and previous.value is not null
             and not latest.is_small_sample and not previous.is_small_sample, false)
                                                                    as is_comparable,
    partial.period_start                                            as partial_period_start,
    partial.value                                                   as partial_value,
    partial.sample_size                                             as partial_sample_size
from latest
left join previous
    on latest.kpi = previous.kpi
    and latest.period_grain = previous.period_grain
left join partial
    on latest.kpi = partial.kpi
    and latest.period_grain = partial.period_grain
