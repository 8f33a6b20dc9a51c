-- One row per person: every record whose e-mail normalises to the same address (case,
-- white space, +tag) merged into one golden record. lead_id = md5(normalised e-mail).
--
-- Survivorship (form submissions ordered by submitted_at, then load time, then id):
--   first_name, last_name   first non-empty value, earliest submission first
--   company_name, job_title, phone, country_code, product_interest
--                           latest non-empty value (people change jobs and numbers)
--   has_marketing_consent   latest statement: a form's consent box, or an unsubscribe or
--                           spam report (which withdraws consent)
--   created_at              first time the address appeared in any source
-- The *_submission_id columns say which submission each golden value came from.
with addresses as (

    select * from {{ ref('int_email_addresses_unioned') }}
    where is_valid_email

),

people as (

    select
        lead_id,
        email,
        min(first_seen_at)                                          as created_at,
        {{ leadflow.arg_min('source_name', '(first_seen_at, source_rank)') }}          as identified_via,
        count(distinct email_raw)                                   as email_spelling_count,
        {{ leadflow.sorted_distinct_list('source_name') }}            as seen_in_sources
    from addresses
    group by lead_id, email

),

submissions as (

    select * from {{ ref('int_form_submissions_identified') }}

),

golden as (

    select
        lead_id,
        {% for field in ['first_name', 'last_name'] %}
        {{ leadflow.arg_min(field, 'submission_number') }} filter (where {{ field }} is not null)       as {{ field }},
        {{ leadflow.arg_min('submission_id', 'submission_number') }} filter (where {{ field }} is not null)     as {{ field }}_submission_id,
        {% endfor %}
        {% for field in ['company_name', 'job_title', 'phone', 'country_code', 'product_interest'] %}
        {{ leadflow.arg_max(field, 'submission_number') }} filter (where {{ field }} is not null)       as {{ field }},
        {{ leadflow.arg_max('submission_id', 'submission_number') }} filter (where {{ field }} is not null)     as {{ field }}_submission_id,
        {% endfor %}
        count(*)                                                    as form_submission_count,
        count(*) filter (where not is_double_submit)                as form_conversion_count,
        count(*) filter (where is_double_submit)                    as double_submit_count,
        min(submitted_at)                                           as first_form_submitted_at,
        max(submitted_at)                                           as last_form_submitted_at
    from submissions
    group by lead_id

),

consent_statements as (

    select
        email,
        submitted_at                                                as stated_at,
        has_marketing_consent,
        'form_submission'                                           as consent_source,
        submission_id                                               as record_id
    from submissions
    where has_marketing_consent is not null

    union all

    select
        email,
        occurred_at                                                 as stated_at,
        false                                                       as has_marketing_consent,
        'email_' || event_type                                      as consent_source,
        event_id                                                    as record_id
    from {{ ref('stg_email__events') }}
    where event_type in ('unsubscribe', 'spamreport') and is_valid_email

),

consent as (

    select
        email,
        {{ leadflow.arg_max('has_marketing_consent', '(stated_at, record_id)') }}      as has_marketing_consent,
        max(stated_at)                                              as marketing_consent_updated_at,
        {{ leadflow.arg_max('consent_source', '(stated_at, record_id)') }}             as marketing_consent_source
    from consent_statements
    group by email

)

select
    people.lead_id,
    people.email,
    people.created_at,
    people.identified_via,
    people.seen_in_sources,
    people.email_spelling_count,
    golden.first_name,
    golden.last_name,
    golden.company_name,
    golden.job_title,
    golden.phone,
    golden.country_code,
    golden.product_interest,
    coalesce(consent.has_marketing_consent, false)                  as has_marketing_consent,
    consent.marketing_consent_updated_at,
    consent.marketing_consent_source,
    coalesce(golden.form_submission_count, 0)                       as form_submission_count,
    coalesce(golden.form_conversion_count, 0)                       as form_conversion_count,
    coalesce(golden.double_submit_count, 0)                         as double_submit_count,
    golden.first_form_submitted_at,
    golden.last_form_submitted_at,
    golden.first_name_submission_id,
    golden.last_name_submission_id,
    golden.company_name_submission_id,
    golden.job_title_submission_id,
    golden.phone_submission_id,
    golden.country_code_submission_id,
    golden.product_interest_submission_id
from people
left join golden using (lead_id)
left join consent using (email)
