-- One row per open lead (ops.lead_assignments.is_open): what every segment definition
-- (segments/*.yml) filters, with its current predictive score and reasons, its rule
-- score (fit grade, engagement band and their label, e.g. "A1"), owner, lifecycle stage,
-- nurture track and consent (marketing as a whole, from the consent log:
-- marts.dim_consent_states, subscription group 'all'). A segment's `where` may use any column;
-- the segments asset (pipelines/activation/segments.py) writes the members.
select
    tracks.lead_id,
    tracks.email,
    scores.score,
    scores.tier,
    scores.reason_1,
    scores.reason_2,
    scores.reason_3,
    rule_scores.fit_grade,
    rule_scores.engagement_band,
    rule_scores.score_label                                         as rule_score_label,
    assignments.owner,
    assignments.team,
    assignments.queue,
    tracks.stage,
    tracks.funnel_position,
    funnel.is_mql,
    funnel.is_sql,
    funnel.is_opportunity,
    funnel.is_customer,
    funnel.is_recycled,
    tracks.nurture_track,
    tracks.next_step,
    tracks.last_engaged_at,
    tracks.days_since_engagement,
    tracks.country_code,
    leads.region,
    leads.product_interest,
    leads.created_at,
    leads.has_unsubscribed,
    coalesce(consent.has_consent, false)                            as has_marketing_consent
from {{ ref('nurture_tracks') }} as tracks
inner join {{ ref('stg_ops__lead_assignments') }} as assignments using (lead_id)
inner join {{ ref('fct_lead_funnel') }} as funnel using (lead_id)
inner join {{ ref('dim_leads') }} as leads using (lead_id)
left join {{ ref('current_lead_scores') }} as scores using (lead_id)
left join {{ ref('fct_lead_rule_scores') }} as rule_scores using (lead_id)
left join {{ ref('dim_consent_states') }} as consent
    on  consent.lead_id = tracks.lead_id
    and consent.subscription_group = 'all'
