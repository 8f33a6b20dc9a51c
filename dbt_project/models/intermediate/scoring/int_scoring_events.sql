-- One row per engagement event of a person that the engagement rules of seed scoring_rules
-- can count (behaviour), with its time and quantity (units it carries):
--   pricing_page_view / demo_page_view   a web session's pricing / demo page views (dated at
--                                        its start; anonymous sessions of a visitor
--                                        identified later count)
--   web_session                          a web session of any of the person's visitors
--   high_intent_form / other_form        a form submission (double submits left out)
--   human_email_click                    an e-mail click by a human (no link scanner)
--   email_unsubscribe / email_spam_report / email_bounce   negative e-mail events
-- Sales activities and deals are left out: they are sales' doing, not the lead's.
with people as (

    select lead_id from {{ ref('int_people_merged') }}

),

sessions as (

    select lead_id, session_id, started_at, pricing_page_views, demo_page_views
    from {{ ref('int_web_sessions_identified') }}

),

web as (

    select 'web_session' as behaviour, lead_id, started_at as occurred_at, 1 as quantity, session_id as record_id
    from sessions
    union all
    select 'pricing_page_view', lead_id, started_at, pricing_page_views, session_id
    from sessions
    where pricing_page_views > 0
    union all
    select 'demo_page_view', lead_id, started_at, demo_page_views, session_id
    from sessions
    where demo_page_views > 0

),

forms as (

    select
        case when is_high_intent_form then 'high_intent_form' else 'other_form' end as behaviour,
        lead_id,
        submitted_at                                                as occurred_at,
        1                                                           as quantity,
        submission_id                                               as record_id
    from {{ ref('int_form_submissions_identified') }}
    where not is_double_submit

),

email as (

    select
        case
            when is_human_click then 'human_email_click'
            when event_type = 'unsubscribe' then 'email_unsubscribe'
            when event_type = 'spamreport' then 'email_spam_report'
            when event_type = 'bounce' then 'email_bounce'
        end                                                         as behaviour,
        {{ lead_id('email') }}                                      as lead_id,
        occurred_at,
        1                                                           as quantity,
        event_id                                                    as record_id
    from {{ ref('int_email_events_classified') }}
    where is_valid_email
      and (is_human_click or event_type in ('unsubscribe', 'spamreport', 'bounce'))

),

unioned as (

    select * from web
    union all select * from forms
    union all select * from email

)

select
    {{ surrogate_key(['unioned.behaviour', 'unioned.record_id']) }} as scoring_event_id,
    unioned.lead_id,
    unioned.behaviour,
    unioned.occurred_at,
    unioned.quantity,
    unioned.record_id
from unioned
inner join people using (lead_id)
