-- One row per attribution model and paid channel (spend above zero), ranked by ROI (1 =
-- best) as the report's ROI and CAC charts show them: the channel's report label
-- (rpt_channels), spend, attributed revenue and wins, ROI and CAC of rpt_channel_roi, and
-- the sample they rest on: wins_touched, the won deals the model credits to the channel
-- at all (fct_attribution revenue conversions with a credit above zero), a whole count
-- where attributed_wins is a sum of fractions. is_small_sample: wins_touched below
-- report_parameters.min_sample_size.
with touched as (

    select model, channel, count(distinct conversion_id) as wins_touched
    from {{ ref('fct_attribution') }}
    where conversion_type = 'revenue' and credit > 0
    group by model, channel

),

params as (

    select max(cast(value as integer)) filter (where parameter = 'min_sample_size') as min_sample_size
    from {{ ref('report_parameters') }}

)

select
    roi.model,
    roi.channel,
    channels.channel_label,
    roi.spend_usd,
    roi.attributed_revenue_usd,
    roi.attributed_wins,
    coalesce(touched.wins_touched, 0)                               as wins_touched,
    roi.roi,
    roi.cac_usd,
    row_number() over (partition by roi.model order by roi.roi desc nulls last, roi.channel)
                                                                    as roi_rank,
    row_number() over (partition by roi.model order by roi.cac_usd asc nulls last, roi.channel)
                                                                    as cac_rank,
    coalesce(touched.wins_touched, 0) < params.min_sample_size      as is_small_sample
from {{ ref('rpt_channel_roi') }} as roi
cross join params
inner join {{ ref('rpt_channels') }} as channels
    on roi.channel = channels.channel
left join touched
    on roi.model = touched.model
    and roi.channel = touched.channel
where roi.spend_usd > 0
