-- A daily build's data tests read the rows of the leads it refreshed (macros/test_scope.sql).
-- One row per record tied to a person (or rejected): which record, which person, which
-- rule, which golden fields it supplied. The audit trail of dim_leads' dedup. A view of
-- int_merge_decisions' columns: nothing to rewrite on a daily build.
select
    merge_decision_id,
    lead_id,
    record_source,
    record_id,
    email_as_given,
    email,
    record_at,
    record_count,
    merge_rule,
    rule_detail,
    is_person_origin,
    survived_fields
from {{ ref('int_merge_decisions') }}
