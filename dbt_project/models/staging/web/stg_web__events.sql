-- One row per tracked web event (event_id). A re-sent event keeps the first loaded copy.
-- Incremental: a daily run reads only raw files loaded after the newest one already here
-- (_file_id is a global, increasing load sequence) and skips event_ids it already holds.
with source as (

    select * from {{ source('raw', 'web_events') }}
    {% if is_incremental() %}
    where _file_id > (select coalesce(max(_file_id), 0) from {{ this }})
    {% endif %}

),

first_loaded as (

    {{ deduplicate('source', 'trim(records.event_id)') }}

),

trimmed as (

    select
        trim(event_id)                                              as event_id,
        occurred_at,
        lower(trim(anonymous_id))                                   as anonymous_id,
        lower(trim(event_type))                                     as event_type,
        {{ clean_text(optional_column('web_events', 'event_name')) }} as event_name,
        email                                                       as email_raw,
        {{ normalize_email('email') }}                              as email,
        {{ clean_token('url') }}                                    as page_url,
        {{ clean_token('referrer') }}                               as referrer_url,
        {{ url_host(clean_token('referrer')) }}                     as referrer_host_any,
        utm_source,
        utm_medium,
        utm_campaign,
        {{ clean_token('user_agent') }}                             as user_agent,
        _file_id,
        _row_number,
        _loaded_at
    from first_loaded
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as existing where existing.event_id = trim(first_loaded.event_id)
    )
    {% endif %}

),

cleaned as (

    select
        * exclude (referrer_host_any, utm_source, utm_medium, utm_campaign),
        {{ url_path('page_url') }}                                  as page_path,
        case when not {{ is_own_host('referrer_host_any') }}
             then referrer_host_any end                             as referrer_host,
        coalesce({{ clean_utm('utm_source') }},
                 {{ clean_utm(url_param('page_url', 'utm_source')) }})   as utm_source,
        coalesce({{ clean_utm('utm_medium') }},
                 {{ clean_utm(url_param('page_url', 'utm_medium')) }})   as utm_medium,
        coalesce({{ clean_utm('utm_campaign') }},
                 {{ clean_utm(url_param('page_url', 'utm_campaign')) }}) as utm_campaign
    from trimmed

),

channels as ( {{ channel_lookup('cleaned') }} ),

pages as ( {{ page_category_lookup('cleaned', 'page_path') }} )

select
    cleaned.event_id,
    cleaned.occurred_at,
    cleaned.anonymous_id,
    cleaned.event_type,
    cleaned.event_name,
    cleaned.email_raw,
    cleaned.email,
    {{ is_valid_email('cleaned.email') }}                           as is_valid_email,
    cleaned.page_url,
    cleaned.page_path,
    pages.page_category,
    coalesce(pages.is_high_intent_page, false)                      as is_high_intent_page,
    cleaned.referrer_url,
    cleaned.referrer_host,
    cleaned.utm_source,
    cleaned.utm_medium,
    cleaned.utm_campaign,
    channels.channel                                                as traffic_channel,
    cleaned.user_agent,
    cleaned._file_id,
    cleaned._row_number,
    cleaned._loaded_at
from cleaned
left join channels
    on  cleaned.utm_source    is not distinct from channels.utm_source
    and cleaned.utm_medium    is not distinct from channels.utm_medium
    and cleaned.referrer_host is not distinct from channels.referrer_host
left join pages
    on cleaned.page_path = pages.page_path
