-- One row per attribution model and channel: what the channel cost (spend converted to
-- USD at the fx_rates planning rates), the leads it brought (by original channel, so lead
-- volume and quality do not depend on the model), and the pipeline, revenue and wins the
-- model credits to it; with cost per lead, CAC (spend / attributed wins) and ROI
-- ((attributed revenue - spend) / spend). Every channel of the channels seed appears for
-- every model, so a channel with spend and no revenue shows its loss.
with spend as (

    select
        costs.channel,
        {{ exact_sum('costs.cost * rates.usd_per_unit') }}          as spend_usd,
        count(*) filter (where rates.currency is null)              as spend_rows_unconverted
    from {{ ref('stg_spend__costs') }} as costs
    left join {{ ref('fx_rates') }} as rates
        on costs.currency = rates.currency
    group by costs.channel

),

leads as (

    select
        leads.original_channel                                      as channel,
        count(*)                                                    as leads,
        count(*) filter (where funnel.is_mql)                       as mqls,
        count(*) filter (where funnel.is_customer)                  as customers
    from {{ ref('dim_leads') }} as leads
    inner join {{ ref('fct_lead_funnel') }} as funnel
        on leads.lead_id = funnel.lead_id
    group by leads.original_channel

),

attributed as (

    select
        model,
        channel,
        {{ exact_sum('attributed_pipeline_usd') }}                  as attributed_pipeline_usd,
        {{ exact_sum('attributed_revenue_usd') }}                   as attributed_revenue_usd,
        {{ exact_sum('attributed_wins') }}                          as attributed_wins
    from {{ ref('rpt_attribution_by_channel') }}
    group by model, channel

),

spine as (

    select models.model, channels.channel
    from (select distinct model from {{ ref('attribution_models') }}) as models
    cross join {{ ref('channels') }} as channels

)

select
    spine.model,
    spine.channel,
    round(coalesce(spend.spend_usd, 0), 2)                          as spend_usd,
    coalesce(spend.spend_rows_unconverted, 0)                       as spend_rows_unconverted,
    coalesce(leads.leads, 0)                                        as leads,
    coalesce(leads.mqls, 0)                                         as mqls,
    coalesce(leads.customers, 0)                                    as customers,
    round(coalesce(leads.customers, 0) / nullif(leads.leads, 0), 4) as lead_to_customer_rate,
    round(coalesce(attributed.attributed_pipeline_usd, 0), 2)       as attributed_pipeline_usd,
    round(coalesce(attributed.attributed_revenue_usd, 0), 2)        as attributed_revenue_usd,
    round(coalesce(attributed.attributed_wins, 0), 4)               as attributed_wins,
    round(spend.spend_usd / nullif(leads.leads, 0), 2)              as cost_per_lead_usd,
    round(spend.spend_usd / nullif(attributed.attributed_wins, 0), 2) as cac_usd,
    round(
        (coalesce(attributed.attributed_revenue_usd, 0) - spend.spend_usd)
        / nullif(spend.spend_usd, 0), 4
    )                                                               as roi
from spine
left join spend on spine.channel = spend.channel
left join leads on spine.channel = leads.channel
left join attributed
    on spine.model = attributed.model
    and spine.channel = attributed.channel
