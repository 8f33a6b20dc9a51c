-- One row per record that Leadflow tied (or refused to tie) to a person: each form
-- submission, each other spelling of an address in the web, e-mail and CRM sources, and
-- each identified web visitor. Says which person it went to, by which rule, and which
-- golden-record fields it supplied.
--
-- merge_rule:
--   exact_email               the address as given is already the normalised address
--   email_case_or_whitespace  equal after lower-casing and trimming
--   email_plus_tag            equal after also dropping a +tag (var email_strip_plus_tag)
--   stitched_<how>            a web visitor identified by web_identify, web_event,
--                             form_submission or email_click (see int_identities_stitched)
--   rejected_invalid_email    not a valid address: tied to nobody
-- Lead refresh (macros/lead_refresh.sql): the records of the touched leads, and every
-- rejected record (tied to no lead, a few hundred rows: meta lead_refresh_unattached of
-- the inputs, lead_refresh_also_delete of this model), are recomputed.
with form_records as (

    select
        'forms'                                                     as record_source,
        submission_id                                               as record_id,
        email_raw,
        email,
        is_valid_email,
        submitted_at                                                as record_at,
        1                                                           as record_count,
        1                                                           as source_rank
    from {{ ref('stg_forms__submissions') }}

),

address_records as (

    select
        source_name                                                 as record_source,
        email_raw                                                   as record_id,
        email_raw,
        email,
        is_valid_email,
        first_seen_at                                               as record_at,
        record_count,
        source_rank
    from {{ ref('int_email_addresses_unioned') }}
    where source_name <> 'forms'

),

email_records as (

    select
        *,
        case
            when not is_valid_email then 'rejected_invalid_email'
            when email_raw = email then 'exact_email'
            when {{ lower_trim_email('email_raw') }} = email then 'email_case_or_whitespace'
            else 'email_plus_tag'
        end                                                         as merge_rule
    from (
        select * from form_records
        union all
        select * from address_records
    ) as records

),

people as (

    select * from {{ ref('int_people_merged') }}

),

-- golden-record fields each submission supplied
field_sources as (

    select record_id, {{ leadflow.sorted_list('field_name') }} as survived_fields
    from (
        {% for field in ['first_name', 'last_name', 'company_name', 'job_title', 'phone', 'country_code', 'product_interest'] %}
        select {{ field }}_submission_id as record_id, '{{ field }}' as field_name from people
        where {{ field }}_submission_id is not null
        {{ "union all" if not loop.last }}
        {% endfor %}
    ) as fields
    group by record_id

),

email_decisions as (

    select
        email_records.record_source,
        email_records.record_id,
        case when email_records.is_valid_email then {{ lead_id('email_records.email') }} end as lead_id,
        case when email_records.is_valid_email then email_records.email end               as email,
        email_records.email_raw                                     as email_as_given,
        email_records.record_at,
        email_records.record_count,
        email_records.merge_rule,
        case email_records.merge_rule
            when 'rejected_invalid_email'
                then '''' || email_records.email_raw || ''' is not a valid address'
            when 'exact_email'
                then 'address as given'
            else '''' || email_records.email_raw || ''' -> ''' || email_records.email || ''''
        end                                                         as rule_detail,
        row_number() over (
            partition by email_records.email, email_records.is_valid_email
            order by email_records.record_at, email_records.source_rank, email_records.record_id
        ) = 1 and email_records.is_valid_email                      as is_person_origin,
        field_sources.survived_fields
    from email_records
    left join field_sources
        on  email_records.record_source = 'forms'
        and email_records.record_id = field_sources.record_id

),

visitor_decisions as (

    select
        'web_visitors'                                              as record_source,
        anonymous_id                                                as record_id,
        lead_id,
        email,
        cast(null as {{ leadflow.type_text() }})                                       as email_as_given,
        identified_at                                               as record_at,
        session_count                                               as record_count,
        'stitched_' || identified_by                                as merge_rule,
        identified_by || ' ' || identified_by_record_id || ' at ' || {{ leadflow.format_timestamp('identified_at', '%Y-%m-%d %H:%M:%S') }}
            || case when has_conflicting_identities
                    then '; seen as ' || (identity_count - 1) || ' other address(es) later, first identification kept'
                    else '' end                                     as rule_detail,
        false                                                       as is_person_origin,
        cast(null as {{ leadflow.type_text_list() }})                 as survived_fields
    from {{ ref('int_identities_stitched') }}
    where is_identified

)

select
    {{ surrogate_key(['record_source', 'record_id']) }}             as merge_decision_id,
    *
from (
    select * from email_decisions
    union all
    select * from visitor_decisions
) as decisions
