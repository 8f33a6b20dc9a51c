-- ops.lead_assignments as the routing asset keeps it: one row per lead ever routed.
select
    lead_id,
    team,
    owner,
    queue,
    tier,
    rule_id,
    round_robin_seq,
    assigned_at,
    is_open,
    updated_at,
    routing_note
from {{ python_source('ops', 'lead_assignments') }}
