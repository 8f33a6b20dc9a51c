-- One row per person and lifecycle stage entered, with entered_at (UTC). Stages, in order
-- (seed lifecycle_stages):
--   lead          first identification (dim_leads.created_at)
--   mql           the first MQL rule of seed lifecycle_rules met (int_lifecycle_rules_met)
--   sql           the first SQL rule met (sales meeting, demo, or a deal created)
--   opportunity   the person's first deal created
--   customer      the person's first won deal closed
--   disqualified  every deal of the person is closed lost (none open, none won): at the
--                 last loss
--   recycled      disqualified, then a new MQL signal (form, human click, session, ...)
--                 after the disqualification: at that signal
-- Forward only: a stage's entered_at is never before the stage entered before it
-- (entered_at = greatest(own date, previous stage's entered_at)); a stage that was never
-- reached (an SQL without an MQL, say) has no row and is not back-filled.
with leads as (

    select lead_id, created_at from {{ ref('dim_leads') }}

),

rules_met as (

    select
        lead_id,
        stage,
        min(met_at)                                                 as met_at,
        {{ leadflow.arg_min('rule', '(met_at, rule)') }}                               as rule
    from {{ ref('int_lifecycle_rules_met') }}
    group by all

),

deals as (

    select
        lead_id,
        min(created_at)                                             as first_deal_at,
        {{ leadflow.arg_min('deal_id', '(created_at, deal_id)') }}                     as first_deal_id,
        min(closed_at) filter (where is_won)                        as first_won_at,
        {{ leadflow.arg_min('deal_id', '(closed_at, deal_id)') }} filter (where is_won) as first_won_deal_id,
        case when bool_and(status = 'lost')
            then max(coalesce(closed_at, updated_at)) end           as all_lost_at,
        case when bool_and(status = 'lost')
            then {{ leadflow.arg_max('deal_id', '(coalesce(closed_at, updated_at), deal_id)') }} end as last_lost_deal_id
    from {{ ref('fct_deals') }}
    where lead_id is not null
    group by lead_id

),

-- each stage moved to no earlier than the latest stage before it
forward as (

    select
        leads.lead_id,
        leads.created_at                                            as lead_at,
        case when mql.met_at is not null
            then greatest(mql.met_at, leads.created_at) end         as mql_at,
        mql.rule                                                    as mql_rule,
        sql_rule.met_at                                             as sql_own_at,
        sql_rule.rule                                               as sql_rule,
        {{ leadflow.star_except(['lead_id'], 'deals') }}
    from leads
    left join rules_met as mql
        on leads.lead_id = mql.lead_id and mql.stage = 'mql'
    left join rules_met as sql_rule
        on leads.lead_id = sql_rule.lead_id and sql_rule.stage = 'sql'
    left join deals
        on leads.lead_id = deals.lead_id

),

forward_sql as (

    select
        {{ leadflow.star_except(['sql_own_at']) }},
        case when sql_own_at is not null
            then greatest(sql_own_at, coalesce(mql_at, lead_at)) end as sql_at
    from forward

),

forward_opportunity as (

    select
        {{ leadflow.star_except(['first_deal_at']) }},
        case when first_deal_at is not null
            then greatest(first_deal_at, coalesce(sql_at, mql_at, lead_at)) end as opportunity_at
    from forward_sql

),

forward_closed as (

    select
        {{ leadflow.star_except(['first_won_at', 'all_lost_at']) }},
        case when first_won_at is not null
            then greatest(first_won_at, coalesce(opportunity_at, sql_at, mql_at, lead_at)) end as customer_at,
        case when all_lost_at is not null
            then greatest(all_lost_at, coalesce(opportunity_at, sql_at, mql_at, lead_at)) end as disqualified_at
    from forward_opportunity

),

reengagement_signals as (

    select distinct signal
    from {{ ref('lifecycle_rules') }}
    where stage = 'mql'

),

recycled as (

    select
        closed.lead_id,
        min(signals.occurred_at)                                    as recycled_at,
        {{ leadflow.arg_min('signals.signal', '(signals.occurred_at, signals.signal)') }} as signal
    from forward_closed as closed
    inner join {{ ref('int_lifecycle_signals') }} as signals
        on closed.lead_id = signals.lead_id
        and signals.occurred_at > closed.disqualified_at
    inner join reengagement_signals using (signal)
    group by closed.lead_id

),

stages as (

    select lead_id, 'lead' as stage, lead_at as entered_at, 'first_identified' as entered_via, null as deal_id
    from forward_closed
    union all
    select lead_id, 'mql', mql_at, mql_rule, null
    from forward_closed where mql_at is not null
    union all
    select lead_id, 'sql', sql_at, sql_rule, null
    from forward_closed where sql_at is not null
    union all
    select lead_id, 'opportunity', opportunity_at, 'first_deal_created', first_deal_id
    from forward_closed where opportunity_at is not null
    union all
    select lead_id, 'customer', customer_at, 'first_deal_won', first_won_deal_id
    from forward_closed where customer_at is not null
    union all
    select lead_id, 'disqualified', disqualified_at, 'all_deals_lost', last_lost_deal_id
    from forward_closed where disqualified_at is not null
    union all
    select recycled.lead_id, 'recycled', recycled.recycled_at, 're_engaged:' || recycled.signal, null
    from recycled

),

ordered as (

    select
        stages.*,
        definitions.stage_order,
        definitions.funnel_position,
        lag(stages.stage) over lead_timeline                        as previous_stage,
        lag(stages.entered_at) over lead_timeline                   as previous_entered_at,
        lead(stages.stage) over lead_timeline is null               as is_current_stage
    from stages
    inner join {{ ref('lifecycle_stages') }} as definitions using (stage)
    window lead_timeline as (partition by stages.lead_id order by definitions.stage_order)

)

select
    {{ surrogate_key(['lead_id', 'stage']) }}                       as lead_stage_id,
    lead_id,
    stage,
    stage_order,
    funnel_position,
    entered_at,
    entered_via,
    deal_id,
    previous_stage,
    previous_entered_at,
    is_current_stage
from ordered
