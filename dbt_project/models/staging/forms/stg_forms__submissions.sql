-- One row per form submission (submission_id). Re-sent copies of a submission keep the
-- first loaded; the row is cleaned and typed but not yet tied to a person.
-- Incremental: a daily build reads the raw files loaded after the newest one here and
-- skips submissions it holds; every row again when the rules (channel_mapping,
-- country_aliases, page_categories...) changed (macros/incremental_staging.sql).
with source as (

    {{ new_raw_rows('forms') }}

),

first_loaded as (

    {{ deduplicate('source', 'trim(records.submission_id)') }}

),

cleaned as (

    select
        trim(submission_id)                                         as submission_id,
        submitted_at,
        email                                                       as email_raw,
        {{ normalize_email('email') }}                              as email,
        lower(trim(form_id))                                        as form_id,
        {{ clean_text('first_name') }}                              as first_name,
        {{ clean_text('last_name') }}                               as last_name,
        {{ clean_text('company') }}                                 as company_name,
        {{ clean_text('job_title') }}                               as job_title,
        {{ clean_text('phone') }}                                   as phone,
        {{ clean_text('country') }}                                 as country_raw,
        {{ clean_text('product_interest') }}                        as product_interest,
        coalesce({{ clean_utm('utm_source') }},
                 {{ clean_utm(url_param('landing_page', 'utm_source')) }})     as utm_source,
        coalesce({{ clean_utm('utm_medium') }},
                 {{ clean_utm(url_param('landing_page', 'utm_medium')) }})     as utm_medium,
        coalesce({{ clean_utm('utm_campaign') }},
                 {{ clean_utm(url_param('landing_page', 'utm_campaign')) }})   as utm_campaign,
        cast(null as {{ leadflow.type_text() }})                                       as referrer_host,
        {{ clean_token('landing_page') }}                           as landing_page_url,
        {{ url_path(clean_token('landing_page')) }}                 as landing_page_path,
        consent_marketing                                           as has_marketing_consent,
        lower({{ clean_text(optional_column('forms', 'consent_legal_basis')) }}) as consent_legal_basis,
        lower({{ clean_text('anonymous_id') }})                     as anonymous_id,
        _file_id,
        _row_number,
        _loaded_at
    from first_loaded

),

channels as ( {{ channel_lookup('cleaned') }} ),

countries as ( {{ country_lookup('cleaned') }} ),

pages as ( {{ page_category_lookup('cleaned', 'landing_page_path') }} )

select
    cleaned.submission_id,
    cleaned.submitted_at,
    cleaned.email_raw,
    cleaned.email,
    {{ is_valid_email('cleaned.email') }}                           as is_valid_email,
    cleaned.form_id,
    {{ title_case_name('cleaned.first_name') }}                     as first_name,
    {{ title_case_name('cleaned.last_name') }}                      as last_name,
    cleaned.company_name,
    cleaned.job_title,
    cleaned.phone,
    cleaned.country_raw,
    countries.country_code,
    cleaned.product_interest,
    cleaned.utm_source,
    cleaned.utm_medium,
    cleaned.utm_campaign,
    channels.channel,
    channels.channel_rule,
    cleaned.landing_page_url,
    cleaned.landing_page_path,
    pages.page_category                                             as landing_page_category,
    cleaned.has_marketing_consent,
    cleaned.consent_legal_basis,
    cleaned.anonymous_id,
    cleaned._file_id,
    cleaned._row_number,
    cleaned._loaded_at
from cleaned
left join channels
    on  cleaned.utm_source    is not distinct from channels.utm_source
    and cleaned.utm_medium    is not distinct from channels.utm_medium
    and cleaned.referrer_host is not distinct from channels.referrer_host
left join countries
    on cleaned.country_raw = countries.country_raw
left join pages
    on cleaned.landing_page_path = pages.landing_page_path
where {{ not_held_yet("cleaned.submission_id", 'submission_id') }}
