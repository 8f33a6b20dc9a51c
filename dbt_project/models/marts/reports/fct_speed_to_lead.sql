-- One row per lead handed to sales (entered the MQL stage in fct_lead_stages).
--   handed_at       MQL entered_at
--   assigned_at     when routing gave the lead its current owner (ops.lead_assignments,
--                   via stg_ops__lead_assignments); NULL for a lead routing never saw
--                   (routing deals open leads: one won or disqualified before the first
--                   run has none). Routing deals every open lead, so it may precede
--                   handed_at; history a run backfills is assigned as of the lead's
--                   creation, a lead created since the last run as of the run.
--   first touch     the first CRM sales activity (any type: call, e-mail, meeting, demo)
--                   of the person at or after handed_at; owner = that activity's rep and
--                   team = seed report_sales_teams (NULL while untouched or unmapped)
--   SLA             seed sla_policies, the hours of the lead's tier (the tier routing
--                   recorded, 'unscored' without one), counted in BUSINESS hours of the
--                   calendar team's calendar (seeds business_hours, team_holidays; the
--                   assignment's team, else the first touch's): a touched lead breaches
--                   when its response took longer; an untouched lead once it has waited
--                   longer at as_of = the latest CRM activity or MQL handoff in the data
--                   (reproducible, not the wall clock). A lead with no team calendar is
--                   judged in calendar hours; the calendar-hour verdict is kept beside.
with params as (

    select
        max(cast(value as double)) filter (where parameter = 'within_hour_minutes') as within_hour_minutes
    from {{ ref('report_parameters') }}

),

handed as (

    select lead_id, entered_at as handed_at
    from {{ ref('fct_lead_stages') }}
    where stage = 'mql'

),

activities as (

    select
        {{ lead_id('email') }}                                      as lead_id,
        activity_id,
        occurred_at,
        activity_type,
        owner
    from {{ ref('stg_crm__activities') }}
    where is_valid_email and occurred_at is not null

),

first_touch as (

    select
        handed.lead_id,
        min(activities.occurred_at)                                 as first_touch_at,
        {{ leadflow.arg_min('activities.activity_id', '(activities.occurred_at, activities.activity_id)') }} as first_touch_activity_id,
        {{ leadflow.arg_min('activities.activity_type', '(activities.occurred_at, activities.activity_id)') }} as first_touch_type,
        {{ leadflow.arg_min('activities.owner', '(activities.occurred_at, activities.activity_id)') }} as owner
    from handed
    inner join activities
        on handed.lead_id = activities.lead_id
        and activities.occurred_at >= handed.handed_at
    group by handed.lead_id

),

as_of as (

    select greatest(
        (select max(occurred_at) from activities),
        (select max(handed_at) from handed)
    )                                                               as as_of

),

joined as (

    select
        handed.lead_id,
        leads.created_at,
        handed.handed_at,
        assignments.assigned_at,
        coalesce(assignments.tier, 'unscored')                      as tier,
        coalesce(assignments.team, teams.team)                      as calendar_team,
        first_touch.first_touch_at,
        first_touch.first_touch_activity_id,
        first_touch.first_touch_type,
        first_touch.owner,
        teams.team,
        leads.original_channel                                      as source_channel,
        {{ leadflow.date_diff('second', 'handed.handed_at', 'first_touch.first_touch_at') }} / 60.0 as response_minutes,
        {{ leadflow.date_diff('second', 'handed.handed_at', 'as_of.as_of') }} / 60.0   as minutes_waiting_at_as_of,
        as_of.as_of,
        policies.sla_hours,
        params.within_hour_minutes
    from handed
    inner join {{ ref('dim_leads') }} as leads using (lead_id)
    left join first_touch using (lead_id)
    left join {{ ref('report_sales_teams') }} as teams
        on first_touch.owner = teams.owner
    left join {{ ref('stg_ops__lead_assignments') }} as assignments using (lead_id)
    left join {{ ref('sla_policies') }} as policies
        on policies.tier = coalesce(assignments.tier, 'unscored')
    cross join as_of
    cross join params

),

-- the business minutes from the handoff to the first touch (to as_of while untouched)
waits as (

    select
        lead_id                                                     as key,
        calendar_team                                               as team,
        handed_at                                                   as start_at,
        coalesce(first_touch_at, as_of)                             as end_at
    from joined

),

business as (

    {{ business_minutes('waits', 'key', ref('dim_business_hours')) | indent(4) }}

),

measured as (

    select
        joined.*,
        business.business_minutes,
        coalesce(business.business_minutes,
                 coalesce(joined.response_minutes, joined.minutes_waiting_at_as_of))
                                                                    as sla_minutes
    from joined
    left join business
        on business.key = joined.lead_id

)

select
    lead_id,
    created_at,
    handed_at,
    assigned_at,
    first_touch_at,
    first_touch_activity_id,
    first_touch_type,
    owner,
    team,
    source_channel,
    tier,
    calendar_team,
    response_minutes,
    case when first_touch_at is not null then business_minutes end as response_business_minutes,
    first_touch_at is not null                                      as is_touched,
    coalesce(response_minutes <= within_hour_minutes, false)        as is_within_hour,
    -- the SLA verdict: business hours of the calendar team (calendar hours without one)
    sla_minutes > sla_hours * 60                                    as is_sla_breach,
    coalesce(response_minutes, minutes_waiting_at_as_of) > sla_hours * 60
                                                                    as is_sla_breach_calendar,
    business_minutes is not null                                    as is_judged_in_business_hours,
    sla_hours,
    as_of
from measured
