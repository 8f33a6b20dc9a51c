-- One row per person and subscription group they ever made a statement about: their
-- consent now (the latest statement wins; on equal time the later record id), since
-- when, by which event, and the legal basis of their latest opt-in. Group 'all' is
-- marketing as a whole: it is what segment exports require (activation.segment_base);
-- a group unsubscribe withdraws that group only.
select
    lead_id,
    subscription_group,
    {{ leadflow.arg_max('has_consent', '(occurred_at, record_id)') }}                  as has_consent,
    max(occurred_at)                                                as consent_updated_at,
    {{ leadflow.arg_max('consent_event_type', '(occurred_at, record_id)') }}           as last_consent_event_type,
    {{ leadflow.arg_max('legal_basis', '(occurred_at, record_id)') }}
        filter (where consent_event_type = 'form_opt_in')           as opt_in_legal_basis,
    count(*)                                                        as consent_event_count
from {{ ref('fct_consent_events') }}
group by lead_id, subscription_group
