-- One row per open lead (neither customer nor disqualified; recycled leads are open
-- again): the first rule of seed routing_rules it matches (ordered by rule_order, first
-- match wins; the last rule is a default without condition) and what the rule targets:
-- a team, or a named rep (named_owner only while that rep is available, target_team the
-- rep's team), and the queue (the rule's, else the one seed sla_policies gives the lead's
-- current predictive tier, 'unscored' without one).
-- Stateless: whether the lead keeps its owner, and which rep of the team's round-robin
-- gets it, depends on ops.lead_assignments and is decided by the routing asset
-- (pipelines/activation/routing.py).
with open_leads as (

    select
        leads.lead_id,
        leads.created_at,
        leads.country_code,
        leads.region,
        leads.product_interest,
        scores.tier
    from {{ ref('dim_leads') }} as leads
    inner join {{ ref('fct_lead_funnel') }} as funnel using (lead_id)
    left join {{ ref('current_lead_scores') }} as scores using (lead_id)
    where funnel.current_stage not in ('customer', 'disqualified')

),

fired as (

    select
        leads.lead_id,
        leads.created_at,
        leads.tier,
        rules.rule_id,
        rules.assign_team,
        rules.assign_owner,
        rules.queue                                                 as rule_queue,
        coalesce(rules.overrides_existing, false)                   as overrides_existing
    from open_leads as leads
    left join {{ ref('routing_rules') }} as rules
        on  (rules.country_code is null or upper(trim(rules.country_code)) = leads.country_code)
        and (rules.region is null or rules.region = leads.region)
        and (rules.product_interest is null
             or lower(trim(rules.product_interest)) = lower(trim(leads.product_interest)))
        and (rules.tier is null or rules.tier = leads.tier)
    qualify row_number() over (partition by leads.lead_id order by rules.rule_order nulls last) = 1

)

select
    fired.lead_id,
    fired.created_at,
    fired.tier,
    fired.rule_id,
    fired.overrides_existing,
    coalesce(fired.assign_team, named.team)                         as target_team,
    case when named.is_available and named.capacity_weight > 0
         then named.owner end                                       as named_owner,
    coalesce(fired.rule_queue, policies.queue)                      as target_queue
from fired
left join {{ ref('sales_reps') }} as named
    on named.owner = fired.assign_owner
left join {{ ref('sla_policies') }} as policies
    on policies.tier = coalesce(fired.tier, 'unscored')
