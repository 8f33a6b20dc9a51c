-- One row per dimension, value and currency: how the deals of, say, one sales agent, one
-- product or one account sector went. Dimensions: owner and product (fct_deals), and every
-- attribute of stg_crm__deal_attributes (manager, regional_office, sector, business_segment,
-- sdr_id, ... as imports bring them). A deal without a value for a dimension counts under
-- '(none)'; attribute dimensions list only the deals that carry the attribute.
-- win_rate = won / (won + lost); cycle = days_to_close of won deals; deal size = the
-- average amount of won deals, in the deals' currency (amount_usd where fx_rates has it).
with deals as (

    select deal_id, owner, product, status, is_won, is_closed, days_to_close, amount,
           amount_usd, coalesce(currency, '') as currency
    from {{ ref('fct_deals') }}

),

attributes as (

    select * from {{ ref('stg_crm__deal_attributes') }}

),

dimensioned as (

    select 'owner' as dimension, coalesce(owner, '(none)') as dimension_value, deals.*
    from deals
    union all
    select 'product', coalesce(product, '(none)'), deals.*
    from deals
    union all
    select attributes.attribute, attributes.attribute_value, deals.*
    from deals
    inner join attributes using (deal_id)

)

select
    dimension,
    dimension_value,
    currency,
    count(*)                                                        as deal_count,
    count(*) filter (where status = 'open')                         as open_deal_count,
    count(*) filter (where status = 'won')                          as won_deal_count,
    count(*) filter (where status = 'lost')                         as lost_deal_count,
    round(count(*) filter (where is_won)
          / nullif(count(*) filter (where is_closed), 0), 4)        as win_rate,
    round(avg(days_to_close) filter (where is_won), 1)              as avg_days_to_close_won,
    median(days_to_close) filter (where is_won)                     as median_days_to_close_won,
    coalesce(sum(amount) filter (where is_won), 0)                  as won_amount,
    round(avg(amount) filter (where is_won), 2)                     as avg_won_amount,
    sum(amount_usd) filter (where is_won)                           as won_amount_usd
from dimensioned
group by dimension, dimension_value, currency
