{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='deal_state_id', on_schema_change='sync_all_columns',
          meta={'test_new_rows_column': '_file_id'}) }}
-- One row per deal state (a deal appears once per change: deal_id x updated_at x stage).
-- Exact re-sent copies of a state keep the first loaded.
-- Incremental: a daily build reads the raw files loaded after the newest one here and
-- skips states it holds (every row again when the rules changed: state_build_batches).
with batch as (

    select * from {{ ref('state_build_batches') }}
    order by batch_number desc
    limit 1

),

source as (

    select * from {{ source('raw', 'crm_deals') }}
    {% if is_incremental_build() %}
    where (select is_full_refresh from batch)
       or _file_id > (select coalesce(max(_file_id), 0) from {{ this }})
    {% endif %}

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
        lower(regexp_replace(trim(stage), '[\s_-]+', '', 'g'))      as deal_stage,
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
{% if is_incremental_build() %}
where (select is_full_refresh from batch)
   or {{ surrogate_key(['deal_id', 'state_at', 'deal_stage']) }} not in (select deal_state_id from {{ this }})
{% endif %}
qualify row_number() over (
    partition by deal_id, state_at, deal_stage
    order by _loaded_at, _file_id, _row_number
) = 1
