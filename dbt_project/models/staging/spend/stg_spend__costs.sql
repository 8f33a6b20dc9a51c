-- One row per spend day x channel x campaign x currency. A restated row (the same key in a
-- later file) replaces the earlier one: the latest loaded cost wins.
with source as (

    select * from {{ source('raw', 'spend') }}

),

cleaned as (

    select
        spend_date,
        lower({{ leadflow.regexp_replace('trim(channel)', '[\s-]+', '_') }}) as channel,
        lower({{ clean_text('campaign') }})                         as campaign,
        coalesce(upper({{ clean_text('currency') }}), 'USD')        as currency,
        cost,
        clicks,
        impressions,
        _file_id,
        _row_number,
        _loaded_at
    from source

)

select
    {{ surrogate_key(['spend_date', 'channel', 'campaign', 'currency']) }} as spend_id,
    spend_date,
    channel,
    campaign,
    currency,
    cost,
    clicks,
    impressions,
    _file_id,
    _row_number,
    _loaded_at
from cleaned
qualify row_number() over (
    partition by spend_date, channel, campaign, currency
    order by _loaded_at desc, _file_id desc, _row_number desc
) = 1
