-- Floor of fct_lead_features: each lead's snapshots from one list of moments (unnest), the
-- lead's profile as known at each moment beside it; the range join of snapshots and
-- scoring events aggregated once per behaviour, then pivoted and matched to the engagement
-- rules from those few rows; the fit rules matched on the known profile unpivoted by
-- unnest. Vars as the project's defaults: horizon 90 days, target stage customer,
-- snapshot ages [0], 3 random snapshots per lead.
with params as (

    select
        90 as horizon_days,
        (select stage_order from seeds.lifecycle_stages where stage = 'customer') as target_stage_order,
        (select value::double from seeds.scoring_parameters
         where parameter = 'engagement_half_life_days') as half_life_days,
        greatest((select max(occurred_at) from intermediate.int_scoring_events),
                 (select max(entered_at) from marts.fct_lead_stages)) as as_of_at

),

reached as (

    select stages.lead_id, min(stages.entered_at) as reached_at
    from marts.fct_lead_stages as stages
    join seeds.lifecycle_stages as stage using (stage), params
    where not stage.is_side_exit and stage.stage_order >= params.target_stage_order
    group by all

),

moments as (

    select
        l.lead_id, l.created_at, l.identified_via, l.is_free_email,
        l.company_domain is not null as has_company, reached.reached_at,
        l.original_touch_at, title.submitted_at as title_at, l.country_source,
        country.submitted_at as country_at, product.submitted_at as product_at,
        l.original_channel, l.original_utm_source, l.original_utm_campaign,
        l.original_landing_page_path, l.seniority, l.department, l.country_code, l.region,
        l.product_interest, names.snapshot_name,
        case
            when names.snapshot_name = 'age_0' then 0.0::double
            when names.snapshot_name like 'random_%' then
                (('0x' || substr(md5(l.lead_id || ':' || substr(names.snapshot_name, 8)), 1, 8))::bigint
                 % (params.horizon_days * 24)) / 24.0
        end as age_days
    from marts.dim_leads as l
    join intermediate.int_people_merged as people using (lead_id)
    left join intermediate.int_form_submissions_identified as title
        on title.submission_id = people.job_title_submission_id
    left join intermediate.int_form_submissions_identified as country
        on country.submission_id = people.country_code_submission_id
    left join intermediate.int_form_submissions_identified as product
        on product.submission_id = people.product_interest_submission_id
    left join reached using (lead_id)
    cross join params
    cross join (select unnest(['age_0', 'random_1', 'random_2', 'random_3', 'scoring'])
                as snapshot_name) as names

),

snapshots as (

    select *
    from (
        select
            moments.*,
            if(snapshot_name = 'scoring', 'scoring', 'training') as snapshot_kind,
            if(snapshot_name = 'scoring', params.as_of_at,
               created_at + to_seconds(round(age_days * 86400)::bigint)) as as_of_at
        from moments, params
        where if(snapshot_name = 'scoring',
                 created_at <= params.as_of_at
                 and created_at + to_days(params.horizon_days) > params.as_of_at,
                 age_days < params.horizon_days
                 and created_at + to_days(params.horizon_days) <= params.as_of_at)
    )
    where reached_at is null or reached_at > as_of_at

),

per_behaviour as (

    select
        s.lead_id, s.snapshot_name, e.behaviour,
        sum(e.quantity) filter (where epoch(s.as_of_at - e.occurred_at) / 86400.0 < 7) as q7,
        sum(e.quantity) filter (where epoch(s.as_of_at - e.occurred_at) / 86400.0 < 30) as q30,
        sum(e.quantity) filter (where epoch(s.as_of_at - e.occurred_at) / 86400.0 < 90) as q90,
        sum(e.quantity) as total,
        sum(e.quantity * pow(0.5, (epoch(s.as_of_at - e.occurred_at) / 86400.0) / p.half_life_days))
            as decayed,
        min(epoch(s.as_of_at - e.occurred_at) / 86400.0) as days_since,
        count(*) filter (where e.occurred_at < s.created_at) as before_creation,
        count(*) as events
    from snapshots as s
    join intermediate.int_scoring_events as e
        on e.lead_id = s.lead_id and e.occurred_at <= s.as_of_at
    cross join params as p
    group by all

),

