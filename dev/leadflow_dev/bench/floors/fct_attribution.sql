-- Floor of fct_attribution: the touches in each conversion's lookback window ranked once
-- per conversion (first, last, opportunity creation), then crossed with the models; each
-- conversion and model's rest-touch count and weight total by a grouped aggregate joined
-- back instead of windows over the conversions x models rows.
with params as (

    select max(value) filter (where parameter = 'lookback_days')::integer as lookback_days,
           max(value) filter (where parameter = 'time_decay_half_life_days')::double as half_life_days
    from seeds.attribution_parameters

),

conversions as (

    select deal_id, lead_id, 'pipeline' as conversion_type, created_at as converted_at,
           created_at as deal_created_at, amount_usd
    from marts.fct_deals where lead_id is not null
    union all
    select deal_id, lead_id, 'revenue', closed_at, created_at, amount_usd
    from marts.fct_deals where lead_id is not null and is_won and closed_at is not null

),

creation as (

    select lead_id, touch_number as creation_number from marts.fct_touchpoints where is_lead_creation_touch

),

roles as (

    select
        md5(concat_ws('|', c.deal_id, c.conversion_type)) as conversion_id,
        c.*, t.touchpoint_id, t.touched_at, t.touch_type, t.channel, t.campaign,
        t.is_lead_creation_touch,
        t.touch_number < coalesce(cr.creation_number, 0) as is_before_creation,
        epoch(c.converted_at - t.touched_at) / 86400.0 as days_before_conversion,
        row_number() over (partition by c.deal_id, c.conversion_type
                           order by t.touched_at, t.touch_order, t.touchpoint_id) = 1 as is_first_touch,
        row_number() over (partition by c.deal_id, c.conversion_type
                           order by t.touched_at desc, t.touch_order desc, t.touchpoint_id desc) = 1 as is_last_touch,
        t.touched_at <= c.deal_created_at and row_number() over (
            partition by c.deal_id, c.conversion_type
            order by t.touched_at <= c.deal_created_at desc, t.touched_at desc, t.touch_order desc, t.touchpoint_id desc) = 1
            as is_opportunity_creation_touch
    from conversions as c
    cross join params as p
    join marts.fct_touchpoints as t
      on t.lead_id = c.lead_id and t.touched_at <= c.converted_at
     and t.touched_at >= c.converted_at - to_days(p.lookback_days)
    left join creation as cr on cr.lead_id = c.lead_id

),

modelled as (

    select
        r.*, m.model, m.rest_weight,
        m.first_touch_weight * r.is_first_touch::int + m.lead_creation_weight * r.is_lead_creation_touch::int
            + m.opportunity_creation_weight * r.is_opportunity_creation_touch::int
            + m.last_touch_weight * r.is_last_touch::int + m.even_weight
            + case when m.uses_time_decay then power(0.5, r.days_before_conversion / p.half_life_days) else 0 end
            as fixed_weight,
        not ((m.first_touch_weight > 0 and r.is_first_touch) or (m.lead_creation_weight > 0 and r.is_lead_creation_touch)
             or (m.opportunity_creation_weight > 0 and r.is_opportunity_creation_touch)
             or (m.last_touch_weight > 0 and r.is_last_touch))
            and (m.rest_after_lead_creation or r.is_before_creation) as is_rest_touch
    from roles as r cross join seeds.attribution_models as m cross join params as p

),

rest as (

    select conversion_id, model, count(*) filter (where is_rest_touch) as rest_touches
    from modelled group by conversion_id, model

),

weighted as (

    select m.*, m.fixed_weight + case when m.is_rest_touch then m.rest_weight / r.rest_touches else 0 end as raw_weight
    from modelled as m join rest as r using (conversion_id, model)

),

totals as (

    select conversion_id, model, sum(raw_weight) as total_weight from weighted group by conversion_id, model

),

credited as (

    select w.*, w.raw_weight / t.total_weight as exact_credit
    from weighted as w join totals as t using (conversion_id, model)
)
select
    md5(concat_ws('|', conversion_id, touchpoint_id, model)) as attribution_id,
    conversion_id, conversion_type, deal_id, lead_id, converted_at,
    amount_usd as conversion_amount_usd, model, touchpoint_id, touched_at, touch_type, channel, campaign,
    days_before_conversion, is_first_touch, is_last_touch, is_lead_creation_touch,
    is_opportunity_creation_touch, is_rest_touch, raw_weight,
    round(exact_credit, 6) as credit,
    sum(exact_credit) over (partition by conversion_id, model) as conversion_credit_total,
    case when conversion_type = 'pipeline' then exact_credit * amount_usd end as attributed_pipeline_usd,
    case when conversion_type = 'revenue' then exact_credit * amount_usd end as attributed_revenue_usd
from credited
