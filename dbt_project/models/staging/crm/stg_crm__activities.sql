-- One row per sales activity (activity_id): call, email, meeting or demo by a rep.
-- Re-sent copies keep the first loaded.
-- Incremental: a daily build reads the raw files loaded after the newest one here and
-- skips activities it holds (every row again when the rules changed: macros/incremental_staging.sql).
with source as (

    {{ new_raw_rows('crm_activities') }}

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
where {{ not_held_yet("trim(activity_id)", 'activity_id') }}
