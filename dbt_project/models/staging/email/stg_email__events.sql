-- One row per e-mail event (event_id), SendGrid-like. A re-sent event keeps the first
-- loaded copy. Incremental on the raw load sequence (_file_id), like stg_web__events.
with source as (

    select * from {{ source('raw', 'email_events') }}
    {% if is_incremental() %}
    where _file_id > (select coalesce(max(_file_id), 0) from {{ this }})
    {% endif %}

),

first_loaded as (

    {{ deduplicate('source', 'trim(records.event_id)') }}

),

-- millions of events carry far fewer distinct e-mails and links: each distinct value is
-- cleaned (and checked) once, then joined back to its events, as in stg_web__events
email_values as ( {{ distinct_email_values('first_loaded') }} ),

links as (

    select
        url,
        {{ clean_token('url') }}                                    as link_url,
        {{ url_path(clean_token('url')) }}                          as link_path
    from (select distinct url from first_loaded where url is not null) as distinct_urls

),

cleaned as (

    select
        trim(events.event_id)                                       as event_id,
        events.occurred_at,
        events.email                                                as email_raw,
        email_values.email,
        coalesce(email_values.is_valid_email, false)               as is_valid_email,
        events.event                                                as event_type,
        lower({{ clean_text('events.campaign_id') }})               as campaign_id,
        {{ clean_token(optional_column('email_events', 'sg_message_id')) }} as provider_message_id,
        links.link_url,
        links.link_path,
        {{ clean_token('events.user_agent') }}                      as user_agent,
        {{ clean_token('events.ip') }}                              as ip_address,
        {{ clean_text(optional_column('email_events', 'reason')) }} as event_reason,
        {{ clean_token(optional_column('email_events', 'asm_group_id')) }} as subscription_group_id,
        events._file_id,
        events._row_number,
        events._loaded_at
    from first_loaded as events
    left join email_values
        on events.email = email_values.email_raw
    left join links
        on events.url = links.url
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as existing where existing.event_id = trim(events.event_id)
    )
    {% endif %}

)

select
    event_id,
    occurred_at,
    email_raw,
    email,
    is_valid_email,
    event_type,
    campaign_id,
    -- one sent message: the provider's id, else the recipient and campaign
    coalesce(provider_message_id, {{ surrogate_key(['email', 'campaign_id']) }}) as message_id,
    provider_message_id,
    link_url,
    link_path,
    user_agent,
    ip_address,
    event_reason,
    subscription_group_id,
    _file_id,
    _row_number,
    _loaded_at
from cleaned
