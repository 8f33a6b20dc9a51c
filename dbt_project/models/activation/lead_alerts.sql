-- One row per lead alert the sales managers are to be told about, by the rules of seed
-- alert_rules (the alerts sensor, pipelines/alerts, sends each alert_id once):
--   sla_breach       a lead of sla_breaches at least after_hours beyond its tier's SLA
--   unassigned_lead  an open lead (routing_matches) handed to sales (fct_speed_to_lead)
--                    with no owner: no open assignment in ops.lead_assignments, or one in
--                    a team queue without a rep; after_hours from the handoff to the data's
--                    as-of moment (reproducible, not the wall clock)
-- alert_id names the alert, the lead and the handoff, so a lead handed to sales again
-- (recycled) is alerted again, and a breach that lasts is alerted once.
with rules as (

    select alert, after_hours
    from {{ ref('alert_rules') }}

),

breaches as (

    select
        'sla_breach'                                                as alert,
        breaches.lead_id,
        breaches.team,
        breaches.owner,
        breaches.queue,
        breaches.tier,
        breaches.sla_hours,
        breaches.handed_at,
        breaches.sla_due_at,
        breaches.is_untouched,
        breaches.hours_to_touch_or_waiting                          as hours_since_handoff,
        breaches.hours_over_sla,
        breaches.as_of
    from {{ ref('sla_breaches') }} as breaches
    inner join rules
        on rules.alert = 'sla_breach'
    where breaches.hours_over_sla >= rules.after_hours

),

assignments as (

    select lead_id, team, owner, queue, tier
    from {{ ref('stg_ops__lead_assignments') }}
    where is_open

),

unowned as (

    select
        matches.lead_id,
        coalesce(assignments.team, matches.target_team)             as team,
        coalesce(assignments.queue, matches.target_queue)           as queue,
        coalesce(assignments.tier, matches.tier, 'unscored')        as tier,
        handed.handed_at,
        not handed.is_touched                                       as is_untouched,
        {{ leadflow.date_diff('second', 'handed.handed_at', 'handed.as_of') }} / 3600.0 as hours_since_handoff,
        handed.as_of
    from {{ ref('routing_matches') }} as matches
    inner join {{ ref('fct_speed_to_lead') }} as handed using (lead_id)
    left join assignments using (lead_id)
    where assignments.owner is null

),

unassigned as (

    select
        'unassigned_lead'                                           as alert,
        unowned.lead_id,
        unowned.team,
        cast(null as {{ leadflow.type_text() }})                    as owner,
        unowned.queue,
        unowned.tier,
        policies.sla_hours,
        unowned.handed_at,
        unowned.handed_at + {{ leadflow.duration('cast(round(policies.sla_hours * 3600) as bigint)', 'second') }} as sla_due_at,
        unowned.is_untouched,
        round(unowned.hours_since_handoff, 2)                       as hours_since_handoff,
        round(unowned.hours_since_handoff - policies.sla_hours, 2)  as hours_over_sla,
        unowned.as_of
    from unowned
    inner join rules
        on rules.alert = 'unassigned_lead'
    left join {{ ref('sla_policies') }} as policies
        on policies.tier = unowned.tier
    where unowned.hours_since_handoff > rules.after_hours

),

alerts as (

    select * from breaches
    union all
    select * from unassigned

)

select
    -- ISO 8601 in UTC, spelled in two parts: Spark's date patterns take no bare 'T' or 'Z'
    alert || ':' || lead_id || ':' || {{ leadflow.format_timestamp('handed_at', '%Y-%m-%d') }}
        || 'T' || {{ leadflow.format_timestamp('handed_at', '%H:%M:%S') }} || 'Z'  as alert_id,
    alert,
    lead_id,
    team,
    owner,
    queue,
    tier,
    sla_hours,
    handed_at,
    sla_due_at,
    is_untouched,
    hours_since_handoff,
    hours_over_sla,
    as_of
from alerts
