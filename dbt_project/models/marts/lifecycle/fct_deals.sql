-- One row per deal (deal_id) in its latest state (latest state_at; a re-sent state keeps
-- the copy loaded last), tied to the person by lead_id = md5 of the normalised e-mail
-- (int_deals_identified).
-- closed_at is the CRM's close date, else the time of the closed state (NULL while open).
-- amount_usd converts with seed fx_rates (NULL for a currency it lacks).
with states as (

    select * from {{ ref('stg_crm__deal_states') }}

),

history as (

    select * from {{ ref('int_deals_identified') }}

),

latest as (

    select *
    from states
    qualify row_number() over (
        partition by deal_id
        order by state_at desc, _loaded_at desc, _file_id desc, _row_number desc
    ) = 1

),

deals as (

    select
        latest.deal_id,
        history.lead_id,
        history.email,
        latest.deal_name,
        history.created_at,
        latest.state_at                                                 as updated_at,
        latest.closed_at                                                as crm_closed_at,
        latest.deal_stage                                               as stage,
        coalesce(latest.deal_status, case latest.deal_stage
            when 'closedwon' then 'won' when 'closedlost' then 'lost' else 'open' end) as status,
        latest.amount,
        latest.currency,
        round(latest.amount * fx.usd_per_unit, 2)                       as amount_usd,
        latest.owner,
        latest.product,
        latest.pipeline,
        history.state_count
    from latest
    inner join history using (deal_id)
    left join {{ ref('fx_rates') }} as fx
        on latest.currency = fx.currency

),

closed as (

    select
        {{ leadflow.star_except(['crm_closed_at']) }},
        -- the CRM's close date, else when the deal reached its closed state; none while open
        case when status in ('won', 'lost')
            then coalesce(crm_closed_at, updated_at) end            as closed_at
    from deals

)

select
    *,
    status = 'won'                                                  as is_won,
    status in ('won', 'lost')                                       as is_closed,
    {{ leadflow.date_diff('day', 'created_at', 'closed_at') }}                         as days_to_close
from closed
