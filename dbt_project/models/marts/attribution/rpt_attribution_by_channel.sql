-- One row per attribution model, channel and campaign (campaign NULL = untagged): the
-- pipeline and revenue attributed to it (sums of fct_attribution's credited amounts), the
-- fractional conversions (sum of credits), and how many conversions it touched with a
-- credit above zero.
select
    model,
    channel,
    campaign,
    round(sum(attributed_pipeline_usd), 2)                          as attributed_pipeline_usd,
    round(sum(attributed_revenue_usd), 2)                           as attributed_revenue_usd,
    round(sum(credit) filter (where conversion_type = 'pipeline'), 6) as attributed_opportunities,
    round(sum(credit) filter (where conversion_type = 'revenue'), 6)  as attributed_wins,
    count(distinct conversion_id) filter (where conversion_type = 'pipeline' and credit > 0)
                                                                    as opportunities_touched,
    count(distinct conversion_id) filter (where conversion_type = 'revenue' and credit > 0)
                                                                    as wins_touched,
    count(distinct conversion_id) filter (where credit > 0)         as conversions_touched
from {{ ref('fct_attribution') }}
group by model, channel, campaign
