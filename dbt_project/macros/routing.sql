{#- Routing's first matching rule, written once: used by the model routing_matches (the
    open leads and the seed rules) and by the analysis routing_replay (`leadflow routing
    simulate`: past leads and candidate rule files). One row per lead of `leads` (lead_id,
    created_at, country_code, region, product_interest, tier, fit_grade, engagement_band):
    the first rule of `rules` it
    matches (ordered by rule_order, first match wins; the last rule is a default without
    condition) and what the rule targets: a team, or a named rep of `reps` (rule_owner as
    the rule names it; named_owner only while that rep is available, target_team the rep's
    team; whether the rep is away or at capacity is routing's to judge), and the queue (the rule's,
    else the one `policies` gives the lead's tier, 'unscored' without one). A rule's
    min_fit_grade / min_engagement_band ask for that rule-score grade or better (B: A or
    B) and that band or better (2: 1 or 2); a lead without a rule score fails them. -#}
{% macro routing_match(leads, rules, reps, policies) -%}
with fired as (

    select
        leads.lead_id,
        leads.created_at,
        leads.tier,
        leads.fit_grade,
        leads.engagement_band,
        rules.rule_id,
        rules.assign_team,
        rules.assign_owner,
        rules.queue                                                 as rule_queue,
        coalesce(rules.overrides_existing, false)                   as overrides_existing
    from {{ leads }} as leads
    left join {{ rules }} as rules
        on  (rules.country_code is null or upper(trim(rules.country_code)) = leads.country_code)
        and (rules.region is null or rules.region = leads.region)
        and (rules.product_interest is null
             or lower(trim(rules.product_interest)) = lower(trim(leads.product_interest)))
        and (rules.tier is null or rules.tier = leads.tier)
        and (rules.min_fit_grade is null or leads.fit_grade <= upper(trim(rules.min_fit_grade)))
        and (rules.min_engagement_band is null or leads.engagement_band <= rules.min_engagement_band)
    qualify row_number() over (partition by leads.lead_id order by rules.rule_order nulls last) = 1

)

select
    fired.lead_id,
    fired.created_at,
    fired.tier,
    fired.fit_grade,
    fired.engagement_band,
    fired.rule_id,
    fired.overrides_existing,
    fired.assign_owner                                              as rule_owner,
    coalesce(fired.assign_team, named.team)                         as target_team,
    case when named.is_available and named.capacity_weight > 0
         then named.owner end                                       as named_owner,
    coalesce(fired.rule_queue, policies.queue)                      as target_queue
from fired
left join {{ reps }} as named
    on named.owner = fired.assign_owner
left join {{ policies }} as policies
    on policies.tier = coalesce(fired.tier, 'unscored')
{%- endmacro %}
