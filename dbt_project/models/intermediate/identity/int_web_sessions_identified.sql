-- One row per web session of a visitor who has been identified: the session with the
-- person (lead_id) its visitor was stitched to. Sessions from before the identification
-- belong to the person too; sessions of visitors never identified are left out. The one
-- join of sessions to people, for every model that counts a person's web activity.
select
    visitors.lead_id,
    sessions.*
from {{ ref('int_web_sessions') }} as sessions
inner join {{ ref('int_identities_stitched') }} as visitors
    on sessions.anonymous_id = visitors.anonymous_id
    and visitors.is_identified
