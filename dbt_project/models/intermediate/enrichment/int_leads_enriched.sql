-- One row per person (lead_id): the golden record of int_people_merged plus what can be
-- inferred from it with the analyst-edited seeds:
--   company domain and free-mail flag    e-mail domain vs seed free_email_providers
--   seniority, department                job title vs seed job_title_patterns
--                                        (ordered regexes per dimension, first match wins)
--   country and region                   the form's country, else the e-mail domain's
--                                        country-code TLD (seed countries.email_tld)
--   original and latest source           the first and the latest touch: a web session
--                                        of any of the person's visitors (also from before
--                                        identification) or a form submission
with people as (

    select * from {{ ref('int_people_merged') }}

),

domains as (

    select
        lead_id,
        split_part(email, '@', 2)                                   as email_domain,
        {{ leadflow.regexp_extract("split_part(email, '@', 2)", '\.([a-z]+)$', 1) }} as email_tld
    from people

),

free_mail as (

    select lower(email_domain) as email_domain
    from {{ ref('free_email_providers') }}

),

-- rules run once per distinct title, not per person
titles as (

    select
        distinct_titles.job_title,
        {{ leadflow.arg_min('patterns.value', 'patterns.priority') }} filter (where patterns.dimension = 'seniority')  as seniority,
        {{ leadflow.arg_min('patterns.value', 'patterns.priority') }} filter (where patterns.dimension = 'department') as department
    from (select distinct job_title from people where job_title is not null) as distinct_titles
    inner join {{ ref('job_title_patterns') }} as patterns
        on {{ leadflow.regexp_matches('lower(distinct_titles.job_title)', 'patterns.title_pattern') }}
    group by distinct_titles.job_title

),

countries as (

    select * from {{ ref('countries') }}

),

touches as (

    select
        sessions.lead_id,
        sessions.started_at                                         as touched_at,
        1                                                           as touch_rank,
        'web_session'                                               as touch_type,
        sessions.session_id                                         as touch_id,
        sessions.channel,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.referrer_host,
        sessions.landing_page_path
    from {{ ref('int_web_sessions_identified') }} as sessions

    union all

    select
        lead_id,
        submitted_at,
        2,
        'form_submission',
        submission_id,
        channel,
        utm_source,
        utm_medium,
        utm_campaign,
        cast(null as {{ leadflow.type_text() }}),
        landing_page_path
    from {{ ref('int_form_submissions_identified') }}
    where not is_double_submit

),

-- the first and the latest touch of each person, each taken whole as one struct: one
-- arg_min and one arg_max instead of one per column
sources as (

    select
        lead_id,
        {{ leadflow.arg_min('touch', '(touched_at, touch_rank, touch_id)') }}         as original,
        {{ leadflow.arg_max('touch', '(touched_at, touch_rank, touch_id)') }}         as latest
    from (
        select
            lead_id,
            touched_at,
            touch_rank,
            touch_id,
            {{ leadflow.struct_of(['touched_at', 'touch_type', 'channel', 'utm_source', 'utm_medium', 'utm_campaign', 'referrer_host', 'landing_page_path']) }} as touch
        from touches
    )
    group by lead_id

),

conversions as (

    select
        lead_id,
        {{ leadflow.arg_min('form_id', 'submission_number') }}                         as first_conversion_form_id,
        min(submitted_at)                                           as first_conversion_at,
        {{ leadflow.arg_max('form_id', 'submission_number') }}                         as latest_conversion_form_id,
        max(submitted_at)                                           as latest_conversion_at
    from {{ ref('int_form_submissions_identified') }}
    where not is_double_submit
    group by lead_id

)

select
    people.lead_id,
    people.email,
    people.created_at,
    people.identified_via,
    people.first_name,
    people.last_name,
    people.company_name,
    domains.email_domain,
    case when free_mail.email_domain is null then domains.email_domain end as company_domain,
    free_mail.email_domain is not null                              as is_free_email,
    people.job_title,
    titles.seniority,
    titles.department,
    people.phone,
    coalesce(people.country_code, tld_country.country_code)         as country_code,
    case
        when people.country_code is not null then 'form'
        when tld_country.country_code is not null then 'email_domain_tld'
    end                                                             as country_source,
    coalesce(form_country.country_name, tld_country.country_name)   as country_name,
    coalesce(form_country.region, tld_country.region)               as region,
    people.product_interest,
    people.has_marketing_consent,
    people.marketing_consent_updated_at,
    people.marketing_consent_source,
    sources.original.touched_at                                     as original_touch_at,
    sources.original.touch_type                                     as original_touch_type,
    sources.original.channel                                        as original_channel,
    sources.original.utm_source                                     as original_utm_source,
    sources.original.utm_medium                                     as original_utm_medium,
    sources.original.utm_campaign                                   as original_utm_campaign,
    sources.original.referrer_host                                  as original_referrer_host,
    sources.original.landing_page_path                              as original_landing_page_path,
    sources.latest.touched_at                                       as latest_touch_at,
    sources.latest.touch_type                                       as latest_touch_type,
    sources.latest.channel                                          as latest_channel,
    sources.latest.utm_source                                       as latest_utm_source,
    sources.latest.utm_medium                                       as latest_utm_medium,
    sources.latest.utm_campaign                                     as latest_utm_campaign,
    conversions.first_conversion_form_id,
    conversions.first_conversion_at,
    conversions.latest_conversion_form_id,
    conversions.latest_conversion_at,
    people.seen_in_sources,
    people.email_spelling_count,
    people.form_submission_count,
    people.form_conversion_count,
    people.double_submit_count
from people
left join domains using (lead_id)
left join free_mail
    on domains.email_domain = free_mail.email_domain
left join titles
    on people.job_title = titles.job_title
left join countries as form_country
    on people.country_code = form_country.country_code
left join countries as tld_country
    on  people.country_code is null
    and domains.email_tld = tld_country.email_tld
left join sources using (lead_id)
left join conversions using (lead_id)
