-- The daily report's response-time histogram: one row per response-time bin of
-- fct_speed_to_lead (handoff to first sales touch; untouched leads in their own bin),
-- every bin present, with its leads and SLA breaches.
with bins (bin_order, response_time, upper_minutes) as (

    values (1, '< 5 min', 5), (2, '5-15 min', 15), (3, '15-60 min', 60), (4, '1-4 h', 240),
           (5, '4-24 h', 1440), (6, '1-3 days', 4320), (7, '> 3 days', null),
           (8, 'not yet touched', null)

),

binned as (

    select
        case
            when not is_touched then 8
            when response_minutes < 5 then 1
            when response_minutes < 15 then 2
            when response_minutes < 60 then 3
            when response_minutes < 240 then 4
            when response_minutes < 1440 then 5
            when response_minutes < 4320 then 6
            else 7
        end                                                         as bin_order,
        is_sla_breach
    from {{ ref('fct_speed_to_lead') }}

)

select
    bins.bin_order,
    bins.response_time,
    count(binned.bin_order)                                         as leads,
    count(*) filter (where binned.is_sla_breach)                    as sla_breaches
from bins
left join binned using (bin_order)
group by bins.bin_order, bins.response_time
order by bins.bin_order
