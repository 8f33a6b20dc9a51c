-- One row per open, assigned lead handed to sales (MQL, as in fct_speed_to_lead) that
-- breached the SLA of its tier as fct_speed_to_lead judges it (the one definition: seed
-- sla_policies, business hours of the team's calendar): its first sales touch came later,
-- or has not come and the SLA has passed at the data's as-of moment (fct_speed_to_lead.as_of:
-- reproducible, not the wall clock). The tier is the one routing recorded ('unscored'
-- without one); team and owner are the assignment's. The business-hour verdict picks the
-- rows; sla_due_at and hours_over_sla are counted in calendar time from the handoff.
with handed as (

    select
        lead_id, handed_at, first_touch_at, is_touched, response_minutes, as_of, is_sla_breach
    from {{ ref('fct_speed_to_lead') }}

),

watched as (

    select
        assignments.lead_id,
        assignments.team,
        assignments.owner,
        assignments.queue,
        coalesce(assignments.tier, 'unscored')                      as tier,
        policies.sla_hours,
        handed.handed_at,
        handed.handed_at + {{ leadflow.duration('cast(round(policies.sla_hours * 3600) as bigint)', 'second') }} as sla_due_at,
        handed.first_touch_at,
        handed.is_touched,
        coalesce(handed.response_minutes,
                 {{ leadflow.date_diff('second', 'handed.handed_at', 'handed.as_of') }} / 60.0) as minutes_waited,
        handed.as_of,
        handed.is_sla_breach
    from {{ ref('stg_ops__lead_assignments') }} as assignments
    inner join handed using (lead_id)
    inner join {{ ref('sla_policies') }} as policies
        on policies.tier = coalesce(assignments.tier, 'unscored')
    where assignments.is_open

)

select
    lead_id,
    team,
    owner,
    queue,
    tier,
    sla_hours,
    handed_at,
    sla_due_at,
    first_touch_at,
    not is_touched                                                  as is_untouched,
    round(minutes_waited / 60.0, 2)                                 as hours_to_touch_or_waiting,
    round(minutes_waited / 60.0 - sla_hours, 2)                     as hours_over_sla,
    as_of
from watched
where is_sla_breach
