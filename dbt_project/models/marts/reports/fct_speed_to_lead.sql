-- One row per lead handed to sales (entered the MQL stage in fct_lead_stages).
--   handed_at       MQL entered_at
--   assigned_at     = handed_at: no source records when a lead is assigned to a rep, so the
--                   handoff is taken as the assignment
--   first touch     the first CRM sales activity (any type: call, e-mail, meeting, demo)
--                   of the person at or after handed_at; owner = that activity's rep and
--                   team = seed report_sales_teams (NULL while untouched or unmapped)
--   SLA             seed report_parameters.sla_hours, calendar hours. A touched lead
--                   breaches when its response took longer; an untouched lead breaches
--                   once it has waited longer than the SLA at as_of = the latest CRM
--                   activity or MQL handoff in the data (reproducible, not the wall clock).
with params as (

    select
        max(cast(value as double)) filter (where parameter = 'sla_hours')           as sla_hours,
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
        handed.handed_at                                            as assigned_at,
        first_touch.first_touch_at,
        first_touch.first_touch_activity_id,
        first_touch.first_touch_type,
        first_touch.owner,
        teams.team,
        leads.original_channel                                      as source_channel,
        {{ leadflow.date_diff('second', 'handed.handed_at', 'first_touch.first_touch_at') }} / 60.0 as response_minutes,
        {{ leadflow.date_diff('second', 'handed.handed_at', 'as_of.as_of') }} / 60.0   as minutes_waiting_at_as_of,
        as_of.as_of,
        params.sla_hours,
        params.within_hour_minutes
    from handed
    inner join {{ ref('dim_leads') }} as leads using (lead_id)
    left join first_touch using (lead_id)
    left join {{ ref('report_sales_teams') }} as teams
        on first_touch.owner = teams.owner
    cross join as_of
    cross join params

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
    response_minutes,
    first_touch_at is not null                                      as is_touched,
    coalesce(response_minutes <= within_hour_minutes, false)        as is_within_hour,
    case
        when first_touch_at is not null then response_minutes > sla_hours * 60
        else minutes_waiting_at_as_of > sla_hours * 60
    end                                                             as is_sla_breach,
    sla_hours,
    as_of
from joined
