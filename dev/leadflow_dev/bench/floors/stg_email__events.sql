-- Floor of stg_email__events: the same rows from raw.email_events in one plain DuckDB query.
-- The first loaded copy of a re-sent event_id kept by a window over the key; each distinct
-- e-mail and link cleaned once and joined back. The generated inbox carries sg_message_id
-- and reason but no asm_group_id column (the model reads optional columns as present).
with first_loaded as (

    select *
    from raw.email_events
    qualify row_number() over (partition by trim(event_id)
                               order by _loaded_at, _file_id, _row_number) = 1

),

emails as (

    select
        email as email_raw,
        regexp_replace(regexp_replace(lower(trim(email, ' ' || chr(9) || chr(10) || chr(13)
            || chr(160) || '<>"''')), '^mailto:', ''), '\+[^@]*@', '@') as email
    from (select distinct email from first_loaded where email is not null)

),

emails_checked as (

    select
        *,
        coalesce(regexp_full_match(email, '[a-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}'), false) as is_valid_email
    from emails

),

links as (

    select
        url,
        nullif(trim(url), '') as link_url,
        coalesce(
            nullif(rtrim(lower(regexp_extract(trim(url),
                '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1)), '/'), ''),
            case when trim(url) <> '' then '/' end) as link_path
    from (select distinct url from first_loaded where url is not null)

),

cleaned as (

    select
        trim(events.event_id) as event_id,
        events.occurred_at,
        events.email as email_raw,
        emails_checked.email,
        coalesce(emails_checked.is_valid_email, false) as is_valid_email,
        events.event as event_type,
        lower(case
            when lower(trim(events.campaign_id)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
            else regexp_replace(trim(events.campaign_id), '\s+', ' ', 'g')
        end) as campaign_id,
        nullif(trim(events.sg_message_id), '') as provider_message_id,
        links.link_url,
        links.link_path,
        nullif(trim(events.user_agent), '') as user_agent,
        nullif(trim(events.ip), '') as ip_address,
        case
            when lower(trim(events.reason)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
            else regexp_replace(trim(events.reason), '\s+', ' ', 'g')
        end as event_reason,
        cast(null as varchar) as subscription_group_id,
        events._file_id,
        events._row_number,
        events._loaded_at
    from first_loaded as events
    left join emails_checked on events.email = emails_checked.email_raw
    left join links on events.url = links.url

)

select
    event_id,
    occurred_at,
    email_raw,
    email,
    is_valid_email,
    event_type,
    campaign_id,
    coalesce(provider_message_id, md5(coalesce(email, '∅') || '|' || coalesce(campaign_id, '∅'))) as message_id,
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
