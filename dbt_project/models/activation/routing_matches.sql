-- One row per open lead (neither customer nor disqualified; recycled leads are open
-- again): the first rule of seed routing_rules it matches and what the rule targets
-- (macros/routing.sql, shared with the replay of `leadflow routing simulate`).
-- Stateless: whether the lead keeps its owner, and which rep of the team's round-robin
-- gets it, depends on ops.lead_assignments and is decided by the routing asset
-- (pipelines/activation/routing.py). A rule may ask for a predictive tier and for a
-- rule score (fit grade and engagement band of fct_lead_rule_scores, "A1" = best).
with open_leads as (

    select
        leads.lead_id,
        leads.created_at,
        leads.country_code,
        leads.region,
        leads.product_interest,
        scores.tier,
        rule_scores.fit_grade,
        rule_scores.engagement_band
    from {{ ref('dim_leads') }} as leads
    inner join {{ ref('fct_lead_funnel') }} as funnel using (lead_id)
    left join {{ ref('current_lead_scores') }} as scores using (lead_id)
    left join {{ ref('fct_lead_rule_scores') }} as rule_scores using (lead_id)
    where funnel.current_stage not in ('customer', 'disqualified')

),

matched as (

    {{ routing_match('open_leads', ref('routing_rules'), ref('sales_reps'),
                     ref('sla_policies')) | indent(4) }}

)

select * from matched
