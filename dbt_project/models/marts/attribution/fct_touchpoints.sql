-- One row per marketing or sales touch of a lead, all channels (int_touchpoints_unioned:
-- web sessions incl. stitched anonymous ones, human e-mail clicks, form submissions, sales
-- activities), for people in dim_leads. Touches are ordered by (touched_at, touch_order of
-- seed attribution_touch_types, touchpoint_id): a session that starts at the same instant
-- as a form comes before it.
--   is_lead_creation_touch         the last touch at or before dim_leads.created_at (the
--                                  touch that identified the person); when there is none
--                                  (created by a deal or an e-mail send), the first touch
--   is_opportunity_creation_touch  the last touch at or before the person's first deal was
--                                  created; none when no touch precedes it
with touches as (

    select * from {{ ref('int_touchpoints_unioned') }}

),

leads as (

    select lead_id, created_at from {{ ref('dim_leads') }}

),

first_deals as (

    select lead_id, min(created_at) as first_deal_created_at
    from {{ ref('fct_deals') }}
    where lead_id is not null
    group by lead_id

),

lead_touches as (

    select
        touches.*,
        leads.created_at                                            as lead_created_at,
        first_deals.first_deal_created_at
    from touches
    inner join leads using (lead_id)
    left join first_deals using (lead_id)

),

roles as (

    select
        lead_id,
        coalesce(
            {{ leadflow.arg_max('touchpoint_id', '(touched_at, touch_order, touchpoint_id)') }}
                filter (where touched_at <= lead_created_at),
            {{ leadflow.arg_min('touchpoint_id', '(touched_at, touch_order, touchpoint_id)') }}
        )                                                           as lead_creation_touchpoint_id,
        {{ leadflow.arg_max('touchpoint_id', '(touched_at, touch_order, touchpoint_id)') }}
            filter (where touched_at <= first_deal_created_at)      as opportunity_creation_touchpoint_id
    from lead_touches
    group by lead_id

)

select
    lead_touches.touchpoint_id,
    lead_touches.lead_id,
    lead_touches.touched_at,
    lead_touches.touch_type,
    lead_touches.touch_order,
    lead_touches.source_record_id,
    lead_touches.channel,
    lead_touches.campaign,
    lead_touches.touch_detail,
    row_number() over (
        partition by lead_touches.lead_id
        order by lead_touches.touched_at, lead_touches.touch_order, lead_touches.touchpoint_id
    )                                                               as touch_number,
    lead_touches.touchpoint_id = roles.lead_creation_touchpoint_id  as is_lead_creation_touch,
    coalesce(lead_touches.touchpoint_id = roles.opportunity_creation_touchpoint_id, false)
                                                                    as is_opportunity_creation_touch
from lead_touches
inner join roles using (lead_id)