pivoted as (

    select
        lead_id, snapshot_name,
        coalesce(sum(q7) filter (where behaviour = 'pricing_page_view'), 0) as pricing_page_views_7d,
        coalesce(sum(q30) filter (where behaviour = 'pricing_page_view'), 0) as pricing_page_views_30d,
        coalesce(sum(q90) filter (where behaviour = 'pricing_page_view'), 0) as pricing_page_views_90d,
        coalesce(sum(total) filter (where behaviour = 'pricing_page_view'), 0) as pricing_page_views_total,
        coalesce(sum(decayed) filter (where behaviour = 'pricing_page_view'), 0) as pricing_page_views_decayed,
        min(days_since) filter (where behaviour = 'pricing_page_view') as days_since_pricing_page_view,
        coalesce(sum(q7) filter (where behaviour = 'demo_page_view'), 0) as demo_page_views_7d,
        coalesce(sum(q30) filter (where behaviour = 'demo_page_view'), 0) as demo_page_views_30d,
        coalesce(sum(q90) filter (where behaviour = 'demo_page_view'), 0) as demo_page_views_90d,
        coalesce(sum(total) filter (where behaviour = 'demo_page_view'), 0) as demo_page_views_total,
        coalesce(sum(decayed) filter (where behaviour = 'demo_page_view'), 0) as demo_page_views_decayed,
        min(days_since) filter (where behaviour = 'demo_page_view') as days_since_demo_page_view,
        coalesce(sum(q7) filter (where behaviour = 'web_session'), 0) as web_sessions_7d,
        coalesce(sum(q30) filter (where behaviour = 'web_session'), 0) as web_sessions_30d,
        coalesce(sum(q90) filter (where behaviour = 'web_session'), 0) as web_sessions_90d,
        coalesce(sum(total) filter (where behaviour = 'web_session'), 0) as web_sessions_total,
        coalesce(sum(decayed) filter (where behaviour = 'web_session'), 0) as web_sessions_decayed,
        min(days_since) filter (where behaviour = 'web_session') as days_since_web_session,
        coalesce(sum(q7) filter (where behaviour = 'high_intent_form'), 0) as high_intent_forms_7d,
        coalesce(sum(q30) filter (where behaviour = 'high_intent_form'), 0) as high_intent_forms_30d,
        coalesce(sum(q90) filter (where behaviour = 'high_intent_form'), 0) as high_intent_forms_90d,
        coalesce(sum(total) filter (where behaviour = 'high_intent_form'), 0) as high_intent_forms_total,
        coalesce(sum(decayed) filter (where behaviour = 'high_intent_form'), 0) as high_intent_forms_decayed,
        min(days_since) filter (where behaviour = 'high_intent_form') as days_since_high_intent_form,
        coalesce(sum(q7) filter (where behaviour = 'other_form'), 0) as other_forms_7d,
        coalesce(sum(q30) filter (where behaviour = 'other_form'), 0) as other_forms_30d,
        coalesce(sum(q90) filter (where behaviour = 'other_form'), 0) as other_forms_90d,
        coalesce(sum(total) filter (where behaviour = 'other_form'), 0) as other_forms_total,
        coalesce(sum(decayed) filter (where behaviour = 'other_form'), 0) as other_forms_decayed,
        min(days_since) filter (where behaviour = 'other_form') as days_since_other_form,
        coalesce(sum(q7) filter (where behaviour = 'human_email_click'), 0) as human_email_clicks_7d,
        coalesce(sum(q30) filter (where behaviour = 'human_email_click'), 0) as human_email_clicks_30d,
        coalesce(sum(q90) filter (where behaviour = 'human_email_click'), 0) as human_email_clicks_90d,
        coalesce(sum(total) filter (where behaviour = 'human_email_click'), 0) as human_email_clicks_total,
        coalesce(sum(decayed) filter (where behaviour = 'human_email_click'), 0) as human_email_clicks_decayed,
        min(days_since) filter (where behaviour = 'human_email_click') as days_since_human_email_click,
        sum(before_creation) filter (where behaviour = 'web_session') as web_sessions_before_creation,
        bool_or(behaviour in ('email_unsubscribe', 'email_spam_report')) as has_unsubscribed,
        sum(events) filter (where behaviour = 'email_bounce') as email_bounces
    from per_behaviour
    group by all

),

