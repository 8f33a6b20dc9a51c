-- One row per person (golden record after dedup and identity resolution), keyed by the
-- stable lead_id = md5(normalised e-mail). Engagement is counted twice: raw (every event)
-- and human (machine opens and link-scanner clicks left out); web engagement includes the
-- person's anonymous sessions from before they were identified.
with leads as (

    select * from {{ ref('int_leads_enriched') }}

),

web as (

    select
        sessions.lead_id,
        count(distinct sessions.anonymous_id)                       as web_visitor_count,
        count(*)                                                    as web_session_count,
        count(*) filter (where sessions.started_at < leads.created_at) as web_sessions_before_creation,
        sum(sessions.page_view_count)                               as web_page_view_count,
        sum(sessions.pricing_page_views)                            as pricing_page_views,
        sum(sessions.demo_page_views)                               as demo_page_views,
        sum(sessions.high_intent_page_views)                        as high_intent_page_views,
        min(sessions.started_at)                                    as first_web_session_at,
        max(sessions.ended_at)                                      as last_web_activity_at
    from {{ ref('int_web_sessions_identified') }} as sessions
    inner join leads using (lead_id)
    group by sessions.lead_id

),

email as (

    select
        {{ lead_id('email') }}                                      as lead_id,
        count(distinct message_id) filter (where event_type = 'delivered') as emails_delivered,
        count(*) filter (where event_type = 'open')                 as email_opens_raw,
        count(*) filter (where is_human_open)                       as email_opens_human,
        count(*) filter (where event_type = 'click')                as email_clicks_raw,
        count(*) filter (where is_human_click)                      as email_clicks_human,
        count(distinct message_id) filter (where is_human_open or is_human_click) as emails_engaged_human,
        count(*) filter (where event_type = 'bounce')               as email_bounces,
        bool_or(event_type = 'unsubscribe')                         as has_unsubscribed,
        bool_or(event_type = 'spamreport')                          as has_reported_spam,
        max(occurred_at) filter (where is_human_open or is_human_click) as last_human_email_engagement_at
    from {{ ref('int_email_events_classified') }}
    where is_valid_email
    group by 1

)

select
    leads.lead_id,
    leads.email,
    leads.created_at,
    leads.identified_via,
    leads.first_name,
    leads.last_name,
    leads.company_name,
    leads.company_domain,
    leads.email_domain,
    leads.is_free_email,
    leads.job_title,
    leads.seniority,
    leads.department,
    leads.phone,
    leads.country_code,
    leads.country_name,
    leads.region,
    leads.country_source,
    leads.product_interest,
    leads.has_marketing_consent,
    leads.marketing_consent_updated_at,
    leads.marketing_consent_source,
    leads.original_touch_at,
    leads.original_touch_type,
    leads.original_channel,
    leads.original_utm_source,
    leads.original_utm_medium,
    leads.original_utm_campaign,
    leads.original_referrer_host,
    leads.original_landing_page_path,
    leads.latest_touch_at,
    leads.latest_touch_type,
    leads.latest_channel,
    leads.latest_utm_source,
    leads.latest_utm_medium,
    leads.latest_utm_campaign,
    leads.first_conversion_form_id,
    leads.first_conversion_at,
    leads.latest_conversion_form_id,
    leads.latest_conversion_at,
    leads.seen_in_sources,
    leads.email_spelling_count,
    leads.form_submission_count,
    leads.form_conversion_count,
    leads.double_submit_count,
    coalesce(web.web_visitor_count, 0)                              as web_visitor_count,
    coalesce(web.web_session_count, 0)                              as web_session_count,
    coalesce(web.web_sessions_before_creation, 0)                   as web_sessions_before_creation,
    coalesce(web.web_page_view_count, 0)                            as web_page_view_count,
    coalesce(web.pricing_page_views, 0)                             as pricing_page_views,
    coalesce(web.demo_page_views, 0)                                as demo_page_views,
    coalesce(web.high_intent_page_views, 0)                         as high_intent_page_views,
    web.first_web_session_at,
    web.last_web_activity_at,
    coalesce(email.emails_delivered, 0)                             as emails_delivered,
    coalesce(email.email_opens_raw, 0)                              as email_opens_raw,
    coalesce(email.email_opens_human, 0)                            as email_opens_human,
    coalesce(email.email_clicks_raw, 0)                             as email_clicks_raw,
    coalesce(email.email_clicks_human, 0)                           as email_clicks_human,
    coalesce(email.emails_engaged_human, 0)                         as emails_engaged_human,
    coalesce(email.email_bounces, 0)                                as email_bounces,
    coalesce(email.has_unsubscribed, false)                         as has_unsubscribed,
    coalesce(email.has_reported_spam, false)                        as has_reported_spam,
    email.last_human_email_engagement_at
from leads
left join web using (lead_id)
left join email using (lead_id)
