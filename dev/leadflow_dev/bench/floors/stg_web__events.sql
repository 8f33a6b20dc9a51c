-- Floor of stg_web__events: the same rows from raw.web_events in one plain DuckDB query.
-- Every distinct raw value (URL with its UTM columns and referrer, e-mail, event name) is
-- cleaned once and joined back; the first loaded copy of a re-sent event_id is kept.
with source as (

    select * from raw.web_events

),

repeated as (

    select trim(event_id) as dedup_key, min((_loaded_at, _file_id, _row_number)) as kept_copy
    from source
    group by 1
    having count(*) > 1

),

first_loaded as (

    select source.*
    from source
    left join repeated on trim(source.event_id) = repeated.dedup_key
    where repeated.dedup_key is null
       or (source._loaded_at, source._file_id, source._row_number) = repeated.kept_copy

),

hits as (

    select distinct url, referrer, utm_source, utm_medium, utm_campaign from first_loaded

),

hits_cleaned as (

    select
        url, referrer, utm_source as utm_source_raw, utm_medium as utm_medium_raw,
        utm_campaign as utm_campaign_raw,
        nullif(trim(url), '') as page_url,
        nullif(trim(referrer), '') as referrer_url,
        coalesce(
            nullif(rtrim(lower(regexp_extract(trim(nullif(trim(url), '')),
                '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1)), '/'), ''),
            case when nullif(trim(url), '') is not null then '/' end) as page_path,
        nullif(regexp_replace(lower(regexp_extract(trim(referrer),
            '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)', 1)), '^www\.', ''), '') as host
    from hits

),

hits_final as (

    select
        *,
        case when not coalesce(host = 'example.com' or ends_with(host, '.example.com'), false)
             then host end as referrer_host,
        coalesce(
            nullif(regexp_replace(lower(trim(url_decode(replace(utm_source_raw, '+', ' ')))), '\s+', ' ', 'g'), ''),
            nullif(regexp_replace(lower(trim(url_decode(replace(
                nullif(url_decode(regexp_extract(page_url, '[?&]utm_source=([^&#]*)', 1)), ''),
                '+', ' ')))), '\s+', ' ', 'g'), '')) as utm_source,
        coalesce(
            nullif(regexp_replace(lower(trim(url_decode(replace(utm_medium_raw, '+', ' ')))), '\s+', ' ', 'g'), ''),
            nullif(regexp_replace(lower(trim(url_decode(replace(
                nullif(url_decode(regexp_extract(page_url, '[?&]utm_medium=([^&#]*)', 1)), ''),
                '+', ' ')))), '\s+', ' ', 'g'), '')) as utm_medium,
        coalesce(
            nullif(regexp_replace(lower(trim(url_decode(replace(utm_campaign_raw, '+', ' ')))), '\s+', ' ', 'g'), ''),
            nullif(regexp_replace(lower(trim(url_decode(replace(
                nullif(url_decode(regexp_extract(page_url, '[?&]utm_campaign=([^&#]*)', 1)), ''),
                '+', ' ')))), '\s+', ' ', 'g'), '')) as utm_campaign
    from hits_cleaned

),

channel_combos as (

    select distinct utm_source, utm_medium, referrer_host from hits_final

),

channels as (

    select
        combos.utm_source, combos.utm_medium, combos.referrer_host,
        arg_min(rules.channel, rules.priority) as channel
    from channel_combos as combos
    inner join seeds.channel_mapping as rules
        on (coalesce(rules.utm_source_pattern, '') = ''
            or (rules.utm_source_pattern = '(none)' and combos.utm_source is null)
            or (rules.utm_source_pattern <> '(none)' and combos.utm_source is not null
                and regexp_full_match(combos.utm_source, rules.utm_source_pattern)))
       and (coalesce(rules.utm_medium_pattern, '') = ''
            or (rules.utm_medium_pattern = '(none)' and combos.utm_medium is null)
            or (rules.utm_medium_pattern <> '(none)' and combos.utm_medium is not null
                and regexp_full_match(combos.utm_medium, rules.utm_medium_pattern)))
       and (coalesce(rules.referrer_host_pattern, '') = ''
            or (rules.referrer_host_pattern = '(none)' and combos.referrer_host is null)
            or (rules.referrer_host_pattern <> '(none)' and combos.referrer_host is not null
                and regexp_full_match(combos.referrer_host, rules.referrer_host_pattern)))
    group by all

),

pages as (

    select
        paths.page_path,
        arg_min(rules.page_category, rules.priority) as page_category,
        arg_min(rules.is_high_intent, rules.priority) as is_high_intent_page
    from (select distinct page_path from hits_final where page_path is not null) as paths
    inner join seeds.page_categories as rules on regexp_full_match(paths.page_path, rules.path_pattern)
    group by all

),

hit_lookup as (

    select
        hits_final.url, hits_final.referrer, hits_final.utm_source_raw,
        hits_final.utm_medium_raw, hits_final.utm_campaign_raw,
        hits_final.page_url, hits_final.page_path, pages.page_category,
        coalesce(pages.is_high_intent_page, false) as is_high_intent_page,
        hits_final.referrer_url, hits_final.referrer_host, hits_final.utm_source,
        hits_final.utm_medium, hits_final.utm_campaign, channels.channel as traffic_channel
    from hits_final
    left join channels
        on  hits_final.utm_source    is not distinct from channels.utm_source
        and hits_final.utm_medium    is not distinct from channels.utm_medium
        and hits_final.referrer_host is not distinct from channels.referrer_host
    left join pages on hits_final.page_path = pages.page_path

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

)

select
    trim(events.event_id) as event_id,
    events.occurred_at,
    lower(trim(events.anonymous_id)) as anonymous_id,
    lower(trim(events.event_type)) as event_type,
    case
        when lower(trim(events.event_name)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
        else regexp_replace(trim(events.event_name), '\s+', ' ', 'g')
    end as event_name,
    events.email as email_raw,
    emails_checked.email,
    coalesce(emails_checked.is_valid_email, false) as is_valid_email,
    hit_lookup.page_url,
    hit_lookup.page_path,
    hit_lookup.page_category,
    coalesce(hit_lookup.is_high_intent_page, false) as is_high_intent_page,
    hit_lookup.referrer_url,
    hit_lookup.referrer_host,
    hit_lookup.utm_source,
    hit_lookup.utm_medium,
    hit_lookup.utm_campaign,
    hit_lookup.traffic_channel,
    nullif(trim(events.user_agent), '') as user_agent,
    events._file_id,
    events._row_number,
    events._loaded_at
from first_loaded as events
left join hit_lookup
    on  events.url          is not distinct from hit_lookup.url
    and events.referrer     is not distinct from hit_lookup.referrer
    and events.utm_source   is not distinct from hit_lookup.utm_source_raw
    and events.utm_medium   is not distinct from hit_lookup.utm_medium_raw
    and events.utm_campaign is not distinct from hit_lookup.utm_campaign_raw
left join emails_checked on events.email = emails_checked.email_raw
