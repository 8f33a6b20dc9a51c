-- One row per consent change of a person: a form's marketing box (opt-in, with its legal
-- basis when the form gives one, or opt-out), an e-mail unsubscribe or spam report (both
-- withdraw marketing consent as a whole), and a SendGrid group_unsubscribe or
-- group_resubscribe (one subscription group only). subscription_group 'all' is marketing
-- as a whole; a group is SendGrid's unsubscribe group (asm_group_id).
-- Rebuilt whole each run: a few rows per person.
with form_statements as (

    select
        'forms'                                                     as record_source,
        submission_id                                               as record_id,
        {{ lead_id('email') }}                                      as lead_id,
        submitted_at                                                as occurred_at,
        case when has_marketing_consent then 'form_opt_in'
             else 'form_opt_out' end                                as consent_event_type,
        'all'                                                       as subscription_group,
        has_marketing_consent                                       as has_consent,
        case when has_marketing_consent then consent_legal_basis end as legal_basis,
        form_id                                                     as channel_detail
    from {{ ref('stg_forms__submissions') }}
    where is_valid_email and has_marketing_consent is not null

),

email_statements as (

    select
        'email'                                                     as record_source,
        event_id                                                    as record_id,
        {{ lead_id('email') }}                                      as lead_id,
        occurred_at,
        case event_type
            when 'spamreport' then 'spam_report'
            else event_type
        end                                                         as consent_event_type,
        case when event_type in ('group_unsubscribe', 'group_resubscribe')
             then coalesce(subscription_group_id, 'unknown group')
             else 'all' end                                         as subscription_group,
        event_type = 'group_resubscribe'                            as has_consent,
        cast(null as {{ leadflow.type_text() }})                                       as legal_basis,
        campaign_id                                                 as channel_detail
    from {{ ref('stg_email__events') }}
    where is_valid_email
      and event_type in ('unsubscribe', 'spamreport', 'group_unsubscribe', 'group_resubscribe')

),

statements as (

    select * from form_statements
    union all
    select * from email_statements

)

select
    {{ surrogate_key(['record_source', 'record_id']) }}             as consent_event_id,
    lead_id,
    occurred_at,
    consent_event_type,
    subscription_group,
    has_consent,
    legal_basis,
    record_source,
    record_id,
    channel_detail
from statements
