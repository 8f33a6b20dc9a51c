-- One row per deal (deal_id) from all of its states, tied to its person: lead_id = md5 of
-- the normalised e-mail of its latest state with a valid address (NULL when it never had
-- one), when it was created and first seen, and how many states it went through. Read by
-- the lead-level models (a deal creates a lifecycle signal) and by fct_deals, which adds
-- the latest state.
with states as (

    select * from {{ ref('stg_crm__deal_states') }}

),

history as (

    select
        deal_id,
        min(created_at)                                             as created_at,
        min(state_at)                                               as first_state_at,
        count(*)                                                    as state_count,
        {{ leadflow.arg_max('email', 'state_at') }} filter (where is_valid_email)      as email
    from states
    group by deal_id

)

select
    deal_id,
    case when email is not null then {{ lead_id('email') }} end     as lead_id,
    email,
    created_at,
    first_state_at,
    state_count
from history
