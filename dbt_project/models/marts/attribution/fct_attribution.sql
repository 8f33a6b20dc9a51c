-- One row per conversion x touchpoint x attribution model: the share (credit) of the
-- conversion each touch in its lookback window gets, and the pipeline or revenue that
-- share is worth. Rules (weights in seed attribution_models, lookback and half-life in seed
-- attribution_parameters):
--   conversions    every deal of a lead is a 'pipeline' conversion at its created_at worth
--                  amount_usd; a won deal is also a 'revenue' conversion at its closed_at
--   window         the lead's touches with converted_at - lookback_days <= touched_at
--                  <= converted_at; a conversion with no touch in it has no rows
--   roles          within the window, in touch order (touched_at, touch_order, touchpoint_id):
--                  first = the earliest, last = the latest; lead_creation = the lead's
--                  lead-creation touch when it lies in the window (else nobody);
--                  opportunity_creation = the latest touch at or before the deal's created_at
--   raw weight     sum of the model's weights of the roles the touch holds (one touch may
--                  hold several: they add up) + even_weight (linear) + rest_weight spread
--                  evenly over the "rest" touches: those holding no role the model weighs,
--                  and (when rest_after_lead_creation is false, U-shaped) only those before
--                  the lead-creation touch + for time decay 0.5 ^ (days before conversion /
--                  half-life)
--   credit         raw weight / sum of raw weights of the conversion and model, so credits
--                  of a conversion and model sum to 1 (weights of roles nobody holds are
--                  shared in proportion); `credit` is rounded to 6 places, the amounts use
--                  the exact share
with touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

parameters as (

    select
        max(value) filter (where parameter = 'lookback_days')::integer          as lookback_days,
        max(value) filter (where parameter = 'time_decay_half_life_days')::double as half_life_days
    from {{ ref('attribution_parameters') }}

),

models as (

    select * from {{ ref('attribution_models') }}

),

deals as (

    select * from {{ ref('fct_deals') }}
    where lead_id is not null

),

conversions as (

    select deal_id, lead_id, 'pipeline' as conversion_type, created_at as converted_at,
           created_at as deal_created_at, amount_usd
    from deals
    union all
    select deal_id, lead_id, 'revenue', closed_at, created_at, amount_usd
    from deals
    where is_won and closed_at is not null

),

lead_creation as (

    select lead_id, touch_number as lead_creation_touch_number
    from touchpoints
    where is_lead_creation_touch

),

windowed as (

    select
        {{ surrogate_key(['conversions.deal_id', 'conversions.conversion_type']) }} as conversion_id,
        conversions.*,
        touchpoints.touchpoint_id,
        touchpoints.touched_at,
        touchpoints.touch_type,
        touchpoints.touch_order,
        touchpoints.touch_number,
        touchpoints.channel,
        touchpoints.campaign,
        touchpoints.is_lead_creation_touch,
        touchpoints.touch_number < coalesce(lead_creation.lead_creation_touch_number, 0)
                                                                    as is_before_lead_creation_touch,
        {{ leadflow.seconds_between('touchpoints.touched_at', 'conversions.converted_at') }} / 86400.0 as days_before_conversion
    from conversions
    cross join parameters
    inner join touchpoints
        on  touchpoints.lead_id = conversions.lead_id
        and touchpoints.touched_at <= conversions.converted_at
        and touchpoints.touched_at >= conversions.converted_at - {{ leadflow.duration('parameters.lookback_days', 'day') }}
    left join lead_creation
        on lead_creation.lead_id = conversions.lead_id

),

roles as (

    select
        *,
        row_number() over (
            partition by conversion_id order by touched_at, touch_order, touchpoint_id
        ) = 1                                                       as is_first_touch,
        row_number() over (
            partition by conversion_id order by touched_at desc, touch_order desc, touchpoint_id desc
        ) = 1                                                       as is_last_touch,
        touched_at <= deal_created_at and row_number() over (
            partition by conversion_id
            order by touched_at <= deal_created_at desc, touched_at desc, touch_order desc, touchpoint_id desc
        ) = 1                                                       as is_opportunity_creation_touch
    from windowed

),

modelled as (

    select
        roles.*,
        models.model,
        models.first_touch_weight * roles.is_first_touch::int
            + models.lead_creation_weight * roles.is_lead_creation_touch::int
            + models.opportunity_creation_weight * roles.is_opportunity_creation_touch::int
            + models.last_touch_weight * roles.is_last_touch::int  as role_weight,
        not ((models.first_touch_weight > 0 and roles.is_first_touch)
             or (models.lead_creation_weight > 0 and roles.is_lead_creation_touch)
             or (models.opportunity_creation_weight > 0 and roles.is_opportunity_creation_touch)
             or (models.last_touch_weight > 0 and roles.is_last_touch))
        and (models.rest_after_lead_creation or roles.is_before_lead_creation_touch)
                                                                    as is_rest_touch,
        models.rest_weight,
        models.even_weight,
        case when models.uses_time_decay
            then power(0.5, roles.days_before_conversion / parameters.half_life_days)
            else 0 end                                              as decay_weight
    from roles
    cross join models
    cross join parameters

),

weighted as (

    select
        *,
        role_weight
            + case when is_rest_touch
                then rest_weight / count(*) filter (where is_rest_touch) over conversion_model
                else 0 end
            + even_weight
            + decay_weight                                          as raw_weight
    from modelled
    window conversion_model as (partition by conversion_id, model)

),

credited as (

    select
        *,
        raw_weight / sum(raw_weight) over (partition by conversion_id, model) as exact_credit
    from weighted

)

select
    {{ surrogate_key(['conversion_id', 'touchpoint_id', 'model']) }} as attribution_id,
    conversion_id,
    conversion_type,
    deal_id,
    lead_id,
    converted_at,
    amount_usd                                                      as conversion_amount_usd,
    model,
    touchpoint_id,
    touched_at,
    touch_type,
    channel,
    campaign,
    days_before_conversion,
    is_first_touch,
    is_last_touch,
    is_lead_creation_touch,
    is_opportunity_creation_touch,
    is_rest_touch,
    raw_weight,
    round(exact_credit, 6)                                          as credit,
    sum(exact_credit) over (partition by conversion_id, model)      as conversion_credit_total,
    case when conversion_type = 'pipeline' then exact_credit * amount_usd end as attributed_pipeline_usd,
    case when conversion_type = 'revenue' then exact_credit * amount_usd end as attributed_revenue_usd
from credited
