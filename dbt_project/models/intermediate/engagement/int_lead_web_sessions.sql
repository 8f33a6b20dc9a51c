-- One row per web session of an identified person: int_web_sessions with the lead_id of
-- the visitor (anonymous_id) it belongs to, so a visitor identified later brings all its
-- earlier, anonymous sessions along. The one place sessions meet people.
select
    visitors.lead_id,
    sessions.*
from {{ ref('int_web_sessions') }} as sessions
inner join {{ ref('int_identities_stitched') }} as visitors
    on sessions.anonymous_id = visitors.anonymous_id
where visitors.is_identified
