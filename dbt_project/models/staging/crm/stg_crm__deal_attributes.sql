-- One row per deal and descriptive attribute (deal_id x attribute) that the deal's latest
-- state carries: columns an export brought beside the contract's (schema drift keeps them
-- in raw.crm_deals as text), such as the sales manager, regional office, account sector or
-- business segment. The attributes looked for are var('deal_report_attributes'); one that
-- no file has ever carried simply yields no rows. Empty values are left out.
{%- set attributes = var('deal_report_attributes', [
    'manager', 'regional_office', 'sector', 'account', 'business_segment', 'sdr_id',
    'lead_type', 'business_type', 'origin']) %}

with source as (

    select * from {{ source('raw', 'crm_deals') }}

),

latest as (

    -- the same latest state as fct_deals: latest updated_at (else created_at), then the
    -- copy loaded last
    select *
    from source
    qualify row_number() over (
        partition by trim(deal_id)
        order by coalesce(updated_at, created_at) desc, _loaded_at desc, _file_id desc,
                 _row_number desc
    ) = 1

),

unpivoted as (

    {% for attribute in attributes %}
    select
        trim(deal_id)                                               as deal_id,
        '{{ attribute }}'                                           as attribute,
        nullif({{ leadflow.regexp_replace('trim(' ~ optional_column('crm_deals', attribute) ~ ')', '\s+', ' ') }}, '')
                                                                    as attribute_value
    from latest
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select *
from unpivoted
where attribute_value is not null