rules as (

    select * from seeds.scoring_rules join seeds.scoring_groups using (score_type, rule_group)

),

engagement as (

    select lead_id, snapshot_name, sum(points) as engagement_points
    from (
        select b.lead_id, b.snapshot_name,
               greatest(min(r.min_points), least(max(r.max_points),
                        sum(r.points * if(r.is_decayed, b.decayed, b.total)))) as points
        from per_behaviour as b
        join rules as r on r.score_type = 'engagement' and r.behaviour = b.behaviour
        group by b.lead_id, b.snapshot_name, r.rule_group
    )
    group by all

),

known as (

    select
        *,
        case when original_touch_at <= as_of_at then original_channel end as known_channel,
        case when original_touch_at <= as_of_at then original_utm_source end as known_utm_source,
        case when original_touch_at <= as_of_at then original_utm_campaign end as known_utm_campaign,
        case when original_touch_at <= as_of_at then original_landing_page_path end as known_landing_page,
        case when title_at <= as_of_at then seniority end as known_seniority,
        case when title_at <= as_of_at then department end as known_department,
        case when country_source = 'email_domain_tld' or country_at <= as_of_at then country_code end
            as known_country_code,
        case when country_source = 'email_domain_tld' or country_at <= as_of_at then region end
            as known_region,
        case when product_at <= as_of_at then product_interest end as known_product_interest
    from snapshots

),

fit as (

    select lead_id, snapshot_name, sum(points) as fit_points
    from (
        select a.lead_id, a.snapshot_name,
               greatest(min(r.min_points), least(max(r.max_points), sum(r.points))) as points
        from (
            select lead_id, snapshot_name, unnest(attrs, recursive := true)
            from (
                select lead_id, snapshot_name, [
                    {'attribute': 'seniority', 'attribute_value': known_seniority},
                    {'attribute': 'department', 'attribute_value': known_department},
                    {'attribute': 'is_free_email', 'attribute_value': is_free_email::varchar},
                    {'attribute': 'country_code', 'attribute_value': known_country_code},
                    {'attribute': 'region', 'attribute_value': known_region},
                    {'attribute': 'product_interest', 'attribute_value': known_product_interest},
                    {'attribute': 'has_product_interest',
                     'attribute_value': (known_product_interest is not null)::varchar},
                    {'attribute': 'has_company', 'attribute_value': has_company::varchar}
                ] as attrs
                from known
            )
        ) as a
        join rules as r
            on r.score_type = 'fit' and r.attribute = a.attribute
           and lower(a.attribute_value) = lower(r.attribute_value)
        group by a.lead_id, a.snapshot_name, r.rule_group
    )
    group by all

)

