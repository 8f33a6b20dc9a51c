-- One row per tracked web event (event_id). A re-sent event keeps the first loaded copy.
-- Incremental: a daily run reads only raw files loaded after the newest one already here
-- (_file_id is a global, increasing load sequence) and skips event_ids it already holds.
--
-- Millions of events carry a few tens of thousands of distinct URL / referrer / UTM
-- combinations and far fewer e-mails than rows: each distinct value is cleaned (and looked
-- up in the seeds) once, then joined back to its events.
with source as (

    select * from {{ source('raw', 'web_events') }}
    {% if is_incremental() %}
    where _file_id > (select coalesce(max(_file_id), 0) from {{ this }})
    {% endif %}

),

first_loaded as (

    {{ deduplicate('source', 'trim(records.event_id)') }}

),

new_events as (

    select *
    from first_loaded
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as existing where existing.event_id = trim(first_loaded.event_id)
    )
    {% endif %}

),

-- the distinct hits: the page URL with the UTM columns sent beside it, and the referrer
hits as (

    select distinct url, referrer, utm_source, utm_medium, utm_campaign
    from new_events

),

hits_trimmed as (

    select
        url,
        referrer,
        utm_source                                                  as utm_source_raw,
        utm_medium                                                  as utm_medium_raw,
        utm_campaign                                                as utm_campaign_raw,
        {{ clean_token('url') }}                                    as page_url,
        {{ clean_token('referrer') }}                               as referrer_url,
        {{ url_host(clean_token('referrer')) }}                     as referrer_host_any
    from hits

),

hits_cleaned as (

    select
        url,
        referrer,
        utm_source_raw,
        utm_medium_raw,
        utm_campaign_raw,
        page_url,
        {{ url_path('page_url') }}                                  as page_path,
        referrer_url,
        case when not {{ is_own_host('referrer_host_any') }}
             then referrer_host_any end                             as referrer_host,
        coalesce({{ clean_utm('utm_source_raw') }},
                 {{ clean_utm(url_param('page_url', 'utm_source')) }})   as utm_source,
        coalesce({{ clean_utm('utm_medium_raw') }},
                 {{ clean_utm(url_param('page_url', 'utm_medium')) }})   as utm_medium,
        coalesce({{ clean_utm('utm_campaign_raw') }},
                 {{ clean_utm(url_param('page_url', 'utm_campaign')) }}) as utm_campaign
    from hits_trimmed

),

channels as ( {{ channel_lookup('hits_cleaned') }} ),

pages as ( {{ page_category_lookup('hits_cleaned', 'page_path') }} ),

hit_values as (

    select
        hits_cleaned.*,
        pages.page_category,
        coalesce(pages.is_high_intent_page, false)                  as is_high_intent_page,
        channels.channel                                            as traffic_channel
    from hits_cleaned
    left join channels
        on  hits_cleaned.utm_source    is not distinct from channels.utm_source
        and hits_cleaned.utm_medium    is not distinct from channels.utm_medium
        and hits_cleaned.referrer_host is not distinct from channels.referrer_host
    left join pages
        on hits_cleaned.page_path = pages.page_path

),

email_values as ( {{ distinct_email_values('new_events') }} )

select
    trim(events.event_id)                                           as event_id,
    events.occurred_at,
    lower(trim(events.anonymous_id))                                as anonymous_id,
    lower(trim(events.event_type))                                  as event_type,
    {{ clean_text(optional_column('web_events', 'event_name')) }}   as event_name,
    events.email                                                    as email_raw,
    email_values.email,
    coalesce(email_values.is_valid_email, false)                   as is_valid_email,
    hit_values.page_url,
    hit_values.page_path,
    hit_values.page_category,
    hit_values.is_high_intent_page,
    hit_values.referrer_url,
    hit_values.referrer_host,
    hit_values.utm_source,
    hit_values.utm_medium,
    hit_values.utm_campaign,
    hit_values.traffic_channel,
    {{ clean_token('events.user_agent') }}                          as user_agent,
    events._file_id,
    events._row_number,
    events._loaded_at
from new_events as events
left join hit_values
    on  events.url          is not distinct from hit_values.url
    and events.referrer     is not distinct from hit_values.referrer
    and events.utm_source   is not distinct from hit_values.utm_source_raw
    and events.utm_medium   is not distinct from hit_values.utm_medium_raw
    and events.utm_campaign is not distinct from hit_values.utm_campaign_raw
left join email_values
    on events.email = email_values.email_raw
