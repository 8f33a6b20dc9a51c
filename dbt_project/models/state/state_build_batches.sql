-- One row per dbt build (batch): which raw files it takes in (file ids after
-- previous_through_file_id up to through_file_id; _file_id is a global, increasing load
-- sequence) and the fingerprint of the rules it builds with. The lead-level models refresh
-- the leads these files touched (state_lead_changes), or every lead when the fingerprint
-- differs (is_full_refresh). "Previous" is the last *complete* build: the on-run-end hook
-- (macros/lead_refresh.sql, complete_lead_refresh_batch) marks a batch complete once every
-- lead-level model succeeded, so the files of a failed build are taken in again by the
-- next. A run log, not business data: --full-refresh starts it again at batch 1.
with files as (

    select coalesce(max(file_id), 0) as through_file_id
    from {{ source('raw', '_files') }}

),

rules as (

    select {{ lead_rules_fingerprint() }} as rules_fingerprint

)

{% if is_incremental() %}
, previous as (

    select
        (select max(batch_number) from {{ this }})                  as batch_number,
        max(batch_number) filter (where is_complete)                as complete_batch_number,
        max(through_file_id) filter (where is_complete)             as through_file_id,
        {{ leadflow.arg_max('rules_fingerprint', 'batch_number') }} filter (where is_complete) as rules_fingerprint
    from {{ this }}

)

select
    previous.batch_number + 1                                       as batch_number,
    current_timestamp                                               as built_at,
    coalesce(previous.complete_batch_number, 0)                     as previous_batch_number,
    coalesce(previous.through_file_id, 0)                           as previous_through_file_id,
    files.through_file_id,
    rules.rules_fingerprint,
    rules.rules_fingerprint is distinct from previous.rules_fingerprint as is_full_refresh,
    false                                                           as is_complete
from previous
cross join files
cross join rules
{% else %}
select
    1                                                               as batch_number,
    current_timestamp                                               as built_at,
    0                                                               as previous_batch_number,
    0                                                               as previous_through_file_id,
    files.through_file_id,
    rules.rules_fingerprint,
    true                                                            as is_full_refresh,
    false                                                           as is_complete
from files
cross join rules
{% endif %}
