-- One row per form submission with a valid e-mail, tied to its person (lead_id = md5 of
-- the normalised e-mail), numbered per person, with double submits flagged: the same
-- person sending the same form again within var double_submit_window_minutes.
-- Submissions with an invalid e-mail are left out (int_merge_decisions lists them).
-- Lead refresh (macros/lead_refresh.sql): a daily run renumbers only the touched leads.
with submissions as (

    select * from {{ ref('stg_forms__submissions') }}
    where is_valid_email

),

pages as (

    select page_category, bool_or(is_high_intent) as is_high_intent
    from {{ ref('page_categories') }}
    group by page_category

),

ordered as (

    select
        submissions.*,
        lag(submitted_at) over (
            partition by email, form_id order by submitted_at, _loaded_at, submission_id
        ) as previous_same_form_at,
        row_number() over (
            partition by email order by submitted_at, _loaded_at, submission_id
        ) as submission_number
    from submissions

)

select
    ordered.submission_id,
    {{ lead_id('ordered.email') }}                                  as lead_id,
    ordered.email,
    ordered.email_raw,
    ordered.submitted_at,
    ordered.submission_number,
    ordered.form_id,
    coalesce(
        ordered.previous_same_form_at is not null
        and ordered.submitted_at - ordered.previous_same_form_at
            <= {{ leadflow.duration(var('double_submit_window_minutes'), 'minute') }},
        false
    )                                                               as is_double_submit,
    ordered.landing_page_path,
    ordered.landing_page_category,
    coalesce(pages.is_high_intent, false)                           as is_high_intent_form,
    ordered.utm_source,
    ordered.utm_medium,
    ordered.utm_campaign,
    ordered.channel,
    ordered.anonymous_id,
    ordered.first_name,
    ordered.last_name,
    ordered.company_name,
    ordered.job_title,
    ordered.phone,
    ordered.country_raw,
    ordered.country_code,
    ordered.product_interest,
    ordered.has_marketing_consent,
    ordered._loaded_at
from ordered
left join pages
    on ordered.landing_page_category = pages.page_category
