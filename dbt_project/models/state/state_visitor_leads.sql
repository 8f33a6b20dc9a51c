-- One row per web visitor (anonymous_id) and build in which the visitor's person changed:
-- the person it belongs to now (lead_id; null when it is no longer identified, e.g. an
-- e-mail click that became ambiguous) and the person it belonged to before. The first
-- build records every identified visitor. state_lead_changes refreshes both persons: the
-- sessions of the visitor move from one to the other.
with batch as (

    select * from {{ current_batch() }} as batch

),

current_visitors as (

    select anonymous_id, lead_id
    from {{ ref('int_identities_stitched') }}
    where is_identified

)

{% if is_incremental() %}
, recorded as (

    select anonymous_id, {{ leadflow.arg_max('lead_id', 'batch_number') }} as lead_id
    from {{ this }}
    group by anonymous_id

)

select
    batch.batch_number,
    coalesce(current_visitors.anonymous_id, recorded.anonymous_id)  as anonymous_id,
    current_visitors.lead_id,
    recorded.lead_id                                                as previous_lead_id
from current_visitors
full outer join recorded
    on current_visitors.anonymous_id = recorded.anonymous_id
cross join batch
where current_visitors.lead_id is distinct from recorded.lead_id
{% else %}
select
    batch.batch_number,
    current_visitors.anonymous_id,
    current_visitors.lead_id,
    cast(null as {{ leadflow.type_text() }})                                           as previous_lead_id
from current_visitors
cross join batch
{% endif %}
