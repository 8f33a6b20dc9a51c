-- One row per open lead (ops.lead_assignments.is_open) with the nurture track and next
-- step of its first matching rule of seed nurture_rules (ordered, first match wins), from
-- its funnel position, recycled flag, predictive score and recent behaviour:
-- last_engaged_at = the latest human e-mail open or click, web activity, form conversion
-- or the lead's creation (a new lead is not dormant); days_since_engagement counts to the
-- data's as-of moment (the latest of those over all leads). Columns are the ones a
-- marketing automation tool imports.
with leads as (

    select
        leads.lead_id,
        leads.email,
        leads.first_name,
        leads.last_name,
        leads.company_name,
        leads.country_code,
        leads.has_marketing_consent,
        funnel.current_stage                                        as stage,
        funnel.funnel_position,
        funnel.is_recycled,
        scores.score,
        scores.tier,
        assignments.owner,
        assignments.team,
        greatest(leads.created_at, leads.last_human_email_engagement_at,
                 leads.last_web_activity_at, leads.latest_conversion_at) as last_engaged_at
    from {{ ref('stg_ops__lead_assignments') }} as assignments
    inner join {{ ref('dim_leads') }} as leads using (lead_id)
    inner join {{ ref('fct_lead_funnel') }} as funnel using (lead_id)
    left join {{ ref('current_lead_scores') }} as scores using (lead_id)
    where assignments.is_open

),

as_of as (

    select max(last_engaged_at) as as_of_at from leads

),

measured as (

    select
        leads.*,
        {{ leadflow.date_diff('day', 'leads.last_engaged_at', 'as_of.as_of_at') }}     as days_since_engagement,
        as_of.as_of_at
    from leads
    cross join as_of

)

select
    measured.lead_id,
    measured.email,
    measured.first_name,
    measured.last_name,
    measured.company_name,
    measured.country_code,
    rules.track                                                     as nurture_track,
    rules.next_step,
    rules.rule_id                                                   as nurture_rule_id,
    measured.stage,
    measured.funnel_position,
    measured.score,
    measured.tier,
    measured.owner,
    measured.team,
    measured.last_engaged_at,
    measured.days_since_engagement,
    measured.has_marketing_consent,
    measured.as_of_at
from measured
left join {{ ref('nurture_rules') }} as rules
    on  (rules.funnel_position is null or rules.funnel_position = measured.funnel_position)
    and (rules.is_recycled is null or rules.is_recycled = measured.is_recycled)
    and (rules.min_score is null or measured.score >= rules.min_score)
    and (rules.max_score is null or measured.score < rules.max_score)
    and (rules.engaged_within_days is null
         or measured.days_since_engagement <= rules.engaged_within_days)
    and (rules.inactive_for_days is null
         or coalesce(measured.days_since_engagement >= rules.inactive_for_days, true))
qualify row_number() over (partition by measured.lead_id order by rules.rule_order nulls last) = 1
