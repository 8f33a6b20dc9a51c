-- One row per deal state (a deal appears once per change: deal_id x updated_at x stage).
-- Exact re-sent copies of a state keep the first loaded.
-- Incremental: a daily build reads the raw files loaded after the newest one here and
-- skips states it holds (every row again when the rules changed: macros/incremental_staging.sql).
with source as (

    {{ new_raw_rows('crm_deals') }}

),

cleaned as (

    select
        trim(deal_id)                                               as deal_id,
        {{ clean_text(optional_column('crm_deals', 'dealname')) }}  as deal_name,
        email                                                       as email_raw,
        {{ normalize_email('email') }}                              as email,
        created_at,
        coalesce(updated_at, created_at)                            as state_at,
        updated_at,
        closed_at,
        lower({{ leadflow.regexp_replace('trim(stage)', '[\s_-]+', '') }}) as deal_stage,
        status                                                      as deal_status,
        amount,
        upper({{ clean_text('currency') }})                         as currency,
        lower({{ clean_text('owner') }})                            as owner,
        {{ clean_text('product') }}                                 as product,
        lower({{ clean_text(optional_column('crm_deals', 'pipeline')) }}) as pipeline,
        _file_id,
        _row_number,
        _loaded_at
    from source

)

select
    {{ surrogate_key(['deal_id', 'state_at', 'deal_stage']) }}      as deal_state_id,
    deal_id,
    deal_name,
    email_raw,
    email,
    {{ is_valid_email('email') }}                                   as is_valid_email,
    created_at,
    state_at,
    updated_at,
    closed_at,
    deal_stage,
    deal_status,
    amount,
    currency,
    owner,
    product,
    pipeline,
    _file_id,
    _row_number,
    _loaded_at
from cleaned
where {{ not_held_yet(surrogate_key(['deal_id', 'state_at', 'deal_stage']), 'deal_state_id') }}
qualify row_number() over (
    partition by deal_id, state_at, deal_stage
    order by _loaded_at, _file_id, _row_number
) = 1
