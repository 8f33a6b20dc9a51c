-- One row per lead (lead_id, with its normalised e-mail) that this build refreshes in the lead-level models (see
-- macros/lead_refresh.sql): every lead that a raw file since the last complete build
-- touched (state_build_batches), or every lead when the batch is a full refresh (first
-- build, --full-refresh, new rules or lead-model code).
-- A lead is touched by a new row about its address (form, web, e-mail, deal, activity),
-- by new web events of a visitor stitched to it, by a visitor moving to or from it, and
-- by a new state of a deal it had (a restated deal can change address).
with batch as (

    select * from {{ current_batch() }} as batch

),

new_addresses as (

    select email from {{ ref('stg_forms__submissions') }}
    where is_valid_email and _file_id > (select previous_through_file_id from batch)
    union all
    select email from {{ ref('stg_web__events') }}
    where is_valid_email and _file_id > (select previous_through_file_id from batch)
    union all
    select email from {{ ref('stg_email__events') }}
    where is_valid_email and _file_id > (select previous_through_file_id from batch)
    union all
    select email from {{ ref('stg_crm__activities') }}
    where is_valid_email and _file_id > (select previous_through_file_id from batch)
    union all
    -- every address a deal with a new state ever had: a restatement may move the deal
    select deals.email
    from {{ ref('stg_crm__deal_states') }} as deals
    where deals.is_valid_email
      and deals.deal_id in (
          select deal_id from {{ ref('stg_crm__deal_states') }}
          where _file_id > (select previous_through_file_id from batch)
      )

),

visitors_with_new_events as (

    select distinct anonymous_id
    from {{ ref('stg_web__events') }}
    where anonymous_id is not null
      and _file_id > (select previous_through_file_id from batch)

),

touched as (

    select {{ lead_id('email') }} as lead_id from new_addresses
    union all
    select stitched.lead_id
    from {{ ref('int_identities_stitched') }} as stitched
    inner join visitors_with_new_events using (anonymous_id)
    where stitched.is_identified
    union all
    -- visitors moved since the last complete build (a failed build's moves included)
    select lead_id from {{ ref('state_visitor_leads') }}
    where batch_number > (select previous_batch_number from batch) and lead_id is not null
    union all
    select previous_lead_id from {{ ref('state_visitor_leads') }}
    where batch_number > (select previous_batch_number from batch)
      and previous_lead_id is not null

),

everyone as (

    select lead_id
    from {{ ref('int_email_addresses_unioned') }}
    where lead_id is not null and (select is_full_refresh from batch)

),

-- each lead with its normalised address (lead_id = md5 of it): models filter events on
-- either
addresses as (

    select distinct lead_id, email
    from {{ ref('int_email_addresses_unioned') }}
    where lead_id is not null

)

select addresses.lead_id, addresses.email
from (
    select lead_id from touched where not (select is_full_refresh from batch)
    union
    select lead_id from everyone
) as refreshed
inner join addresses using (lead_id)