select
    md5(concat_ws('|', coalesce(k.lead_id::varchar, '∅'), coalesce(k.snapshot_name::varchar, '∅'))) as lead_feature_id,
    k.lead_id,
    k.snapshot_name,
    k.snapshot_kind,
    k.as_of_at,
    cast(timezone('UTC', k.as_of_at) as date) as as_of_date,
    k.created_at,
    k.snapshot_kind = 'training' as is_outcome_known,
    if(k.snapshot_kind = 'training',
       coalesce(k.reached_at <= k.created_at + to_days(p.horizon_days), false), null) as converted_within_horizon,
    round(coalesce(fit.fit_points, 0) + coalesce(engagement.engagement_points, 0), 2) as rule_score,
    round(epoch(k.as_of_at - k.created_at) / 86400.0, 2) as lead_age_days,
    k.is_free_email,
    k.has_company,
    k.identified_via,
    k.known_channel as original_channel,
    k.known_utm_source as original_utm_source,
    k.known_utm_campaign as original_utm_campaign,
    k.known_landing_page as original_landing_page,
    k.known_seniority as seniority,
    k.known_department as department,
    k.known_country_code as country_code,
    k.known_region as region,
    k.known_product_interest as product_interest,
    round(coalesce(fit.fit_points, 0), 2) as rule_fit_points,
    round(coalesce(engagement.engagement_points, 0), 2) as rule_engagement_points,
    coalesce(b.pricing_page_views_7d, 0)::integer as pricing_page_views_7d,
    coalesce(b.pricing_page_views_30d, 0)::integer as pricing_page_views_30d,
    coalesce(b.pricing_page_views_90d, 0)::integer as pricing_page_views_90d,
    coalesce(b.pricing_page_views_total, 0)::integer as pricing_page_views_total,
    round(coalesce(b.pricing_page_views_decayed, 0), 3) as pricing_page_views_decayed,
    round(b.days_since_pricing_page_view, 2) as days_since_pricing_page_view,
    coalesce(b.demo_page_views_7d, 0)::integer as demo_page_views_7d,
    coalesce(b.demo_page_views_30d, 0)::integer as demo_page_views_30d,
    coalesce(b.demo_page_views_90d, 0)::integer as demo_page_views_90d,
    coalesce(b.demo_page_views_total, 0)::integer as demo_page_views_total,
    round(coalesce(b.demo_page_views_decayed, 0), 3) as demo_page_views_decayed,
    round(b.days_since_demo_page_view, 2) as days_since_demo_page_view,
    coalesce(b.web_sessions_7d, 0)::integer as web_sessions_7d,
    coalesce(b.web_sessions_30d, 0)::integer as web_sessions_30d,
    coalesce(b.web_sessions_90d, 0)::integer as web_sessions_90d,
    coalesce(b.web_sessions_total, 0)::integer as web_sessions_total,
    round(coalesce(b.web_sessions_decayed, 0), 3) as web_sessions_decayed,
    round(b.days_since_web_session, 2) as days_since_web_session,
    coalesce(b.high_intent_forms_7d, 0)::integer as high_intent_forms_7d,
    coalesce(b.high_intent_forms_30d, 0)::integer as high_intent_forms_30d,
    coalesce(b.high_intent_forms_90d, 0)::integer as high_intent_forms_90d,
    coalesce(b.high_intent_forms_total, 0)::integer as high_intent_forms_total,
    round(coalesce(b.high_intent_forms_decayed, 0), 3) as high_intent_forms_decayed,
    round(b.days_since_high_intent_form, 2) as days_since_high_intent_form,
    coalesce(b.other_forms_7d, 0)::integer as other_forms_7d,
    coalesce(b.other_forms_30d, 0)::integer as other_forms_30d,
    coalesce(b.other_forms_90d, 0)::integer as other_forms_90d,
    coalesce(b.other_forms_total, 0)::integer as other_forms_total,
    round(coalesce(b.other_forms_decayed, 0), 3) as other_forms_decayed,
    round(b.days_since_other_form, 2) as days_since_other_form,
    coalesce(b.human_email_clicks_7d, 0)::integer as human_email_clicks_7d,
    coalesce(b.human_email_clicks_30d, 0)::integer as human_email_clicks_30d,
    coalesce(b.human_email_clicks_90d, 0)::integer as human_email_clicks_90d,
    coalesce(b.human_email_clicks_total, 0)::integer as human_email_clicks_total,
    round(coalesce(b.human_email_clicks_decayed, 0), 3) as human_email_clicks_decayed,
    round(b.days_since_human_email_click, 2) as days_since_human_email_click,
    coalesce(b.web_sessions_before_creation, 0)::integer as web_sessions_before_creation,
    round(coalesce(b.web_sessions_7d, 0)
          - (coalesce(b.web_sessions_30d, 0) - coalesce(b.web_sessions_7d, 0)) * 7 / 23.0, 3)
        as web_session_velocity,
    coalesce(b.has_unsubscribed, false) as has_unsubscribed,
    coalesce(b.email_bounces, 0)::integer as email_bounces
from known as k
cross join params as p
left join pivoted as b using (lead_id, snapshot_name)
left join engagement using (lead_id, snapshot_name)
left join fit using (lead_id, snapshot_name)
