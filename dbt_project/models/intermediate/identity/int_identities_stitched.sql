-- One row per web visitor (anonymous_id, a browser or device): whether and when it was
-- identified, as whom, and how. All of the visitor's events belong to that person, also
-- those from before the identification.
--
-- Evidence that identifies a visitor (the earliest wins; on equal time the order below):
--   1. web_identify     an identify event of the visitor carrying a valid e-mail
--   2. web_event        any other web event of the visitor carrying a valid e-mail
--   3. form_submission  a form submitted with the visitor's anonymous_id
--   4. email_click      a human click in an e-mail whose link (same path and utm_campaign)
--                       the visitor opened within var email_click_stitch_seconds, when
--                       exactly one visitor did so
-- A visitor identified as several people (a shared computer) stays with the first; the
-- others are counted in identity_count and flagged has_conflicting_identities.
with web_evidence as (

    select
        anonymous_id,
        email,
        occurred_at                                                 as identified_at,
        case when event_type = 'identify' then 'web_identify' else 'web_event' end as identified_by,
        case when event_type = 'identify' then 1 else 2 end         as evidence_rank,
        event_id                                                    as evidence_record_id
    from {{ ref('stg_web__events') }}
    where is_valid_email and anonymous_id is not null

),

form_evidence as (

    select
        anonymous_id,
        email,
        submitted_at                                                as identified_at,
        'form_submission'                                           as identified_by,
        3                                                           as evidence_rank,
        submission_id                                               as evidence_record_id
    from {{ ref('stg_forms__submissions') }}
    where is_valid_email and anonymous_id is not null

),

human_clicks as (

    select
        event_id,
        email,
        occurred_at,
        link_path,
        {{ clean_utm(url_param('link_url', 'utm_campaign')) }}      as link_utm_campaign
    from {{ ref('int_email_events_classified') }}
    where is_human_click and is_valid_email and link_path is not null

),

click_landings as (

    select
        human_clicks.event_id,
        human_clicks.email,
        human_clicks.occurred_at,
        page_views.anonymous_id
    from human_clicks
    inner join {{ ref('stg_web__events') }} as page_views
        on  page_views.event_type = 'page'
        and page_views.page_path = human_clicks.link_path
        and page_views.utm_campaign = human_clicks.link_utm_campaign
        and page_views.occurred_at >= human_clicks.occurred_at
        and page_views.occurred_at <= human_clicks.occurred_at
            + {{ leadflow.duration(var('email_click_stitch_seconds'), 'second') }}

),

click_evidence as (

    select
        any_value(anonymous_id)                                     as anonymous_id,
        any_value(email)                                            as email,
        any_value(occurred_at)                                      as identified_at,
        'email_click'                                               as identified_by,
        4                                                           as evidence_rank,
        event_id                                                    as evidence_record_id
    from click_landings
    group by event_id
    having count(distinct anonymous_id) = 1

),

evidence as (

    select * from web_evidence
    union all
    select * from form_evidence
    union all
    select * from click_evidence

),

identified as (

    select
        anonymous_id,
        {{ leadflow.arg_min('email', '(identified_at, evidence_rank, evidence_record_id)') }}              as email,
        min(identified_at)                                                              as identified_at,
        {{ leadflow.arg_min('identified_by', '(identified_at, evidence_rank, evidence_record_id)') }}      as identified_by,
        {{ leadflow.arg_min('evidence_record_id', '(identified_at, evidence_rank, evidence_record_id)') }} as identified_by_record_id,
        count(distinct email)                                                           as identity_count
    from evidence
    group by anonymous_id

),

visitors as (

    select
        anonymous_id,
        min(started_at)                                             as first_seen_at,
        max(ended_at)                                               as last_seen_at,
        count(*)                                                    as session_count
    from {{ ref('int_web_sessions') }}
    group by anonymous_id

)

select
    coalesce(visitors.anonymous_id, identified.anonymous_id)        as anonymous_id,
    identified.email is not null                                    as is_identified,
    identified.email,
    {{ lead_id('identified.email') }}                               as lead_id,
    identified.identified_at,
    identified.identified_by,
    identified.identified_by_record_id,
    coalesce(identified.identity_count, 0)                          as identity_count,
    coalesce(identified.identity_count, 0) > 1                      as has_conflicting_identities,
    visitors.first_seen_at,
    visitors.last_seen_at,
    coalesce(visitors.session_count, 0)                             as session_count
from visitors
full outer join identified
    on visitors.anonymous_id = identified.anonymous_id
