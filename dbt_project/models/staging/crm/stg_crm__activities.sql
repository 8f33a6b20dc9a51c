-- One row per sales activity (activity_id): call, email, meeting or demo by a rep.
-- Re-sent copies keep the first loaded.
with source as (

    select * from {{ source('raw', 'crm_activities') }}

),

first_loaded as (

    {{ deduplicate('source', 'trim(records.activity_id)') }}

)

select
    trim(activity_id)                                               as activity_id,
    email                                                           as email_raw,
    {{ normalize_email('email') }}                                  as email,
    {{ is_valid_email(normalize_email('email')) }}                  as is_valid_email,
    occurred_at,
    activity_type,
    lower({{ clean_text('owner') }})                                as owner,
    lower(replace({{ clean_text('outcome') }}, ' ', '_'))           as outcome,
    {{ optional_column('crm_activities', 'duration_minutes', 'integer') }} as duration_minutes,
    _file_id,
    _row_number,
    _loaded_at
from first_loaded
