-- One row per qualification signal of a person: the events that the rules of seed
-- lifecycle_rules count. quantity is how many units the row carries (a session's
-- high-intent page views); a rule scores quantity * points.
--   high_intent_form         a form on a high-intent page (not a double submit)
--   human_email_click        an e-mail click by a human (no link scanner)
--   web_session              a web session of any of the person's visitors
--   high_intent_page_view    high-intent page views of such a session (at its start)
--   sales_activity_<type>    a rep's call, email, meeting or demo
--   deal_created             a deal opened for the person
with people as (

    select lead_id from {{ ref('int_people_merged') }}

),

forms as (

    select
        'high_intent_form'                                          as signal,
        lead_id,
        submitted_at                                                as occurred_at,
        1                                                           as quantity,
        submission_id                                               as record_id
    from {{ ref('int_form_submissions_identified') }}
    where is_high_intent_form and not is_double_submit

),

email_clicks as (

    select
        'human_email_click'                                         as signal,
        {{ lead_id('email') }}                                      as lead_id,
        occurred_at,
        1                                                           as quantity,
        event_id                                                    as record_id
    from {{ ref('int_email_events_classified') }}
    where is_valid_email and is_human_click

),

sessions as (

    select lead_id, session_id, started_at, high_intent_page_views
    from {{ ref('int_web_sessions_identified') }}

),

web as (

    select 'web_session' as signal, lead_id, started_at as occurred_at, 1 as quantity, session_id as record_id
    from sessions
    union all
    select 'high_intent_page_view', lead_id, started_at, high_intent_page_views, session_id
    from sessions
    where high_intent_page_views > 0

),

activities as (

    select
        'sales_activity_' || activity_type                          as signal,
        {{ lead_id('email') }}                                      as lead_id,
        occurred_at,
        1                                                           as quantity,
        activity_id                                                 as record_id
    from {{ ref('stg_crm__activities') }}
    where is_valid_email

),

deals as (

    select
        'deal_created'                                              as signal,
        lead_id,
        created_at                                                  as occurred_at,
        1                                                           as quantity,
        deal_id                                                     as record_id
    from {{ ref('int_deals_identified') }}
    where lead_id is not null

),

unioned as (

    select * from forms
    union all select * from email_clicks
    union all select * from web
    union all select * from activities
    union all select * from deals

)

select
    {{ surrogate_key(['unioned.signal', 'unioned.record_id']) }}    as signal_id,
    unioned.lead_id,
    unioned.signal,
    unioned.occurred_at,
    unioned.quantity,
    unioned.record_id
from unioned
inner join people using (lead_id)
