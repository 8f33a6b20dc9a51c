-- One row per touch of a person, from every source, before leads and roles are attached:
--   web_session      a web session of a visitor stitched to the person (also the anonymous
--                    sessions from before the identification); channel and campaign of the
--                    session's landing hit (UTMs, else referrer: seed channel_mapping)
--   email_click      a human click in an e-mail (machine and link-scanner clicks left out);
--                    campaign = the link's utm_campaign, else the e-mail's campaign_id
--   form_submission  a form submission with a valid e-mail (double submits left out)
--   sales_activity   a call, e-mail, meeting or demo logged by a rep
-- A touch without a channel of its own takes its touch type's default_channel (seed
-- attribution_touch_types); touchpoint_id = md5 of touch type and source record id.
with touch_types as (

    select * from {{ ref('attribution_touch_types') }}

),

web_sessions as (

    select
        sessions.lead_id,
        'web_session'                                               as touch_type,
        sessions.session_id                                         as source_record_id,
        sessions.started_at                                         as touched_at,
        sessions.channel,
        sessions.utm_campaign                                       as campaign,
        sessions.landing_page_path                                  as touch_detail
    from {{ ref('int_web_sessions_identified') }} as sessions

),

email_clicks as (

    select
        {{ lead_id('email') }}                                      as lead_id,
        'email_click'                                               as touch_type,
        event_id                                                    as source_record_id,
        occurred_at                                                 as touched_at,
        null                                                        as channel,
        coalesce({{ clean_utm(url_param('link_url', 'utm_campaign')) }}, lower(campaign_id)) as campaign,
        link_path                                                   as touch_detail
    from {{ ref('int_email_events_classified') }}
    where is_human_click and is_valid_email

),

form_submissions as (

    select
        lead_id,
        'form_submission'                                           as touch_type,
        submission_id                                               as source_record_id,
        submitted_at                                                as touched_at,
        channel,
        utm_campaign                                                as campaign,
        form_id                                                     as touch_detail
    from {{ ref('int_form_submissions_identified') }}
    where not is_double_submit

),

sales_activities as (

    select
        {{ lead_id('email') }}                                      as lead_id,
        'sales_activity'                                            as touch_type,
        activity_id                                                 as source_record_id,
        occurred_at                                                 as touched_at,
        null                                                        as channel,
        null                                                        as campaign,
        activity_type                                               as touch_detail
    from {{ ref('stg_crm__activities') }}
    where is_valid_email

),

touches as (

    select * from web_sessions
    union all
    select * from email_clicks
    union all
    select * from form_submissions
    union all
    select * from sales_activities

)

select
    {{ surrogate_key(['touches.touch_type', 'touches.source_record_id']) }} as touchpoint_id,
    touches.lead_id,
    touches.touched_at,
    touches.touch_type,
    touch_types.touch_order,
    touches.source_record_id,
    coalesce(touches.channel, touch_types.default_channel, 'other') as channel,
    touches.campaign,
    touches.touch_detail
from touches
inner join touch_types using (touch_type)
where touches.touched_at is not null
