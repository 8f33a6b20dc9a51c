-- One row per attribution model, channel and campaign (campaign NULL = untagged): the
-- pipeline and revenue attributed to it (sums of fct_attribution's credited amounts), the
-- fractional conversions (sum of credits), and how many conversions it touched with a
-- credit above zero.
--
-- In two steps: each conversion's credit to the channel and campaign first (a conversion
-- is either pipeline or revenue), then the sums over conversions; counting the first
-- step's rows replaces a distinct count over every credited touch (2.6 M rows at scale M).
-- Sums are exact (macro exact_sum): the same rounded figures at every build.
with conversion_credit as (

    select
        model,
        channel,
        campaign,
        conversion_id,
        any_value(conversion_type)                                  as conversion_type,
        {{ exact_sum('attributed_pipeline_usd') }}                  as attributed_pipeline_usd,
        {{ exact_sum('attributed_revenue_usd') }}                   as attributed_revenue_usd,
        {{ exact_sum('credit') }}                                   as credit,
        bool_or(credit > 0)                                         as is_touched
    from {{ ref('fct_attribution') }}
    group by model, channel, campaign, conversion_id

)

select
    model,
    channel,
    campaign,
    round({{ exact_sum('attributed_pipeline_usd') }}, 2)            as attributed_pipeline_usd,
    round({{ exact_sum('attributed_revenue_usd') }}, 2)             as attributed_revenue_usd,
    round({{ exact_sum("case when conversion_type = 'pipeline' then credit end") }}, 6)
                                                                    as attributed_opportunities,
    round({{ exact_sum("case when conversion_type = 'revenue' then credit end") }}, 6)
                                                                    as attributed_wins,
    count(*) filter (where conversion_type = 'pipeline' and is_touched) as opportunities_touched,
    count(*) filter (where conversion_type = 'revenue' and is_touched)  as wins_touched,
    count(*) filter (where is_touched)                              as conversions_touched
from conversion_credit
group by model, channel, campaign
